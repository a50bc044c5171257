"""Pages of the incoming register, the circulars and the public verification.

Thin views: parse the request, fetch through ``circulars.policy`` (outsiders get 404),
call a service, render. A service's ``DomainError`` is shown on the page with its status
(409 wrong state, 403 wrong role, 400 a broken rule), never a 500."""

import datetime
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circulars import policy, registers, services
from circulars.documents import pdf_response, secret_notice
from circulars.filters import CircularFilterSet, IncomingFilterSet
from circulars.forms import (
    CircularForm,
    IncomingDispatchForm,
    IssueForm,
    NoSwapsForm,
    RecallForm,
    RegisterRestartForm,
    ReturnForm,
    VerifyCodeForm,
    VerifyFileForm,
    WithdrawForm,
)
from circulars.models import (
    Circular,
    IncomingDispatch,
    NumberingRegister,
    RegisterEvent,
    WorkingDayChange,
    normalise_verification_code,
)
from circulars.policy import (
    get_attachment_for_user,
    get_circular_for_user,
    get_incoming_for_user,
    get_register_for_user,
)
from circulars.workdays import due_date, years_missing_swaps
from core.errors import Conflict, DomainError, form_error
from core.parsing import ids_in
from core.throttles import throttle_page
from core.uploads import download_response

PAGE_SIZE = 50


def _require(user, step: str) -> None:
    """For pages that show a form: a user who may read but not act gets 403 at once,
    rather than after filling the form in (the service checks again on POST)."""
    if not policy.may(user, step):
        raise PermissionDenied(_("Your role does not allow this action."))


# --- Incoming register --------------------------------------------------------------


def _filtered_register(request):
    dispatches = get_register_for_user(request.user)
    years = dispatches.order_by("-arrival_year").values_list("arrival_year", flat=True).distinct()
    filterset = IncomingFilterSet(request.GET, queryset=dispatches, years=list(years))
    return filterset.form, filterset.active(), filterset.qs


@require_GET
def incoming_list(request):
    form, filters, dispatches = _filtered_register(request)
    page = Paginator(dispatches, PAGE_SIZE).get_page(request.GET.get("page"))
    # The register book is kept per year (arrival numbers restart on 1 January), so the
    # export is of one year: the one filtered on, or this year.
    export_filters = dict(filters)
    export_filters.setdefault("year", timezone.localdate().year)
    return render(
        request,
        "circulars/incoming_list.html",
        {
            "form": form,
            "page_obj": page,
            "filtered": bool(filters),
            "export_url": f"{reverse('incoming-export')}?{urlencode(export_filters)}",
            "export_year": export_filters["year"],
            "print_url": f"{reverse('incoming-print')}?{urlencode({'year': export_filters['year']})}",
            "columns": registers.INCOMING_COLUMNS,
            "can_register": policy.may(request.user, "register"),
        },
    )


@require_http_methods(["GET", "POST"])
def incoming_new(request):
    get_register_for_user(request.user)
    _require(request.user, "register")
    context = {}
    status = 200
    if request.method == "POST":
        form = IncomingDispatchForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                dispatch = services.register_incoming(by=request.user, **form.cleaned_data)
            except DomainError as error:
                status = error.status_code
                context["error"] = error.message
                existing_id = error.extra.get("existing_id") if isinstance(error, Conflict) else None
                if existing_id:
                    context["duplicate"] = IncomingDispatch.objects.filter(pk=existing_id).first()
            else:
                messages.success(
                    request,
                    _("Registered as arrival number %(n)s/%(y)s.")
                    % {"n": dispatch.arrival_number, "y": dispatch.arrival_year},
                )
                return redirect("incoming-detail", pk=dispatch.pk)
        else:
            status = 400
    else:
        form = IncomingDispatchForm()
    return render(request, "circulars/incoming_form.html", {"form": form, **context}, status=status)


@require_GET
def incoming_detail(request, pk):
    dispatch = get_incoming_for_user(request.user, pk)
    answers = (
        Circular.objects.for_user(request.user)
        .filter(in_response_to=dispatch)
        .select_related("signer")
        .order_by("created_at")
    )
    return render(
        request,
        "circulars/incoming_detail.html",
        {
            "dispatch": dispatch,
            "attachments": dispatch.attachments.all(),
            "answers": answers,
            "can_draft": policy.may(request.user, "draft"),
        },
    )


@require_GET
def incoming_export(request):
    _form, filters, dispatches = _filtered_register(request)
    year = filters.get("year") or timezone.localdate().year
    return registers.register_xlsx(registers.INCOMING, registers.incoming_of_year(dispatches, year), year)


# --- Circulars ----------------------------------------------------------------------


@require_GET
def circular_list(request):
    filterset = CircularFilterSet(
        request.GET, queryset=Circular.objects.for_user(request.user).select_related("signer").with_chain()
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "circulars/circular_list.html",
        {
            "form": filterset.form,
            "page_obj": page,
            "filtered": bool(filterset.active()),
            "can_draft": policy.may(request.user, "draft"),
        },
    )


def _in_response_to_from_query(request) -> list[int]:
    ids = ids_in(request.GET.getlist("in_response_to"))
    return list(IncomingDispatch.objects.for_user(request.user).filter(pk__in=ids).values_list("pk", flat=True))


@require_http_methods(["GET", "POST"])
def circular_new(request):
    _require(request.user, "draft")
    status, error = 200, None
    if request.method == "POST":
        form = CircularForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            try:
                circular = services.create_draft(by=request.user, **form.service_kwargs())
            except DomainError as exc:
                status, error = exc.status_code, exc.message
            else:
                messages.success(request, _("The draft is saved."))
                return redirect("circular-detail", pk=circular.pk)
        else:
            status = 400
    else:
        form = CircularForm(user=request.user, in_response_to=_in_response_to_from_query(request))
    context = {"form": form, "error": error, "ack_due_preview": _ack_due_preview(form)}
    return render(request, "circulars/circular_form.html", context, status=status)


def _ack_due_preview(form) -> datetime.date:
    """The acknowledgement deadline if the circular were issued today, shown beside the
    working-days field (a script refreshes it as the number changes)."""
    try:
        days = int(form["ack_due_working_days"].value() or 2)
    except (TypeError, ValueError):
        days = 2
    return due_date(timezone.localdate(), min(max(days, 1), 60))


@require_http_methods(["GET", "POST"])
def circular_edit(request, pk):
    circular = get_circular_for_user(request.user, pk)
    _require(request.user, "draft")
    if not circular.is_editable:
        error = Conflict(
            _("A circular that is “%(status)s” can no longer be edited.") % {"status": circular.get_status_display()}
        )
        return _render_detail(request, circular.pk, error=error)
    status, error = 200, None
    if request.method == "POST":
        form = CircularForm(request.POST, request.FILES, user=request.user, circular=circular)
        if form.is_valid():
            try:
                circular = services.update_draft(circular=circular, by=request.user, **form.service_kwargs())
            except DomainError as exc:
                status, error = exc.status_code, exc.message
            else:
                messages.success(request, _("The changes are saved."))
                return redirect("circular-detail", pk=circular.pk)
        else:
            status = 400
    else:
        form = CircularForm(user=request.user, circular=circular)
    context = {"form": form, "circular": circular, "error": error, "ack_due_preview": _ack_due_preview(form)}
    return render(request, "circulars/circular_form.html", context, status=status)


def _render_detail(request, pk, *, error: DomainError | None = None, forms=None):
    """The circular's page; with ``error``, the page that explains why an action failed,
    answered with the error's status code."""
    # Read here, after any failed action: it may have raced with someone else's.
    circular = get_circular_for_user(request.user, pk)
    labels = dict(Circular.Status.choices)
    events = list(circular.events.select_related("actor"))
    for event in events:
        event.label = event.action_label
        event.from_label = labels.get(event.from_status, event.from_status)
        event.to_label = labels.get(event.to_status, event.to_status)
    dispatches = circular.in_response_to.prefetch_related("attachments")
    forms = forms or {}
    context = {
        "circular": circular,
        "recipient_lines": circular.recipient_lines(),
        "action_items": circular.action_items.all(),
        "attachments": circular.attachments.all(),
        "dispatches": dispatches,
        "events": events,
        "actions": policy.allowed_actions(request.user, circular),
        "return_form": forms.get("return") or ReturnForm(prefix="return"),
        "issue_form": forms.get("issue") or IssueForm(prefix="issue"),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(prefix="withdraw"),
        "recall_form": forms.get("recall") or RecallForm(prefix="recall"),
        "chain": circular.chain,
        "verification_url": circular.verification_url,
        "error": error.message if error else None,
    }
    return render(request, "circulars/circular_detail.html", context, status=error.status_code if error else 200)


@require_GET
def circular_detail(request, pk):
    return _render_detail(request, pk)


def act_on_circular(request, pk, action: str, call, success_message, form_class=None):
    """Run one lifecycle service from a POST button; on a domain error, show the page
    with the message and the error's status."""
    circular = get_circular_for_user(request.user, pk)
    form = None
    if form_class is not None:
        form = form_class(request.POST, prefix=action)
        if not form.is_valid():
            message = form_error(form).message
            return _render_detail(request, pk, error=DomainError(message), forms={action: form})
    try:
        circular = call(circular, form.cleaned_data if form else {})
    except DomainError as error:
        return _render_detail(request, pk, error=error, forms={action: form} if form else None)
    messages.success(request, success_message(circular))
    return redirect("circular-detail", pk=circular.pk)


@require_POST
def circular_submit(request, pk):
    return act_on_circular(
        request,
        pk,
        "submit",
        lambda c, _d: services.submit(circular=c, by=request.user),
        lambda c: _("Submitted for signature."),
    )


@require_POST
def circular_approve(request, pk):
    return act_on_circular(
        request,
        pk,
        "approve",
        lambda c, _d: services.approve(circular=c, by=request.user),
        lambda c: _("Approved. The records clerk can now issue it."),
    )


@require_POST
def circular_return(request, pk):
    return act_on_circular(
        request,
        pk,
        "return",
        lambda c, d: services.return_to_drafter(circular=c, by=request.user, comment=d["comment"]),
        lambda c: _("Returned to the drafter."),
        ReturnForm,
    )


@require_POST
def circular_issue(request, pk):
    return act_on_circular(
        request,
        pk,
        "issue",
        lambda c, d: services.issue(circular=c, by=request.user, issued_on=d["issued_on"]),
        lambda c: _("Issued as number %(reference)s.") % {"reference": c.reference},
        IssueForm,
    )


@require_GET
@xframe_options_sameorigin  # the delivery page embeds it; other sites still may not
def circular_pdf(request, pk):
    circular = get_circular_for_user(request.user, pk)
    download = request.GET.get("download") == "1"
    return pdf_response(circular, download=download)


@require_GET
def attachment_download(request, pk):
    return download_response(get_attachment_for_user(request.user, pk))


# --- Registers and calendar (administrator) -----------------------------------------


def _render_registers(request, *, error: DomainError | None = None, restart_forms=None):
    """This year's registers with their restart forms, their history, and the yearly
    swaps of working days still to enter."""
    year = timezone.localdate().year
    last_numbers = dict(NumberingRegister.objects.filter(year=year).values_list("kind", "last_number"))
    restart_forms = restart_forms or {}
    registers = [
        {
            "kind": kind,
            "label": label,
            "last_number": last_numbers.get(kind, 0),
            "form": restart_forms.get(kind) or RegisterRestartForm(prefix=kind),
        }
        for kind, label in NumberingRegister.Kind.choices
    ]
    context = {
        "year": year,
        "registers": registers,
        "events": RegisterEvent.objects.select_related("register", "actor").order_by("-at", "-id")[:50],
        "missing_swap_years": years_missing_swaps(timezone.localdate()),
        "official_swaps": WorkingDayChange.objects.filter(
            source=WorkingDayChange.Source.OFFICIAL, date__year__gte=year - 1
        ),
        "error": error.message if error else None,
    }
    return render(request, "circulars/registers.html", context, status=error.status_code if error else 200)


@require_GET
def registers_page(request):
    _require(request.user, "restart_register")
    return _render_registers(request)


@require_POST
def register_restart(request, kind):
    _require(request.user, "restart_register")
    form = RegisterRestartForm(request.POST, prefix=kind)
    if not form.is_valid():
        return _render_registers(request, error=form_error(form), restart_forms={kind: form})
    try:
        register = services.restart_register(
            kind=kind, start_at=form.cleaned_data["start_at"], note=form.cleaned_data["note"], by=request.user
        )
    except DomainError as error:
        return _render_registers(request, error=error, restart_forms={kind: form})
    messages.success(
        request,
        _("The %(register)s of %(year)s starts from number %(number)d.")
        % {"register": register.get_kind_display().lower(), "year": register.year, "number": register.last_number + 1},
    )
    return redirect("registers")


@require_POST
def calendar_no_swaps(request):
    _require(request.user, "calendar")
    form = NoSwapsForm(request.POST)
    if not form.is_valid():
        return _render_registers(request, error=form_error(form))
    try:
        answer = services.answer_no_swaps(year=form.cleaned_data["year"], by=request.user)
    except DomainError as error:
        return _render_registers(request, error=error)
    messages.success(request, _("Noted: no swapped working days in %(year)d.") % {"year": answer.year})
    return redirect("home" if request.POST.get("next") == "home" else "registers")


# --- Public verification ------------------------------------------------------------


@login_not_required
@require_GET
@throttle_page("public")
def verify_lookup(request):
    form = VerifyCodeForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = normalise_verification_code(form.cleaned_data["code"])
        if code:
            return redirect("verify", code=code)
    return render(request, "circulars/verify_lookup.html", {"form": form})


@login_not_required
@require_http_methods(["GET", "POST"])
@throttle_page("public")
def verify(request, code):
    circular = get_object_or_404(Circular.objects.verifiable(code).select_related("issuing_unit", "signer"))
    if circular.is_secret:
        # Only that the code exists: no number, subject, signer, fingerprint or file check.
        return render(request, "circulars/verify_secret.html", {"notice": secret_notice()})
    result, status = None, 200
    if request.method == "POST":
        form = VerifyFileForm(request.POST, request.FILES)
        if form.is_valid():
            digest = hashlib.sha256()
            for chunk in form.cleaned_data["file"].chunks():
                digest.update(chunk)
            result = {"sha256": digest.hexdigest(), "matches": digest.hexdigest() == circular.sha256}
        else:
            status = 400
    else:
        form = VerifyFileForm()
    return render(
        request,
        "circulars/verify.html",
        {
            "circular": circular,
            "withdrawn": circular.status == Circular.Status.WITHDRAWN,
            "chain": circular.chain,
            "form": form,
            "result": result,
        },
        status=status,
    )
