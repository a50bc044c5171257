"""Faults and races with the real database: the same instant, twice; a failure half-way."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from acknowledgements import services
from acknowledgements.models import DeliveryEvent, ImplementationReport, ReportItem
from core.errors import Conflict
from core.uploads import EVIDENCE_KINDS, check_upload

pytestmark = pytest.mark.django_db(transaction=True)


def race(*actions):
    """Run the actions at the same instant, each on its own database connection."""
    barrier = threading.Barrier(len(actions))
    results, errors = [None] * len(actions), []

    def run(i):
        try:
            barrier.wait()
            results[i] = actions[i]()
        except Exception as exc:  # reported by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results, errors


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing need PostgreSQL's row locks (CI runs it)")


def test_two_clerks_acknowledging_at_the_same_instant_write_one_event(delivery, clerk, head):
    needs_postgresql()
    _results, errors = race(
        lambda: services.acknowledge(delivery=delivery, by=clerk),
        lambda: services.acknowledge(delivery=delivery, by=head),
    )
    assert errors == []
    assert DeliveryEvent.objects.filter(delivery=delivery, action="acknowledge").count() == 1
    delivery.refresh_from_db()
    assert delivery.status == "acknowledged"
    assert delivery.acknowledged_by in (clerk, head)


def test_two_report_submissions_at_once_keep_consistent_versions(delivery, clerk, head):
    needs_postgresql()
    items = [{"action_item": ai.id, "status": "done", "note": ""} for ai in delivery.circular.action_items.all()]
    _results, errors = race(
        lambda: services.submit_report(delivery=delivery, by=clerk, summary="Bản của văn thư", items=items),
        lambda: services.submit_report(delivery=delivery, by=head, summary="Bản của thủ trưởng", items=items),
    )
    # The delivery row is locked: the second sees a reported delivery and is refused,
    # with a message; never two version 1s, never a half-written report.
    assert len(errors) == 1 and isinstance(errors[0], Conflict)
    reports = list(ImplementationReport.objects.filter(delivery=delivery))
    assert [r.version for r in reports] == [1]
    assert ReportItem.objects.filter(report=reports[0]).count() == len(items)
    assert DeliveryEvent.objects.filter(delivery=delivery, action="report").count() == 1


def test_a_report_that_fails_half_way_leaves_nothing(delivery, clerk, settings, tmp_path):
    # The evidence folder cannot be created (a file stands where the folder should be):
    # the report's rows are written, then saving its first file fails.
    media = tmp_path / "broken-media"
    media.mkdir()
    (media / "evidence").write_text("not a folder")
    settings.MEDIA_ROOT = media
    files = [check_upload(SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4\n%%EOF"), allowed=EVIDENCE_KINDS)]
    items = [{"action_item": ai.id, "status": "done", "note": ""} for ai in delivery.circular.action_items.all()]
    with pytest.raises(OSError):
        services.submit_report(delivery=delivery, by=clerk, summary="Đã thực hiện", items=items, files=files)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.reported_at is None and delivery.acknowledged_at is None
    assert not ImplementationReport.objects.exists()
    assert not ReportItem.objects.exists()
    assert not DeliveryEvent.objects.filter(delivery=delivery).exclude(action="distribute").exists()
