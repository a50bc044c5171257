"""One place that fetches circulars, dispatches and attachments for a user: outsiders get
a 404 (no hint that the object exists), and views never filter by role by hand."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from circulars.models import Attachment, Circular, IncomingDispatch


def get_circular_for_user(user, pk) -> Circular:
    return get_object_or_404(
        Circular.objects.for_user(user).select_related("issuing_unit", "monitoring_unit", "signer", "created_by"),
        pk=pk,
    )


def get_incoming_for_user(user, pk) -> IncomingDispatch:
    return get_object_or_404(IncomingDispatch.objects.for_user(user), pk=pk)


def get_attachment_for_user(user, pk) -> Attachment:
    """An attachment is readable by whoever may read the dispatch or circular it belongs to.
    A circular's attachments include those of the incoming dispatches it answers."""
    attachment = get_object_or_404(Attachment, pk=pk)
    if attachment.circular_id is not None:
        get_circular_for_user(user, attachment.circular_id)
        return attachment
    if IncomingDispatch.objects.for_user(user).filter(pk=attachment.incoming_id).exists():
        return attachment
    if Circular.objects.for_user(user).filter(in_response_to=attachment.incoming_id).exists():
        return attachment
    raise Http404
