"""Exports of the dashboard: a circular's unit table and the units league table, as XLSX
and CSV with Vietnamese headings and dd/mm/yyyy dates, and the PDF summary report for
the leader. The pages and the API call the same functions."""

import csv
import datetime
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from acknowledgements.models import Delivery, ImplementationReport
from circulars.models import Circular
from circulars.pdf import format_place_date, render_pdf
from dashboard import compliance

STATUS_VI = {
    Delivery.Status.SENT: "Đã gửi, chưa xác nhận",
    Delivery.Status.ACKNOWLEDGED: "Đã xác nhận",
    Delivery.Status.REPORTED: "Đã báo cáo",
    Delivery.Status.RETURNED: "Báo cáo bị trả lại",
    Delivery.Status.ACCEPTED: "Báo cáo được chấp nhận",
    Delivery.Status.REFUSED: "Từ chối",
}

UNIT_HEADERS = [
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Trạng thái",
    "Xem lần đầu",
    "Xác nhận lúc",
    "Hạn xác nhận",
    "Báo cáo lúc",
    "Hạn báo cáo",
    "Số ngày chậm",
    "Số lần nhắc",
    "Nhắc gần nhất",
    "Lý do từ chối",
]

LEAGUE_HEADERS = [
    "STT",
    "Mã đơn vị",
    "Đơn vị",
    "Số công văn",
    "Tỷ lệ xác nhận đúng hạn (%)",
    "Tỷ lệ báo cáo đúng hạn (%)",
    "Số ngày chậm trung bình",
    "Đang quá hạn",
]


def d(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def dt(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def pct(rate: float | None) -> str:
    return "" if rate is None else f"{rate * 100:.1f}".replace(".", ",")


def unit_table(circular: Circular, *, on: datetime.date | None = None) -> list[list]:
    """Every unit's row of one circular, as the page shows it (all pages at once)."""
    on = on or timezone.localdate()
    late = compliance.Lateness(on)
    rows = []
    for i, delivery in enumerate(compliance.unit_rows(circular), start=1):
        rows.append(
            [
                i,
                delivery.unit.code,
                delivery.unit.name,
                STATUS_VI[delivery.status],
                dt(delivery.first_viewed_at),
                dt(delivery.acknowledged_at),
                d(delivery.ack_due_on),
                dt(delivery.reported_at),
                d(delivery.report_due_on),
                late.days_late(delivery),
                delivery.reminders_sent,
                dt(delivery.last_reminder_at),
                delivery.refuse_reason,
            ]
        )
    return rows


def league_table(rows: list[dict]) -> list[list]:
    return [
        [
            i,
            r["unit"]["code"],
            r["unit"]["name"],
            r["circulars"],
            pct(r["on_time_ack_rate"]),
            pct(r["on_time_report_rate"]),
            "" if r["mean_delay_days"] is None else str(r["mean_delay_days"]).replace(".", ","),
            r["overdue"],
        ]
        for i, r in enumerate(rows, start=1)
    ]


def _safe(value):
    """Text that a spreadsheet would run as a formula is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def xlsx_response(filename: str, title: str, headers: list[str], rows: list[list]) -> HttpResponse:
    wb = Workbook()
    ws = wb.active
    ws.title = "Báo cáo"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([])
    ws.append(headers)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in rows:
        ws.append([_safe(v) for v in row])
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(8, min(45, len(header) + 4))
    ws.freeze_panes = "A4"
    out = io.BytesIO()
    wb.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return _attachment(response, filename)


def csv_response(filename: str, headers: list[str], rows: list[list]) -> HttpResponse:
    out = io.StringIO()
    # The byte-order mark makes Excel read the Vietnamese letters as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    return _attachment(HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8"), filename)


def circular_filename(circular: Circular, suffix: str) -> str:
    ref = (circular.reference or f"du-thao-{circular.pk}").replace("/", "-")
    return f"tinh-hinh-trien-khai-{ref}.{suffix}"


def unit_table_xlsx(circular: Circular) -> HttpResponse:
    title = f"Tình hình triển khai Công văn số {circular.reference} ngày {d(circular.issued_on)}"
    return xlsx_response(circular_filename(circular, "xlsx"), title, UNIT_HEADERS, unit_table(circular))


def unit_table_csv(circular: Circular) -> HttpResponse:
    return csv_response(circular_filename(circular, "csv"), UNIT_HEADERS, unit_table(circular))


def league_xlsx(rows: list[dict], start: datetime.date, end: datetime.date) -> HttpResponse:
    title = f"Xếp hạng đơn vị thực hiện công văn từ {d(start)} đến {d(end)}"
    name = f"xep-hang-don-vi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return xlsx_response(name, title, LEAGUE_HEADERS, league_table(rows))


def league_csv(rows: list[dict], start: datetime.date, end: datetime.date) -> HttpResponse:
    return csv_response(f"xep-hang-don-vi-{start:%Y%m%d}-{end:%Y%m%d}.csv", LEAGUE_HEADERS, league_table(rows))


# --- The summary report (PDF) -------------------------------------------------------


def summary_context(circular: Circular, *, on: datetime.date | None = None) -> dict:
    on = on or timezone.localdate()
    figures = compliance.compliance(circular, on=on)
    late = compliance.Lateness(on)
    overdue = [
        {
            "delivery": dl,
            "days_late": late.days_late(dl),
            "step": "ack" if dl.status == Delivery.Status.SENT else "report",
        }
        for dl in compliance.filter_unit_rows(compliance.unit_rows(circular), overdue=True, on=on)
    ]
    refused = list(
        Delivery.objects.filter(circular=circular, status=Delivery.Status.REFUSED)
        .select_related("unit")
        .order_by("unit__name")
    )
    highlights = list(
        ImplementationReport.objects.filter(
            delivery__circular=circular,
            status__in=[ImplementationReport.Status.ACCEPTED, ImplementationReport.Status.SUBMITTED],
        )
        .select_related("delivery__unit")
        .order_by("-status", "delivery__unit__name")[:12]
    )
    monitoring = circular.monitoring_unit
    issuer_top = circular.issuing_unit.short_name or circular.issuing_unit.name
    return {
        "circular": circular,
        "figures": figures,
        "percent": {k: pct(figures[k]) for k in ("on_time_ack_rate", "on_time_report_rate")},
        "overdue": overdue,
        "refused": refused,
        "highlights": highlights,
        "on": on,
        "issuer_parent": issuer_top.upper() if monitoring else "",
        "issuer": (monitoring.name if monitoring else circular.issuing_unit.name).upper(),
        "place_date": format_place_date(circular.place_name or circular.issuing_unit.place_name, on),
        "issued_on": d(circular.issued_on),
        "on_text": d(on),
    }


def summary_report_pdf(circular: Circular, *, on: datetime.date | None = None) -> bytes:
    return render_pdf("dashboard/pdf/summary.html", summary_context(circular, on=on))


def summary_report_response(circular: Circular) -> HttpResponse:
    response = HttpResponse(summary_report_pdf(circular), content_type="application/pdf")
    return _attachment(response, circular_filename(circular, "pdf").replace("tinh-hinh", "bao-cao-tinh-hinh"))
