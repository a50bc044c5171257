"""A member of the monitoring unit without the monitor role is a unit member like any
other: another unit's delivery, report and evidence, and the monitored drafts, are 404 to
them, by id, on the pages and in the API, as the lists already were. A monitor of the
same unit still reads them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acknowledgements import services
from core.uploads import EVIDENCE_KINDS, check_upload
from tests.conftest import make_user
from tests.factories import issued_circular

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(monitoring_unit):
    """A clerk of the monitoring office who is not a monitor."""
    return make_user("vhtt-van-thu", unit=monitoring_unit)


@pytest.fixture
def report(delivery, clerk):
    photo = check_upload(SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20), allowed=EVIDENCE_KINDS)
    items = [{"action_item": item.pk, "status": "done"} for item in delivery.circular.action_items.all()]
    return services.submit_report(delivery=delivery, by=clerk, summary="Đã làm", items=items, files=[photo])


def urls(report):
    delivery = report.delivery
    return [
        reverse("delivery-detail", args=[delivery.pk]),
        reverse("evidence-download", args=[report.evidence.get().pk]),
        f"/api/v1/deliveries/{delivery.pk}/",
    ]


def test_a_colleague_without_the_monitor_role_gets_404(client, api_as, colleague, report):
    client.force_login(colleague)
    api = api_as(colleague)
    for url in urls(report):
        getter = api if url.startswith("/api/") else client
        assert getter.get(url).status_code == 404, url


def test_the_monitor_of_the_same_unit_reads_them(client, api_as, monitor, report):
    client.force_login(monitor)
    api = api_as(monitor)
    for url in urls(report):
        getter = api if url.startswith("/api/") else client
        assert getter.get(url).status_code == 200, url


def test_a_monitored_circular_not_sent_to_them_is_404_to_a_colleague_and_readable_by_the_monitor(
    client, api_as, colleague, monitor, drafter, signer, records_clerk, communes_group, monitoring_unit
):
    monitored = issued_circular(
        drafter, signer, records_clerk, groups=[communes_group], monitoring_unit=monitoring_unit
    )
    for user, expected in ((colleague, 404), (monitor, 200)):
        client.force_login(user)
        assert client.get(reverse("circular-detail", args=[monitored.pk])).status_code == expected
        assert api_as(user).get(f"/api/v1/circulars/{monitored.pk}/").status_code == expected
