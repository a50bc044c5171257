"""``make ux``: a commune clerk's two journeys on a phone over slow 3G (see bench/ux.py)."""

from django.core.management.base import BaseCommand

from bench import ux


class Command(BaseCommand):
    help = "Replay the clerk's journeys (email link → acknowledged, login → acknowledged) over slow 3G in chromium."

    def handle(self, *args, **options):
        ux.run(log=self.stdout.write)
