"""Exports of the dashboard: a circular's unit table, the units league table and the
incoming dispatches in handling, as XLSX (and CSV) with Vietnamese headings and
dd/mm/yyyy dates, and the PDF summary report for the leader. The pages and the API call
the same functions."""

import datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import override

from acknowledgements.models import Delivery, ImplementationReport
from circulars.models import Circular
from circulars.pdf import format_place_date, render_pdf
from core import formatting, spreadsheets
from dashboard import compliance, incoming

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
                formatting.local_time(delivery.first_viewed_at),
                formatting.local_time(delivery.acknowledged_at),
                formatting.day(delivery.ack_due_on),
                formatting.local_time(delivery.reported_at),
                formatting.day(delivery.report_due_on),
                late.days_late(delivery),
                delivery.reminders_sent,
                formatting.local_time(delivery.last_reminder_at),
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
            formatting.percent_figure(r["on_time_ack_rate"]),
            formatting.percent_figure(r["on_time_report_rate"]),
            "" if r["mean_delay_days"] is None else str(r["mean_delay_days"]).replace(".", ","),
            r["overdue"],
        ]
        for i, r in enumerate(rows, start=1)
    ]


def circular_filename(circular: Circular, suffix: str) -> str:
    ref = (circular.reference or f"du-thao-{circular.pk}").replace("/", "-")
    return f"tinh-hinh-trien-khai-{ref}.{suffix}"


def unit_table_xlsx(circular: Circular) -> HttpResponse:
    title = f"Tình hình triển khai Công văn số {circular.reference} ngày {formatting.day(circular.issued_on)}"
    return spreadsheets.xlsx_response(
        circular_filename(circular, "xlsx"), UNIT_HEADERS, unit_table(circular), sheet="Báo cáo", title=title
    )


def unit_table_csv(circular: Circular) -> HttpResponse:
    return spreadsheets.csv_response(circular_filename(circular, "csv"), UNIT_HEADERS, unit_table(circular))


def league_xlsx(rows: list[dict], start: datetime.date, end: datetime.date) -> HttpResponse:
    title = f"Xếp hạng đơn vị thực hiện công văn từ {formatting.day(start)} đến {formatting.day(end)}"
    name = f"xep-hang-don-vi-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"
    return spreadsheets.xlsx_response(name, LEAGUE_HEADERS, league_table(rows), sheet="Báo cáo", title=title)


def league_csv(rows: list[dict], start: datetime.date, end: datetime.date) -> HttpResponse:
    return spreadsheets.csv_response(
        f"xep-hang-don-vi-{start:%Y%m%d}-{end:%Y%m%d}.csv", LEAGUE_HEADERS, league_table(rows)
    )


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
        for dl in compliance.unit_rows(circular).overdue(on)
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
        "percent": {k: formatting.percent_figure(figures[k]) for k in ("on_time_ack_rate", "on_time_report_rate")},
        "overdue": overdue,
        "refused": refused,
        "highlights": highlights,
        "on": on,
        "issuer_parent": issuer_top.upper() if monitoring else "",
        "issuer": (monitoring.name if monitoring else circular.issuing_unit.name).upper(),
        "place_date": format_place_date(circular.place_name or circular.issuing_unit.place_name, on),
        "issued_on": formatting.day(circular.issued_on),
        "on_text": formatting.day(on),
    }


def summary_report_pdf(circular: Circular, *, on: datetime.date | None = None) -> bytes:
    return render_pdf("dashboard/pdf/summary.html", summary_context(circular, on=on))


def summary_report_response(circular: Circular) -> HttpResponse:
    response = HttpResponse(summary_report_pdf(circular), content_type="application/pdf")
    return spreadsheets.attachment(
        response, circular_filename(circular, "pdf").replace("tinh-hinh", "bao-cao-tinh-hinh")
    )


# --- Incoming dispatches in handling -------------------------------------------------

INCOMING_STATE_VI = {
    "in_handling": "Đang xử lý",
    "due_soon": "Sắp đến hạn",
    "overdue": "Quá hạn",
    "done": "Đã xử lý xong",
}

INCOMING_HEADERS = [
    "STT",
    "Số đến",
    "Ngày đến",
    "Số, ký hiệu",
    "Cơ quan ban hành",
    "Trích yếu",
    "Độ khẩn",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Lãnh đạo chỉ đạo",
    "Ý kiến chỉ đạo",
    "Hạn xử lý",
    "Tình trạng",
    "Số ngày quá hạn",
    "Hoàn thành lúc",
]
INCOMING_WIDTHS = [6, 10, 12, 18, 30, 50, 12, 30, 30, 22, 45, 12, 14, 10, 18]


def incoming_table(lead_rows, *, on: datetime.date) -> list[list]:
    """One row per dispatch of ``lead_rows`` (``incoming.leads``, filtered and sorted), as
    the page shows it (all pages at once): three queries, whatever the number of rows."""
    late = incoming.Lateness(on)
    out = []
    for i, lead in enumerate(incoming.with_supports(lead_rows), start=1):
        dispatch = lead.dispatch
        leader = lead.leader
        out.append(
            [
                i,
                f"{dispatch.arrival_number}/{dispatch.arrival_year}",
                formatting.day(dispatch.received_on),
                dispatch.reference,
                dispatch.issuer,
                dispatch.subject,
                dispatch.get_urgency_display(),
                lead.unit.name,
                "; ".join(s.unit.name for s in dispatch.supports),
                leader.get_full_name() or leader.username,
                lead.instruction,
                formatting.day(lead.due_on),
                INCOMING_STATE_VI.get(lead.state, ""),
                late.days_late(lead),
                formatting.local_time(lead.completed_at),
            ]
        )
    return out


def incoming_xlsx(lead_rows, *, on: datetime.date) -> HttpResponse:
    title = f"Theo dõi xử lý văn bản đến ngày {formatting.day(on)}"
    with override("vi"):
        rows = incoming_table(lead_rows, on=on)
    return spreadsheets.xlsx_response(
        f"theo-doi-van-ban-den-{on:%Y%m%d}.xlsx",
        INCOMING_HEADERS,
        rows,
        sheet="Văn bản đến",
        title=title,
        widths=INCOMING_WIDTHS,
        wrap=True,
    )
