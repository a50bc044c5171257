"""A recall racing a unit's acknowledgement, on two real connections (PostgreSQL): both
lock the circular first, then the delivery, so one waits for the other and the outcome
is one of the two orders, never a deadlock, a lost update or a half-closed circular."""

import pytest

from acknowledgements import services
from acknowledgements.models import Delivery, DeliveryEvent, Notification
from circulars.models import Circular
from core.errors import Conflict
from tests.acknowledgements.test_concurrency_faults import needs_postgresql, race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("attempt", range(3))
def test_a_recall_racing_an_acknowledgement_leaves_one_consistent_outcome(attempt, circular, delivery, clerk, signer):
    needs_postgresql()
    _results, errors = race(
        lambda: services.recall(circular=circular, by=signer, reason="Sai căn cứ"),
        lambda: services.acknowledge(delivery=delivery, by=clerk),
    )
    # Either the acknowledgement came first (and the recall then closed an acknowledged
    # delivery), or the recall came first (and the acknowledgement was refused, 409).
    assert all(isinstance(error, Conflict) for error in errors), errors
    assert len(errors) <= 1
    circular.refresh_from_db()
    delivery.refresh_from_db()
    assert circular.status == Circular.Status.RECALLED
    assert set(Delivery.objects.filter(circular=circular).values_list("status", flat=True)) == {"recalled"}
    events = list(DeliveryEvent.objects.filter(delivery=delivery).exclude(action="view").order_by("id"))
    acknowledged = [e for e in events if e.action == "acknowledge"]
    recall = [e for e in events if e.action == "recall"]
    assert len(recall) == 1
    if errors:  # the recall won: nothing acknowledged
        assert acknowledged == [] and recall[0].from_status == "sent"
        assert delivery.acknowledged_at is None
    else:  # the acknowledgement won: the recall closed what it left
        assert len(acknowledged) == 1 and recall[0].from_status == "acknowledged"
        assert acknowledged[0].id < recall[0].id
    assert Notification.objects.filter(kind="recalled", delivery=delivery).count() == (
        delivery.unit.memberships.filter(user__is_active=True).count()
    )


def test_two_recalls_at_once_tell_each_unit_once(circular, signer, admin_user):
    needs_postgresql()
    _results, errors = race(
        lambda: services.recall(circular=circular, by=signer, reason="Sai căn cứ"),
        lambda: services.recall(circular=circular, by=admin_user, reason="Sai căn cứ"),
    )
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    deliveries = Delivery.objects.filter(circular=circular)
    assert DeliveryEvent.objects.filter(delivery__circular=circular, action="recall").count() == deliveries.count()
    members = sum(d.unit.memberships.count() for d in deliveries)
    assert Notification.objects.filter(kind="recalled").count() == members
