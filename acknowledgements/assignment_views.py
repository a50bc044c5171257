"""The pages of an incoming dispatch's handling: the dispatch's page with its handling
panel (present to a leader, assign), and the assignment as an assigned unit sees it (its
contribution, its completion). The dispatch's page lives here, not in ``circulars``,
because presenting and assigning reach the units (acknowledgements' services).

Thin views: fetch through the policy (another unit's assignment is a 404), call the
service of ``acknowledgements.assignments``, render. A service's ``DomainError`` is shown
on the page with its status and the user's input kept, never a 500."""

from django.contrib import messages
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from acknowledgements import assignments
from acknowledgements.assignment_forms import AssignForm, CompleteForm, NoteForm, PresentForm
from acknowledgements.policy import assignment_actions, get_assignment_for_user
from circulars import policy as circular_policy
from circulars import signatures
from circulars.models import Assignment, Circular, HandlingEvent, IncomingDispatch
from circulars.policy import get_incoming_for_user
from circulars.workdays import due_soon_until
from core.errors import DomainError, form_error
from units.roles import PortalRole, has_role


def mark_due(rows, *, today) -> None:
    """The overdue and due-soon flags the templates show, for assignments already read."""
    rows = list(rows)
    if not rows:
        return
    until = due_soon_until(today)
    for assignment in rows:
        assignment.overdue = assignment.is_overdue(today)
        assignment.due_soon = assignment.is_due_soon(today, until)


def _lead_first(queryset):
    lead_first = Case(When(role=Assignment.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.order_by(lead_first, "unit__name", "pk")


def _history(dispatch_id):
    return list(
        HandlingEvent.objects.filter(dispatch=dispatch_id)
        .select_related("actor", "assignment__unit")
        .order_by("at", "pk")
    )


# --- The incoming dispatch and its handling panel ------------------------------------------


def _render_incoming(request, pk, *, error: DomainError | None = None, forms=None):
    """The dispatch's page; with ``error``, the page that explains why a step failed,
    answered with the error's status code and the form as the user filled it in."""
    user = request.user
    # Read here, after any failed step: it may have raced with someone else's.
    dispatch = get_object_or_404(
        IncomingDispatch.objects.for_user(user).select_related("presented_to", "registered_by"), pk=pk
    )
    current = list(_lead_first(dispatch.assignments.current().select_related("unit", "leader", "assigned_by")))
    mark_due(current, today=timezone.localdate())
    answers = (
        Circular.objects.for_user(user).filter(in_response_to=dispatch).select_related("signer").order_by("created_at")
    )
    actions = assignments.dispatch_actions(user, dispatch)
    forms = forms or {}
    records_leader = not has_role(user, PortalRole.SIGNER)
    context = {
        "dispatch": dispatch,
        "signatures": signatures.with_verdicts(dispatch.signature_report),
        "attachments": dispatch.attachments.all(),
        "answers": answers,
        "can_draft": circular_policy.may(user, "draft"),
        "assignments": current,
        "events": _history(dispatch.pk),
        "actions": actions,
        "records_leader": records_leader,
        "error": error.message if error else None,
    }
    if "present" in actions:
        context["present_form"] = forms.get("present") or PresentForm(
            auto_id="present_%s", initial={"leader": dispatch.presented_to_id}
        )
    if "assign" in actions:
        context["assign_form"] = forms.get("assign") or _assign_form(dispatch, current, records_leader)
    status = error.status_code if error else 200
    return render(request, "circulars/incoming_detail.html", context, status=status)


def _assign_form(dispatch, current, records_leader) -> AssignForm:
    """Empty, or, when the dispatch is assigned already, the current assignment, to change."""
    initial = {"due_by": "working_days", "leader": dispatch.presented_to_id}
    lead = next((a for a in current if a.role == Assignment.Role.LEAD), None)
    if lead is not None:
        initial.update(
            lead_unit=lead.unit_id,
            support_units=[a.unit_id for a in current if a.role == Assignment.Role.SUPPORT],
            due_by="date",
            due_on=lead.due_on,
            instruction=lead.instruction,
            leader=lead.leader_id,
        )
    return AssignForm(auto_id="assign_%s", initial=initial, records_leader=records_leader)


@require_GET
def incoming_detail(request, pk):
    return _render_incoming(request, pk)


@require_POST
def incoming_present(request, pk):
    dispatch = get_incoming_for_user(request.user, pk)
    form = PresentForm(request.POST, auto_id="present_%s")
    try:
        assignments.require_present(request.user)
        if not form.is_valid():
            raise form_error(form)
        dispatch = assignments.present(dispatch=dispatch, by=request.user, **form.cleaned_data)
    except DomainError as error:
        return _render_incoming(request, pk, error=error, forms={"present": form})
    leader = dispatch.presented_to
    messages.success(request, _("Presented to %(leader)s.") % {"leader": leader.get_full_name() or leader.username})
    return redirect("incoming-detail", pk=pk)


@require_POST
def incoming_assign(request, pk):
    dispatch = get_incoming_for_user(request.user, pk)
    form = AssignForm(request.POST, auto_id="assign_%s", records_leader=not has_role(request.user, PortalRole.SIGNER))
    try:
        assignments.require_assign(request.user)
        if not form.is_valid():
            raise form_error(form)
        new = assignments.assign(dispatch=dispatch, by=request.user, **form.service_kwargs())
    except DomainError as error:
        return _render_incoming(request, pk, error=error, forms={"assign": form})
    messages.success(
        request,
        _("Assigned to %(units)s; the units have been told.") % {"units": ", ".join(a.unit.name for a in new)},
    )
    return redirect("incoming-detail", pk=pk)


# --- One assignment, as its unit sees it ---------------------------------------------------


def _render_assignment(request, pk, *, error: DomainError | None = None, forms=None):
    assignment = get_assignment_for_user(request.user, pk)
    dispatch = assignment.dispatch
    others = list(
        _lead_first(
            Assignment.objects.filter(dispatch=dispatch).current().exclude(pk=assignment.pk).select_related("unit")
        )
    )
    mark_due([assignment, *others], today=timezone.localdate())
    actions = assignment_actions(request.user, assignment)
    forms = forms or {}
    context = {
        "assignment": assignment,
        "dispatch": dispatch,
        # A unit whose assignment was replaced keeps its history, not the dispatch's files
        # (circulars.policy.get_attachment_for_user); the records office reads them anyway.
        "attachments": dispatch.attachments.all() if _reads_files(request.user, assignment) else None,
        "others": others,
        "events": _history(dispatch.pk),
        "actions": actions,
        # The lead unit's member who also drafts starts the answer from here.
        "can_draft": "complete" in actions and circular_policy.may(request.user, "draft"),
        "note_form": forms.get("note") or NoteForm(auto_id="note_%s"),
        "complete_form": forms.get("complete") or CompleteForm(auto_id="complete_%s"),
        "error": error.message if error else None,
    }
    status = error.status_code if error else 200
    return render(request, "acknowledgements/assignment_detail.html", context, status=status)


def _reads_files(user, assignment) -> bool:
    if assignment.status != Assignment.Status.REPLACED:
        return True
    return not IncomingDispatch.objects.for_user(user).query.is_empty()


@require_GET
def assignment_detail(request, pk):
    return _render_assignment(request, pk)


def _act_on_assignment(request, pk, action: str, form_class, call, success_message):
    """Run one service from a form of the assignment page; on a form that does not pass
    or a domain error, show the page with the message, its status and the text kept."""
    assignment = get_assignment_for_user(request.user, pk)
    form = form_class(request.POST, auto_id=f"{action}_%s")
    try:
        if not form.is_valid():
            raise form_error(form)
        call(assignment, form.cleaned_data)
    except DomainError as error:
        return _render_assignment(request, pk, error=error, forms={action: form})
    messages.success(request, success_message)
    return redirect("assignment-detail", pk=pk)


@require_POST
def assignment_note(request, pk):
    return _act_on_assignment(
        request,
        pk,
        "note",
        NoteForm,
        lambda a, data: assignments.add_note(assignment=a, by=request.user, text=data["text"]),
        _("Your unit's contribution is recorded."),
    )


@require_POST
def assignment_complete(request, pk):
    return _act_on_assignment(
        request,
        pk,
        "complete",
        CompleteForm,
        lambda a, data: assignments.complete(assignment=a, by=request.user, note=data["note"]),
        _("The handling is completed; the leader has been told."),
    )
