import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from chasing import sweep


class Command(BaseCommand):
    help = (
        "Run one chase sweep as if it were --at (default now) and print what it queued. "
        "Idempotent: the same moment twice queues nothing the second time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", help="ISO date-time, e.g. 2024-10-18T08:00 (local time if no offset)")
        parser.add_argument("--dry-run", action="store_true", help="print what would be queued, send nothing")

    def handle(self, *args, at=None, dry_run=False, **options):
        moment = timezone.now()
        if at:
            try:
                moment = datetime.datetime.fromisoformat(at)
            except ValueError:
                raise CommandError(f"--at {at!r} is not an ISO date-time such as 2024-10-18T08:00") from None
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
        when = timezone.localtime(moment).strftime("%d/%m/%Y %H:%M")
        if dry_run:
            planned = sweep.plan(moment)
            self.stdout.write(f"Dry run at {when}: would queue {sum(planned.values())} reminders")
            for kind, count in sorted(planned.items()):
                self.stdout.write(f"  {kind:<28} {count}")
            return
        result = sweep.sweep(moment)
        self.stdout.write(f"Sweep at {when}: queued {result.total} reminders")
        for kind, count in sorted(result.queued.items()):
            self.stdout.write(f"  {kind:<28} {count}")
