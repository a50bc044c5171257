from django.core.management import call_command
from django.core.management.base import BaseCommand

from portal.demo.circular import seed_circular, seed_deliveries
from portal.demo.organisation import DEMO_PASSWORD, STAFF, seed_organisation


class Command(BaseCommand):
    help = "Load the demo district of the seed circular (idempotent: running it again updates, never duplicates)."

    def handle(self, *args, **options):
        counts = seed_organisation()
        # The keys first: the seed circular is signed by the signer's and the organisation's
        # demo certificates as it is approved and issued.
        call_command("demo_pki", password=DEMO_PASSWORD, stdout=self.stdout)
        circular = seed_circular()
        units = seed_deliveries(circular)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['units']} units, {counts['groups']} groups, "
                f"circular {circular.reference} sent to {units} units."
            )
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, full_name, _title, role, unit in STAFF:
            where = f", unit {unit}" if unit else ""
            self.stdout.write(f"  {username:<12} {role.value}{where} ({full_name})")
        self.stdout.write("  <unit code>  the clerk of that unit, e.g. xa-bac-phong")
        self.stdout.write("  <unit code>-truong  the head of that unit, e.g. xa-bac-phong-truong")
