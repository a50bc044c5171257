"""The end of an incoming dispatch's handling (Decree 30 Art. 24): its lead unit's
assignment is done, the supporting units' with it, the dispatch is handled. One function,
called with the dispatch locked, by the lead unit completing it (acknowledgements'
``assignments.complete``) and by the issue of a circular drafted in response to it
(``services.issue``), so both write the same rows and events."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import override

from circulars.models import Assignment, Circular, HandlingEvent, HandlingStatus, IncomingDispatch

A = Assignment.Status


def finish(
    *,
    dispatch: IncomingDispatch,
    lead: Assignment,
    by,
    at: datetime.datetime,
    note: str,
    circular: Circular | None = None,
) -> list[Assignment]:
    """Complete ``lead`` (locked by the caller, after ``dispatch``) with ``note``, then the
    dispatch's other open assignments (its supporting units': the handling they supported
    is over), each with its event; the dispatch becomes handled. Returns the assignments
    completed, the lead first."""
    supporting = list(
        Assignment.objects.select_for_update()
        .filter(dispatch=dispatch, status=A.ASSIGNED)
        .exclude(pk=lead.pk)
        .order_by("pk")
    )
    with override("vi"):
        support_note = _("Completed with the lead unit (%(unit)s)") % {"unit": lead.unit.name}
    done = []
    for assignment, text in [(lead, note), *((s, support_note) for s in supporting)]:
        assignment.status = A.DONE
        assignment.completed_at, assignment.completed_by = at, by
        assignment.completion_note = text
        assignment.completed_by_circular = circular
        assignment.save(
            update_fields=["status", "completed_at", "completed_by", "completion_note", "completed_by_circular"]
        )
        done.append(assignment)
    HandlingEvent.objects.bulk_create(
        HandlingEvent(
            dispatch=dispatch,
            assignment=a,
            actor=by,
            at=at,
            action="complete",
            from_status=A.ASSIGNED,
            to_status=A.DONE,
            note=a.completion_note,
        )
        for a in done
    )
    dispatch.handling_status = HandlingStatus.DONE
    dispatch.save(update_fields=["handling_status"])
    return done


def complete_by_circular(*, circular: Circular, by, at: datetime.datetime) -> int:
    """A circular drafted in response to incoming dispatches was issued: the handling of
    each of them that is still assigned is done, the circular as its result. Called inside
    the issue's transaction, the circular locked first, then each dispatch, then its
    assignments (the order every handling step locks in). Returns how many dispatches."""
    count = 0
    dispatch_ids = list(circular.in_response_to.order_by("pk").values_list("pk", flat=True))
    for dispatch in IncomingDispatch.objects.select_for_update().filter(pk__in=dispatch_ids).order_by("pk"):
        lead = (
            Assignment.objects.select_for_update()
            .select_related("unit")
            .filter(dispatch=dispatch, role=Assignment.Role.LEAD, status=A.ASSIGNED)
            .first()
        )
        if lead is None:
            continue
        with override("vi"):
            note = _("%(type)s %(ref)s was issued in response") % {
                "type": circular.get_document_type_display(),
                "ref": circular.reference,
            }
        finish(dispatch=dispatch, lead=lead, by=by, at=at, note=note, circular=circular)
        count += 1
    return count
