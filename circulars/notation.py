"""The notation (ký hiệu) of the committee's documents, Decree 30/2020 Appendix III: built
from the document type and the units' abbreviations unless the drafter types one.

- a công văn (and a document without an Appendix III abbreviation): ``<issuer>-<drafting
  unit>``, e.g. "UBND-TH";
- every other type: ``<type>-<issuer>``, e.g. "QĐ-UBND", "KH-UBND".

Forms, the API and the services all go through ``build_notation`` and ``clean_notation``.
"""

import unicodedata

from django.utils.translation import gettext as _

from circulars.models import DocumentType
from core.errors import Invalid
from units.models import NOTATION_PATTERN, Unit

# Appendix III's notations are a few abbreviations joined by hyphens ("LĐ-TB&XH-VP" is
# long); 30 characters leaves room for any real one and keeps the "Số" line on one line.
NOTATION_MAX_LENGTH = 30

# Decree 30, Appendix III, part II: every People's Committee signs as "UBND".
COMMITTEE_ABBREVIATION = "UBND"


def unit_abbreviation(unit: Unit | None) -> str:
    if unit is None:
        return ""
    if unit.abbreviation:
        return unit.abbreviation
    return COMMITTEE_ABBREVIATION if unit.kind == Unit.Kind.PEOPLES_COMMITTEE else ""


def build_notation(document_type: str, issuing_unit: Unit, drafting_unit: Unit | None) -> str:
    """The notation Appendix III gives the document; a part whose unit has no
    abbreviation is left out rather than invented (the drafter may type the notation)."""
    kind = DocumentType(document_type) if document_type in DocumentType.values else DocumentType.OTHER
    issuer = unit_abbreviation(issuing_unit)
    # A công văn names who drafted it; every other type names itself first.
    parts = [kind.abbreviation, issuer] if kind.abbreviation else [issuer, unit_abbreviation(drafting_unit)]
    return "-".join(part for part in parts if part)


def clean_notation(text: str) -> str:
    """A notation typed by the drafter, normalised ("qđ-ubnd " stays as typed but
    trimmed), or ``Invalid`` saying what a notation may hold. Empty means "build it"."""
    text = unicodedata.normalize("NFC", (text or "").strip())
    if not text:
        return ""
    if len(text) > NOTATION_MAX_LENGTH or not NOTATION_PATTERN.fullmatch(text):
        raise Invalid(
            _(
                "“%(notation)s” is not a notation: write at most %(max)d letters and digits in groups joined "
                "by “-”, “&” or “.”, without spaces or “/”, e.g. QĐ-UBND or UBND-TH; leave it empty to "
                "build it from the document type."
            )
            % {"notation": text[:80], "max": NOTATION_MAX_LENGTH}
        )
    return text
