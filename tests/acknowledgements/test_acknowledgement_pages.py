"""The inbox, delivery, report, review, bell, monitoring and one-click link pages.

Assertions are on status codes, URLs, the database and element ids or names: the
interface is Vietnamese, its English source text may change."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from acknowledgements import links, services
from acknowledgements.models import Delivery, DeliveryEvent, Evidence, ImplementationReport, Notification
from units.models import Membership, Unit

# Time stands at the morning after the distribution: nothing is late until a test moves it.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("next_morning")]

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
# A Windows program: "MZ", then the DOS stub. Renaming it .pdf does not make it one.
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def as_user(client, user):
    client.force_login(user)
    return client


def pdf(name="bao-cao.pdf", data=PDF_BYTES):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def report_data(circular, *, summary="Đã thông báo đến toàn thể cán bộ.", statuses=None, files=()):
    items = list(circular.action_items.order_by("position"))
    statuses = statuses or ["done"] * len(items)
    data = {"summary": summary}
    for item, status in zip(items, statuses, strict=False):
        if status:
            data[f"item-{item.pk}-status"] = status
        data[f"item-{item.pk}-note"] = f"ghi chú {item.position}"
    if files:
        data["files"] = list(files)
    return data


def file_report(client, delivery, **kwargs):
    return client.post(reverse("delivery-report", args=[delivery.pk]), report_data(delivery.circular, **kwargs))


# --- Inbox --------------------------------------------------------------------------


def test_inbox_lists_only_the_deliveries_of_the_users_units(client, clerk, delivery, other_delivery):
    response = as_user(client, clerk).get(reverse("inbox"))
    assert response.status_code == 200
    assert [d.pk for d in response.context["page_obj"]] == [delivery.pk]
    html = response.content.decode()
    assert f'id="delivery-{delivery.pk}"' in html
    assert f'id="delivery-{other_delivery.pk}"' not in html
    # Not opened yet: marked as new.
    assert 'class="unread' in html and "badge-new" in html


def test_inbox_search_folds_vietnamese_and_filters_by_status(client, clerk, delivery):
    client = as_user(client, clerk)
    assert [d.pk for d in client.get(reverse("inbox"), {"q": "CẢNH BÁO"}).context["page_obj"]] == [delivery.pk]
    assert [d.pk for d in client.get(reverse("inbox"), {"q": "canh bao gia"}).context["page_obj"]] == [delivery.pk]
    assert list(client.get(reverse("inbox"), {"q": "không có"}).context["page_obj"]) == []
    assert list(client.get(reverse("inbox"), {"status": "accepted"}).context["page_obj"]) == []
    assert len(client.get(reverse("inbox"), {"status": "sent", "urgency": "normal"}).context["page_obj"]) == 1


def test_inbox_overdue_filter_and_highlight(client, clerk, delivery):
    client = as_user(client, clerk)
    assert list(client.get(reverse("inbox"), {"overdue": "on"}).context["page_obj"]) == []
    with time_machine.travel(delivery.ack_due_on + datetime.timedelta(days=3)):
        client.force_login(clerk)  # the session of days ago has expired
        response = client.get(reverse("inbox"), {"overdue": "on"})
        assert [d.pk for d in response.context["page_obj"]] == [delivery.pk]
        assert "badge-late" in response.content.decode()


@pytest.mark.parametrize("more_units", [2, 29], ids=["3-deliveries", "30-deliveries"])
def test_inbox_queries_do_not_grow_with_rows(more_units, client, clerk, circular, district, django_assert_num_queries):
    units = [Unit.objects.create(code=f"xa-{i}", name=f"Xã {i}", parent=district) for i in range(more_units)]
    Membership.objects.bulk_create(Membership(user=clerk, unit=u) for u in units)
    Delivery.objects.bulk_create(Delivery(circular=circular, unit=u, ack_due_on=timezone.localdate()) for u in units)
    client = as_user(client, clerk)
    # The same twelve for one page of 3 as for two pages of 30: the session, the user,
    # the paginator's count, the page of deliveries joined to circular and unit, the
    # clerk's units' open assignments (none here: no calendar read), the clerk's
    # membership count (several units?), the role groups, the nav's inbox count (one
    # aggregate), the bell's count, and the session saved (savepoint, UPDATE, release).
    with django_assert_num_queries(12):
        response = client.get(reverse("inbox"))
    assert len(response.context["page_obj"]) == min(1 + more_units, 25)
    assert response.context["several_units"] is True


# --- Another unit's delivery is a 404 -----------------------------------------------


@pytest.mark.parametrize(
    ("method", "name"),
    [
        ("get", "delivery-detail"),
        ("get", "delivery-report"),
        ("post", "delivery-report"),
        ("post", "delivery-acknowledge"),
        ("post", "delivery-refuse"),
    ],
)
def test_clerk_of_another_unit_gets_404_on_delivery_pages(client, other_clerk, delivery, method, name):
    response = getattr(as_user(client, other_clerk), method)(reverse(name, args=[delivery.pk]), {"reason": "x"})
    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and delivery.first_viewed_at is None


def test_clerk_of_another_unit_gets_404_on_reports_and_evidence(client, clerk, other_clerk, delivery):
    assert file_report(as_user(client, clerk), delivery, files=[pdf()]).status_code == 302
    report = ImplementationReport.objects.get(delivery=delivery)
    evidence = Evidence.objects.get(report=report)
    client = as_user(client, other_clerk)
    assert client.get(reverse("evidence-download", args=[evidence.pk])).status_code == 404
    assert client.post(reverse("report-accept", args=[report.pk])).status_code == 404
    assert client.post(reverse("report-return", args=[report.pk]), {"comment": "x"}).status_code == 404
    inbox = client.get(reverse("inbox"))
    assert delivery.pk not in [d.pk for d in inbox.context["page_obj"]]


# --- Viewing, acknowledging, refusing -----------------------------------------------


def test_first_view_is_recorded_once_by_a_member_not_by_the_monitor(client, clerk, head, monitor, delivery):
    assert as_user(client, monitor).get(reverse("delivery-detail", args=[delivery.pk])).status_code == 200
    delivery.refresh_from_db()
    assert delivery.first_viewed_at is None

    assert as_user(client, clerk).get(reverse("delivery-detail", args=[delivery.pk])).status_code == 200
    assert as_user(client, head).get(reverse("delivery-detail", args=[delivery.pk])).status_code == 200
    delivery.refresh_from_db()
    assert delivery.first_viewed_by == clerk
    assert DeliveryEvent.objects.filter(delivery=delivery, action="view").count() == 1


def test_acknowledge_writes_one_event_and_a_second_post_adds_none(client, clerk, delivery):
    client = as_user(client, clerk)
    page = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert 'id="acknowledge-form"' in page and reverse("delivery-acknowledge", args=[delivery.pk]) in page

    url = reverse("delivery-acknowledge", args=[delivery.pk])
    response = client.post(url, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 302 and response.url == reverse("delivery-detail", args=[delivery.pk])
    assert client.post(url).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED and delivery.acknowledged_by == clerk
    events = DeliveryEvent.objects.filter(delivery=delivery, action="acknowledge")
    assert events.count() == 1 and events.get().ip == "10.0.0.7"
    assert 'id="acknowledge-form"' not in client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()


@pytest.mark.parametrize(
    "name", ["delivery-acknowledge", "delivery-refuse", "report-accept", "report-return", "circular-distribute"]
)
def test_get_on_a_post_only_url_is_405(client, clerk, delivery, name):
    assert as_user(client, clerk).get(reverse(name, args=[delivery.pk])).status_code == 405


def test_get_on_mark_all_read_is_405(client, clerk):
    assert as_user(client, clerk).get(reverse("notifications-read")).status_code == 405


def test_monitor_cannot_acknowledge_for_the_unit(client, monitor, delivery):
    response = as_user(client, monitor).post(reverse("delivery-acknowledge", args=[delivery.pk]))
    assert response.status_code == 403
    assert 'id="page-error"' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_refuse_needs_a_reason(client, clerk, monitor, delivery):
    client = as_user(client, clerk)
    url = reverse("delivery-refuse", args=[delivery.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert 'id="page-error"' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT

    assert client.post(url, {"reason": "Xã không có đơn vị này"}).status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.REFUSED and delivery.refuse_reason == "Xã không có đơn vị này"
    assert Notification.objects.filter(user=monitor, kind="refused").exists()


def test_acknowledging_a_refused_delivery_is_a_409_not_a_500(client, clerk, delivery):
    services.refuse(delivery=delivery, by=clerk, reason="Không phải của xã")
    response = as_user(client, clerk).post(reverse("delivery-acknowledge", args=[delivery.pk]))
    assert response.status_code == 409
    assert 'id="page-error"' in response.content.decode()


# --- Filing a report ----------------------------------------------------------------


def test_report_with_a_pdf_and_every_item_status_files_version_1(client, clerk, delivery):
    client = as_user(client, clerk)
    form = client.get(reverse("delivery-report", args=[delivery.pk]))
    assert form.status_code == 200
    html = form.content.decode()
    for item in delivery.circular.action_items.all():
        assert f'name="item-{item.pk}-status"' in html and f'name="item-{item.pk}-note"' in html
    assert 'name="summary"' in html and 'name="files"' in html and "multiple" in html

    response = file_report(client, delivery, files=[pdf()], statuses=["done", "in_progress"])
    assert response.status_code == 302
    assert response.url == reverse("delivery-detail", args=[delivery.pk])
    report = ImplementationReport.objects.get(delivery=delivery)
    assert report.version == 1 and report.submitted_by == clerk
    assert sorted(report.items.values_list("status", flat=True)) == ["done", "in_progress"]
    assert report.evidence.get().content_type == "application/pdf"
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.REPORTED


def test_missing_item_status_is_400_and_no_report(client, clerk, delivery):
    response = file_report(as_user(client, clerk), delivery, statuses=["done", None], files=[pdf()])
    assert response.status_code == 400
    assert ImplementationReport.objects.count() == 0 and Evidence.objects.count() == 0
    assert 'class="errorlist"' in response.content.decode()


def test_an_exe_renamed_pdf_is_400_and_nothing_is_saved(client, clerk, delivery, media_root):
    response = file_report(as_user(client, clerk), delivery, files=[pdf("anh.pdf"), pdf("bao-cao.pdf", EXE_BYTES)])
    assert response.status_code == 400
    assert "bao-cao.pdf" in response.content.decode()
    assert ImplementationReport.objects.count() == 0 and Evidence.objects.count() == 0
    assert not (media_root / "evidence").exists()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_the_monitor_may_not_file_the_units_report(client, monitor, delivery):
    assert as_user(client, monitor).get(reverse("delivery-report", args=[delivery.pk])).status_code == 403


def test_evidence_is_downloaded_as_an_attachment_with_its_utf8_name(client, clerk, monitor, delivery):
    file_report(as_user(client, clerk), delivery, files=[pdf("Báo cáo xã.pdf")])
    evidence = Evidence.objects.get()
    for user in (clerk, monitor):
        response = as_user(client, user).get(reverse("evidence-download", args=[evidence.pk]))
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20x%C3%A3.pdf" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_return_then_resubmit_prefilled_then_accept(client, clerk, monitor, delivery):
    file_report(as_user(client, clerk), delivery, files=[pdf()], summary="Phiên bản một")
    v1 = ImplementationReport.objects.get(delivery=delivery)

    client = as_user(client, monitor)
    page = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert 'id="accept-form"' in page and 'id="return-form"' in page
    # The comment is required to return.
    assert client.post(reverse("report-return", args=[v1.pk]), {"comment": ""}).status_code == 400
    v1.refresh_from_db()
    assert v1.status == ImplementationReport.Status.SUBMITTED
    response = client.post(reverse("report-return", args=[v1.pk]), {"comment": "Bổ sung ảnh chụp"})
    assert response.status_code == 302 and response.url == reverse("delivery-detail", args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.RETURNED

    client = as_user(client, clerk)
    form = client.get(reverse("delivery-report", args=[delivery.pk]))
    assert form.context["previous"] == v1
    assert form.context["form"]["summary"].value() == "Phiên bản một"
    html = form.content.decode()
    assert 'id="returned-notice"' in html and "Bổ sung ảnh chụp" in html
    assert re.search(r'name="item-\d+-status" value="done"[^>]*checked', html)
    assert file_report(client, delivery, summary="Phiên bản hai", files=[pdf("anh.pdf")]).status_code == 302
    v2 = ImplementationReport.objects.get(delivery=delivery, version=2)

    client = as_user(client, monitor)
    # Version 1 can no longer be reviewed.
    assert client.post(reverse("report-accept", args=[v1.pk])).status_code == 409
    response = client.post(reverse("report-accept", args=[v2.pk]), {"comment": ""})
    assert response.status_code == 302
    delivery.refresh_from_db()
    v2.refresh_from_db()
    assert delivery.status == Delivery.Status.ACCEPTED and v2.status == ImplementationReport.Status.ACCEPTED
    page = client.get(reverse("delivery-detail", args=[delivery.pk])).content.decode()
    assert 'id="report-v2"' in page and 'id="report-v1"' in page
    assert page.index('id="report-v2"') < page.index('id="report-v1"')
    assert 'id="accept-form"' not in page


def test_a_unit_clerk_cannot_review_reports(client, clerk, delivery):
    file_report(as_user(client, clerk), delivery)
    report = ImplementationReport.objects.get()
    assert client.post(reverse("report-accept", args=[report.pk])).status_code == 403


# --- The one-click link -------------------------------------------------------------


def test_one_click_link_get_shows_a_confirmation_and_does_not_acknowledge(client, clerk, delivery):
    token = links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)
    response = client.get(reverse("ack-link", args=[token]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="ack-form"' in html and 'id="ack-submit"' in html
    assert delivery.circular.reference in html and clerk.get_full_name() in html
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_one_click_link_post_acknowledges_for_the_user_it_was_sent_to(client, clerk, delivery):
    token = links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)
    url = reverse("ack-link", args=[token])
    response = client.post(url)
    assert response.status_code == 200 and 'id="ack-done"' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED and delivery.acknowledged_by == clerk
    # Again: says so, no error, no second event.
    assert client.post(url).status_code == 200
    assert client.get(url).status_code == 200 and 'id="ack-done"' in client.get(url).content.decode()
    assert DeliveryEvent.objects.filter(delivery=delivery, action="acknowledge").count() == 1


def test_one_click_link_works_with_csrf_checks_and_no_session(clerk, delivery):
    browser = Client(enforce_csrf_checks=True)
    url = reverse("ack-link", args=[links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)])
    assert browser.post(url).status_code == 403  # no CSRF token: refused, nothing acknowledged
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.SENT
    page = browser.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    assert browser.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED


def test_a_tampered_link_is_400(client, clerk, delivery):
    token = links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for method in (client.get, client.post):
        response = method(reverse("ack-link", args=[tampered]))
        assert response.status_code == 400
        assert reverse("login") in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_an_expired_link_is_410(client, clerk, delivery):
    token = links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)
    later = timezone.now() + datetime.timedelta(seconds=django_settings.ACK_LINK_MAX_AGE + 60)
    with time_machine.travel(later):
        assert client.get(reverse("ack-link", args=[token])).status_code == 410
        response = client.post(reverse("ack-link", args=[token]))
    assert response.status_code == 410 and 'id="login-link"' in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_a_link_of_someone_no_longer_in_the_unit_is_403(client, clerk, delivery):
    token = links.make_ack_token(user_id=clerk.pk, delivery_id=delivery.pk)
    Membership.objects.filter(user=clerk).delete()
    assert client.post(reverse("ack-link", args=[token])).status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


# --- Navigation counts and the bell -------------------------------------------------


def test_nav_shows_the_inbox_count_and_the_bell_count(client, clerk, delivery):
    html = as_user(client, clerk).get(reverse("home")).content.decode()
    assert re.search(r'id="nav-inbox-count"[^>]*>1<', html)
    assert re.search(r'id="nav-bell-count">1<', html)
    services.acknowledge(delivery=delivery, by=clerk)
    html = client.get(reverse("home")).content.decode()
    assert 'id="nav-inbox"' in html and 'id="nav-inbox-count"' not in html


def test_nav_has_no_inbox_for_users_without_a_unit(client, records_clerk, circular):
    html = as_user(client, records_clerk).get(reverse("home")).content.decode()
    assert 'id="nav-inbox"' not in html and 'id="nav-bell"' in html


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, clerk, delivery):
    note = Notification.objects.get(user=clerk)
    client = as_user(client, clerk)
    assert f'id="notification-{note.pk}"' in client.get(reverse("notifications")).content.decode()
    response = client.get(reverse("notification-open", args=[note.pk]))
    assert response.status_code == 302 and response.url == reverse("delivery-detail", args=[delivery.pk])
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(client, other_clerk, clerk, delivery):
    note = Notification.objects.get(user=clerk)
    assert as_user(client, other_clerk).get(reverse("notification-open", args=[note.pk])).status_code == 404


def test_mark_all_read(client, clerk, delivery):
    client = as_user(client, clerk)
    assert re.search(r'id="nav-bell-count">1<', client.get(reverse("notifications")).content.decode())
    assert Notification.objects.filter(user=clerk, read_at__isnull=True).count() == 1  # the new delivery
    assert client.post(reverse("notifications-read")).status_code == 302
    assert not Notification.objects.filter(user=clerk, read_at__isnull=True).exists()
    assert 'id="nav-bell-count"' not in client.get(reverse("notifications")).content.decode()
