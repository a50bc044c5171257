"""A layout per document type (Decree 30/2020, Appendix I), measured in the PDF as
test_pdf_layout.py measures the công văn: positions, sizes, weights and centring of
what WeasyPrint really drew, read back with pypdf. Also the two-digit number and the
urgency and secrecy stamps in their frames."""

import io
from dataclasses import replace
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from circulars.documents import circular_document
from circulars.models import Circular
from circulars.pdf import DECISION, NAMED, TELEGRAM, render_circular_pdf
from tests.circulars.test_pdf_layout import A4_WIDTH, MM, SEED, pdf_text, text_runs
from tests.factories import draft_circular

# The text column: left margin 30 mm, right margin 15 mm.
COLUMN_LEFT, COLUMN_RIGHT = 30 * MM, A4_WIDTH - 15 * MM
CENTRE = (COLUMN_LEFT + COLUMN_RIGHT) / 2
# The masthead's left cell is 40 % of the column: the issuer, the number and the stamps.
LEFT_CELL_RIGHT = COLUMN_LEFT + 0.4 * (COLUMN_RIGHT - COLUMN_LEFT)

DECISION_BODY = (
    "<p>Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;<br>"
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;<br>"
    "Theo đề nghị của Chánh Văn phòng HĐND và UBND huyện.</p>"
    "<p>Điều 1. Thành lập Tổ công tác phòng, chống lừa đảo qua mạng.</p>"
    "<p>Điều 2. Quyết định này có hiệu lực kể từ ngày ký.</p>"
)
DECISION = replace(
    SEED,
    layout=DECISION,
    type_name="QUYẾT ĐỊNH",
    authority="ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC",
    reference="Số: 01/QĐ-UBND",
    subject="Về việc thành lập Tổ công tác",
    body_html=DECISION_BODY,
)
PLAN = replace(
    SEED,
    layout=NAMED,
    type_name="KẾ HOẠCH",
    reference="Số: 07/KH-UBND",
    subject="Tuyên truyền phòng, chống lừa đảo qua mạng năm 2024",
    body_html="<p>Thực hiện Công văn số 2980/STTTT-TTra, Ủy ban nhân dân huyện ban hành Kế hoạch như sau.</p>",
)
TELEGRAM_DOC = replace(
    SEED,
    layout=TELEGRAM,
    type_name="CÔNG ĐIỆN",
    authority="ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC",
    reference="Số: 02/CĐ-UBND",
    subject="Về việc ứng phó với bão số 6",
    body_html="<p>Để chủ động ứng phó với bão số 6, Ủy ban nhân dân huyện yêu cầu các đơn vị trực 24/24 giờ.</p>",
)


RENDERED: dict[str, bytes] = {}


def pdf_of(doc) -> bytes:
    """The rendering of a document, once per module (a document holds lists: keyed by its repr)."""
    key = repr(doc)
    if key not in RENDERED:
        RENDERED[key] = render_circular_pdf(doc)
    return RENDERED[key]


def runs_of(doc):
    return [run for page in PdfReader(io.BytesIO(pdf_of(doc))).pages for run in text_runs(page)]


def run(doc, start):
    """(text, x, y, font, size) of the first piece of text that starts with ``start``."""
    matches = [r for r in runs_of(doc) if r[0].startswith(start)]
    assert matches, f"{start!r} is not printed"
    return matches[0]


FONT_FILES = {
    "LiberationSerifVendored": "LiberationSerif-Regular.ttf",
    "LiberationSerifVendored-Bold": "LiberationSerif-Bold.ttf",
    "LiberationSerifVendored-Italic": "LiberationSerif-Italic.ttf",
}


@cache
def font_metrics(font):
    ttf = TTFont(Path(settings.BASE_DIR, "static", "fonts", FONT_FILES[font]))
    return ttf.getBestCmap(), ttf["hmtx"], ttf["head"].unitsPerEm


def width(text, font, size):
    """How wide a line of text is drawn, from the advances in the vendored font."""
    cmap, hmtx, units = font_metrics(font)
    return sum(hmtx[cmap[ord(ch)]][0] for ch in text) * size / units


def centre_of(found):
    text, x, _y, font, size = found
    return x + width(text, font, size) / 2


def rectangles(doc):
    """Every rectangle drawn on page 1 (frames, rules), as (left, bottom, right, top) in points."""
    page = PdfReader(io.BytesIO(pdf_of(doc))).pages[0]
    found = []

    def visit(op, args, cm, _tm):
        if op == b"re":
            x, y, w, h = (float(a) for a in args)
            xs = sorted([cm[0] * x + cm[4], cm[0] * (x + w) + cm[4]])
            ys = sorted([cm[3] * y + cm[5], cm[3] * (y + h) + cm[5]])
            found.append((xs[0], ys[0], xs[1], ys[1]))

    page.extract_text(visitor_operand_before=visit)
    return found


def frame_around(doc, found):
    """The rectangle drawn around a piece of text: its stamp's frame."""
    text, x, y, font, size = found
    right = x + width(text, font, size)
    around = [r for r in rectangles(doc) if r[0] < x and r[2] > right and r[1] < y < r[3] and size < r[3] - r[1] < 40]
    assert around, f"no frame around {text!r}"
    # A border is drawn as its outer and inner edges: the frame is the outer one.
    return max(around, key=lambda r: (r[2] - r[0]) * (r[3] - r[1]))


# --- Công văn --------------------------------------------------------------------------


def test_the_vv_line_sits_six_points_under_the_number():
    number, vv = run(SEED, "Số: 123/UBND-TH"), run(SEED, "V/v cảnh báo")
    # Baseline to baseline: the 13 pt number line (line-height 1.15: 14.95 pt) less its
    # baseline's depth in it (0.9125 em of Liberation Serif at that line-height), the 6 pt
    # gap, then the 12 pt line's baseline depth: 14.95 - 11.86 + 6 + 10.95 = 20.04 pt.
    assert number[2] - vv[2] == pytest.approx(20.04, abs=0.3)


def test_a_cong_van_prints_no_type_name_and_keeps_kinh_gui():
    text = pdf_text(pdf_of(SEED))
    assert "Kính gửi:" in text and "V/v cảnh báo" in text
    for name in ("CÔNG VĂN", "QUYẾT ĐỊNH", "KẾ HOẠCH"):
        assert name not in text


# --- Every type that prints its name ------------------------------------------------------


@pytest.mark.parametrize("doc", [DECISION, PLAN, TELEGRAM_DOC], ids=["decision", "plan", "telegram"])
def test_the_type_name_is_bold_capitals_centred_with_the_subject_bold_under_it(doc):
    name, subject = run(doc, doc.type_name), run(doc, doc.subject[:20])
    assert name[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert subject[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert centre_of(name) == pytest.approx(CENTRE, abs=1.5)
    assert centre_of(subject) == pytest.approx(CENTRE, abs=1.5)
    # Under the number line, and the subject right under the name (one 14 pt line).
    assert name[2] < run(doc, "Số:")[2]
    assert name[2] - subject[2] == pytest.approx(14 * 1.2, abs=0.5)


@pytest.mark.parametrize("doc", [DECISION, PLAN, TELEGRAM_DOC], ids=["decision", "plan", "telegram"])
def test_a_short_rule_is_centred_under_the_subject(doc):
    subject = run(doc, doc.subject[:20])
    subject_width = width(subject[0], subject[3], subject[4])
    under = [r for r in rectangles(doc) if subject[2] - 12 < r[3] < subject[2] and r[3] - r[1] <= 1.5]
    assert under, "no rule under the subject"
    left, _bottom, right, _top = under[0]
    # Appendix I: a solid rule from a third to a half of the line above, centred on it.
    assert subject_width / 3 <= right - left <= subject_width / 2
    assert (left + right) / 2 == pytest.approx(CENTRE, abs=1.5)


@pytest.mark.parametrize("doc", [DECISION, PLAN, TELEGRAM_DOC], ids=["decision", "plan", "telegram"])
def test_a_named_type_has_no_vv_and_no_kinh_gui(doc):
    text = pdf_text(pdf_of(doc))
    assert "V/v" not in text
    assert "Kính gửi" not in text


def test_a_plan_prints_its_body_under_the_heading():
    subject, body = run(PLAN, PLAN.subject[:20]), run(PLAN, "Thực hiện Công văn")
    assert body[2] < subject[2] - 14
    assert body[3:] == ("LiberationSerifVendored", 14.0)
    assert body[1] == pytest.approx(COLUMN_LEFT + 10 * MM, abs=0.5)  # indented 1 cm like any paragraph


# --- Quyết định ---------------------------------------------------------------------------


def test_a_decision_names_who_decides_in_bold_capitals_centred():
    authority = run(DECISION, "ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC")
    assert authority[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert centre_of(authority) == pytest.approx(CENTRE, abs=1.5)
    assert authority[2] < run(DECISION, DECISION.subject)[2]


@pytest.mark.parametrize(
    "start",
    [
        "Căn cứ Luật Tổ chức",
        "Căn cứ Nghị định số 30/2020",
        "Theo đề nghị của Chánh Văn phòng",
    ],
)
def test_each_legal_basis_is_its_own_italic_line_indented_one_centimetre(start):
    line = run(DECISION, start)
    assert line[3:] == ("LiberationSerifVendored-Italic", 14.0)
    assert line[1] == pytest.approx(COLUMN_LEFT + 10 * MM, abs=0.5)
    assert line[2] < run(DECISION, "ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC")[2]


def test_quyet_dinh_colon_comes_between_the_bases_and_the_articles():
    decides = run(DECISION, "QUYẾT ĐỊNH:")
    assert decides[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert centre_of(decides) == pytest.approx(CENTRE, abs=1.5)
    assert run(DECISION, "Theo đề nghị")[2] > decides[2] > run(DECISION, "Điều 1.")[2]


@pytest.mark.parametrize("label", ["Điều 1.", "Điều 2."])
def test_article_labels_are_bold_and_their_text_regular(label):
    found = run(DECISION, label)
    assert found[0] == label
    assert found[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert found[1] == pytest.approx(COLUMN_LEFT + 10 * MM, abs=0.5)
    following = next(r for r in runs_of(DECISION) if r[2] == found[2] and r[1] > found[1])
    assert following[3] == "LiberationSerifVendored"


def test_a_first_paragraph_in_capitals_says_who_decides():
    chairman = replace(DECISION, body_html="<p>CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC</p>" + DECISION_BODY)
    lines = [r[0] for r in runs_of(chairman)]
    assert lines.count("CHỦ TỊCH ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC") == 1
    assert "ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC" not in lines  # the body's line replaces the issuer's
    assert run(chairman, "CHỦ TỊCH ỦY BAN NHÂN DÂN")[3:] == ("LiberationSerifVendored-Bold", 14.0)


# --- Công điện --------------------------------------------------------------------------


def test_a_telegram_names_who_cables_and_lists_its_addressees():
    cabled = run(TELEGRAM_DOC, "ỦY BAN NHÂN DÂN HUYỆN THUẬN BẮC điện:")
    assert cabled[3:] == ("LiberationSerifVendored-Bold", 14.0)
    assert centre_of(cabled) == pytest.approx(CENTRE, abs=1.5)
    first, second = run(TELEGRAM_DOC, "- Các cơ quan, đơn vị"), run(TELEGRAM_DOC, "- Ủy ban nhân dân các xã")
    assert cabled[2] > first[2] > second[2] > run(TELEGRAM_DOC, "Để chủ động")[2]
    assert first[3] == "LiberationSerifVendored"


# --- Number, urgency and secrecy ------------------------------------------------------------


def test_numbers_below_ten_print_with_a_leading_zero(db, drafter, signer, district):
    circular = draft_circular(drafter, signer=signer, document_type="quyet_dinh", notation_override="")
    circular.number = 1
    assert circular_document(circular).reference == "Số: 01/QĐ-UBND"
    circular.number = 10
    assert circular_document(circular).reference == "Số: 10/QĐ-UBND"
    circular.number = 123
    assert circular_document(circular).reference == "Số: 123/QĐ-UBND"
    assert Circular.objects.get(pk=circular.pk).number is None  # the stored number is untouched


@pytest.mark.parametrize("words", ["KHẨN", "THƯỢNG KHẨN", "HỎA TỐC"])
@pytest.mark.parametrize("doc", [SEED, DECISION], ids=["cong-van", "decision"])
def test_the_urgency_prints_bold_in_its_frame_under_the_number_on_the_left(doc, words):
    doc = replace(doc, urgency=words)
    stamp = run(doc, words)
    assert stamp[0] == words
    assert stamp[3:] == ("LiberationSerifVendored-Bold", 13.0)
    left, bottom, right, top = frame_around(doc, stamp)
    # Appendix I: in the left column, under the number (and a công văn's "V/v" lines).
    assert left >= COLUMN_LEFT and right <= LEFT_CELL_RIGHT
    assert top < run(doc, doc.reference)[2]
    if doc is SEED:
        addressees = run(doc, "Kính gửi:")[2]
        vv_lines = [r[2] for r in runs_of(doc) if r[4] == 12.0 and r[1] < LEFT_CELL_RIGHT and r[2] > addressees]
        assert len(vv_lines) >= 2 and top < min(vv_lines) - 3
    assert top - bottom == pytest.approx(8 * MM, abs=0.5)
    assert words in pdf_text(pdf_of(doc))


@pytest.mark.parametrize("words", ["MẬT", "TỐI MẬT", "TUYỆT MẬT"])
def test_the_secrecy_stamp_prints_in_its_frame_above_the_urgency(words):
    doc = replace(DECISION, secrecy=words, urgency="HỎA TỐC")
    stamp, urgency = run(doc, words), run(doc, "HỎA TỐC")
    assert stamp[0] == words
    assert stamp[3:] == ("LiberationSerifVendored-Bold", 13.0)
    left, _bottom, right, _top = frame_around(doc, stamp)
    assert left >= COLUMN_LEFT and right <= LEFT_CELL_RIGHT
    assert run(doc, "Số:")[2] > stamp[2] > urgency[2]


def test_a_normal_open_document_prints_no_stamp():
    text = pdf_text(pdf_of(DECISION))
    for words in ("KHẨN", "HỎA TỐC", "MẬT"):
        assert words not in text
