"""Checking the signatures of a PDF, with pyHanko: one report per signature, in the
fields of the API (issue 14), and the "signed elsewhere" check that an uploaded file is the
portal's own draft plus a signature."""

import io
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    CatalogModificationRule,
    FormUpdatingRule,
    ModificationLevel,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON, ROOT_EXEMPT_STRICT_COMPARISON
from pyhanko.sign.validation import async_validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from core.errors import Invalid
from signing.backends import run_sync
from signing.models import TrustAnchor
from signing.pki import load_certificate, to_asn1

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Changes after a signature that leave it standing: none, timestamps and validation data,
# filling the form and signing it (what a certification with FILL_FORMS allows).
ALLOWED_CHANGES = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)

# pyHanko's policy for what may change after a signature, used from the unsigned draft to
# the signed file: the same, except that the first signature may be a certification
# (it adds /Perms to the catalogue) and the first signature sets the form's /SigFlags.
EXTERNAL_SIGNING_POLICY = StandardDiffPolicy(
    global_rules=[
        CatalogModificationRule(ignored_keys=ROOT_EXEMPT_STRICT_COMPARISON | {"/Perms"}),
        *DEFAULT_DIFF_POLICY.global_rules[1:],
    ],
    form_rule=FormUpdatingRule(
        field_rules=DEFAULT_DIFF_POLICY.form_rule.field_rules,
        ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
    ),
)


@dataclass(frozen=True)
class SignatureReport:
    field: str
    signer: str
    organisation: str
    signed_at: datetime | None
    valid: bool  # intact, cryptographically sound, and nothing disallowed changed after it
    intact: bool  # the signed bytes are unchanged
    trusted: bool  # the signer's certificate chains to a trust anchor
    modification_level: str  # none, lta_updates, form_filling, annotations, other
    timestamped: bool
    revision: int = 0

    def as_dict(self) -> dict:
        """As the API writes it (``signed_at`` in ISO 8601, Vietnam time)."""
        data = asdict(self)
        del data["revision"]
        data["signed_at"] = self.signed_at.astimezone(VIETNAM).isoformat() if self.signed_at else None
        return data


def active_trust_anchors():
    """The administrator's trust anchors, as certificates pyHanko takes."""
    return [
        to_asn1(load_certificate(pem))
        for pem in TrustAnchor.objects.filter(active=True).values_list("certificate_pem", flat=True)
    ]


def _reader(pdf: bytes) -> PdfFileReader:
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise Invalid(_("The file is not a PDF."))
    try:
        return PdfFileReader(io.BytesIO(pdf), strict=False)
    except (PdfError, ValueError, KeyError, IndexError, TypeError) as error:
        raise Invalid(_("The file is not a readable PDF.")) from error


def _name_part(certificate, key: str) -> str:
    return str(certificate.subject.native.get(key, "")) if certificate is not None else ""


async def _report(embedded, anchors) -> SignatureReport:
    context = ValidationContext(
        trust_roots=list(anchors),
        allow_fetching=settings.SIGNING_REVOCATION_CHECK,
        revocation_mode="soft-fail",
    )
    certificate = None
    try:
        certificate = embedded.signer_cert
        status = await async_validate_pdf_signature(embedded, signer_validation_context=context)
    except Exception:  # any damage to a signature makes it invalid, never a 500
        return SignatureReport(
            field=embedded.field_name,
            signer=_name_part(certificate, "common_name"),
            organisation=_name_part(certificate, "organization_name"),
            signed_at=None,
            valid=False,
            intact=False,
            trusted=False,
            modification_level=ModificationLevel.OTHER.name.lower(),
            timestamped=False,
            revision=embedded.signed_revision,
        )
    finally:
        await context.aclose()  # the revocation fetchers' session, in the loop that opened it
    level = status.modification_level or ModificationLevel.OTHER
    intact = bool(status.intact)
    timestamp = status.timestamp_validity
    signed_at = timestamp.timestamp if timestamp is not None else status.signer_reported_dt
    return SignatureReport(
        field=embedded.field_name,
        signer=_name_part(status.signing_cert, "common_name"),
        organisation=_name_part(status.signing_cert, "organization_name"),
        signed_at=signed_at,
        valid=intact and bool(status.valid) and bool(status.docmdp_ok) and level in ALLOWED_CHANGES,
        intact=intact,
        trusted=bool(status.trusted),
        modification_level=level.name.lower(),
        timestamped=timestamp is not None and bool(timestamp.intact and timestamp.valid),
        revision=embedded.signed_revision,
    )


def validate(pdf: bytes, *, trust_anchors=None) -> list[SignatureReport]:
    """Every signature of ``pdf``, oldest first (document timestamps are not signatures and
    are counted in ``timestamped``). ``trust_anchors``: asn1crypto certificates; None reads
    the administrator's. Raises ``Invalid`` for a file that is not a readable PDF."""
    reader = _reader(pdf)
    anchors = active_trust_anchors() if trust_anchors is None else list(trust_anchors)

    async def run():
        return [await _report(embedded, anchors) for embedded in reader.embedded_regular_signatures]

    return run_sync(run())


def check_incremental_signature(original: bytes, signed: bytes, *, trust_anchors=None) -> list[SignatureReport]:
    """The "signed elsewhere" upload: ``signed`` must be exactly ``original`` plus
    incremental updates that add at least one signature, every new signature valid, and
    nothing else changed (filling the form and adding signatures are all that is allowed).
    Raises ``Invalid`` saying why not; returns the new signatures' reports."""
    if len(signed) <= len(original) or signed[: len(original)] != original:
        raise Invalid(_("This file is not the draft the portal produced: its first bytes differ from the draft's."))
    base_revisions = _reader(original).xrefs.total_revisions
    reader = _reader(signed)
    reports = [report for report in validate(signed, trust_anchors=trust_anchors) if report.revision >= base_revisions]
    if not reports:
        raise Invalid(_("The file adds no signature to the draft."))
    if not all(report.valid for report in reports):
        raise Invalid(_("The signature added to the draft is not valid."))
    review = EXTERNAL_SIGNING_POLICY.review_file(reader, base_revisions - 1)
    if isinstance(review, SuspiciousModification) or review.modification_level not in ALLOWED_CHANGES:
        raise Invalid(_("The signed file changes the draft's content, not only its signature."))
    return reports


def is_incremental_signature_of(original: bytes, signed: bytes, *, trust_anchors=None) -> bool:
    try:
        check_incremental_signature(original, signed, trust_anchors=trust_anchors)
    except Invalid:
        return False
    return True
