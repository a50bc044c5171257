"""The pages of an incoming dispatch's handling as an assigned unit sees it."""

from django.shortcuts import render

from acknowledgements.policy import assignment_actions, get_assignment_for_user
from circulars.models import HandlingEvent


def assignment_detail(request, pk):
    assignment = get_assignment_for_user(request.user, pk)
    events = HandlingEvent.objects.filter(dispatch=assignment.dispatch_id).select_related("actor").order_by("at", "pk")
    return render(
        request,
        "acknowledgements/assignment_detail.html",
        {
            "assignment": assignment,
            "dispatch": assignment.dispatch,
            "events": events,
            "actions": assignment_actions(request.user, assignment),
        },
    )
