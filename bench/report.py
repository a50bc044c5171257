"""The table (printed and written to docs/benchmarks.md) and the page around it."""

import platform
import subprocess

import django
from django.conf import settings

from bench.measure import Row

HEADER = [
    "path",
    "N",
    "median ms",
    "spread ms (min–max)",
    "floor ms",
    "ratio",
    "SQL queries",
    "req/s",
    "p95 ms",
    "goal",
]


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    value = seconds * 1000
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def cells(row: Row, number: int) -> list[str]:
    spread = row.spread if row.p50 is None else None
    goal = row.goal
    if row.met is not None:
        goal = f"{'✓' if row.met else '✗'} {goal}"
    return [
        f"{row.path} ⁽{number}⁾",
        f"{row.n:,}",
        ms(row.median),
        f"{ms(spread[0])}–{ms(spread[1])}" if spread else "—",
        ms(row.floor),
        f"{row.ratio:.2f}×" if row.ratio is not None else "—",
        str(row.queries) if row.queries is not None else "—",
        f"{row.rps:,.0f}" if row.rps is not None else "—",
        ms(row.p95),
        goal or "—",
    ]


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---"] + ["--:"] * 8 + ["---"]) + "|"]
    lines += ["| " + " | ".join(cells(row, n)) + " |" for n, row in enumerate(rows, start=1)]
    return "\n".join(lines)


def notes(rows: list[Row]) -> str:
    return "\n".join(f"{n}. {row.note}" for n, row in enumerate(rows, start=1) if row.note)


def commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with uncommitted changes in the working tree)" if dirty else head


def page(*, rows, machine, started, scale, seed, runs, seeded_lines, seeding, database, wall, command) -> str:
    goals = [r for r in rows if r.met is not None]
    met = sum(1 for r in goals if r.met)
    return f"""# Benchmarks

The numbers below come from a real run: `{command}` on {started:%Y-%m-%d %H:%M %Z}, commit
`{commit()}`. `make bench` writes this page (at SCALE=1; other scales go to `var/`), so
run it again rather than editing it.

**Machine**: {machine["cores"]} cores ({machine["cpu"] or "unknown CPU"}), {machine["memory_gib"]} GiB of memory;
PostgreSQL {machine["postgresql"]} (shared_buffers {machine["shared_buffers"]}, work_mem {machine["work_mem"]}, as
installed), Redis, Python {platform.python_version()}, Django {django.get_version()}. PostgreSQL, Redis,
the bench process, gunicorn and the load generator all share the machine.

## Dataset

SCALE={scale:g}, seed {seed}, in the dedicated database `{database}` (dropped, created and migrated by the
bench; the database DATABASE_URL names is never touched). {seeding}

{chr(10).join(f"- {line}" for line in seeded_lines)}

## Results

{met} of {len(goals)} goals met; whole bench {wall:.0f} s.

{table(rows)}

{notes(rows)}

## How to read the table

- **median** and **spread** (min–max) of N timed runs ({runs} by default, `--runs`), after one warm-up
  run that is not timed. The path and its floor run in the same run, through the same
  connection, alternating which goes first.
- **floor**: the plain SQL that returns the same rows or numbers, fetched whole. For a page
  or an endpoint, the floor adds the framework's own cost measured the same way: a request
  to `/healthz` through the same in-process `django.test.Client` with the same logged-in
  user (its session is read and saved, the database and the broker are pinged), with
  DEBUG off. **ratio** = median ÷ floor median.
- **SQL queries**: counted with `django.test.utils.CaptureQueriesContext` in the warm-up
  run (the sweep's in its first timed run: * it grows with the number of batches). For
  the pages and distribute, the note gives the count for a small circular, inbox or
  group: the goal needs it to be the same.
- **HTTP rows**: gunicorn `portal.wsgi` in a second process on 127.0.0.1, DEBUG=0, with a
  load generator sending requests for a fixed time; N is the number of requests, the
  median is the p50 latency and the floor the p50 of `/healthz` under the same load.
  There are twice as many connections as sync workers, so the server is saturated and a
  request usually waits for one other: the p50 is about twice the service time.
- **Writes**: issue and distribute commit, as in the portal (each distribution publishes
  one `send_outbox` message to the broker on commit; the bench runs no worker); the sweep
  is rolled back after each run; the load on acknowledge acknowledges for real. Each run
  therefore adds a few circulars and acknowledgements to the bench database, which the
  next `--skip-seed` run measures with.
- **goal**: ✓ met, ✗ missed; — when the issue sets none. The goals (SCALE=1): distribute to
  3,500 units under 1 s; every page and endpoint within 3× its floor and under 200 ms
  median; the league table within 1.5× its GROUP BY; the sweep under 60 s with peak
  memory under 300 MB; query counts independent of the number of units.

Run it: `export DATABASE_URL=postgres://… CELERY_BROKER_URL=redis://… REDIS_URL=redis://…`, then
`make bench SCALE=1` (`--skip-seed` measures the dataset already seeded; `--seed N` draws another).
"""
