"""The circular page's table of units: one ``<tr>`` a delivery.

Built with ``format_html`` rather than by the template engine: the table shows 50 rows of
11 cells, and the engine's cost per row (~0.45 ms: a lookup, an escape and a localisation
per value, a translation per label) was the largest part of the page at national scale
(docs/benchmarks.md). Every value is escaped by ``format_html`` as the template escaped
it; the words are translated once per table. The page (``circular_deliveries.html``) and
the row sent back after a review in place (``_row_reviewed.html``) print the same rows."""

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from acknowledgements.models import Delivery
from core.formatting import day, local_time

STAND_IN = 987654321  # an id no row has, only to be replaced in the reversed link


class UnitRows:
    """Renders the rows of one circular's table for one viewer (what they may open and
    chase decides the links and boxes)."""

    def __init__(self, circular, *, can_open: bool, can_chase: bool):
        self.circular = circular
        self.can_open = can_open
        self.can_chase = can_chase
        self.status_labels = {code: str(label) for code, label in Delivery.Status.choices}
        # The two links of a row differ only by the delivery's id: reversed once, with a
        # stand-in id replaced per row.
        self.delivery_url = reverse("delivery-detail", args=[STAND_IN]).replace(str(STAND_IN), "{}")
        self.panel_url = reverse("circular-report-panel", args=[circular.pk, STAND_IN]).replace(str(STAND_IN), "{}")
        # Translated once per table, not once per cell.
        self.words = {
            "status": _("Status"),
            "first_opened": _("First opened"),
            "acknowledged": _("Acknowledged"),
            "reported": _("Reported"),
            "days_late": _("Days late"),
            "reminders": _("Reminders"),
            "last_reminder": _("Last reminder"),
            "chase": _("Chase %(unit)s"),
            "ack_by": _("Acknowledge by %(d)s"),
            "report_by": _("Report by %(d)s"),
            "ack_late": _("Acknowledgement overdue"),
            "report_late": _("Report overdue"),
            "review": _("Review the report"),
            "open": _("Open the report"),
        }

    def row(self, delivery) -> SafeString:
        words = self.words
        url = self.delivery_url.format(delivery.pk)
        late = delivery.ack_late or delivery.report_late
        chase = ""
        if self.can_chase and delivery.chaseable:
            chase = format_html(
                '<input type="checkbox" name="units" value="{}" form="chase-form" id="chase-{}" aria-label="{}">',
                delivery.unit_id,
                delivery.pk,
                words["chase"] % {"unit": delivery.unit.name},
            )
        name = format_html('<a href="{}">{}</a>', url, delivery.unit.name) if self.can_open else delivery.unit.name
        badge = ""
        if delivery.ack_late:
            badge = format_html(
                ' <span class="badge badge-late" title="{}">{}</span>',
                words["ack_by"] % {"d": day(delivery.ack_due_on)},
                words["ack_late"],
            )
        elif delivery.report_late:
            badge = format_html(
                ' <span class="badge badge-late" title="{}">{}</span>',
                words["report_by"] % {"d": day(delivery.report_due_on)},
                words["report_late"],
            )
        reason = format_html('<div class="muted">{}</div>', delivery.refuse_reason) if delivery.refuse_reason else ""
        report = ""
        if self.can_open and delivery.reported_at:
            report = format_html(
                '<a class="open-report" href="{}" hx-get="{}" hx-target="#report-panel" '
                'hx-swap="innerHTML show:#report-panel:top">{}</a>',
                url,
                self.panel_url.format(delivery.pk),
                words["review"] if delivery.status == "reported" else words["open"],
            )
        return format_html(
            '<tr id="delivery-{pk}" data-id="{pk}" data-unit="{unit}" data-status="{status}" class="{row_class}">\n'
            '  <td class="select">{chase}</td>\n'
            '  <td class="unit-name">{name}</td>\n'
            '  <td data-label="{w_status}"><span class="badge dstatus-{status}">{status_label}</span>{badge}{reason}'
            "</td>\n"
            '  <td data-label="{w_opened}" class="nowrap">{opened}</td>\n'
            '  <td data-label="{w_ack}" class="nowrap">{acknowledged}</td>\n'
            '  <td data-label="{w_reported}" class="nowrap">{reported}</td>\n'
            '  <td data-label="{w_days}" class="num days-late{late_class}">{days_late}</td>\n'
            '  <td data-label="{w_reminders}" class="num reminders">{reminders}</td>\n'
            '  <td data-label="{w_last}" class="nowrap">{last_reminder}</td>\n'
            '  <td class="report-cell">{report}</td>\n'
            "</tr>",
            pk=delivery.pk,
            unit=delivery.unit_id,
            status=delivery.status,
            row_class="overdue" if late else "",
            chase=chase,
            name=name,
            w_status=words["status"],
            status_label=self.status_labels.get(delivery.status, delivery.status),
            badge=badge,
            reason=reason,
            w_opened=words["first_opened"],
            opened=local_time(delivery.first_viewed_at) or "—",
            w_ack=words["acknowledged"],
            acknowledged=local_time(delivery.acknowledged_at) or "—",
            w_reported=words["reported"],
            reported=local_time(delivery.reported_at) or "—",
            w_days=words["days_late"],
            late_class=" late" if late else "",
            days_late=delivery.days_late,
            w_reminders=words["reminders"],
            reminders=delivery.reminders_sent,
            w_last=words["last_reminder"],
            last_reminder=local_time(delivery.last_reminder_at) or "—",
            report=report,
        )

    def render(self, deliveries) -> SafeString:
        return mark_safe("\n".join(self.row(delivery) for delivery in deliveries))
