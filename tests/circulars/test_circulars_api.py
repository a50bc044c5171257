import datetime
import hashlib
import io

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone, translation

from circulars.models import Circular, IncomingDispatch
from tests.conftest import VN
from tests.factories import approved_circular, draft_circular, issued_circular
from units.models import Unit

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


INCOMING = {
    "issuer": "Sở Thông tin và Truyền thông",
    "reference": "2980/STTTT-TTra",
    "document_date": "2024-10-01",
    "document_type": "cong_van",
    "subject": "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở",
    "urgency": "urgent",
    "received_on": "2024-10-03",
}


def test_register_incoming_by_json(api_as, records_clerk):
    response = api_as(records_clerk).post("/api/v1/incoming/", INCOMING, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["arrival_number"], body["arrival_year"]) == (1, 2024)
    assert body["reference"] == "2980/STTTT-TTra"
    assert body["id"]


def test_register_incoming_multipart_with_file(api_as, records_clerk):
    upload = io.BytesIO(PDF_BYTES)
    upload.name = "cong-van-2980.pdf"
    response = api_as(records_clerk).post("/api/v1/incoming/", {**INCOMING, "file": upload}, format="multipart")
    assert response.status_code == 201, response.json()
    attachment = IncomingDispatch.objects.get().attachments.get()
    assert attachment.original_name == "cong-van-2980.pdf"
    assert attachment.content_type == "application/pdf"


def test_register_incoming_refuses_an_executable_named_pdf(api_as, records_clerk):
    upload = io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100)
    upload.name = "cong-van.pdf"
    response = api_as(records_clerk).post("/api/v1/incoming/", {**INCOMING, "file": upload}, format="multipart")
    assert response.status_code == 400
    assert "không phải loại tệp được chấp nhận" in response.json()["detail"]
    assert not IncomingDispatch.objects.exists()


def test_duplicate_incoming_is_409_with_existing_id(api_as, records_clerk):
    api = api_as(records_clerk)
    first = api.post("/api/v1/incoming/", INCOMING, format="json").json()
    response = api.post("/api/v1/incoming/", INCOMING, format="json")
    assert response.status_code == 409
    assert response.json()["existing_id"] == first["id"]


def test_incoming_bad_input_is_400(api_as, records_clerk):
    response = api_as(records_clerk).post(
        "/api/v1/incoming/", {**INCOMING, "document_date": "31/02/2024"}, format="json"
    )
    assert response.status_code == 400
    assert "document_date" in response.json()["errors"]


def test_incoming_search_and_roles(api_as, records_clerk, clerk):
    api = api_as(records_clerk)
    api.post("/api/v1/incoming/", INCOMING, format="json")
    api.post("/api/v1/incoming/", {**INCOMING, "reference": "1/SNV", "subject": "V/v tuyển dụng"}, format="json")
    found = api.get("/api/v1/incoming/?q=loi dung danh nghia").json()
    assert [r["reference"] for r in found["results"]] == ["2980/STTTT-TTra"]
    assert api_as(clerk).get("/api/v1/incoming/").status_code == 404  # no register of theirs: as on the page
    assert api_as(clerk).post("/api/v1/incoming/", INCOMING, format="json").status_code == 403


def circular_payload(signer, group, unit, monitoring_unit, dispatch_id=None):
    return {
        "document_type": "cong_van",
        "subject": "V/v cảnh báo việc lợi dụng danh nghĩa công chức",
        "body": "Tiếp nhận Công văn số 2980/STTTT-TTra.\n\n- Thông báo\n- Phối hợp",
        "in_response_to": [dispatch_id] if dispatch_id else [],
        "recipient_groups": [group.id],
        "recipient_units": [unit.id],
        "copy_to": ["Như trên;", "Lưu: VT."],
        "action_items": ["Thông báo đến toàn thể cán bộ", "Phối hợp với công an", "Lưu lại bằng chứng"],
        "monitoring_unit": monitoring_unit.id,
        "ack_due_working_days": 2,
        "report_due_on": "2024-10-31",
        "urgency": "urgent",
        "signer": signer.username,
        "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
    }


def test_the_whole_lifecycle_through_the_api(
    api_as, drafter, signer, records_clerk, district, communes_group, monitoring_unit, unit
):
    district.place_name = "Thuận Bắc"
    district.save()
    office = Unit.objects.create(code="van-phong", name="Văn phòng", abbreviation="TH", parent=district)
    dispatch = api_as(records_clerk).post("/api/v1/incoming/", INCOMING, format="json").json()
    payload = circular_payload(signer, communes_group, monitoring_unit, monitoring_unit, dispatch["id"])
    payload["drafting_unit"] = office.pk  # its notation is built: UBND-TH
    created = api_as(drafter).post("/api/v1/circulars/", payload, format="json")
    assert created.status_code == 201, created.json()
    circular = created.json()
    assert circular["status"] == "draft"
    assert circular["reference"] == ""
    assert [item["text"] for item in circular["action_items"]] == payload["action_items"]
    assert all(isinstance(item["id"], int) for item in circular["action_items"])
    assert circular["in_response_to"] == [dispatch["id"]]
    cid = circular["id"]

    # Signed and issued on 15/10/2024 (a circular is issued on or after the day it is signed).
    with time_machine.travel(datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN), tick=False):
        assert api_as(drafter).post(f"/api/v1/circulars/{cid}/submit").json()["status"] == "submitted"
        returned = api_as(signer).post(
            f"/api/v1/circulars/{cid}/return", {"comment": "Bổ sung nơi nhận"}, format="json"
        )
        assert returned.json()["status"] == "returned"
        assert api_as(drafter).post(f"/api/v1/circulars/{cid}/submit").json()["status"] == "submitted"
        assert api_as(signer).post(f"/api/v1/circulars/{cid}/approve").json()["status"] == "approved"
        issued = api_as(records_clerk).post(f"/api/v1/circulars/{cid}/issue", {}, format="json")
    assert issued.status_code == 200, issued.json()
    body = issued.json()
    assert body["number"] == 1
    assert body["reference"] == "1/UBND-TH"
    assert body["issued_on"] == "2024-10-15"  # the day it was issued, in Vietnam
    assert len(body["sha256"]) == 64
    assert body["verification_code"]

    pdf = api_as(drafter).get(f"/api/v1/circulars/{cid}/pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest() == body["sha256"]

    detail = api_as(drafter).get(f"/api/v1/circulars/{cid}/").json()
    assert detail["status"] == "issued" and detail["reference"] == "1/UBND-TH"


def test_transitions_say_why_they_are_refused(api_as, drafter, signer, records_clerk, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    wrong_state = api_as(signer).post(f"/api/v1/circulars/{circular.id}/approve")
    assert wrong_state.status_code == 409
    with translation.override("vi"):
        assert f"“{Circular.Status.DRAFT.label}”" in wrong_state.json()["detail"]  # it names the state it is in
    wrong_role = api_as(drafter).post(f"/api/v1/circulars/{circular.id}/approve")
    assert wrong_role.status_code == 403
    approved = approved_circular(drafter, signer, groups=[communes_group])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = api_as(records_clerk).post(
        f"/api/v1/circulars/{approved.id}/issue", {"issued_on": future}, format="json"
    )
    assert response.status_code == 400
    assert Circular.objects.get(pk=approved.id).number is None
    assert api_as(signer).post(f"/api/v1/circulars/{approved.id}/return", {}, format="json").status_code == 400


def test_unit_clerk_cannot_see_circulars_not_sent_to_them(api_as, drafter, signer, clerk, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    api = api_as(clerk)
    assert api.get(f"/api/v1/circulars/{circular.id}/").status_code == 404
    assert api.get(f"/api/v1/circulars/{circular.id}/pdf").status_code == 404
    assert api.post(f"/api/v1/circulars/{circular.id}/submit").status_code == 404
    assert api.get("/api/v1/circulars/").json()["count"] == 0


def test_monitor_reads_the_circulars_of_their_unit(api_as, drafter, signer, monitor, monitoring_unit, district):
    mine = draft_circular(drafter, signer=signer, monitoring_unit=monitoring_unit)
    draft_circular(drafter, signer=signer)
    body = api_as(monitor).get("/api/v1/circulars/").json()
    assert [r["id"] for r in body["results"]] == [mine.id]


def test_circular_search_ignores_diacritics(api_as, drafter, signer, district):
    draft_circular(drafter, signer=signer, subject="V/v cảnh báo việc giả mạo")
    draft_circular(drafter, signer=signer, subject="V/v họp giao ban")
    body = api_as(drafter).get("/api/v1/circulars/?q=canh bao gia mao").json()
    assert [r["subject"] for r in body["results"]] == ["V/v cảnh báo việc giả mạo"]


def test_create_refuses_unknown_signer_and_non_drafters(api_as, drafter, signer, clerk, district):
    payload = {"subject": "V/v thử", "signer": "nobody"}
    response = api_as(drafter).post("/api/v1/circulars/", payload, format="json")
    assert response.status_code == 400
    assert "signer" in response.json()["errors"]
    assert api_as(clerk).post("/api/v1/circulars/", {"subject": "x"}, format="json").status_code == 403


def test_public_verification(api, drafter, signer, records_clerk, district, communes_group):
    circular = issued_circular(drafter, signer, records_clerk, groups=[communes_group])
    response = api.get(f"/api/v1/verify/{circular.verification_code.lower()}")
    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == circular.reference
    assert body["issued_on"] == circular.issued_on.isoformat()
    assert body["issuer"] == district.name
    assert body["subject"] == circular.subject
    assert body["signer"] == "Nguyễn Hùng"
    assert body["sha256"] == circular.sha256
    assert api.get("/api/v1/verify/ZZZZ-ZZZZ").status_code == 404


def test_verification_is_throttled(api, db, settings):
    cache.clear()
    codes = [api.get(f"/api/v1/verify/NOPE-{i:04d}").status_code for i in range(62)]
    assert codes[:60] == [404] * 60
    assert codes[60:] == [429, 429]
