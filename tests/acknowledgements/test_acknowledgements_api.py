import datetime
import io
import json

import pytest
from django.core import mail, signing

from acknowledgements import services
from acknowledgements.links import make_ack_token, read_ack_token
from acknowledgements.models import Delivery, DeliveryEvent, ImplementationReport, Notification

pytestmark = pytest.mark.django_db
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def items_for(circular, status="done"):
    return [{"action_item": ai.id, "status": status, "note": "Đã triển khai"} for ai in circular.action_items.all()]


def test_distribute_endpoint(api_as, issued, records_clerk, drafter, unit, other_unit):
    assert api_as(drafter).post(f"/api/v1/circulars/{issued.id}/distribute").status_code == 403
    response = api_as(records_clerk).post(f"/api/v1/circulars/{issued.id}/distribute")
    assert response.status_code == 200
    assert response.json() == {"deliveries": 2}
    assert api_as(records_clerk).post(f"/api/v1/circulars/{issued.id}/distribute").json() == {"deliveries": 2}


def test_inbox_lists_only_the_callers_units(api_as, delivery, clerk, other_clerk, circular):
    body = api_as(clerk).get("/api/v1/inbox/").json()
    assert body["count"] == 1
    item = body["results"][0]
    assert item["id"] == delivery.id
    assert item["circular"] == {"id": circular.id, "reference": circular.reference, "subject": circular.subject}
    assert item["unit"] == {"id": delivery.unit_id, "code": "xa-mot"}
    assert item["status"] == "sent"
    assert item["ack_due_on"] == "2024-10-17"
    assert item["report_due_on"] == "2024-10-31"
    assert [r["unit"]["code"] for r in api_as(other_clerk).get("/api/v1/inbox/").json()["results"]] == ["xa-hai"]


def test_another_units_delivery_is_404_everywhere(api_as, delivery, other_clerk, circular):
    api = api_as(other_clerk)
    assert api.get(f"/api/v1/deliveries/{delivery.id}/").status_code == 404
    assert api.post(f"/api/v1/deliveries/{delivery.id}/acknowledge").status_code == 404
    assert api.post(f"/api/v1/deliveries/{delivery.id}/refuse", {"reason": "x"}, format="json").status_code == 404
    report = {"summary": "x", "items": items_for(circular)}
    assert api.post(f"/api/v1/deliveries/{delivery.id}/reports", report, format="json").status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.first_viewed_at is None


def test_recipient_reads_the_circular_once_distributed(api_as, issued, records_clerk, clerk):
    assert api_as(clerk).get(f"/api/v1/circulars/{issued.id}/").status_code == 404
    services.distribute(circular=issued, by=records_clerk)
    response = api_as(clerk).get(f"/api/v1/circulars/{issued.id}/")
    assert response.status_code == 200
    assert response.json()["reference"] == issued.reference
    assert api_as(clerk).get(f"/api/v1/circulars/{issued.id}/pdf").status_code == 200


def test_first_view_is_recorded_once_and_only_for_members(api_as, delivery, clerk, head, monitor):
    api_as(monitor).get(f"/api/v1/deliveries/{delivery.id}/")
    delivery.refresh_from_db()
    assert delivery.first_viewed_at is None
    api_as(clerk).get(f"/api/v1/deliveries/{delivery.id}/")
    delivery.refresh_from_db()
    first = delivery.first_viewed_at
    assert first is not None and delivery.first_viewed_by == clerk
    api_as(head).get(f"/api/v1/deliveries/{delivery.id}/")
    delivery.refresh_from_db()
    assert delivery.first_viewed_at == first
    assert DeliveryEvent.objects.filter(delivery=delivery, action="view").count() == 1


def test_acknowledge_twice_is_harmless(api_as, delivery, clerk):
    api = api_as(clerk)
    first = api.post(f"/api/v1/deliveries/{delivery.id}/acknowledge")
    assert first.status_code == 200
    assert first.json()["status"] == "acknowledged"
    assert first.json()["qcvn_status"] == "03"
    second = api.post(f"/api/v1/deliveries/{delivery.id}/acknowledge")
    assert second.status_code == 200
    assert second.json()["acknowledged_at"] == first.json()["acknowledged_at"]
    assert DeliveryEvent.objects.filter(delivery=delivery, action="acknowledge").count() == 1
    event = DeliveryEvent.objects.get(delivery=delivery, action="acknowledge")
    assert (event.actor, event.from_status, event.to_status, event.ip) == (clerk, "sent", "acknowledged", "127.0.0.1")


def test_monitor_cannot_acknowledge_for_the_unit(api_as, delivery, monitor):
    assert api_as(monitor).post(f"/api/v1/deliveries/{delivery.id}/acknowledge").status_code == 403


def test_refuse_needs_a_reason_and_tells_the_monitor(api_as, delivery, clerk, monitor):
    api = api_as(clerk)
    assert api.post(f"/api/v1/deliveries/{delivery.id}/refuse", {}, format="json").status_code == 400
    response = api.post(f"/api/v1/deliveries/{delivery.id}/refuse", {"reason": "Không thuộc thẩm quyền"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "refused" and response.json()["qcvn_status"] == "02"
    assert Notification.objects.filter(user=monitor, kind="refused").exists()
    assert api.post(f"/api/v1/deliveries/{delivery.id}/acknowledge").status_code == 409


def test_report_return_resubmit_accept(api_as, delivery, clerk, monitor, circular, django_capture_on_commit_callbacks):
    api = api_as(clerk)
    evidence = io.BytesIO(PDF_BYTES)
    evidence.name = "bien-ban.pdf"
    recording = io.BytesIO(b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 64)
    recording.name = "ghi-am-cuoc-goi.mp3"
    response = api.post(
        f"/api/v1/deliveries/{delivery.id}/reports",
        {"summary": "Đã phổ biến", "items": json.dumps(items_for(circular)), "files": [evidence, recording]},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    report = response.json()
    assert report["version"] == 1
    assert sorted(e["content_type"] for e in report["evidence"]) == ["application/pdf", "audio/mpeg"]
    delivery.refresh_from_db()
    assert delivery.status == "reported" and delivery.acknowledged_at is not None  # a report is a receipt

    monitor_api = api_as(monitor)
    assert monitor_api.post(f"/api/v1/reports/{report['id']}/return", {}, format="json").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        returned = monitor_api.post(f"/api/v1/reports/{report['id']}/return", {"comment": "Bổ sung ảnh"}, format="json")
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    assert any("cần bổ sung" in m.subject for m in mail.outbox)

    api = api_as(clerk)
    again = api.post(
        f"/api/v1/deliveries/{delivery.id}/reports",
        {"summary": "Đã bổ sung", "items": items_for(circular)},
        format="json",
    )
    assert again.status_code == 201 and again.json()["version"] == 2
    accepted = api_as(monitor).post(f"/api/v1/reports/{again.json()['id']}/accept", {}, format="json")
    assert accepted.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == "accepted" and delivery.qcvn_status == "06"
    detail = api_as(clerk).get(f"/api/v1/deliveries/{delivery.id}/").json()
    assert [r["version"] for r in detail["reports"]] == [2, 1]
    assert [r["status"] for r in detail["reports"]] == ["accepted", "returned"]
    assert [e["action"] for e in detail["events"]] == [
        "distribute",
        "acknowledge",
        "report",
        "return",
        "report",
        "accept",
    ]


def test_report_refuses_bad_input_and_saves_nothing(api_as, delivery, clerk, circular):
    api = api_as(clerk)
    url = f"/api/v1/deliveries/{delivery.id}/reports"
    missing = items_for(circular)[:-1]
    assert api.post(url, {"summary": "x", "items": missing}, format="json").status_code == 400
    wrong = [{**items_for(circular)[0], "status": "maybe"}, *items_for(circular)[1:]]
    assert api.post(url, {"summary": "x", "items": wrong}, format="json").status_code == 400
    assert api.post(url, {"summary": "", "items": items_for(circular)}, format="json").status_code == 400
    assert api.post(url, {"summary": "x", "items": "not json"}, format="multipart").status_code == 400
    exe = io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200)
    exe.name = "bao-cao.pdf"
    payload = {"summary": "x", "items": json.dumps(items_for(circular)), "files": [exe]}
    assert api.post(url, payload, format="multipart").status_code == 400
    html = io.BytesIO(b"<html><script>alert(1)</script></html>")
    html.name = "anh.png"
    payload = {"summary": "x", "items": json.dumps(items_for(circular)), "files": [html]}
    assert api.post(url, payload, format="multipart").status_code == 400
    assert not ImplementationReport.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == "sent"


def test_only_the_monitoring_office_reviews(api_as, delivery, clerk, other_clerk, circular):
    report = services.submit_report(delivery=delivery, by=clerk, summary="x", items=items_for(circular))
    assert api_as(clerk).post(f"/api/v1/reports/{report.id}/accept", {}, format="json").status_code == 403
    assert api_as(other_clerk).post(f"/api/v1/reports/{report.id}/accept", {}, format="json").status_code == 404


def test_circular_deliveries_for_monitor_and_signer_only(api_as, delivery, monitor, signer, clerk, circular):
    body = api_as(monitor).get(f"/api/v1/circulars/{circular.id}/deliveries/").json()
    assert body["count"] == 2
    row = next(r for r in body["results"] if r["id"] == delivery.id)
    assert row["unit"] == {"id": delivery.unit_id, "code": "xa-mot", "name": "Ủy ban nhân dân xã Một"}
    assert set(row) >= {"status", "first_viewed_at", "acknowledged_at", "ack_due_on", "report_due_on", "reported_at"}
    assert api_as(signer).get(f"/api/v1/circulars/{circular.id}/deliveries/").json()["count"] == 2
    assert api_as(clerk).get(f"/api/v1/circulars/{circular.id}/deliveries/").status_code == 403


def test_one_click_token_is_bound_and_signed(delivery, clerk):
    token = make_ack_token(user_id=clerk.id, delivery_id=delivery.id)
    assert read_ack_token(token) == (clerk.id, delivery.id)
    with pytest.raises(signing.BadSignature):
        read_ack_token(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


def test_recalled_circular_asks_nothing_more(api_as, delivery, clerk, signer, circular):
    services.recall(circular=circular, by=signer, reason="Ban hành nhầm")
    assert api_as(clerk).post(f"/api/v1/deliveries/{delivery.id}/acknowledge").status_code == 409
    assert not Delivery.objects.overdue(datetime.date(2030, 1, 1)).exists()
