from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from acknowledgements import links
from acknowledgements.models import Delivery
from portal.demo.campaigns import seed_campaigns
from portal.demo.circular import seed_circular, seed_deliveries
from portal.demo.dispatches import seed_dispatches
from portal.demo.organisation import DEMO_PASSWORD, STAFF, seed_organisation
from portal.demo.story import Clock

# The commune whose clerk the guided tour follows (README): today's circular awaits it.
TOUR_UNIT = "xa-bac-phong"


class Command(BaseCommand):
    help = "Load the demo district of the seed circular (idempotent: running it again updates, never duplicates)."

    def handle(self, *args, **options):
        counts = seed_organisation()
        # The keys first: the seed circular is signed by the signer's and the organisation's
        # demo certificates as it is approved and issued.
        call_command("demo_pki", password=DEMO_PASSWORD, stdout=self.stdout)
        # The emails of a replayed history went out when it happened: kept in memory here,
        # not printed by the hundred on the console the demo serves on.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
            circular = seed_circular()
            units = seed_deliveries(circular)
            # This year's work, dated back from today: what the portal holds on the day it is shown.
            clock = Clock()
            seed_campaigns(clock)
            seed_dispatches(clock)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {counts['units']} units, {counts['groups']} groups, "
                f"circular {circular.reference} of 2024 sent to {units} units, and this year's circulars and "
                "dispatches at every stage, dated back from today."
            )
        )
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for username, full_name, _title, role, unit in STAFF:
            where = f", unit {unit}" if unit else ""
            self.stdout.write(f"  {username:<12} {role.value}{where} ({full_name})")
        self.stdout.write("  <unit code>  the clerk of that unit, e.g. xa-bac-phong")
        self.stdout.write("  <unit code>-truong  the head of that unit, e.g. xa-bac-phong-truong")
        waiting = (
            Delivery.objects.filter(unit__code=TOUR_UNIT, status=Delivery.Status.SENT).order_by("-sent_at").first()
        )
        if waiting is not None:
            clerk = waiting.unit.memberships.get(user__username=TOUR_UNIT).user_id
            self.stdout.write(
                f"The one-click link of this morning's email to {TOUR_UNIT}'s clerk "
                f"(acknowledges {waiting.circular.reference}):"
            )
            self.stdout.write(f"  {links.ack_url(user_id=clerk, delivery_id=waiting.pk)}")
