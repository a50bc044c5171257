"""``make bench``: the national-scale benchmark (see bench/ and docs/benchmarks.md)."""

from django.core.management.base import BaseCommand, CommandError

from bench import db, runner


class Command(BaseCommand):
    help = (
        "Seed a synthetic nation into a dedicated <name>_bench database (PostgreSQL only) and measure "
        "each hot path beside its raw-SQL floor; print the table and write it to docs/benchmarks.md."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=float, default=0.05, help="1 = 3,500 units, 2,000 circulars, ~1M deliveries"
        )
        parser.add_argument("--seed", type=int, default=1, help="the random seed of the dataset (default 1)")
        parser.add_argument("--runs", type=int, default=7, help="timed runs of each path (default 7)")
        parser.add_argument(
            "--skip-seed", action="store_true", help="measure the dataset already in the bench database"
        )
        parser.add_argument(
            "--out",
            default=None,
            help="where to write the table (default docs/benchmarks.md at SCALE=1, "
            "var/benchmarks-scale-<SCALE>.md otherwise)",
        )
        parser.add_argument(
            "--http-seconds", type=float, default=None, help="length of each HTTP load (default 10 s, 3 s below 0.5)"
        )

    def handle(self, *args, **options):
        if options["runs"] < 1:
            raise CommandError("--runs must be at least 1")

        def log(message: str) -> None:
            self.stdout.write(message)
            self.stdout.flush()

        try:
            runner.run(
                scale=options["scale"],
                seed=options["seed"],
                runs=options["runs"],
                skip_seed=options["skip_seed"],
                out=options["out"],
                http_seconds=options["http_seconds"],
                log=log,
            )
        except (db.BenchRefused, ValueError) as exc:
            raise CommandError(str(exc)) from None
