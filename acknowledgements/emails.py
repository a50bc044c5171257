"""The emails, one function per kind, each with a subject, a text and an HTML template.
Rendered at send time from the outbox row, in Vietnamese."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from acknowledgements.links import ack_url
from acknowledgements.models import Delivery, OutboxEmail, Reminder
from circulars.models import Assignment


def _render(name: str, context: dict) -> tuple[str, str, str]:
    with override("vi"):
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", context)
    return subject, text, html


def new_delivery(row: OutboxEmail) -> tuple[str, str, str]:
    delivery = row.delivery
    return _render(
        "new_delivery",
        {
            "user": row.user,
            "delivery": delivery,
            "circular": delivery.circular,
            "unit": delivery.unit,
            "addressee_unit": delivery.unit,
            "action_items": list(delivery.circular.action_items.all()),
            "ack_url": ack_url(user_id=row.user_id, delivery_id=delivery.pk),
            "delivery_url": settings.SITE_URL + reverse("delivery-detail", args=[delivery.pk]),
        },
    )


def report_returned(row: OutboxEmail) -> tuple[str, str, str]:
    delivery = row.delivery
    return _render(
        "report_returned",
        {
            "user": row.user,
            "delivery": delivery,
            "circular": delivery.circular,
            "unit": delivery.unit,
            "addressee_unit": delivery.unit,
            "report": row.report,
            "delivery_url": settings.SITE_URL + reverse("delivery-detail", args=[delivery.pk]),
        },
    )


def reminder(row: OutboxEmail) -> tuple[str, str, str]:
    delivery = row.delivery
    return _render(
        "reminder",
        {
            "user": row.user,
            "reminder": row.reminder,
            "delivery": delivery,
            "circular": delivery.circular,
            "unit": delivery.unit,
            "ack_url": ack_url(user_id=row.user_id, delivery_id=delivery.pk),
            "delivery_url": settings.SITE_URL + reverse("delivery-detail", args=[delivery.pk]),
        },
    )


def delivery_closed(row: OutboxEmail) -> tuple[str, str, str]:
    """The circular was recalled (with the reason) or replaced (with the new one)."""
    delivery = row.delivery
    return _render(
        "delivery_closed",
        {
            "user": row.user,
            "delivery": delivery,
            "circular": delivery.circular,
            "unit": delivery.unit,
            "addressee_unit": delivery.unit,
            "recalled": delivery.status == Delivery.Status.RECALLED,
            "delivery_url": settings.SITE_URL + reverse("delivery-detail", args=[delivery.pk]),
        },
    )


def new_assignment(row: OutboxEmail) -> tuple[str, str, str]:
    """The unit was given an incoming dispatch to handle (lead or supporting)."""
    assignment = row.assignment
    others = (
        Assignment.objects.filter(dispatch_id=assignment.dispatch_id, assigned_at=assignment.assigned_at)
        .exclude(pk=assignment.pk)
        .select_related("unit")
        .order_by("role", "unit__name")
    )
    leader = assignment.leader
    with override("vi"):
        others = "; ".join(f"{a.unit.name} ({a.get_role_display()})" for a in others)
    return _render(
        "new_assignment",
        {
            "user": row.user,
            "assignment": assignment,
            "dispatch": assignment.dispatch,
            "addressee_unit": assignment.unit,
            "leader_name": leader.get_full_name() or leader.username,
            "others": others,
            "assignment_url": settings.SITE_URL + reverse("assignment-detail", args=[assignment.pk]),
        },
    )


def assignment_reminder(row: OutboxEmail) -> tuple[str, str, str]:
    """A reminder, notice or escalation about a unit's assignment of an incoming dispatch
    (the sweep's, urgent dispatches only: the others are in the digest)."""
    assignment = row.assignment
    reminder = row.reminder
    return _render(
        "assignment_reminder",
        {
            "user": row.user,
            "reminder": reminder,
            "assignment": assignment,
            "dispatch": assignment.dispatch,
            "unit": assignment.unit,
            # The leader is written to in their own name, the unit's people as the unit's.
            "addressee_unit": None if reminder.stage == "leader" else assignment.unit,
            "assignment_url": settings.SITE_URL + reverse("assignment-detail", args=[assignment.pk]),
        },
    )


def digest(row: OutboxEmail) -> tuple[str, str, str]:
    """Everything the person's units still owe, and the escalations addressed to them."""
    owed = list(
        Delivery.objects.live()
        .for_units_of(row.user)
        .filter(status__in=Delivery.REPORT_OWED)
        .select_related("circular", "unit")
        .order_by("ack_due_on", "report_due_on", "id")[:200]
    )
    escalated = list(
        Reminder.objects.filter(
            notifications__user=row.user, stage="monitor", created_at__date__gte=row.created_at.date()
        )
        .select_related("delivery__circular", "delivery__unit")
        .distinct()[:200]
    )
    today = timezone.localdate()
    # The incoming dispatches the person's units handle, and those escalated to them as
    # the leader who assigned them.
    assignments = [
        {
            "assignment": a,
            "overdue": a.is_overdue(today),
            "url": settings.SITE_URL + reverse("assignment-detail", args=[a.pk]),
        }
        for a in Assignment.objects.in_handling()
        .filter(unit_id__in=row.user.unit_ids)
        .select_related("dispatch", "unit")
        .order_by("due_on", "id")[:200]
    ]
    escalated_assignments = list(
        Reminder.objects.filter(
            notifications__user=row.user, stage="leader", created_at__date__gte=row.created_at.date()
        )
        .select_related("assignment__dispatch", "assignment__unit")
        .distinct()[:200]
    )
    items = [
        {
            "delivery": d,
            "ack_url": ack_url(user_id=row.user_id, delivery_id=d.pk) if d.status == Delivery.Status.SENT else "",
            "url": settings.SITE_URL + reverse("delivery-detail", args=[d.pk]),
            "ack_overdue": d.is_ack_overdue(today),
            "report_overdue": d.is_report_overdue(today),
        }
        for d in owed
    ]
    return _render(
        "digest",
        {
            "user": row.user,
            "items": items,
            "escalated": escalated,
            "assignments": assignments,
            "escalated_assignments": escalated_assignments,
            "today": today,
        },
    )


RENDERERS = {
    "new_delivery": new_delivery,
    "report_returned": report_returned,
    "reminder": reminder,
    "digest": digest,
    "recalled": delivery_closed,
    "replaced": delivery_closed,
    "new_assignment": new_assignment,
    "assignment_reminder": assignment_reminder,
}


def render(row: OutboxEmail) -> tuple[str, str, str]:
    return RENDERERS[row.kind](row)
