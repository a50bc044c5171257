"""Pages of the incoming register, the circulars and the public verification.

Thin views: parse the request, fetch through ``circulars.policy`` (outsiders get 404),
call a service, render. A service's ``DomainError`` is shown on the page with its status
(409 wrong state, 403 wrong role, 400 a broken rule), never a 500."""

import datetime
import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from circulars import policy, services, signatures
from circulars.documents import approved_draft_response, pdf_response, secret_notice
from circulars.filters import CircularFilterSet
from circulars.forms import (
    ApproveForm,
    CircularForm,
    IncomingDispatchForm,
    IssueForm,
    RecallForm,
    ReturnForm,
    SignedDraftForm,
    VerifyCodeForm,
    VerifyFileForm,
    WithdrawForm,
)
from circulars.models import (
    Circular,
    IncomingDispatch,
    normalise_verification_code,
)
from circulars.policy import (
    get_attachment_for_user,
    get_circular_for_user,
    get_register_for_user,
)
from circulars.workdays import due_date
from core.errors import Conflict, DomainError, form_error
from core.parsing import ids_in
from core.throttles import throttle_page
from core.uploads import download_response

PAGE_SIZE = 50


_require = policy.require


# --- Incoming register --------------------------------------------------------------


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
    actions = policy.allowed_actions(request.user, circular)
    context = {
        "circular": circular,
        "recipient_lines": circular.recipient_lines(),
        "action_items": circular.action_items.all(),
        "attachments": circular.attachments.all(),
        "dispatches": dispatches,
        "events": events,
        "actions": actions,
        "return_form": forms.get("return") or ReturnForm(prefix="return"),
        "issue_form": forms.get("issue") or IssueForm(prefix="issue"),
        "approve_form": forms.get("approve") or ApproveForm(prefix="approve"),
        # The PIN is asked only of whoever has a key to sign with: the signer at approval,
        # the records office for the organisation's key at issue.
        "signer_has_key": "approve" in actions and signatures.signer_credential(request.user) is not None,
        "organisation_has_key": "issue" in actions and signatures.organisation_credential(circular) is not None,
        "signed_draft_form": forms.get("signed_draft") or SignedDraftForm(prefix="signed_draft"),
        "may_sign_elsewhere": circular.status == Circular.Status.APPROVED
        and bool(circular.approved_draft)
        and not circular.signed_draft
        and policy.may(request.user, "approve"),
        "withdraw_form": forms.get("withdraw") or WithdrawForm(prefix="withdraw"),
        "recall_form": forms.get("recall") or RecallForm(prefix="recall"),
        "chain": circular.chain,
        # A unit's clerk who opens the circular reaches their unit's copy of it from here.
        "my_deliveries": list(
            circular.deliveries.filter(unit__memberships__user=request.user).select_related("unit").distinct()
        )
        if circular.status in SENT_STATES
        else [],
        "verification_url": circular.verification_url,
        "error": error.message if error else None,
    }
    return render(request, "circulars/circular_detail.html", context, status=error.status_code if error else 200)


SENT_STATES = (Circular.Status.DISTRIBUTED, Circular.Status.RECALLED, Circular.Status.REPLACED)


@require_GET
def circular_detail(request, pk):
    return _render_detail(request, pk)


def act_on_circular(request, pk, action: str, call, success_message, form_class=None):
    """Run one lifecycle service from a POST button; on a domain error, show the page
    with the message and the error's status."""
    circular = get_circular_for_user(request.user, pk)
    form = None
    if form_class is not None:
        form = form_class(request.POST, request.FILES, prefix=action)
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
        lambda c, d: services.approve(circular=c, by=request.user, pin=d["pin"]),
        lambda c: (
            _("Approved and signed. The records clerk can now issue it.")
            if c.signed_draft
            else _("Approved. The records clerk can now issue it.")
        ),
        ApproveForm,
    )


@require_GET
def circular_approved_draft(request, pk):
    return approved_draft_response(get_circular_for_user(request.user, pk))


@require_POST
def circular_signed_draft(request, pk):
    return act_on_circular(
        request,
        pk,
        "signed_draft",
        lambda c, d: services.upload_signed_draft(circular=c, by=request.user, data=d["file"].read()),
        lambda c: _("The signed draft is accepted: it is the approved draft with a valid signature."),
        SignedDraftForm,
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
        lambda c, d: services.issue(circular=c, by=request.user, issued_on=d["issued_on"], pin=d["pin"]),
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
            data = b"".join(form.cleaned_data["file"].chunks())
            digest = hashlib.sha256(data).hexdigest()
            try:
                checked = signatures.signature_reports(data)
                unreadable = None
            except DomainError as error:
                checked, unreadable = [], error.message
            result = {
                "sha256": digest,
                "matches": digest == circular.sha256,
                "signatures": signatures.with_verdicts(checked),
                "unreadable": unreadable,
            }
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
            "signatures": signatures.with_verdicts(signatures.stored_signatures(circular)),
        },
        status=status,
    )
