from django.core.management.base import BaseCommand, CommandError

from signing.demo import DEMO_PIN, seed_demo_pki, signer_users
from units.models import Unit


class Command(BaseCommand):
    help = (
        "Create the demo PKI under var/signing/ (a demo CA trusted by nobody else, the organisation's "
        "and each signer's PKCS#12 file), register them as credentials and the CA as a trust anchor, "
        "and draw sample signature and seal images (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organisation", help="code of the issuing unit (default: the root unit)")
        parser.add_argument("--password", default=DEMO_PIN, help="password of the key files (the demo accounts')")

    def handle(self, *args, **options):
        units = (
            Unit.objects.filter(code=options["organisation"])
            if options["organisation"]
            else Unit.objects.filter(parent=None)
        )
        organisation = units.order_by("sort_order", "pk").first()
        if organisation is None:
            raise CommandError("No organisation: load the demo units first (manage.py seed_demo).")
        result = seed_demo_pki(organisation=organisation, signers=signer_users(), password=options["password"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo PKI ready in {result['directory']}: {result['ca']}; certificates of "
                f"{result['organisation']} and of {', '.join(result['signers']) or 'no signer'} "
                f"(PIN: the demo password)."
            )
        )
