"""Handling an incoming dispatch through the API (issue 16): registered, presented to a
leader, assigned to a lead and a supporting unit, worked on, completed by the lead unit
or by issuing a circular in response; scoping and bad input."""

import datetime

import pytest
import time_machine

from acknowledgements.models import Notification, OutboxEmail
from circulars import services
from circulars.models import Assignment, HandlingEvent, HandlingStatus, IncomingDispatch
from tests.conftest import make_user
from tests.factories import VN, approved_circular
from units.roles import PortalRole

# Monday 07/10/2024, 09:00 in Hà Nội: the dispatch arrived on Friday 04/10.
NOW = datetime.datetime(2024, 10, 7, 9, 0, tzinfo=VN)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dispatch(records_clerk):
    return services.register_incoming(
        by=records_clerk,
        issuer="Sở Thông tin và Truyền thông",
        reference="2980/STTTT-TTra",
        document_date=datetime.date(2024, 10, 1),
        subject="V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo",
        received_on=datetime.date(2024, 10, 4),
    )


@pytest.fixture
def lead_clerk(monitoring_unit):
    return make_user("lead-clerk", unit=monitoring_unit)


def _assign(client, dispatch, **body):
    return client.post(f"/api/v1/incoming/{dispatch.pk}/assign", body, format="json")


GOOD = {
    "lead_unit": "phong-vhtt-test",
    "support_units": ["xa-mot"],
    "working_days": 5,
    "instruction": "Giao Phòng Văn hóa và Thông tin tham mưu UBND huyện triển khai.",
}


def test_the_loop_from_registration_to_completion(
    api_as, dispatch, records_clerk, signer, lead_clerk, clerk, monitoring_unit, unit
):
    # The records clerk presents it; the leader is told.
    answer = api_as(records_clerk).post(f"/api/v1/incoming/{dispatch.pk}/present", {"leader": "signer"}, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["handling_status"] == "presented"
    assert answer.json()["presented_to"] == "signer"
    assert Notification.objects.filter(user=signer, kind="presented").count() == 1

    # The leader assigns: five working days from Monday 07/10 is Monday 14/10.
    answer = _assign(api_as(signer), dispatch, **GOOD)
    assert answer.status_code == 201, answer.json()
    lead, support = answer.json()
    assert (lead["role"], lead["unit"]["code"], lead["due_on"]) == ("lead", "phong-vhtt-test", "2024-10-14")
    assert (support["role"], support["unit"]["code"]) == ("support", "xa-mot")
    assert lead["leader"] == "signer" and lead["status"] == "assigned"

    # The register's columns come from it.
    dispatch.refresh_from_db()
    assert dispatch.handling_status == HandlingStatus.ASSIGNED
    assert dispatch.transferred_on == datetime.date(2024, 10, 7)
    assert dispatch.due_on == datetime.date(2024, 10, 14)
    assert dispatch.handled_by.startswith("Phòng Văn hóa và Thông tin (chủ trì); Ủy ban nhân dân xã Một (phối hợp)")
    detail = api_as(records_clerk).get(f"/api/v1/incoming/{dispatch.pk}/").json()
    assert [(a["unit"], a["role"]) for a in detail["assignments"]] == [
        ("phong-vhtt-test", "lead"),
        ("xa-mot", "support"),
    ]

    # Each unit's members are told, in the bell and by email, once each.
    assert Notification.objects.filter(user=lead_clerk, kind="new_assignment", assignment_id=lead["id"]).count() == 1
    assert Notification.objects.filter(user=clerk, kind="new_assignment", assignment_id=support["id"]).count() == 1
    emails = OutboxEmail.objects.filter(kind="new_assignment")
    assert set(emails.values_list("to", flat=True)) >= {lead_clerk.email, clerk.email}

    # Each unit finds its own assignment; the supporting unit adds its contribution.
    mine = api_as(clerk).get("/api/v1/assignments/").json()["results"]
    assert [(a["id"], a["role"], a["dispatch"]["reference"]) for a in mine] == [
        (support["id"], "support", "2980/STTTT-TTra")
    ]
    assert set(mine[0]["dispatch"]) >= {"id", "reference", "subject", "issuer"}
    answer = api_as(clerk).post(
        f"/api/v1/assignments/{support['id']}/notes", {"text": "Xã Một đã tuyên truyền trên loa."}, format="json"
    )
    assert answer.status_code == 201, answer.json()
    assert Notification.objects.filter(user=lead_clerk, kind="assignment_note").count() == 1

    # The lead unit completes it; the supporting unit's part ends with it.
    answer = api_as(lead_clerk).post(
        f"/api/v1/assignments/{lead['id']}/complete", {"note": "Đã tham mưu văn bản chỉ đạo."}, format="json"
    )
    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "done"
    assert Assignment.objects.get(pk=support["id"]).status == Assignment.Status.DONE
    dispatch.refresh_from_db()
    assert dispatch.handling_status == HandlingStatus.DONE
    assert Notification.objects.filter(user=signer, kind="assignment_done").count() == 1

    # The history, in order, as the unit reads it.
    history = api_as(lead_clerk).get(f"/api/v1/assignments/{lead['id']}/").json()["events"]
    assert [e["action"] for e in history] == [
        "present",
        "instruct",
        "assign",
        "assign",
        "note",
        "complete",
        "complete",
    ]
    assert history[4]["unit"] == "xa-mot" and history[4]["note"] == "Xã Một đã tuyên truyền trên loa."

    # Handled: no new assignment (409).
    answer = _assign(api_as(signer), dispatch, **GOOD)
    assert answer.status_code == 409
    assert "đã được xử lý" in answer.json()["detail"]


def test_records_clerk_records_the_leaders_instruction_and_reassigning_keeps_the_history(
    api_as, dispatch, records_clerk, signer, lead_clerk, clerk
):
    # Without a leader named (and none presented to), the clerk is asked for one.
    answer = _assign(api_as(records_clerk), dispatch, **GOOD)
    assert answer.status_code == 400
    assert "lãnh đạo" in answer.json()["detail"]
    assert not Assignment.objects.exists()

    first = _assign(api_as(records_clerk), dispatch, **GOOD, leader="signer").json()
    assert first[0]["leader"] == "signer" and first[0]["assigned_by"] == "records-clerk"

    # Assigned again: the unit of the first support is now the lead, with a date.
    again = _assign(
        api_as(signer),
        dispatch,
        lead_unit="xa-mot",
        support_units=[],
        due_on="2024-10-21",
        instruction="Giao UBND xã Một chủ trì.",
    )
    assert again.status_code == 201, again.json()
    assert Assignment.objects.filter(status=Assignment.Status.REPLACED).count() == 2
    assert list(Assignment.objects.current().values_list("unit__code", "role", "due_on")) == [
        ("xa-mot", "lead", datetime.date(2024, 10, 21))
    ]
    # The replaced one is still the unit's to read, with its history, but not in its list.
    old_lead = first[0]["id"]
    assert api_as(lead_clerk).get("/api/v1/assignments/").json()["results"] == []
    old = api_as(lead_clerk).get(f"/api/v1/assignments/{old_lead}/").json()
    assert old["status"] == "replaced"
    assert "replace" in [e["action"] for e in old["events"]]
    # And nothing more is done on it.
    answer = api_as(lead_clerk).post(f"/api/v1/assignments/{old_lead}/complete", {"note": "x"}, format="json")
    assert answer.status_code == 409


def test_issuing_a_circular_in_response_completes_the_handling(
    api_as, dispatch, signer, drafter, records_clerk, lead_clerk, communes_group
):
    lead, support = _assign(api_as(signer), dispatch, **GOOD).json()
    circular = approved_circular(drafter, signer, groups=[communes_group], in_response_to=[dispatch])
    issued = services.issue(circular=circular, by=records_clerk)

    done = Assignment.objects.get(pk=lead["id"])
    assert done.status == Assignment.Status.DONE
    assert done.completed_by_circular_id == issued.pk
    assert issued.reference in done.completion_note
    assert Assignment.objects.get(pk=support["id"]).status == Assignment.Status.DONE
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.DONE
    shown = api_as(lead_clerk).get(f"/api/v1/assignments/{lead['id']}/").json()
    assert shown["completed_by_circular"]["reference"] == issued.reference
    # One event per assignment completed, written with the issue.
    assert HandlingEvent.objects.filter(action="complete", actor=records_clerk).count() == 2


def test_another_units_assignment_does_not_exist_for_it(api_as, dispatch, signer, other_clerk, clerk, lead_clerk):
    lead, support = _assign(api_as(signer), dispatch, **GOOD).json()
    client = api_as(other_clerk)
    for pk in (lead["id"], support["id"]):
        assert client.get(f"/api/v1/assignments/{pk}/").status_code == 404
        assert client.post(f"/api/v1/assignments/{pk}/notes", {"text": "x"}, format="json").status_code == 404
        assert client.post(f"/api/v1/assignments/{pk}/complete", {"note": "x"}, format="json").status_code == 404
    assert client.get("/api/v1/assignments/").json()["results"] == []
    # A member of the supporting unit reads the lead unit's assignment no more than another's.
    assert api_as(clerk).get(f"/api/v1/assignments/{lead['id']}/").status_code == 404
    assert not HandlingEvent.objects.filter(action__in=["note", "complete"]).exists()


def test_a_supporting_unit_does_not_complete(api_as, dispatch, signer, clerk, lead_clerk):
    _lead, support = _assign(api_as(signer), dispatch, **GOOD).json()
    answer = api_as(clerk).post(f"/api/v1/assignments/{support['id']}/complete", {"note": "Xong"}, format="json")
    assert answer.status_code == 403
    assert "đơn vị chủ trì" in answer.json()["detail"]
    assert not Assignment.objects.filter(status=Assignment.Status.DONE).exists()


@pytest.mark.parametrize("who", ["drafter", "clerk", "monitor"])
def test_only_a_leader_or_the_records_clerk_assigns(request, api_as, dispatch, who):
    user = request.getfixturevalue(who)
    # A unit clerk and a monitor do not read the incoming register at all (404); a
    # drafter reads it but does not assign (403).
    answer = _assign(api_as(user), dispatch, **GOOD)
    assert answer.status_code in (403, 404)
    if who == "drafter":
        assert answer.status_code == 403
        assert "lãnh đạo" in answer.json()["detail"]
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({**GOOD, "lead_unit": None}, "đơn vị chủ trì"),
        ({**GOOD, "support_units": ["xa-mot", "phong-vhtt-test"]}, "vừa là đơn vị phối hợp"),
        ({**GOOD, "working_days": None, "due_on": "2024-10-04"}, "Hạn xử lý phải"),
        ({**GOOD, "working_days": None, "due_on": "2026-01-01"}, "Hạn xử lý phải"),
        ({**GOOD, "due_on": "2024-10-21"}, "một trong hai"),
        ({**GOOD, "working_days": None}, "một trong hai"),
        ({**GOOD, "working_days": 0}, "ngày làm việc"),
        ({**GOOD, "instruction": "   "}, "ý kiến chỉ đạo"),
        ({**GOOD, "lead_unit": "khong-co"}, "khong-co"),
        ({**GOOD, "support_units": "xa-mot"}, ""),
        ({**GOOD, "lead_unit": ["x"]}, ""),
    ],
)
def test_bad_input_changes_nothing(api_as, dispatch, signer, unit, monitoring_unit, body, words):
    answer = _assign(api_as(signer), dispatch, **body)
    assert answer.status_code == 400, answer.json()
    assert words in str(answer.json())
    assert not Assignment.objects.exists()
    assert not HandlingEvent.objects.exists()
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.REGISTERED


def test_assigning_a_dispatch_that_does_not_exist_is_404(api_as, signer):
    assert api_as(signer).post("/api/v1/incoming/999999/assign", GOOD, format="json").status_code == 404


def test_presenting_needs_a_leader_and_the_records_clerk(api_as, dispatch, records_clerk, drafter):
    answer = api_as(records_clerk).post(f"/api/v1/incoming/{dispatch.pk}/present", {"leader": "drafter"}, format="json")
    assert answer.status_code == 400
    assert "lãnh đạo" in answer.json()["detail"]
    answer = api_as(drafter).post(f"/api/v1/incoming/{dispatch.pk}/present", {"leader": "signer"}, format="json")
    assert answer.status_code in (400, 403)
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.REGISTERED


def test_an_inactive_leader_or_unit_is_refused(api_as, dispatch, records_clerk, signer, unit):
    signer.is_active = False
    signer.save()
    leader = make_user("leader-2", role=PortalRole.SIGNER)
    unit.active = False
    unit.save()
    answer = _assign(api_as(records_clerk), dispatch, **GOOD, leader=leader.username)
    assert answer.status_code == 400
    assert not Assignment.objects.exists()


def test_the_list_query_counts_do_not_grow_with_rows(
    api_as, dispatch, signer, lead_clerk, records_clerk, unit, django_assert_num_queries
):
    _assign(api_as(signer), dispatch, **GOOD)
    for n in range(2, 5):
        other = services.register_incoming(
            by=records_clerk,
            issuer="Sở Nội vụ",
            reference=f"{n}/SNV",
            document_date=datetime.date(2024, 10, 1),
            subject=f"Văn bản {n}",
            received_on=datetime.date(2024, 10, 4),
        )
        _assign(api_as(signer), other, **GOOD)
    client = api_as(lead_clerk)
    # The token (with its user), the count, the page (dispatch, unit, people and circular joined).
    with django_assert_num_queries(3):
        rows = client.get("/api/v1/assignments/").json()["results"]
    assert len(rows) == 4
