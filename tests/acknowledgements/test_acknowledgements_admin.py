"""The acknowledgements admin shows everything and changes nothing, except that an
administrator sends failed emails again."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from acknowledgements import services as ack
from acknowledgements.models import (
    Delivery,
    DeliveryEvent,
    Evidence,
    ImplementationReport,
    Notification,
    OutboxEmail,
    Reminder,
)
from tests.conftest import make_user
from units.roles import PortalRole

pytestmark = pytest.mark.django_db

ADMIN = "/admin/acknowledgements"


@pytest.fixture
def report(delivery, clerk):
    items = [{"action_item": ai.pk, "status": "done", "note": "Xong"} for ai in delivery.circular.action_items.all()]
    report = ack.submit_report(delivery=delivery, by=clerk, summary="Đã họp toàn thể cán bộ", items=items)
    evidence = Evidence(report=report, original_name="bien-ban.pdf", content_type="application/pdf", size=3)
    evidence.sha256 = "0" * 64
    evidence.file.save("bien-ban.pdf", ContentFile(b"%PD"), save=True)
    return report


@pytest.fixture
def failed_email(clerk, delivery):
    return OutboxEmail.objects.create(
        kind="new_delivery",
        user=clerk,
        to="clerk@example.vn",
        delivery=delivery,
        key="test:failed",
        status=OutboxEmail.Status.FAILED,
        attempts=OutboxEmail.MAX_ATTEMPTS,
        next_attempt_at=timezone.now() + datetime.timedelta(hours=1),
        last_error="SMTPRecipientsRefused: 550 mailbox unavailable",
    )


@pytest.fixture
def role_admin(db):
    """An administrator by role only (not a superuser): what the role's permissions give."""
    user = make_user("role-admin", role=PortalRole.ADMIN)
    user.is_staff = True
    user.save()
    return user


@pytest.fixture(params=["superuser", "role"])
def administrator(request, admin_user):
    return admin_user if request.param == "superuser" else request.getfixturevalue("role_admin")


def test_every_page_renders(client, administrator, report, failed_email):
    delivery = report.delivery
    reminder = Reminder.objects.create(delivery=delivery, kind=Reminder.Kind.ACK_OVERDUE, sweep="test")
    notification = Notification.objects.create(user=administrator, delivery=delivery, kind="test", title="Nhắc việc")
    event = DeliveryEvent.objects.filter(delivery=delivery).first()
    client.force_login(administrator)
    pages = [
        (f"{ADMIN}/delivery/", delivery.unit.name),
        (f"{ADMIN}/delivery/{delivery.pk}/change/", delivery.unit.name),
        (f"{ADMIN}/deliveryevent/", event.action),
        (f"{ADMIN}/deliveryevent/{event.pk}/change/", event.action),
        (f"{ADMIN}/implementationreport/", delivery.unit.name),
        (f"{ADMIN}/implementationreport/{report.pk}/change/", "Đã họp toàn thể cán bộ"),
        (f"{ADMIN}/reminder/", reminder.get_kind_display()),
        (f"{ADMIN}/reminder/{reminder.pk}/change/", reminder.get_kind_display()),
        (f"{ADMIN}/notification/", "Nhắc việc"),
        (f"{ADMIN}/notification/{notification.pk}/change/", "Nhắc việc"),
        (f"{ADMIN}/outboxemail/", failed_email.to),
        (f"{ADMIN}/outboxemail/{failed_email.pk}/change/", failed_email.last_error),
    ]
    for url, text in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_the_report_page_shows_items_and_evidence_through_the_checked_view(client, admin_user, report):
    client.force_login(admin_user)
    html = client.get(f"{ADMIN}/implementationreport/{report.pk}/change/").content.decode()
    evidence = report.evidence.get()
    assert f'href="{reverse("evidence-download", args=[evidence.pk])}"' in html
    assert evidence.file.url not in html  # never the bare media URL
    for item in report.items.all():
        assert item.action_item.text in html
    assert 'name="summary"' not in html
    assert 'name="items-0-status"' not in html


def test_a_delivery_is_read_only(client, administrator, report):
    delivery = report.delivery
    client.force_login(administrator)
    html = client.get(f"{ADMIN}/delivery/{delivery.pk}/change/").content.decode()
    assert 'name="status"' not in html
    assert 'name="ack_due_on"' not in html
    assert 'name="_save"' not in html
    assert delivery.get_status_display() in html
    # Its history and reports are inlines, shown only.
    for event in delivery.events.all():
        assert str(event) in html
    assert str(report) in html
    assert 'name="events-0-action"' not in html
    # A POST changes nothing.
    response = client.post(f"{ADMIN}/delivery/{delivery.pk}/change/", {"status": "accepted"})
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.REPORTED
    assert client.get(f"{ADMIN}/delivery/add/").status_code == 403
    assert client.get(f"{ADMIN}/delivery/{delivery.pk}/delete/").status_code == 403


def test_the_delivery_list_filters_and_searches(client, admin_user, delivery, other_unit):
    client.force_login(admin_user)
    html = client.get(f"{ADMIN}/delivery/", {"status__exact": "sent"}).content.decode()
    assert delivery.unit.name in html and other_unit.name in html
    html = client.get(f"{ADMIN}/delivery/", {"q": other_unit.code}).content.decode()
    assert other_unit.name in html and delivery.unit.name not in html
    # The circular by its reference, and by words of its subject typed with diacritics.
    for query in [delivery.circular.reference, "cảnh báo"]:
        response = client.get(f"{ADMIN}/delivery/", {"q": query})
        assert response.context["cl"].result_count == 2, query
    assert client.get(f"{ADMIN}/delivery/", {"q": "không có"}).context["cl"].result_count == 0


@pytest.mark.parametrize("model", ["deliveryevent", "reminder", "notification", "implementationreport"])
def test_history_cannot_be_deleted_or_changed(client, administrator, report, model):
    row = {
        "deliveryevent": lambda: DeliveryEvent.objects.first(),
        "reminder": lambda: Reminder.objects.create(delivery=report.delivery, kind="ack_overdue", sweep="t"),
        "notification": lambda: Notification.objects.first(),
        "implementationreport": lambda: ImplementationReport.objects.first(),
    }[model]()
    assert row is not None
    client.force_login(administrator)
    assert client.get(f"{ADMIN}/{model}/{row.pk}/delete/").status_code == 403
    assert client.post(f"{ADMIN}/{model}/{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"{ADMIN}/{model}/{row.pk}/change/", {}).status_code == 403
    assert client.get(f"{ADMIN}/{model}/add/").status_code == 403
    assert type(row).objects.filter(pk=row.pk).exists()


def test_the_outbox_shows_a_failure_and_sends_it_again(client, administrator, failed_email, clerk):
    sent = OutboxEmail.objects.create(
        kind="new_delivery", user=clerk, to="sent@example.vn", key="test:sent", status="sent", attempts=1
    )
    client.force_login(administrator)
    html = client.get(f"{ADMIN}/outboxemail/", {"status__exact": "failed"}).content.decode()
    assert failed_email.last_error in html
    assert failed_email.to in html and sent.to not in html
    assert 'value="retry"' in html

    before = timezone.now()
    response = client.post(
        f"{ADMIN}/outboxemail/",
        {"action": "retry", "_selected_action": [failed_email.pk, sent.pk], "index": 0},
        follow=True,
    )
    assert response.status_code == 200
    assert "1 thư sẽ được gửi lại." in response.content.decode()
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.PENDING
    assert failed_email.attempts == 0
    assert before <= failed_email.next_attempt_at <= timezone.now()
    assert failed_email.claimed_until is None
    sent.refresh_from_db()
    assert (sent.status, sent.attempts) == (OutboxEmail.Status.SENT, 1)


def test_an_outbox_row_is_shown_not_edited(client, administrator, failed_email):
    client.force_login(administrator)
    html = client.get(f"{ADMIN}/outboxemail/{failed_email.pk}/change/").content.decode()
    assert 'name="status"' not in html and 'name="to"' not in html
    response = client.post(f"{ADMIN}/outboxemail/{failed_email.pk}/change/", {"status": "pending"})
    assert response.status_code == 403
    assert client.get(f"{ADMIN}/outboxemail/{failed_email.pk}/delete/").status_code == 403
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.FAILED


def test_the_retry_action_needs_the_change_permission(client, failed_email):
    """A staff user who may only look at the outbox does not get the action."""
    viewer = make_user("viewer")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_outboxemail"))
    client.force_login(viewer)
    html = client.get(f"{ADMIN}/outboxemail/").content.decode()
    assert failed_email.last_error in html
    assert 'value="retry"' not in html
    client.post(f"{ADMIN}/outboxemail/", {"action": "retry", "_selected_action": [failed_email.pk], "index": 0})
    failed_email.refresh_from_db()
    assert failed_email.status == OutboxEmail.Status.FAILED
