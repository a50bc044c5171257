"""The PDF of a circular: Decree 30/2020 layout, vendored fonts, page numbers, verification code.

The PDFs are real WeasyPrint renderings read back with pypdf; nothing is mocked.
"""

import ast
import base64
import datetime
import io
import logging
import re
from dataclasses import replace
from pathlib import Path

import pytest
import segno
from django.conf import settings
from django.utils import timezone
from fontTools.ttLib import TTFont
from PIL import Image
from pypdf import PdfReader

from circulars.pdf import CircularDocument, format_place_date, render_circular_pdf

A4_WIDTH, A4_HEIGHT = 595.28, 841.89
MM = 72 / 25.4
TOP_MARGIN = 20 * MM

# The body of the demo circular (portal/demo/forwarding-circular-thuan-bac-2024.txt) as the
# sanitiser hands it over: paragraphs, a "- " list as <ul>, the attachment note in <em>.
SEED_BODY_HTML = """
<p>Tiếp nhận Công văn số 2980/STTTT-TTra ngày 01/10/2024 của Sở Thông tin và Truyền thông về việc cảnh báo
việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông để gọi điện đe dọa, quấy rối,</p>
<p>Chủ tịch Ủy ban nhân dân huyện có ý kiến như sau:</p>
<p>1. Đề nghị các cơ quan, đơn vị thuộc UBND huyện, Ủy ban nhân dân các xã triển khai thực hiện các nội dung
sau:</p>
<ul>
<li>Thông báo đến toàn thể cán bộ, công chức, viên chức và người lao động của đơn vị về trình trạng đã có một số
đối tượng giả mạo danh nghĩa công chức Sở Thông tin và Truyền thông thực hiện hành vi gọi điện thoại đe dọa, quấy
rối để nâng cao cảnh giác. Khi nhận được những cuộc gọi có dấu hiệu bất thường cần liên hệ trực tiếp với cơ quan
chức năng để xác minh.</li>
<li>Khi phát hiện các hành vi giả mạo hoặc có biểu hiện nghi ngờ, cần thông báo ngay cho các cơ quan chức năng,
đồng thời phối hợp với Sở Thông tin và Truyền thông để xử lý kịp thời, tránh gây thiệt hại có thể xảy ra.</li>
<li>Phối hợp chặt chẽ với cơ quan công an trên địa bàn để điều tra, xác minh và xử lý nghiêm các đối tượng lợi
dụng danh nghĩa của các tổ chức, cá nhân nhằm thực hiện các hành vi đe dọa, quấy rối.</li>
<li>Lưu lại các bằng chứng (tin nhắn hoặc ghi âm cuộc gọi) thực hiện phản ánh tới Doanh nghiệp viễn thông quản lý
thuê bao để yêu cầu xử lý hoặc thông báo đến số điện thoại trực ban hình sự 0692348560 của Cục Cảnh sát hình sự
để được hướng dẫn kịp thời.</li>
<li>Phản ánh cuộc gọi rác/tin nhắn rác đến đầu số 5656 để Bộ Thông tin và Truyền thông xem xét xử lý theo quy
định. Cú pháp nhắn tin đến đầu số 5656:</li>
</ul>
<p>(1). Để phản ánh về cuộc gọi rác soạn: V [Nguồn phát tán] [Nội dung cuộc gọi rác] gửi 5656.</p>
<p>(2). Để phản ánh về tin nhắn rác soạn: S [Nguồn phát tán] [Nội dung tin nhắn rác] gửi 5656.</p>
<p>2. Giao Phòng Văn hóa và Thông tin tham mưu Ủy ban nhân dân huyện theo dõi việc triển khai thực hiện các nội
dung nêu tại khoản 1 Công văn này.</p>
<p><em>(Đính kèm Công văn số 2980/STTTT-TTra ngày 01/10/2024 của Sở Thông tin và Truyền thông).</em></p>
"""

SUBJECT = "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông để gọi điện đe dọa, quấy rối"

SEED = CircularDocument(
    issuer_parent="",
    issuer_name="ỦY BAN NHÂN DÂN\nHUYỆN THUẬN BẮC",
    reference="Số: 123/UBND-TH",
    subject=SUBJECT,
    place="Thuận Bắc",
    issued_on=datetime.date(2024, 10, 15),
    recipients=["Các cơ quan, đơn vị thuộc UBND huyện;", "Ủy ban nhân dân các xã."],
    body_html=SEED_BODY_HTML,
    copy_to=["Như trên;", "CT, PCT UBND huyện;", "VPUB: LĐ, CV;", "Trang Thông tin điện tử huyện;", "Lưu: VT."],
    signer_title_lines=["KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
    signer_name="Nguyễn Hùng",
    verification_code=None,
    verification_url=None,
)


def squash(text):
    return re.sub(r"\s+", " ", text).strip()


def pdf_text(pdf):
    return squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def text_runs(page):
    """Every piece of text drawn on the page: (text, x, y, font, size in pt).

    x, y is the origin of the baseline in PDF axes (from the bottom left); font is the BaseFont
    without its subset tag, e.g. "LiberationSerifVendored-Bold".
    """
    runs = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            # Origin = text matrix x current transformation matrix; no rotation, so the scales multiply.
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            font = str(font_dict["/BaseFont"]).split("+", 1)[-1] if font_dict else None
            runs.append((text.strip(), x, y, font, round(font_size * abs(tm[0] * cm[0]), 1)))

    page.extract_text(visitor_text=visit)
    return runs


def fonts(resources, seen=None):
    """{BaseFont: font dictionary} of every font the resources use, nested form XObjects included."""
    seen = set() if seen is None else seen
    found = {}
    if not resources:
        return found
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        found[str(font["/BaseFont"])] = font
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if id(xobject) not in seen and xobject.get("/Subtype") == "/Form":
            seen.add(id(xobject))
            found |= fonts(xobject.get("/Resources"), seen)
    return found


def embedded_family(font):
    """Family name recorded inside the embedded font program itself."""
    descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
    program = descendant["/FontDescriptor"].get_object()["/FontFile2"].get_object().get_data()
    return TTFont(io.BytesIO(program))["name"].getDebugName(1)


def image_count(pdf):
    count = 0
    for page in PdfReader(io.BytesIO(pdf)).pages:
        xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
        count += sum(1 for x in xobjects.values() if x.get_object().get("/Subtype") == "/Image")
    return count


@pytest.fixture(scope="module")
def seed_pdf():
    return render_circular_pdf(SEED)


@pytest.fixture(scope="module")
def seed_runs(seed_pdf):
    return [run for page in PdfReader(io.BytesIO(seed_pdf)).pages for run in text_runs(page)]


@pytest.fixture(scope="module")
def long_pdf():
    return render_circular_pdf(replace(SEED, body_html=SEED_BODY_HTML * 3))


def test_seed_prints_every_part_of_the_dispatch_with_its_diacritics(seed_pdf):
    text = pdf_text(seed_pdf)
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "HUYỆN THUẬN BẮC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 123/UBND-TH",
        "Thuận Bắc, ngày 15 tháng 10 năm 2024",
        # The first addressee starts on the "Kính gửi:" line, clear of the colon.
        "Kính gửi: - Các cơ quan, đơn vị thuộc UBND huyện;",
        "- Ủy ban nhân dân các xã.",
        "Chủ tịch Ủy ban nhân dân huyện có ý kiến như sau:",
        "- Phối hợp chặt chẽ với cơ quan công an",
        "Nơi nhận:",
        "- VPUB: LĐ, CV;",
        "- Lưu: VT.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Hùng",
    ]:
        assert expected in text
    # The subject wraps over several lines of the narrow left column.
    assert squash(SUBJECT) in text


@pytest.mark.parametrize(
    ("start", "font", "size"),
    [
        # Decree 30, Appendix I: weight, style and size of each part of a công văn.
        ("ỦY BAN NHÂN DÂN", "Bold", 13),
        ("HUYỆN THUẬN BẮC", "Bold", 13),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Bold", 12),
        ("Độc lập - Tự do - Hạnh phúc", "Bold", 13),
        ("Số: 123/UBND-TH", "", 13),
        ("V/v cảnh báo", "", 12),
        ("Thuận Bắc, ngày 15 tháng 10 năm 2024", "Italic", 14),
        ("Kính gửi:", "", 14),
        ("Tiếp nhận Công văn", "", 14),
        ("Nơi nhận:", "Bold-Italic", 12),
        ("- Như trên;", "", 11),
        ("KT. CHỦ TỊCH", "Bold", 14),
        ("Nguyễn Hùng", "Bold", 14),
    ],
)
def test_each_part_has_the_decree_typeface_and_size(seed_runs, start, font, size):
    matches = [(f, s) for text, _x, _y, f, s in seed_runs if text.startswith(start)]
    assert matches, start
    assert matches[0] == ("-".join(filter(None, ["LiberationSerifVendored", font])), size)


def test_body_paragraphs_are_indented_one_centimetre(seed_runs):
    left_margin = 30 * MM
    first = next(run for run in seed_runs if run[0].startswith("Tiếp nhận Công văn"))
    following = seed_runs[seed_runs.index(first) + 1]
    assert first[1] == pytest.approx(left_margin + 10 * MM, abs=0.5)
    assert following[1] == pytest.approx(left_margin, abs=0.5)


def test_only_the_vendored_liberation_serif_is_embedded(seed_pdf):
    found = {}
    for page in PdfReader(io.BytesIO(seed_pdf)).pages:
        found |= fonts(page.get("/Resources"))
    names = sorted(found)
    assert names, "no font found: the text would not be selectable"
    assert all("LiberationSerif" in name for name in names), names
    # WeasyPrint names a font after the CSS family, and only the @font-face rules of circular.css
    # use "LiberationSerifVendored": a system font picked up as a fallback would be named otherwise.
    assert all(name.split("+", 1)[1].startswith("LiberationSerifVendored") for name in names), names
    assert {embedded_family(font) for font in found.values()} == {"Liberation Serif"}
    # Bold (headings, signer) and bold italic ("Nơi nhận:") prove the @font-face weights are wired.
    assert any(name.endswith("-Bold") for name in names), names
    assert any(name.endswith("-Bold-Italic") for name in names), names


def test_rendering_logs_no_missing_font_or_stylesheet(caplog):
    # A font or stylesheet WeasyPrint cannot load is only a warning and a fallback font, never an error.
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        render_circular_pdf(replace(SEED, verification_code="7K3M-9QX2", verification_url="https://x.example/v"))
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")]
    # Where Debian's libharfbuzz-subset0 is missing (.ci/run installs it), WeasyPrint
    # subsets the same font with fontTools and says so: not a missing font.
    assert [m for m in logged if "instead of HarfBuzz-Subset" not in m] == []


def test_pages_are_a4(long_pdf):
    for page in PdfReader(io.BytesIO(long_pdf)).pages:
        assert float(page.mediabox.width) == pytest.approx(A4_WIDTH, abs=1)
        assert float(page.mediabox.height) == pytest.approx(A4_HEIGHT, abs=1)


def test_page_numbers_are_centred_in_the_top_margin_from_page_two(long_pdf):
    pages = PdfReader(io.BytesIO(long_pdf)).pages
    assert len(pages) >= 2
    top_margin_line = A4_HEIGHT - TOP_MARGIN
    # Centre of the text area: left margin 30 mm, right margin 15 mm.
    centre = (30 * MM + A4_WIDTH - 15 * MM) / 2
    assert [run[0] for run in text_runs(pages[0]) if run[2] > top_margin_line] == []
    for number, page in enumerate(pages[1:], start=2):
        in_margin = [(text, x) for text, x, y, _font, _size in text_runs(page) if y > top_margin_line]
        assert [text for text, _x in in_margin] == [str(number)]
        # x is where the digit starts; a 13-14 pt digit is about 7 pt wide.
        assert in_margin[0][1] == pytest.approx(centre - 3.5, abs=4)


def test_closing_block_is_never_split_nor_left_alone_on_a_page():
    # Lengthen the body one short line at a time across the end of page 1: wherever the page
    # breaks, "Nơi nhận", the signature and the verification code share a page with body text.
    filler = "<p>" + "Nội dung kiểm tra ngắt trang của khối chữ ký. " * 6 + "</p>"
    checked = 0
    for extra in range(60):
        doc = replace(
            SEED,
            body_html=filler * 3 + "<p>Dòng cuối.</p>" * extra,
            verification_code="7K3M-9QX2",
            verification_url="https://portal.example/verify/7K3M-9QX2",
        )
        pages = [squash(page.extract_text()) for page in PdfReader(io.BytesIO(render_circular_pdf(doc))).pages]
        if len(pages) == 1:
            continue
        last = pages[-1]
        for part in ["Nơi nhận:", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Nguyễn Hùng", "7K3M-9QX2"]:
            assert part in last, (extra, part)
            assert all(part not in page for page in pages[:-1]), (extra, part)
        assert "Dòng cuối." in last.split("Nơi nhận:")[0], extra
        checked += 1
        if checked == 12:
            break
    assert checked == 12, "the body never reached a second page"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2025, 2, 5), "Thuận Bắc, ngày 05 tháng 02 năm 2025"),
        (datetime.date(2025, 1, 31), "Thuận Bắc, ngày 31 tháng 01 năm 2025"),
        (datetime.date(2024, 10, 15), "Thuận Bắc, ngày 15 tháng 10 năm 2024"),
        (datetime.date(2025, 3, 3), "Thuận Bắc, ngày 03 tháng 3 năm 2025"),
        (datetime.date(2025, 12, 9), "Thuận Bắc, ngày 09 tháng 12 năm 2025"),
    ],
)
def test_place_date_pads_days_below_ten_and_months_one_and_two(day, expected):
    assert format_place_date("Thuận Bắc", day) == expected


def test_place_date_without_a_date_leaves_blanks():
    assert format_place_date("Thuận Bắc", None) == "Thuận Bắc, ngày     tháng     năm"
    assert format_place_date("Thuận Bắc", None, year=2024) == "Thuận Bắc, ngày     tháng     năm 2024"


def qr_modules(image):
    """The dark/light modules of a QR code bitmap, found from its top-left finder pattern."""
    gray = image.convert("L")
    pixels = gray.load()

    def dark(x, y):
        return pixels[x, y] < 128

    corner = next(i for i in range(gray.width) if dark(i, i))  # the quiet zone ends here
    edge = next(x for x in range(corner, gray.width) if not dark(x, corner)) - corner
    module = edge / 7  # a finder pattern is 7 modules wide
    count = round((gray.width - 2 * corner) / module)
    return [
        [dark(int(corner + (col + 0.5) * module), int(corner + (row + 0.5) * module)) for col in range(count)]
        for row in range(count)
    ]


def test_verification_code_prints_a_readable_qr_code_and_the_address():
    url = "https://portal.example/verify/7K3M-9QX2"
    pdf = render_circular_pdf(replace(SEED, verification_code="7K3M-9QX2", verification_url=url))
    text = pdf_text(pdf)
    assert "Mã xác thực: 7K3M-9QX2" in text
    assert f"Xác thực: {url}" in text

    last_page = PdfReader(io.BytesIO(pdf)).pages[-1]
    [image] = last_page.images
    # The QR code encodes the address, module for module (whatever error correction level it uses).
    encodings = [[[bool(m) for m in row] for row in segno.make(url, error=level).matrix] for level in "lmqh"]
    assert qr_modules(image.image) in encodings
    # Printed about 18 mm square: big enough for a phone, small enough for the corner of the page.
    placed = []
    last_page.extract_text(visitor_operand_before=lambda op, args, cm, tm: op == b"Do" and placed.append(cm))
    [matrix] = placed
    assert abs(matrix[0]) == pytest.approx(18 * MM, abs=1)
    assert abs(matrix[3]) == pytest.approx(18 * MM, abs=1)


def test_without_verification_code_nothing_is_printed(seed_pdf):
    assert "Xác thực" not in pdf_text(seed_pdf)
    assert image_count(seed_pdf) == 0


def test_draft_has_watermark_and_blank_number_and_date():
    pdf = render_circular_pdf(replace(SEED, draft=True, reference="Số:      /UBND-TH", issued_on=None))
    text = pdf_text(pdf)
    assert "DỰ THẢO" in text
    # The draft knows its year (the portal's local one) but leaves day and month for the pen.
    assert f"Thuận Bắc, ngày tháng năm {timezone.localdate().year}" in text
    assert "Số: /UBND-TH" in text
    assert "DỰ THẢO" not in pdf_text(render_circular_pdf(SEED))


def test_a_single_addressee_goes_on_the_kinh_gui_line():
    pdf = render_circular_pdf(replace(SEED, recipients=["Ủy ban nhân dân các xã."]))
    text = pdf_text(pdf)
    assert "Kính gửi: Ủy ban nhân dân các xã." in text
    assert "- Ủy ban nhân dân các xã." not in text


def test_body_cannot_pull_in_files_or_network_resources(tmp_path):
    # The image exists and is readable, yet it lies outside static/: it must not be embedded,
    # neither by its own URL nor by climbing out of static/ with "..".
    outside = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "red").save(outside)
    static_img = (Path(settings.BASE_DIR) / "static" / "img").as_uri()
    refused = (
        f'<p>a<img src="{outside.as_uri()}"></p>'
        f'<p>b<img src="{static_img}/../../../../../..{outside}"></p>'
        '<p>c<img src="http://127.0.0.1:9/tracker.png"></p>'
    )
    assert image_count(render_circular_pdf(replace(SEED, body_html=refused))) == 0
    # The control: an inline data: image is embedded, so a count of 0 above means "refused".
    data_uri = "data:image/png;base64," + base64.b64encode(outside.read_bytes()).decode()
    assert image_count(render_circular_pdf(replace(SEED, body_html=f'<p><img src="{data_uri}"></p>'))) == 1


def test_renderer_does_not_import_models():
    # A summary report will reuse the renderer; it must not drag in the circulars' models.
    source = Path(settings.BASE_DIR, "circulars", "pdf.py").read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module or "")
    assert not any(name.endswith("models") for name in imported), imported


def test_reserved_number_and_date_fields_sit_where_the_text_prints():
    """The document the signer signs (issue 14) reserves the number and the date as form
    fields: the line keeps its baseline, the fields stand where the number and the date
    print, and the filled values are the fields' (signing.pdf draws them)."""
    text_runs_of = {run[0]: run for run in text_runs(PdfReader(io.BytesIO(render_circular_pdf(SEED))).pages[0])}
    reserved = render_circular_pdf(replace(SEED, reserve_fields=True, notation="UBND-TH", issued_on=None))
    page = PdfReader(io.BytesIO(reserved)).pages[0]
    runs = {run[0]: run for run in text_runs(page)}
    widgets = {str(a.get_object()["/T"]): [float(v) for v in a.get_object()["/Rect"]] for a in page["/Annots"]}
    number_line = text_runs_of["Số: 123/UBND-TH"]
    date_line = text_runs_of["Thuận Bắc, ngày 15 tháng 10 năm 2024"]
    assert runs["Số:"][2] == pytest.approx(number_line[2], abs=0.5)
    assert runs["Thuận Bắc,"][2] == pytest.approx(date_line[2], abs=0.5)
    for name, line in (("number", number_line), ("date", date_line)):
        x1, y1, _x2, y2 = widgets[name]
        assert min(y1, y2) < line[2] < max(y1, y2)  # the field spans the line's baseline
        assert abs(x1 - line[1]) < 40 * MM  # in the same part of the line
    # Right after "Số: ", right before the notation.
    assert widgets["number"][2] == pytest.approx(runs["/UBND-TH"][1], abs=1)
