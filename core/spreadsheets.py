"""The one spreadsheet writer (XLSX and CSV) of every export, with one formula guard:
text a spreadsheet would run as a formula stays text, in both formats."""

import csv
import datetime
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes Excel or LibreOffice read a cell as a formula (or a DDE command).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_bytes(
    headers: list[str], rows, *, sheet: str, title: str = "", widths: list[int] | None = None, wrap: bool = False
) -> bytes:
    """A workbook of one sheet: an optional bold title line and a blank line, the bold
    header row (frozen), then the rows. Dates are dd/mm/yyyy cells; text that looks like a
    formula is typed as text with Excel's quote prefix, so that it stays text even once a
    person edits the cell."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    if title:
        worksheet.append([title])
        worksheet["A1"].font = Font(bold=True, size=13)
        worksheet.append([])
    worksheet.append(headers)
    header_row = worksheet.max_row
    for cell in worksheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, header in enumerate(headers, start=1):
        width = widths[index - 1] if widths else max(8, min(45, len(header) + 4))
        worksheet.column_dimensions[get_column_letter(index)].width = width
    worksheet.freeze_panes = f"A{header_row + 1}"
    for row in rows:
        worksheet.append(list(row))
        for cell in worksheet[worksheet.max_row]:
            if isinstance(cell.value, datetime.date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, str):
                cell.data_type = "s"
                if looks_like_formula(cell.value):
                    cell.quotePrefix = True
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def xlsx_response(filename: str, headers: list[str], rows, **options) -> HttpResponse:
    return attachment(HttpResponse(xlsx_bytes(headers, rows, **options), content_type=XLSX_TYPE), filename)


def csv_response(filename: str, headers: list[str], rows) -> HttpResponse:
    """CSV in UTF-8 with a byte-order mark (so Excel reads the Vietnamese letters); a field
    that looks like a formula gets a leading apostrophe, as CSV has no cell types."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["'" + value if looks_like_formula(value) else value for value in row])
    return attachment(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"), filename)
