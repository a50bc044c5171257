"""The dashboard's pictures, drawn on the server as inline SVG.

Pure functions: figures in, markup out. Every piece of text goes through ``format_html``
(unit and group names are escaped), the markup is well-formed XML, and colours and sizes
are presentation attributes, never ``style=``, so that a strict Content-Security-Policy
needs no exception. Each chart has a ``<title>`` and a ``<desc>`` that say in words what
it shows; the pages add a table of the same figures.
"""

import datetime

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import formatting

SVG_NS = "http://www.w3.org/2000/svg"
PALETTE = ["#1a73e8", "#b71c1c", "#1b7f3b", "#a15c00", "#6a1b9a", "#00838f", "#5f6368", "#c2185b"]
ACK_COLOUR = "#1a73e8"
REPORT_COLOUR = "#1b7f3b"
MUTED = "#5f6368"
LINE = "#dadce0"


def _n(value: float) -> str:
    """A coordinate: short, and the same whatever the locale."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _svg(*, ident: str, width: int, height: int, title: str, desc: str, body, css_class: str = "chart") -> SafeString:
    return format_html(
        '<svg xmlns="{}" class="{}" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
        'aria-labelledby="{}-title {}-desc" font-family="system-ui, sans-serif" font-size="12">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        SVG_NS,
        css_class,
        width,
        height,
        width,
        height,
        ident,
        ident,
        ident,
        title,
        ident,
        desc,
        body,
    )


def _join(parts) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


# --- The overview's progress bars ---------------------------------------------------


def figure_bars(figures: dict, *, ident: str) -> SafeString:
    """Sent, acknowledged, reported and accepted as shares of the units a circular went
    to: four bars of one small picture."""
    total = figures["total"]
    rows = [
        (_("Sent"), total, "#5f6368"),
        (_("Acknowledged"), figures["acknowledged"], ACK_COLOUR),
        (_("Reported"), figures["reported"], "#6a1b9a"),
        (_("Accepted"), figures["accepted"], REPORT_COLOUR),
    ]
    bar_x, bar_w, row_h = 100, 120, 18
    parts = []
    words = []
    for i, (label, n, colour) in enumerate(rows):
        y = 4 + i * row_h
        share = n / total if total else 0
        parts.append(
            format_html(
                '<text x="0" y="{}" fill="#1d1d1f">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="#eceff1"/>'
                '<rect x="{}" y="{}" width="{}" height="10" rx="3" fill="{}"/>'
                '<text x="{}" y="{}" fill="#1d1d1f">{}/{}</text>',
                _n(y + 10),
                label,
                bar_x,
                _n(y + 1),
                bar_w,
                bar_x,
                _n(y + 1),
                _n(bar_w * share),
                colour,
                bar_x + bar_w + 6,
                _n(y + 10),
                n,
                total,
            )
        )
        words.append(f"{label}: {n}/{total}")
    return _svg(
        ident=ident,
        width=270,
        height=4 + len(rows) * row_h,
        title=_("Progress of the units"),
        desc="; ".join(words),
        body=_join(parts),
        css_class="chart bars",
    )


# --- A circular's progress over time ------------------------------------------------


def _ticks(start: datetime.date, end: datetime.date, count: int = 6) -> list[datetime.date]:
    span = (end - start).days
    if span <= 0:
        return [start]
    count = min(count, span + 1)
    return sorted({start + datetime.timedelta(days=round(i * span / (count - 1))) for i in range(count)})


def _step_points(points, start, end, x, y) -> str:
    """A step line: flat until the day a count changes, then straight up."""
    coords = [(x(start), y(0))]
    level = 0
    for day, value in points:
        day = min(max(day, start), end)
        coords.append((x(day), y(level)))
        coords.append((x(day), y(value)))
        level = value
    coords.append((x(end), y(level)))
    return " ".join(f"{_n(a)},{_n(b)}" for a, b in coords)


def progress_chart(series: dict, *, today: datetime.date, ident: str = "progress-chart") -> SafeString:
    """Cumulative acknowledgements and reports per day (``dashboard.progress_series``) as
    two step lines; dashed verticals at the two deadlines; the total as a horizontal line."""
    width, height = 720, 330
    # Room above the plot for the two deadline labels, below it for days, years, legend.
    left, right, top, bottom = 44, 24, 52, 70
    plot_w, plot_h = width - left - right, height - top - bottom
    total = series["total"]
    ack, rep = series["acknowledged"], series["reported"]
    ack_due, report_due = series["ack_due_on"], series["report_due_on"]
    marks = [d for d in (series["issued_on"], ack_due, report_due) if d]
    marks += [day for day, _v in ack + rep]
    start = min(marks) if marks else today
    latest = max(marks) if marks else today
    # Carry the lines on to today, but not so far that a finished circular's deadlines
    # shrink into one corner.
    end = max(latest, min(today, latest + datetime.timedelta(days=30)), start + datetime.timedelta(days=1))
    span = (end - start).days
    top_value = max(total, 1)

    def x(day: datetime.date) -> float:
        return left + (day - start).days / span * plot_w

    def y(value: float) -> float:
        return top + plot_h - value / top_value * plot_h

    parts = []
    # Axes and the y ticks (0, half, total).
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
            MUTED,
            left,
            top,
            left,
            top + plot_h,
            MUTED,
        )
    )
    for value in sorted({0, top_value // 2, top_value}):
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}</text>',
                left - 4,
                _n(y(value)),
                left,
                _n(y(value)),
                MUTED,
                left - 6,
                _n(y(value) + 4),
                MUTED,
                value,
            )
        )
    previous_year = None
    for day in _ticks(start, end):
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                _n(x(day)),
                top + plot_h,
                _n(x(day)),
                top + plot_h + 4,
                MUTED,
                _n(x(day)),
                top + plot_h + 18,
                MUTED,
                day.strftime("%d/%m"),
            )
        )
        # dd/mm alone is ambiguous over a new year: the year under the first day of each.
        if day.year != previous_year:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                    _n(x(day)),
                    top + plot_h + 32,
                    MUTED,
                    day.year,
                )
            )
            previous_year = day.year
    # The total, as a horizontal line.
    parts.append(
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#1d1d1f" stroke-dasharray="2 3"/>'
            '<text x="{}" y="{}" text-anchor="end" fill="#1d1d1f">{}</text>',
            left,
            _n(y(total)),
            left + plot_w,
            _n(y(total)),
            left + plot_w,
            _n(y(total) - 4),
            ngettext("Total: %(n)d unit", "Total: %(n)d units", total) % {"n": total},
        )
    )
    # The deadlines, as dashed verticals labelled above the plot, one line each, the
    # label on the side of the line where there is room.
    for day, label, colour, label_y in (
        (ack_due, _("Acknowledge by %(d)s"), ACK_COLOUR, 14),
        (report_due, _("Report by %(d)s"), REPORT_COLOUR, 30),
    ):
        if day is None:
            continue
        anchor = "start" if x(day) < left + plot_w / 2 else "end"
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-dasharray="6 4"/>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="{}" fill="{}">{}</text>',
                _n(x(day)),
                top,
                _n(x(day)),
                top + plot_h,
                colour,
                _n(x(day)),
                label_y - 4,
                _n(x(day)),
                top,
                colour,
                _n(x(day) + (4 if anchor == "start" else -4)),
                label_y,
                anchor,
                colour,
                label % {"d": formatting.day(day)},
            )
        )
    # The two step lines.
    for points, colour in ((ack, ACK_COLOUR), (rep, REPORT_COLOUR)):
        parts.append(
            format_html(
                '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5"/>',
                _step_points(points, start, end, x, y),
                colour,
            )
        )
    # Legend, under the x labels.
    legend_y = height - 8
    for i, (label, colour) in enumerate(((_("Acknowledged"), ACK_COLOUR), (_("Reported"), REPORT_COLOUR))):
        lx = left + i * 160
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="3"/>'
                '<text x="{}" y="{}" fill="#1d1d1f">{}</text>',
                lx,
                legend_y - 4,
                lx + 22,
                legend_y - 4,
                colour,
                lx + 28,
                legend_y,
                label,
            )
        )
    acknowledged = ack[-1][1] if ack else 0
    reported = rep[-1][1] if rep else 0
    desc = _(
        "Units that acknowledged receipt and units that reported, day by day, from %(start)s to %(end)s: "
        "%(ack)d and %(rep)d of %(total)d units so far."
    ) % {
        "start": formatting.day(start),
        "end": formatting.day(end),
        "ack": acknowledged,
        "rep": reported,
        "total": total,
    }
    if ack_due:
        desc += " " + _("Acknowledgement deadline: %(d)s.") % {"d": formatting.day(ack_due)}
    if report_due:
        desc += " " + _("Report deadline: %(d)s.") % {"d": formatting.day(report_due)}
    return _svg(ident=ident, width=width, height=height, title=_("Progress over time"), desc=desc, body=_join(parts))


def progress_table_rows(series: dict) -> list[tuple[datetime.date, int, int]]:
    """The same figures as the chart, one row per day something happened (for its table)."""
    days = sorted({day for day, _v in series["acknowledged"]} | {day for day, _v in series["reported"]})
    ack, rep = dict(series["acknowledged"]), dict(series["reported"])
    out, a, r = [], 0, 0
    for day in days:
        a, r = ack.get(day, a), rep.get(day, r)
        out.append((day, a, r))
    return out


def progress_table_body(rows: list[tuple[datetime.date, int, int]]) -> SafeString:
    """The ``<tr>`` of ``progress_table_rows``: a day and two counts each, nothing to
    escape; written here, not by the template engine, which localised every cell of up to
    a few hundred days."""
    return mark_safe(
        "".join(
            f'<tr><td>{formatting.day(day)}</td><td class="num">{int(a)}</td><td class="num">{int(r)}</td></tr>'
            for day, a, r in rows
        )
    )


# --- On-time rates per unit group and month -----------------------------------------


def rates_by_group(rows: list[dict]) -> tuple[list[datetime.date], list[dict], dict]:
    """Months, groups (each with its colour) and {(group code, month): row}."""
    months = sorted({r["month"] for r in rows})
    groups, seen = [], set()
    for r in sorted(rows, key=lambda r: r["group"]["name"]):
        if r["group"]["code"] not in seen:
            seen.add(r["group"]["code"])
            groups.append({**r["group"], "colour": PALETTE[len(groups) % len(PALETTE)]})
    return months, groups, {(r["group"]["code"], r["month"]): r for r in rows}


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def group_rates_chart(rows: list[dict], *, rate: str, title: str, ident: str) -> SafeString:
    """Grouped bars: for each month of issue, one bar per unit group, its on-time rate
    (``rate`` is ``on_time_ack_rate`` or ``on_time_report_rate``) from 0 to 100 %."""
    months, groups, cell = rates_by_group(rows)
    width, left, right, top = 720, 44, 16, 16
    plot_w, plot_h = width - left - right, 200
    legend_top = top + plot_h + 36
    height = legend_top + 18 * max(len(groups), 1) + 4
    parts = [
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
            MUTED,
        )
    ]
    for value in (0, 25, 50, 75, 100):
        gy = top + plot_h - value / 100 * plot_h
        parts.append(
            format_html(
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>'
                '<text x="{}" y="{}" text-anchor="end" fill="{}">{}%</text>',
                left,
                _n(gy),
                left + plot_w,
                _n(gy),
                LINE,
                left - 6,
                _n(gy + 4),
                MUTED,
                value,
            )
        )
    if not months:
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                left + plot_w // 2,
                top + plot_h // 2,
                MUTED,
                _("No circular was issued in this period."),
            )
        )
    slot = plot_w / max(len(months), 1)
    bar_w = min(28.0, slot * 0.8 / max(len(groups), 1))
    words = []
    for mi, month in enumerate(months):
        cluster = bar_w * len(groups)
        x0 = left + mi * slot + (slot - cluster) / 2
        month_label = _month(month).strftime("%m/%Y")
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="middle" fill="{}">{}</text>',
                _n(left + mi * slot + slot / 2),
                top + plot_h + 18,
                MUTED,
                month_label,
            )
        )
        for gi, group in enumerate(groups):
            row = cell.get((group["code"], month))
            value = row[rate] if row else None
            words.append(f"{month_label}, {group['name']}: {formatting.percent(value)}")
            if value is None:
                continue
            # A rate of 0 is a fact, not a gap: it gets a sliver of a bar.
            bar_h = max(value * plot_h, 2)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
                    _n(x0 + gi * bar_w),
                    _n(top + plot_h - bar_h),
                    _n(max(bar_w - 2, 1)),
                    _n(bar_h),
                    group["colour"],
                    f"{group['name']}, {month_label}: {formatting.percent(value)}",
                )
            )
    parts.append(
        format_html_join(
            "",
            '<rect x="{}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" fill="#1d1d1f">{}</text>',
            (
                (left, legend_top + i * 18, g["colour"], left + 18, legend_top + i * 18 + 10, g["name"])
                for i, g in enumerate(groups)
            ),
        )
    )
    desc = "; ".join(words) if words else _("No circular was issued in this period.")
    return _svg(ident=ident, width=width, height=height, title=title, desc=desc, body=_join(parts))
