"""The national-scale benchmark behind ``make bench`` (``manage.py bench``).

- ``bench.db``: refuses SQLite; creates, migrates and switches to ``<name>_bench``;
- ``bench.seed``: the synthetic dataset, written with COPY, repeatable from a seed;
- ``bench.measure``: each hot path beside its floor, in the same run;
- ``bench.http``: gunicorn and wrk (or a Python load generator) on loopback;
- ``bench.report``: the table and docs/benchmarks.md;
- ``bench.runner``: the order of it all.
"""
