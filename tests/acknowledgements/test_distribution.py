import datetime

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from acknowledgements import services
from acknowledgements.models import Delivery, DeliveryEvent, Notification, OutboxEmail
from circulars.models import Circular
from core.errors import Conflict, Forbidden
from tests.conftest import DISTRIBUTED_AT, ISSUED_ON, VN, make_user
from tests.factories import approved_circular, issued_circular
from units.models import Membership, Unit, UnitGroup

pytestmark = pytest.mark.django_db


def test_distribute_creates_one_delivery_per_unit_with_deadlines(issued, records_clerk, unit, other_unit):
    with time_machine.travel(DISTRIBUTED_AT, tick=False):
        assert services.distribute(circular=issued, by=records_clerk) == 2
    deliveries = Delivery.objects.filter(circular=issued).order_by("unit__code")
    assert [d.unit for d in deliveries] == [other_unit, unit]
    d = deliveries[0]
    assert d.status == "sent" and d.qcvn_status == "01"
    assert d.ack_due_on == datetime.date(2024, 10, 17)  # Tue 15/10 + 2 working days
    assert d.report_due_on == datetime.date(2024, 10, 31)
    assert DeliveryEvent.objects.filter(action="distribute").count() == 2
    issued.refresh_from_db()
    assert issued.status == Circular.Status.DISTRIBUTED


def test_groups_are_expanded_without_duplicates_and_inactive_units_skipped(
    drafter, signer, records_clerk, district, communes_group, unit, other_unit
):
    closed = Unit.objects.create(code="xa-da-sap-nhap", name="Xã đã sáp nhập", active=False, parent=district)
    communes_group.units.add(closed)
    second = UnitGroup.objects.create(code="nhom-2", name="Nhóm 2")
    second.units.set([unit])
    circ = issued_circular(drafter, signer, records_clerk, groups=[communes_group, second], units=[unit])
    assert services.distribute(circular=circ, by=records_clerk) == 2
    assert sorted(Delivery.objects.values_list("unit__code", flat=True)) == ["xa-hai", "xa-mot"]


def test_second_distribute_is_a_harmless_no_op(issued, records_clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.distribute(circular=issued, by=records_clerk)
    mails = len(mail.outbox)
    assert mails == 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.distribute(circular=issued, by=records_clerk) == 2
    assert callbacks == []
    assert Delivery.objects.count() == 2
    assert DeliveryEvent.objects.count() == 2
    assert len(mail.outbox) == mails


def test_distribute_notifies_every_member_in_the_portal_and_by_email(
    issued, records_clerk, clerk, head, other_clerk, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DISTRIBUTED_AT, tick=False):
        services.distribute(circular=issued, by=records_clerk)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"clerk", "head", "other-clerk"}
    assert sorted(m.to[0] for m in mail.outbox) == ["clerk@example.vn", "head@example.vn", "other-clerk@example.vn"]
    message = next(m for m in mail.outbox if m.to == ["clerk@example.vn"])
    assert issued.reference in message.subject
    assert "/ack/" in message.body
    assert "Hạn xác nhận đã nhận: 17/10/2024" in message.body
    assert OutboxEmail.objects.filter(status="sent").count() == 3


def test_only_issued_circulars_are_distributed_by_records_clerks(
    drafter, signer, records_clerk, district, communes_group
):
    approved = approved_circular(drafter, signer, groups=[communes_group])
    with pytest.raises(Conflict):
        services.distribute(circular=approved, by=records_clerk)
    issued = issued_circular(drafter, signer, records_clerk, groups=[communes_group])
    with pytest.raises(Forbidden):
        services.distribute(circular=issued, by=drafter)
    assert not Delivery.objects.exists()


def test_a_failed_distribute_sends_nothing(issued, records_clerk, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.distribute(circular=issued, by=records_clerk)
        raise RuntimeError("the request fails after distributing")
    # The rollback took the callback that would have sent the emails along with the rows:
    # had it survived, it would have run here and the emails would be in mail.outbox.
    assert callbacks == []
    assert not Delivery.objects.exists()
    assert not OutboxEmail.objects.exists()
    assert mail.outbox == []


def _communes(district, group, n, *, start=0):
    units = Unit.objects.bulk_create(
        Unit(code=f"xa-{i:04}", name=f"Xã {i:04}", kind=Unit.Kind.COMMUNE, parent=district)
        for i in range(start, start + n)
    )
    group.units.add(*units)
    for u in units:
        Membership.objects.create(user=make_user(f"vt-{u.code}"), unit=u)
    return units


@pytest.mark.parametrize("n", [3, 300])
def test_distribute_query_count_does_not_grow_with_units(
    n, drafter, signer, records_clerk, district, django_assert_num_queries, django_capture_on_commit_callbacks
):
    group = UnitGroup.objects.create(code=f"g{n}", name="Các xã")
    _communes(district, group, n)
    circ = issued_circular(drafter, signer, records_clerk, groups=[group], issued_on=ISSUED_ON)
    # The same queries for 3 units and for 300: savepoint, lock the circular, working-day
    # changes, INSERT deliveries … SELECT, count them, the units' registers moved on
    # (INSERT … SELECT … ON CONFLICT DO UPDATE), the arrival numbers (one UPDATE), INSERT
    # events … SELECT, INSERT notifications … SELECT, INSERT outbox … SELECT, update the
    # circular, its event, release savepoint.
    with django_assert_num_queries(13):
        services.distribute(circular=circ, by=records_clerk)
    assert Delivery.objects.filter(circular=circ).count() == n


def test_the_acknowledgement_deadline_runs_from_arrival(issued, records_clerk, unit, other_unit, district):
    """Issued Tue 15/10/2024 and sent on Fri 18/10: due two working days after arrival
    (Tue 22/10), not after issue (Thu 17/10). A unit added later and reached by a second
    distribution on Mon 28/10 gets its own deadline (Wed 30/10); the others keep theirs."""
    with time_machine.travel(datetime.datetime(2024, 10, 18, 10, 0, tzinfo=VN), tick=False):
        services.distribute(circular=issued, by=records_clerk)
    assert set(Delivery.objects.values_list("ack_due_on", flat=True)) == {datetime.date(2024, 10, 22)}
    late = Unit.objects.create(code="xa-ba", name="Ủy ban nhân dân xã Ba", kind=Unit.Kind.COMMUNE, parent=district)
    issued.recipient_units.add(late)
    with time_machine.travel(datetime.datetime(2024, 10, 28, 16, 0, tzinfo=VN), tick=False):
        assert services.distribute(circular=issued, by=records_clerk) == 3
    added = Delivery.objects.get(unit=late)
    assert added.ack_due_on == datetime.date(2024, 10, 30)
    assert added.sent_at.astimezone(VN).date() == datetime.date(2024, 10, 28)
    assert set(Delivery.objects.exclude(unit=late).values_list("ack_due_on", flat=True)) == {
        datetime.date(2024, 10, 22)
    }


def test_the_circular_history_names_every_action(client, circular, records_clerk):
    client.force_login(records_clerk)
    with translation.override("vi"):
        body = client.get(reverse("circular-detail", args=[circular.pk]), HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert 'data-action="distribute"' in body
    assert "Phát hành đến các đơn vị nhận" in body and "Văn thư cấp số, ban hành" in body
    assert ">distribute<" not in body
