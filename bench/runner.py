"""``manage.py bench``: the dedicated database, the dataset, the measurements, the table."""

import datetime
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.test.utils import override_settings
from django.utils import timezone

from bench import db, measure, report
from bench import seed as seeding
from bench.http import measure_load


def default_out(scale: float) -> Path:
    """docs/benchmarks.md holds the SCALE=1 run; other scales do not overwrite it."""
    if scale == 1:
        return Path(settings.BASE_DIR) / "docs" / "benchmarks.md"
    return Path(settings.BASE_DIR) / "var" / f"benchmarks-scale-{scale:g}.md"


def run(
    *,
    scale: float,
    seed: int = 1,
    runs: int = 7,
    skip_seed: bool = False,
    out: str | None = None,
    http_seconds: float | None = None,
    log=print,
) -> list[measure.Row]:
    wall_started = time.perf_counter()
    started = timezone.localtime()
    db.check_environment()
    source = db.libpq_params()["dbname"]
    name = db.bench_name(source)
    if skip_seed:
        if not db.exists(name):
            raise db.BenchRefused(f"--skip-seed: the bench database {name} does not exist; run without it first")
        db.switch_to(name)
        db.migrate()
        seeded = seeding.load_meta()
        if seeded is None:
            raise db.BenchRefused(f"--skip-seed: {name} holds no seeded dataset; run without --skip-seed")
        if seeded.plan.scale != scale:
            log(f"Note: {name} was seeded at SCALE={seeded.plan.scale:g}; measuring that, not {scale:g}.")
            scale = seeded.plan.scale
        log(
            f"Bench database {name} (beside {source}, which is not touched): reusing the dataset seeded on "
            f"{seeded.anchor} (seed {seeded.seed}); earlier runs added their distributions and acknowledgements."
        )
        seeding_line = f"Seeded on {seeded.anchor} in {seeded.seconds:.0f} s (this run reused it: --skip-seed)."
    else:
        log(f"Bench database {name} (beside {source}, which is not touched): dropping, creating, migrating.")
        db.recreate(name)
        db.switch_to(name)
        db.migrate()
        plan = seeding.Plan.at(scale)
        log(
            f"Seeding SCALE={scale:g} (seed {seed}): {plan.units:,} units, {plan.circulars:,} circulars, "
            f"about {plan.expected_deliveries:,} deliveries, with COPY."
        )
        seeded = seeding.seed(scale, seed, log=log)
        log(f"Seeded in {seeded.seconds:.1f} s (foreign keys {seeded.fk_checks}).")
        seeding_line = (
            f"Seeded in **{seeded.seconds:.0f} s** with PostgreSQL COPY (psycopg 3 `cursor.copy()`, one "
            f"connection per large table, foreign keys {seeded.fk_checks}), then VACUUM ANALYZE."
        )
    lines = seeding.describe(seeded)
    for line in lines:
        log(f"  {line}")

    ctx = measure.Context.load(seeded)
    machine = measure.machine()
    rows: list[measure.Row] = []
    http_seconds = http_seconds or (10.0 if scale >= 0.5 else 3.0)
    with tempfile.TemporaryDirectory(prefix="bench-media-") as media, override_settings(
        DEBUG=False, MEDIA_ROOT=media, EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    ):  # fmt: skip
        steps = [
            ("league table", lambda: [measure.measure_league(ctx, runs)]),
            ("chase sweep", lambda: [measure.measure_sweep(ctx, runs)]),
            ("pages and endpoint", lambda: measure.measure_pages(ctx, runs)),
            ("issue and distribute", lambda: measure.measure_issue_and_distribute(ctx, runs)),
        ]
        for label, step in steps:
            log(f"Measuring the {label} ({runs} runs)…")
            t = time.perf_counter()
            done = step()
            rows.extend(done)
            for row in done:
                log(f"  {row.path}: median {report.ms(row.median)} ms, floor {report.ms(row.floor)} ms")
            log(f"  ({time.perf_counter() - t:.0f} s)")
        log(f"Measuring under HTTP load ({http_seconds:g} s each)…")
        rows.extend(
            measure_load(database_url=db.database_url(name), inbox_user=ctx.inbox_user, seconds=http_seconds, log=log)
        )
    wall = time.perf_counter() - wall_started
    text = report.table(rows)
    log("")
    log(text)
    log("")
    log(report.notes(rows))
    target = Path(out) if out else default_out(scale)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        report.page(
            rows=rows,
            machine=machine,
            started=started,
            scale=scale,
            seed=seeded.seed,
            runs=runs,
            seeded_lines=lines,
            seeding=seeding_line,
            database=name,
            wall=wall,
            command=f"make bench SCALE={scale:g}",
        ),
        encoding="utf-8",
    )
    log("")
    log(f"Bench finished in {wall:.0f} s ({datetime.timedelta(seconds=round(wall))}); table written to {target}.")
    return rows
