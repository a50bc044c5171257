"""After issue: recall (thu hồi), replace (thay thế) and correct (đính chính) a circular,
carried through to every unit, the chase, the dashboard and the public check."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from acknowledgements import services
from acknowledgements.models import Delivery, DeliveryEvent, Notification, OutboxEmail, Reminder
from acknowledgements.outbox import send_due
from chasing import sweep
from circulars import services as circular_services
from circulars.models import Circular, CircularRelation
from core.errors import Conflict, Forbidden, Invalid
from dashboard import compliance
from tests.conftest import DISTRIBUTED_AT, VN, make_user
from tests.factories import draft_circular, issued_circular

pytestmark = pytest.mark.django_db

S = Delivery.Status
LATE = datetime.datetime(2024, 11, 5, 9, 0, tzinfo=VN)  # both deadlines have passed
FOLLOW_UP_AT = datetime.datetime(2024, 10, 22, 9, 0, tzinfo=VN)


def at(day: int, month: int = 10) -> datetime.datetime:
    return datetime.datetime(2024, month, day, 9, 0, tzinfo=VN)


def follow_up(circular, drafter, signer, records_clerk, *, subject, when=FOLLOW_UP_AT, **relation):
    """A replacement or correction of ``circular``, drafted with no recipients of its own,
    signed, issued and distributed on ``when``."""
    with time_machine.travel(when, tick=False):
        draft = circular_services.create_draft(
            by=drafter,
            data={"subject": subject, "signer": signer, "notation_override": "UBND-TH"},
            action_items=["Thực hiện theo văn bản mới"],
            **relation,
        )
        circular_services.submit(circular=draft, by=drafter)
        circular_services.approve(circular=draft, by=signer)
        new = circular_services.issue(circular=draft, by=records_clerk)
        services.distribute(circular=new, by=records_clerk)
    new.refresh_from_db()
    return new


# --- Recall ----------------------------------------------------------------------------


def test_recall_of_a_distributed_circular_tells_every_unit_exactly_once(circular, signer, clerk, other_clerk, head):
    with time_machine.travel(at(18), tick=False):
        services.recall(circular=circular, by=signer, reason="Sai căn cứ pháp lý")
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RECALLED
    assert circular.recall_reason == "Sai căn cứ pháp lý"
    deliveries = Delivery.objects.filter(circular=circular)
    assert {d.status for d in deliveries} == {S.RECALLED}
    assert {d.qcvn_status for d in deliveries} == {"13"}
    assert all(d.close_reason == "Sai căn cứ pháp lý" for d in deliveries)
    # Each member of each unit, once: a bell line and an email, whatever the urgency.
    members = {clerk, head, other_clerk}
    bell = Notification.objects.filter(kind="recalled")
    assert sorted(n.user_id for n in bell) == sorted(u.pk for u in members)
    assert all("Sai căn cứ pháp lý" in n.title for n in bell)
    emails = OutboxEmail.objects.filter(kind="recalled")
    assert sorted(e.user_id for e in emails) == sorted(u.pk for u in members if u.email)
    # One event per delivery, in the same transaction.
    assert DeliveryEvent.objects.filter(delivery__circular=circular, action="recall").count() == deliveries.count()


def test_a_second_recall_is_a_conflict_and_tells_nobody_again(circular, signer):
    services.recall(circular=circular, by=signer, reason="Sai căn cứ")
    before = (Notification.objects.count(), OutboxEmail.objects.count())
    with pytest.raises(Conflict):
        services.recall(circular=circular, by=signer, reason="Lần nữa")
    assert (Notification.objects.count(), OutboxEmail.objects.count()) == before


def test_the_recall_emails_are_sent_and_say_why(circular, signer, mailoutbox):
    services.recall(circular=circular, by=signer, reason="Ban hành nhầm đối tượng")
    OutboxEmail.objects.exclude(kind="recalled").update(status=OutboxEmail.Status.SENT)
    send_due()
    recalled = [m for m in mailoutbox if "Thu hồi" in m.subject]
    assert recalled and all("Ban hành nhầm đối tượng" in m.body for m in recalled)


def test_a_recalled_circular_is_never_chased_again(circular, signer):
    services.recall(circular=circular, by=signer, reason="Sai căn cứ")
    assert sweep.sweep(LATE).total == 0
    assert not Reminder.objects.exists()
    assert not Delivery.objects.overdue(LATE.date()).exists()


def test_pending_reminders_of_a_recalled_circular_are_skipped(circular, signer):
    sweep.sweep(LATE)
    assert OutboxEmail.objects.filter(kind="new_delivery", status=OutboxEmail.Status.PENDING).exists()
    services.recall(circular=circular, by=signer, reason="Sai căn cứ")
    pending = OutboxEmail.objects.pending().filter(delivery__circular=circular)
    assert set(pending.values_list("kind", flat=True)) == {"recalled"}


def test_a_refused_delivery_stays_refused(circular, signer, delivery, clerk):
    services.refuse(delivery=delivery, by=clerk, reason="Không thuộc thẩm quyền")
    services.recall(circular=circular, by=signer, reason="Sai căn cứ")
    delivery.refresh_from_db()
    assert delivery.status == S.REFUSED
    assert not Notification.objects.filter(kind="recalled", delivery=delivery).exists()


def test_the_unit_can_no_longer_act_on_a_recalled_delivery(circular, signer, delivery, clerk):
    services.recall(circular=circular, by=signer, reason="Sai căn cứ")
    with pytest.raises(Conflict) as error:
        services.acknowledge(delivery=delivery, by=clerk)
    assert "Sai căn cứ" in str(error.value.message)


def test_the_inbox_shows_the_recall_and_its_reason(client, circular, signer, clerk, delivery):
    services.recall(circular=circular, by=signer, reason="Sai căn cứ pháp lý")
    client.force_login(clerk)
    page = client.get(reverse("inbox")).content.decode()
    assert "dstatus-recalled" in page and "Sai căn cứ pháp lý" in page
    detail = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert 'id="recalled-notice"' in detail and 'id="action-acknowledge"' not in detail
    assert client.get(reverse("api-inbox")).json()  # the API still lists it


def test_withdrawing_an_issued_circular_recalls_it(circular, signer):
    services.withdraw(circular=circular, by=signer, reason="Sai sót")
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RECALLED
    assert Notification.objects.filter(kind="recalled").exists()


def test_a_draft_is_still_withdrawn(drafter, signer, communes_group):
    draft = draft_circular(drafter, signer=signer, groups=[communes_group])
    assert services.withdraw(circular=draft, by=drafter, reason="").status == Circular.Status.WITHDRAWN


# --- Bad input: each refused with a Vietnamese detail, nothing changes ---------------


def test_recall_through_the_api(api_as, circular, signer):
    response = api_as(signer).post(f"/api/v1/circulars/{circular.pk}/recall", {"reason": "Sai căn cứ"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "recalled"
    assert response.json()["recall_reason"] == "Sai căn cứ"


@pytest.mark.parametrize(
    ("who", "reason", "status"),
    [
        ("signer", "", 400),
        ("signer", "   ", 400),
        ("drafter", "Sai", 403),
        ("records_clerk", "Sai", 403),
        ("clerk", "Sai", 403),  # a unit clerk reads the circular (it was sent to the unit)
        ("other_signer", "Sai", 403),  # a signer, but not this circular's
    ],
)
def test_who_and_why_a_recall_is_refused(api_as, circular, who, reason, status, request, district):
    user = make_user("ky2", role="signer") if who == "other_signer" else request.getfixturevalue(who)
    response = api_as(user).post(f"/api/v1/circulars/{circular.pk}/recall", {"reason": reason}, format="json")
    assert response.status_code == status
    assert response.json()["detail"]
    circular.refresh_from_db()
    assert circular.status == Circular.Status.DISTRIBUTED
    assert not Notification.objects.filter(kind="recalled").exists()


def test_a_unit_clerk_of_another_circular_gets_404(api_as, drafter, signer, records_clerk, other_clerk, unit):
    mine = issued_circular(drafter, signer, records_clerk, units=[unit])
    services.distribute(circular=mine, by=records_clerk)
    assert api_as(other_clerk).post(f"/api/v1/circulars/{mine.pk}/recall", {"reason": "x"}).status_code == 404


def test_recall_of_a_draft_or_of_a_recalled_circular_is_409(api_as, drafter, signer, communes_group, circular):
    draft = draft_circular(drafter, signer=signer, groups=[communes_group])
    assert api_as(signer).post(f"/api/v1/circulars/{draft.pk}/recall", {"reason": "x"}).status_code == 409
    services.recall(circular=circular, by=signer, reason="Sai")
    response = api_as(signer).post(f"/api/v1/circulars/{circular.pk}/recall", {"reason": "x"})
    assert response.status_code == 409
    assert "thu hồi" in response.json()["detail"].lower()


def test_the_page_button_recalls(client, circular, signer):
    client.force_login(signer)
    assert 'id="action-recall"' in client.get(reverse("circular-detail", args=[circular.pk])).content.decode()
    response = client.post(reverse("circular-recall", args=[circular.pk]), {"recall-reason": "Sai căn cứ"})
    assert response.status_code == 302
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RECALLED
    assert client.post(reverse("circular-recall", args=[circular.pk]), {"recall-reason": ""}).status_code == 400


# --- Replace ---------------------------------------------------------------------------


def test_a_replacement_must_name_a_circular_in_force(drafter, signer, communes_group, circular):
    draft = draft_circular(drafter, signer=signer, groups=[communes_group])
    for target in (draft,):
        with pytest.raises(Invalid):
            circular_services.create_draft(by=drafter, data={"subject": "V/v thay thế"}, replaces=target)
    services.recall(circular=circular, by=signer, reason="Sai")
    with pytest.raises(Invalid):
        circular_services.create_draft(by=drafter, data={"subject": "V/v thay thế"}, replaces=circular)
    assert not CircularRelation.objects.exists()


def test_the_create_api_refuses_a_draft_as_the_replaced_document(api_as, drafter, signer, communes_group):
    draft = draft_circular(drafter, signer=signer, groups=[communes_group])
    response = api_as(drafter).post("/api/v1/circulars/", {"subject": "V/v thay thế", "replaces": draft.pk})
    assert response.status_code == 400
    assert response.json()["detail"]


def test_replacement_carries_through(
    circular, delivery, other_delivery, drafter, signer, records_clerk, clerk, client, api_as
):
    services.acknowledge(delivery=delivery, by=clerk)
    items = [{"action_item": ai.pk, "status": "done"} for ai in circular.action_items.all()]
    report = services.submit_report(delivery=delivery, by=clerk, summary="Đã triển khai", items=items)
    response = api_as(drafter).post(
        "/api/v1/circulars/",
        {"subject": "V/v thay thế", "replaces": circular.pk, "signer": signer.username},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["replaces"]["reference"] == circular.reference
    new = follow_up(circular, drafter, signer, records_clerk, subject="V/v cảnh báo (thay thế)", replaces=circular)
    circular.refresh_from_db()
    assert circular.status == Circular.Status.REPLACED
    assert CircularRelation.objects.get(circular=new).kind == CircularRelation.Kind.REPLACE == 3
    # The old deliveries close as replaced; the report filed stays.
    old = {d.unit_id: d for d in Delivery.objects.filter(circular=circular)}
    assert {d.status for d in old.values()} == {S.REPLACED}
    assert list(report.delivery.reports.all()) == [report]
    assert all(new.reference in d.close_reason for d in old.values())
    # The units get the new one as new deliveries to acknowledge again.
    fresh = Delivery.objects.filter(circular=new)
    assert set(fresh.values_list("unit_id", flat=True)) == set(old)
    assert set(fresh.values_list("status", flat=True)) == {S.SENT}
    assert (
        Notification.objects.filter(kind="replaced").count()
        == Notification.objects.filter(kind="new_delivery", delivery__circular=new).count()
    )
    # No more chasing of the old one: only the new deliveries are chased.
    with time_machine.travel(datetime.datetime(2024, 11, 20, 9, 0, tzinfo=VN), tick=False):
        sweep.sweep()
    assert not Reminder.objects.filter(delivery__circular=circular).exists()
    assert Reminder.objects.filter(delivery__circular=new).exists()
    # The dashboard counts none of the old closed deliveries as late.
    figures = compliance.compliance(circular, on=LATE.date())
    assert figures["overdue_ack"] == figures["overdue_report"] == 0
    assert figures["on_time_ack_rate"] in (None, 1.0, 0.0) and figures["reported"] == 1
    # The public check of the old one says replaced by, with a link.
    answer = client.get(f"/api/v1/verify/{circular.verification_code}").json()
    assert answer["replaced_by"]["reference"] == new.reference
    assert answer["replaced_by"]["verification_url"].endswith(new.verification_code)
    page = client.get(reverse("verify", args=[circular.verification_code])).content.decode()
    assert 'id="replaced-notice"' in page and new.reference in page
    # The chain on the dashboard's pages.
    client.force_login(signer)
    assert new.reference in client.get(reverse("circular-deliveries", args=[circular.pk])).content.decode()
    assert new.reference in client.get(reverse("dashboard")).content.decode()


def test_a_replaced_circulars_closed_deliveries_are_not_late(circular, drafter, signer, records_clerk):
    new = follow_up(circular, drafter, signer, records_clerk, subject="V/v thay thế", replaces=circular)
    assert new.status == Circular.Status.DISTRIBUTED
    figures = compliance.compliance(circular, on=LATE.date())
    assert figures["overdue_ack"] == 0
    assert figures["on_time_ack_rate"] is None  # nobody acknowledged, nobody is late


# --- Correct ---------------------------------------------------------------------------


def test_correction_carries_through(circular, delivery, drafter, signer, records_clerk, clerk, client):
    correction = follow_up(circular, drafter, signer, records_clerk, subject="V/v đính chính", corrects=circular)
    circular.refresh_from_db()
    assert circular.status == Circular.Status.DISTRIBUTED  # the original stays in force
    assert CircularRelation.objects.get(circular=correction).kind == CircularRelation.Kind.UPDATE == 2
    # The correction goes to the original's units and must be acknowledged.
    fresh = Delivery.objects.get(circular=correction, unit=delivery.unit)
    assert fresh.status == S.SENT
    services.acknowledge(delivery=fresh, by=clerk)
    # Reports go on against the original.
    items = [{"action_item": ai.pk, "status": "done"} for ai in circular.action_items.all()]
    services.submit_report(delivery=delivery, by=clerk, summary="Đã triển khai", items=items)
    delivery.refresh_from_db()
    assert delivery.status == S.REPORTED
    # The public check of the original lists its corrections.
    answer = client.get(f"/api/v1/verify/{circular.verification_code}").json()
    assert [c["reference"] for c in answer["corrections"]] == [correction.reference]
    assert answer["recalled"] is False and answer["replaced_by"] is None
    page = client.get(reverse("verify", args=[circular.verification_code])).content.decode()
    assert 'id="corrections"' in page and correction.reference in page


# --- Public verification ---------------------------------------------------------------


def test_verification_says_recalled_when_and_why(client, circular, signer):
    with time_machine.travel(at(18), tick=False):
        services.recall(circular=circular, by=signer, reason="Sai căn cứ pháp lý")
    answer = client.get(f"/api/v1/verify/{circular.verification_code}").json()
    assert answer["status"] == "recalled" and answer["recalled"] is True
    assert answer["recall_reason"] == "Sai căn cứ pháp lý"
    assert answer["recalled_at"].startswith("2024-10-18")
    assert answer["reference"] == circular.reference  # no field renamed


def test_a_secret_documents_verification_still_reveals_nothing(client, drafter, signer, records_clerk, unit):
    secret = issued_circular(drafter, signer, records_clerk, units=[unit], secrecy="secret")
    services.recall(circular=secret, by=signer, reason="Lộ bí mật")
    answer = client.get(f"/api/v1/verify/{secret.verification_code}").json()
    assert set(answer) == {"secret", "detail"}
    assert "Lộ bí mật" not in client.get(reverse("verify", args=[secret.verification_code])).content.decode()


def test_delivery_events_of_the_distribution_are_not_disturbed(circular, signer):
    before = DeliveryEvent.objects.filter(action="distribute").count()
    with time_machine.travel(DISTRIBUTED_AT + datetime.timedelta(days=1), tick=False):
        services.recall(circular=circular, by=signer, reason="Sai")
    assert DeliveryEvent.objects.filter(action="distribute").count() == before


def test_only_its_own_signer_or_an_administrator_may_recall(circular, admin_user):
    with pytest.raises(Forbidden):
        services.recall(circular=circular, by=make_user("ky3", role="signer"), reason="x")
    assert services.recall(circular=circular, by=admin_user, reason="x").status == Circular.Status.RECALLED
