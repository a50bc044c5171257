"""Pages of the inbox, a delivery, the implementation report, the monitoring of one
circular, the bell and the one-click acknowledgement link.

Thin views: parse the request, fetch through ``acknowledgements.policy`` (another unit's
delivery is a 404), call a service, render. A service's ``DomainError`` is shown on the
page with its status (409 wrong state, 403 wrong role, 400 a broken rule), never a 500.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from acknowledgements import links, policy, services
from acknowledgements.assignment_views import mark_due
from acknowledgements.filters import InboxFilterSet
from acknowledgements.forms import AcceptForm, RefuseForm, ReportForm, ReturnForm
from acknowledgements.models import Delivery, Notification, ReportItem
from acknowledgements.policy import get_delivery_for_user, get_evidence_for_user, get_report_for_user
from circulars import views as circular_views
from circulars.forms import RecallForm, WithdrawForm
from circulars.models import Assignment, Circular, HandlingStatus, IncomingDispatch
from circulars.policy import may
from core import formatting
from core.addresses import client_ip
from core.errors import Conflict, DomainError, form_error
from core.uploads import download_response
from units.models import Membership
from units.roles import PortalRole, has_role

INBOX_PAGE_SIZE = 25
# Open assignments are few per unit; past this many the inbox says there are more.
INBOX_HANDLING_MAX = 50
NOTIFICATIONS_PAGE_SIZE = 25

S = Delivery.Status

# The timeline's words for the actions services record (DeliveryEvent.action).
EVENT_LABELS = {
    "distribute": gettext_lazy("Sent to the unit"),
    "view": gettext_lazy("Opened"),
    "acknowledge": gettext_lazy("Acknowledged receipt"),
    "refuse": gettext_lazy("Refused"),
    "report": gettext_lazy("Report filed"),
    "accept": gettext_lazy("Report accepted"),
    "return": gettext_lazy("Report returned"),
}


def _mark_overdue(deliveries, *, on) -> None:
    """The overdue flags the templates show, for deliveries whose circular is loaded."""
    for delivery in deliveries:
        delivery.ack_late = delivery.is_ack_overdue(on)
        delivery.report_late = delivery.is_report_overdue(on)


# --- Inbox --------------------------------------------------------------------------


@require_GET
def inbox(request):
    deliveries = Delivery.objects.for_units_of(request.user).select_related("circular", "unit")
    today = timezone.localdate()
    filterset = InboxFilterSet(request.GET, queryset=deliveries, on=today)
    filters = filterset.active()
    page = Paginator(filterset.qs.order_by("-sent_at", "-id"), INBOX_PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_overdue(page.object_list, on=today)
    handling, presented = _dispatches_to_handle(request.user, today=today)
    todo = _documents_to_act_on(request.user)
    return render(
        request,
        "acknowledgements/inbox.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "filtered": bool(filters),
            "more_filters": bool(set(filters) - {"q"}),
            "several_units": len(request.user.unit_ids) > 1,
            "has_units": bool(request.user.unit_ids),
            # Someone with no unit sees the deliveries block only when nothing else waits.
            "show_deliveries": bool(request.user.unit_ids) or not (presented or todo),
            "handling": handling[:INBOX_HANDLING_MAX],
            "handling_more": len(handling) > INBOX_HANDLING_MAX,
            "presented": presented,
            "todo": todo,
            "records_clerk": may(request.user, "register"),
        },
    )


def _documents_to_act_on(user) -> list[tuple[str, object, str]]:
    """What waits for the signer and the records clerk, oldest first, as (kind, document,
    what to do): circulars to sign; circulars to number and issue, issued ones to send,
    registered dispatches to present to a leader. Nothing (no query) for anyone else."""
    todo = []
    S = Circular.Status
    if has_role(user, PortalRole.SIGNER):
        to_sign = Circular.objects.filter(status=S.SUBMITTED, signer=user).order_by("pk")[:INBOX_HANDLING_MAX]
        todo += [("circular", c, _("Approve and sign")) for c in to_sign]
    if may(user, "issue"):
        waiting = Circular.objects.filter(status__in=[S.APPROVED, S.ISSUED]).order_by("pk")[:INBOX_HANDLING_MAX]
        for c in waiting:
            todo.append(("circular", c, _("Number and issue") if c.status == S.APPROVED else _("Send to the units")))
    if may(user, "register"):
        to_present = IncomingDispatch.objects.filter(handling_status=HandlingStatus.REGISTERED).order_by(
            "received_on", "pk"
        )[:INBOX_HANDLING_MAX]
        todo += [("dispatch", d, _("Present to a leader")) for d in to_present]
    return todo


def _dispatches_to_handle(user, *, today):
    """The inbox's "incoming dispatches to handle": the open assignments of the user's
    units, the earliest due first (one query, one more for the calendar when there are
    some), and for a leader the dispatches presented to them awaiting an instruction."""
    handling = list(
        Assignment.objects.for_member(user)
        .open()
        .select_related("dispatch", "unit")
        .order_by("due_on", "pk")[: INBOX_HANDLING_MAX + 1]
    )
    mark_due(handling, today=today)
    presented = []
    if has_role(user, PortalRole.SIGNER):
        presented = list(
            IncomingDispatch.objects.filter(presented_to=user, handling_status=HandlingStatus.PRESENTED).order_by(
                "presented_at", "pk"
            )[:INBOX_HANDLING_MAX]
        )
    return handling, presented


# --- One delivery -------------------------------------------------------------------


def _render_delivery(request, pk, *, delivery: Delivery | None = None, error: DomainError | None = None, forms=None):
    """The delivery's page; with ``error``, the page that explains why an action failed,
    answered with the error's status code."""
    if delivery is None:
        # Read again after a failed action: it may have raced with someone else's.
        delivery = get_delivery_for_user(request.user, pk)
    circular = delivery.circular
    user = request.user
    reports = list(
        delivery.reports.select_related("submitted_by", "reviewed_by").prefetch_related(
            Prefetch("items", queryset=ReportItem.objects.select_related("action_item")), "evidence"
        )
    )
    latest = reports[0] if reports else None
    events = list(delivery.events.select_related("actor"))
    for event in events:
        event.label = EVENT_LABELS.get(event.action, event.action)
    actions = policy.allowed_actions(user, delivery, latest_report=latest)
    today = timezone.localdate()
    _mark_overdue([delivery], on=today)
    forms = forms or {}
    context = {
        "delivery": delivery,
        "circular": circular,
        "action_items": circular.action_items.all(),
        "attachments": circular.attachments.all(),
        "dispatches": circular.in_response_to.prefetch_related("attachments"),
        "events": events,
        "reports": reports,
        "latest_report": latest,
        "can_acknowledge": "acknowledge" in actions,
        "can_refuse": "refuse" in actions,
        "can_report": "report" in actions,
        "can_review": "review" in actions,
        "refuse_form": forms.get("refuse") or RefuseForm(auto_id="refuse_%s"),
        "accept_form": forms.get("accept") or AcceptForm(auto_id="accept_%s"),
        "return_form": forms.get("return") or ReturnForm(auto_id="return_%s"),
        "error": error.message if error else None,
    }
    return render(request, "acknowledgements/delivery_detail.html", context, status=error.status_code if error else 200)


@require_GET
def delivery_detail(request, pk):
    delivery = get_delivery_for_user(request.user, pk)
    services.mark_viewed(delivery=delivery, by=request.user)
    return _render_delivery(request, pk, delivery=delivery)


def _act_on_delivery(request, pk, action: str, call, success_message, form_class=None):
    """Run one service from a POST button of the delivery page; on a domain error (or
    a form that does not pass), show the page with the message and its status."""
    delivery = get_delivery_for_user(request.user, pk)
    form = None
    if form_class is not None:
        form = form_class(request.POST, auto_id=f"{action}_%s")
        if not form.is_valid():
            message = form_error(form).message
            return _render_delivery(request, pk, error=DomainError(message), forms={action: form})
    try:
        result = call(delivery, form.cleaned_data if form else {})
    except DomainError as error:
        return _render_delivery(request, pk, error=error, forms={action: form} if form else None)
    messages.success(request, success_message(result))
    return redirect("delivery-detail", pk=pk)


@require_POST
def delivery_acknowledge(request, pk):
    return _act_on_delivery(
        request,
        pk,
        "acknowledge",
        lambda d, _data: services.acknowledge(delivery=d, by=request.user, ip=client_ip(request)),
        lambda d: _("Receipt acknowledged at %(at)s.") % {"at": formatting.local_time(d.acknowledged_at)},
    )


@require_POST
def delivery_refuse(request, pk):
    return _act_on_delivery(
        request,
        pk,
        "refuse",
        lambda d, data: services.refuse(delivery=d, by=request.user, reason=data["reason"], ip=client_ip(request)),
        lambda d: _("The refusal is recorded; the monitoring office will see your reason."),
        RefuseForm,
    )


# --- Reviewing a report (the monitoring office) -------------------------------------


def _review(request, pk, action: str, call, success_message, form_class):
    report = get_report_for_user(request.user, pk)
    delivery_id = report.delivery_id
    form = form_class(request.POST, auto_id=f"{action}_%s")
    if not form.is_valid():
        message = form_error(form).message
        return _render_delivery(request, delivery_id, error=DomainError(message), forms={action: form})
    try:
        call(report, form.cleaned_data)
    except DomainError as error:
        return _render_delivery(request, delivery_id, error=error, forms={action: form})
    messages.success(request, success_message)
    return redirect("delivery-detail", pk=delivery_id)


@require_POST
def report_accept(request, pk):
    return _review(
        request,
        pk,
        "accept",
        lambda r, data: services.accept_report(
            report=r, by=request.user, comment=data["comment"], ip=client_ip(request)
        ),
        _("The report is accepted."),
        AcceptForm,
    )


@require_POST
def report_return(request, pk):
    return _review(
        request,
        pk,
        "return",
        lambda r, data: services.return_report(
            report=r, by=request.user, comment=data["comment"], ip=client_ip(request)
        ),
        _("The report is returned to the unit with your comment."),
        ReturnForm,
    )


# --- Filing a report ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def delivery_report(request, pk):
    delivery = get_delivery_for_user(request.user, pk)
    circular = delivery.circular
    # The services' rules read ahead, so nobody fills in a form that cannot be filed;
    # submit_report decides again on POST.
    if not policy.acts_for_unit(request.user, delivery):
        raise PermissionDenied(_("Only the clerks and head of the unit file its report."))
    context = {"delivery": delivery, "circular": circular}
    if not circular.in_force or delivery.status not in Delivery.REPORT_OWED:
        error = Conflict(
            _("A report cannot be filed while the delivery is “%(status)s”.")
            % {"status": delivery.get_status_display()}
            if circular.in_force
            else services.closed_message(delivery)
        )
        return render(
            request, "acknowledgements/report_form.html", {**context, "error": error.message}, status=error.status_code
        )

    previous = None
    if delivery.status == S.RETURNED:
        # After a return the unit corrects its last version rather than starting over.
        previous = delivery.reports.prefetch_related("items").order_by("-version").first()
    action_items = list(circular.action_items.all())
    status, error = 200, None
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, action_items=action_items, previous=previous)
        if form.is_valid():
            try:
                report = services.submit_report(
                    delivery=delivery,
                    by=request.user,
                    summary=form.cleaned_data["summary"],
                    items=form.service_items(),
                    files=form.cleaned_data["files"],
                    ip=client_ip(request),
                )
            except DomainError as exc:
                status, error = exc.status_code, exc.message
            else:
                messages.success(request, _("Report version %(v)d is filed.") % {"v": report.version})
                return redirect("delivery-detail", pk=delivery.pk)
        else:
            status = 400
    else:
        form = ReportForm(action_items=action_items, previous=previous)
    return render(
        request,
        "acknowledgements/report_form.html",
        {**context, "form": form, "previous": previous, "error": error},
        status=status,
    )


@require_GET
def evidence_download(request, pk):
    return download_response(get_evidence_for_user(request.user, pk))


# --- Notifications (the bell) -------------------------------------------------------


@require_GET
def notifications(request):
    rows = Notification.objects.filter(user=request.user)
    page = Paginator(rows, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "acknowledgements/notifications.html", {"page_obj": page})


@require_POST
def notifications_read(request):
    Notification.objects.filter(user=request.user).unread().update(read_at=timezone.now())
    return redirect("notifications")


@require_GET
def notification_open(request, pk):
    # Marking read on a GET is deliberate: it changes only the user's own read flag
    # (no one else's data, nothing in the document workflow), and it lets a plain link
    # both open the notification and clear it. A prefetch that marks one read early
    # costs nothing but a bold line.
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    url = notification.url
    if not url and notification.delivery_id:
        # The bulk fan-out of a distribution writes its lines without a url.
        url = reverse("delivery-detail", args=[notification.delivery_id])
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}, require_https=False):
        return redirect(url)
    return redirect("notifications")


# --- Withdrawing and recalling a circular (they reach the units) ---------------------


@require_POST
def circular_withdraw(request, pk):
    return circular_views.act_on_circular(
        request,
        pk,
        "withdraw",
        lambda c, d: services.withdraw(circular=c, by=request.user, reason=d["reason"]),
        lambda c: (
            _("The circular is recalled; every unit has been told.")
            if c.status == Circular.Status.RECALLED
            else _("The circular is withdrawn.")
        ),
        WithdrawForm,
    )


@require_POST
def circular_recall(request, pk):
    return circular_views.act_on_circular(
        request,
        pk,
        "recall",
        lambda c, d: services.recall(circular=c, by=request.user, reason=d["reason"]),
        lambda c: _("The circular is recalled; every unit has been told."),
        RecallForm,
    )


# --- One-click acknowledgement link -------------------------------------------------


def _ack_page(request, state: str, status: int = 200, **context):
    return render(request, "acknowledgements/ack_link.html", {"state": state, **context}, status=status)


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def ack_link(request, token):
    """The link in the email. Its GET only shows what will be acknowledged (mail
    scanners and link previews fetch every URL); the POST acknowledges, on behalf of the
    user the link was made for, while they are still an active member of the unit."""
    try:
        user_id, delivery_id = links.read_ack_token(token)
    except signing.SignatureExpired:
        return _ack_page(request, "expired", 410)
    except signing.BadSignature:
        return _ack_page(request, "bad", 400)
    membership = (
        Membership.objects.filter(user_id=user_id, user__is_active=True, unit__deliveries__pk=delivery_id)
        .select_related("user")
        .first()
    )
    delivery = Delivery.objects.select_related("circular", "unit").filter(pk=delivery_id).first()
    if delivery is None:
        return _ack_page(request, "bad", 400)
    if membership is None:
        return _ack_page(request, "forbidden", 403, delivery=delivery)
    context = {"delivery": delivery, "circular": delivery.circular, "recipient": membership.user}
    if request.method == "POST":
        try:
            delivery = services.acknowledge(delivery=delivery, by=membership.user, ip=client_ip(request))
        except DomainError as error:
            return _ack_page(request, "error", error.status_code, error=error.message, **context)
        return _ack_page(request, "done", **{**context, "delivery": delivery})
    if delivery.status == S.REFUSED or delivery.is_closed or not delivery.circular.in_force:
        return _ack_page(request, "closed", **context)
    if delivery.acknowledged_at is not None:
        return _ack_page(request, "done", **context)
    return _ack_page(request, "confirm", **context)
