"""The Vietnamese catalogue is complete, usable and compiled.

Vietnamese is the portal's first language: an empty ``msgstr`` shows English to a
commune clerk, a ``#, fuzzy`` entry is ignored at run time (so it shows English too), a
translation that drops or renames a ``%(name)s`` placeholder raises ``KeyError`` when the
message is formatted, and a ``.mo`` older than its ``.po`` serves yesterday's words.

These tests read the files only: no database, no Django settings.
"""

import gettext
import io
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
VI_PO = LOCALE / "vi" / "LC_MESSAGES" / "django.po"

# %(name)s, %s, %5.2f …; "%%" is a literal percent sign, not a placeholder.
PERCENT_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]")
# {name}, {0}, {name!r}, {name:>10}; "{action_item, status, note}" is prose, not a field.
BRACE_PLACEHOLDER = re.compile(r"\{(?:[A-Za-z_]\w*|\d*)(?:\.[A-Za-z_]\w*|\[[^\]]*\])*(?:![rsa])?(?::[^{}]*)?\}")


@dataclass
class Entry:
    line: int
    flags: set = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # "msgstr" -> text, or index -> text for plurals

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def name(self) -> str:
        return f"{self.msgctxt}\x04{self.msgid}" if self.msgctxt else self.msgid


def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), "\\" + m.group(1)), text)


KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"\s*$')


def parse_po(path: Path) -> list[Entry]:
    """Entries are separated by blank lines; a keyword line may be followed by
    continuation lines that are just a quoted string. Obsolete entries (``#~``) and
    previous-msgid comments (``#|``) are comments and are skipped."""
    entries = []
    for number, block in _blocks(path.read_text(encoding="utf-8")):
        entry, current = Entry(line=number), None
        for raw in block:
            line = raw.strip()
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
                current = None
            elif line.startswith("#"):
                current = None
            elif match := KEYWORD.match(line):
                keyword, index, text = match.group(1), match.group(2), _unquote(match.group(3))
                if keyword == "msgstr":
                    current = ("msgstr", int(index) if index is not None else "msgstr")
                    entry.msgstr[current[1]] = text
                else:
                    current = (keyword, None)
                    setattr(entry, keyword, text)
            elif line.startswith('"') and line.endswith('"') and current:
                text = _unquote(line[1:-1])
                if current[0] == "msgstr":
                    entry.msgstr[current[1]] += text
                else:
                    setattr(entry, current[0], getattr(entry, current[0]) + text)
            else:
                raise AssertionError(f"{path}:{number}: cannot parse {raw!r}")
        if entry.msgstr or entry.msgid:
            entries.append(entry)
    return entries


def _blocks(text: str):
    block, start = [], 1
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                start = number
            block.append(line)
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def placeholders(text: str, entry: Entry) -> set[str]:
    found = set()
    if "python-format" in entry.flags or "%(" in entry.msgid:
        found |= {p for p in PERCENT_PLACEHOLDER.findall(text) if p != "%%"}
    if "python-brace-format" in entry.flags:
        found |= set(BRACE_PLACEHOLDER.findall(text))
    return found


@pytest.fixture(scope="module")
def vi_entries() -> list[Entry]:
    assert VI_PO.exists(), f"{VI_PO} is missing"
    entries = parse_po(VI_PO)
    assert entries and entries[0].is_header, "the catalogue must start with its header"
    return entries


def _names(entries) -> str:
    return "\n".join(f"  line {e.line}: {e.name!r}" for e in entries)


def test_the_parser_reads_every_entry(vi_entries):
    # Every "msgid" line of the file (plural forms aside) became an entry.
    count = sum(1 for line in VI_PO.read_text(encoding="utf-8").splitlines() if line.startswith("msgid "))
    assert len(vi_entries) == count
    header = vi_entries[0].msgstr["msgstr"]
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "charset=UTF-8" in header


def test_every_entry_is_translated(vi_entries):
    empty = [e for e in vi_entries if not e.is_header and (not e.msgstr or not all(e.msgstr.values()))]
    assert not empty, f"{len(empty)} entries have an empty msgstr in {VI_PO}:\n{_names(empty)}"


def test_plural_entries_have_the_one_vietnamese_form(vi_entries):
    plural = [e for e in vi_entries if e.msgid_plural is not None]
    wrong = [e for e in plural if 0 not in e.msgstr or "msgstr" in e.msgstr]
    assert not wrong, f"plural entries without msgstr[0]:\n{_names(wrong)}"


def test_no_entry_is_fuzzy(vi_entries):
    fuzzy = [e for e in vi_entries if "fuzzy" in e.flags and not e.is_header]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries are ignored at run time; check and unflag them:\n{_names(fuzzy)}"


def test_the_header_is_not_fuzzy(vi_entries):
    assert "fuzzy" not in vi_entries[0].flags, "a fuzzy header makes msgfmt drop the charset"


@pytest.mark.parametrize("language", ["en"])
def test_other_catalogues_have_no_fuzzy_entry(language):
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        pytest.skip(f"no {language} catalogue")
    fuzzy = [e for e in parse_po(path) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {path}:\n{_names(fuzzy)}"


def test_placeholders_are_kept(vi_entries):
    problems = []
    for entry in vi_entries:
        if entry.is_header:
            continue
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        expected = placeholders(source, entry)
        if entry.msgid_plural is not None and placeholders(entry.msgid, entry) - expected:
            expected |= placeholders(entry.msgid, entry)
        for key, text in entry.msgstr.items():
            if not text:
                continue  # reported by test_every_entry_is_translated
            got = placeholders(text, entry)
            if got != expected:
                where = f"msgstr[{key}]" if isinstance(key, int) else "msgstr"
                problems.append(
                    f"  line {entry.line}: {entry.name!r} {where}: "
                    f"missing {sorted(expected - got)}, unexpected {sorted(got - expected)}"
                )
    assert not problems, "placeholders differ between msgid and msgstr:\n" + "\n".join(problems)


def test_translations_are_formattable(vi_entries):
    """Formatting each python-format translation with the msgid's names must work."""
    broken = []
    for entry in vi_entries:
        if entry.is_header or "python-format" not in entry.flags:
            continue
        names = set(re.findall(r"%\((\w+)\)", entry.msgid + (entry.msgid_plural or "")))
        if not names:
            continue
        values = dict.fromkeys(names, 1)
        for text in entry.msgstr.values():
            try:
                text % values
            except (KeyError, ValueError, TypeError) as error:
                broken.append(f"  line {entry.line}: {entry.name!r}: {error!r}")
    assert not broken, "translations that fail when formatted:\n" + "\n".join(broken)


def _catalog(data: bytes) -> gettext.GNUTranslations:
    return gettext.GNUTranslations(io.BytesIO(data))


def _pairs(translations: gettext.GNUTranslations) -> dict:
    # The header ("") carries POT-Creation-Date, which makemessages rewrites on every run;
    # the header fields that matter at run time are compared separately.
    return {key: value for key, value in translations._catalog.items() if key != ""}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_mo_file_is_up_to_date(language):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed: cannot compile the .po to compare")
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not po.exists():
        pytest.skip(f"no {language} catalogue")
    assert mo.exists(), f"{mo} is missing: run manage.py compilemessages"
    # Django's compilemessages runs ``msgfmt --check-format``; so does this.
    result = subprocess.run([msgfmt, "--check-format", "-o", "-", str(po)], capture_output=True, check=False)
    assert result.returncode == 0, f"msgfmt rejects {po}:\n{result.stderr.decode(errors='replace')}"
    fresh, stored = _catalog(result.stdout), _catalog(mo.read_bytes())
    fresh_pairs, stored_pairs = _pairs(fresh), _pairs(stored)

    def show(key):
        return repr(key[0] if isinstance(key, tuple) else key).replace("\\x04", " | ")

    missing = sorted((k for k in fresh_pairs if k not in stored_pairs), key=str)
    stale = sorted((k for k in fresh_pairs if k in stored_pairs and fresh_pairs[k] != stored_pairs[k]), key=str)
    extra = sorted((k for k in stored_pairs if k not in fresh_pairs), key=str)
    problems = (
        [f"  not in the .mo: {show(k)}" for k in missing]
        + [f"  different in the .mo: {show(k)}" for k in stale]
        + [f"  only in the .mo: {show(k)}" for k in extra]
    )
    assert not problems, f"{mo} is out of date with {po.name}; run manage.py compilemessages:\n" + "\n".join(problems)
    for header in ("content-type", "plural-forms", "language"):
        assert fresh.info().get(header) == stored.info().get(header), f"{mo}: header {header!r} is out of date"


def test_words_others_rely_on(vi_entries):
    """Strings that pages, emails and tests quote in Vietnamese."""
    by_id = {e.msgid: e.msgstr.get("msgstr") for e in vi_entries}
    expected = {
        "Acknowledge receipt": "Xác nhận đã nhận",
        "Wrong username or password.": "Sai tên đăng nhập hoặc mật khẩu.",
        "The file matches the issued document exactly.": "Tệp trùng khớp với văn bản đã ban hành.",
        "“%(name)s” is not an accepted kind of file. Accepted: %(labels)s.": (
            "“%(name)s” không phải loại tệp được chấp nhận. Chấp nhận: %(labels)s."
        ),
        "People's Committee": "Ủy ban nhân dân",
        "Flash": "Hỏa tốc",
    }
    wrong = {k: by_id.get(k) for k, v in expected.items() if by_id.get(k) != v}
    assert not wrong, f"these msgids lost the agreed translation: {wrong}"


def test_old_style_diacritics(vi_entries):
    """One spelling across the portal: "Ủy ban", "hỏa tốc" (the mark on the first vowel
    of oa/oe/uy), as Decree 30's templates write them."""
    new_style = re.compile(r"(?i)(?<!q)(uỷ|uý|uỳ|uỹ|uỵ|oá|oà|oả|oã|oạ|oé|oè|oẻ|oẽ|oẹ)(?![a-zàáảãạăâđêôơư])")
    wrong = [e for e in vi_entries if any(new_style.search(t) for t in e.msgstr.values()) and not e.is_header]
    assert not wrong, "write 'Ủy', 'hỏa', 'khóa' (not 'Uỷ', 'hoả', 'khoá'):\n" + _names(wrong)
