"""The circular page's table of units: one ``<tr>`` a delivery.

Built with ``str.format`` over escaped values rather than by the template engine or
``format_html``: the table shows 50 rows of 11 cells, and the engine's cost per row
(~0.45 ms: a lookup, an escape and a localisation per value, a translation per label), then
``format_html``'s (a lazy-string check and a conditional escape per argument), were the
largest part of the page at national scale (docs/benchmarks.md). Every value that is not
an integer or a date written by ``core.formatting`` goes through ``escape`` (the same
``html.escape`` as Django's filter); the words are translated and escaped once per table.
The page (``circular_deliveries.html``) and the row sent back after a review in place
(``_row_reviewed.html``) print the same rows."""

import html

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from acknowledgements.models import Delivery
from core.formatting import day, local_time

STAND_IN = 987654321  # an id no row has, only to be replaced in the reversed link


def escape(value) -> str:
    """As Django's ``escape``: & < > " ' written as entities."""
    return html.escape(str(value), quote=True)


ROW = (
    '<tr id="delivery-{pk}" data-id="{pk}" data-unit="{unit}" data-status="{status}" class="{row_class}">\n'
    '  <td class="select">{chase}</td>\n'
    '  <td class="unit-name">{name}</td>\n'
    '  <td data-label="{words[status]}"><span class="badge dstatus-{status}">{status_label}</span>{badge}{reason}'
    "</td>\n"
    '  <td data-label="{words[first_opened]}" class="nowrap">{opened}</td>\n'
    '  <td data-label="{words[acknowledged]}" class="nowrap">{acknowledged}</td>\n'
    '  <td data-label="{words[reported]}" class="nowrap">{reported}</td>\n'
    '  <td data-label="{words[days_late]}" class="num days-late{late_class}">{days_late}</td>\n'
    '  <td data-label="{words[reminders]}" class="num reminders">{reminders}</td>\n'
    '  <td data-label="{words[last_reminder]}" class="nowrap">{last_reminder}</td>\n'
    '  <td class="report-cell">{report}</td>\n'
    "</tr>"
)
CHASE = '<input type="checkbox" name="units" value="{unit}" form="chase-form" id="chase-{pk}" aria-label="{label}">'
BADGE = ' <span class="badge badge-late" title="{title}">{text}</span>'
REPORT = (
    '<a class="open-report" href="{url}" data-hx-get="{panel}" data-hx-target="#report-panel" '
    'data-hx-swap="innerHTML show:#report-panel:top">{text}</a>'
)

# The columns a row reads (``UnitRows.rows`` fetches only these: the other columns of a
# delivery and of its unit cost a third of the fetch at national scale, docs/benchmarks.md).
# ``circular_id`` and ``unit_id`` are kept: the overdue rule reads the row's circular.
FIELDS = (
    "id",
    "circular_id",
    "unit_id",
    "status",
    "ack_due_on",
    "report_due_on",
    "first_viewed_at",
    "acknowledged_at",
    "reported_at",
    "refuse_reason",
    "ack_delay_days",
    "report_delay_days",
    "unit__name",
)

# Words formatted with a value before they are escaped; the others are escaped at once.
FORMATTED = {"chase", "ack_by", "report_by"}


class UnitRows:
    """Renders the rows of one circular's table for one viewer (what they may open and
    chase decides the links and boxes)."""

    def __init__(self, circular, *, can_open: bool, can_chase: bool):
        self.circular = circular
        self.can_open = can_open
        self.can_chase = can_chase
        self.tz = timezone.get_current_timezone()
        self.status_labels = {code: escape(label) for code, label in Delivery.Status.choices}
        # The two links of a row differ only by the delivery's id: reversed once, with a
        # stand-in id replaced per row.
        self.delivery_url = reverse("delivery-detail", args=[STAND_IN]).replace(str(STAND_IN), "{}")
        self.panel_url = reverse("circular-report-panel", args=[circular.pk, STAND_IN]).replace(str(STAND_IN), "{}")
        # Translated once per table, not once per cell.
        words = {
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
        self.words = {key: word if key in FORMATTED else escape(word) for key, word in words.items()}

    @staticmethod
    def rows(queryset):
        """``compliance.unit_rows`` (filtered, sorted) narrowed to the columns a row reads."""
        return queryset.only(*FIELDS)

    def row(self, delivery) -> SafeString:
        words, tz = self.words, self.tz
        url = self.delivery_url.format(delivery.pk)
        name = escape(delivery.unit.name)
        late = delivery.ack_late or delivery.report_late
        chase = ""
        if self.can_chase and delivery.chaseable:
            chase = CHASE.format(
                unit=delivery.unit_id, pk=delivery.pk, label=escape(words["chase"] % {"unit": delivery.unit.name})
            )
        if self.can_open:
            name = f'<a href="{url}">{name}</a>'
        badge = ""
        if delivery.ack_late:
            badge = BADGE.format(
                title=escape(words["ack_by"] % {"d": day(delivery.ack_due_on)}), text=words["ack_late"]
            )
        elif delivery.report_late:
            badge = BADGE.format(
                title=escape(words["report_by"] % {"d": day(delivery.report_due_on)}), text=words["report_late"]
            )
        reason = f'<div class="muted">{escape(delivery.refuse_reason)}</div>' if delivery.refuse_reason else ""
        report = ""
        if self.can_open and delivery.reported_at:
            report = REPORT.format(
                url=url,
                panel=self.panel_url.format(delivery.pk),
                text=words["review"] if delivery.status == "reported" else words["open"],
            )
        status = escape(delivery.status)
        return mark_safe(
            ROW.format(
                pk=delivery.pk,
                unit=delivery.unit_id,
                status=status,
                row_class="overdue" if late else "",
                chase=chase,
                name=name,
                words=words,
                status_label=self.status_labels.get(delivery.status, status),
                badge=badge,
                reason=reason,
                opened=local_time(delivery.first_viewed_at, tz) or "—",
                acknowledged=local_time(delivery.acknowledged_at, tz) or "—",
                reported=local_time(delivery.reported_at, tz) or "—",
                late_class=" late" if late else "",
                days_late=int(delivery.days_late),
                reminders=int(delivery.reminders_sent),
                last_reminder=local_time(delivery.last_reminder_at, tz) or "—",
                report=report,
            )
        )

    def render(self, deliveries) -> SafeString:
        return mark_safe("\n".join(self.row(delivery) for delivery in deliveries))
