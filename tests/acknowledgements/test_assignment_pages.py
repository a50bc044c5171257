"""The handling pages of an incoming dispatch (issue 16): the dispatch's handling panel
(present to a leader, assign), the assignment page (a unit's contribution, completion by
the lead unit), the inbox's section of dispatches to handle and the attachments the
assigned units read. The same services as the API: a broken rule is a 4xx with the
service's Vietnamese message, the input kept, nothing changed."""

import datetime
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acknowledgements import assignments
from circulars import services
from circulars.models import Assignment, HandlingEvent, HandlingStatus, IncomingDispatch
from core.uploads import check_upload
from tests import factories
from tests.conftest import make_user
from tests.factories import VN, approved_circular
from units.models import Membership, Unit
from units.roles import PortalRole

pytestmark = pytest.mark.django_db

# Monday 07/10/2024, 09:00 in Hà Nội: the dispatch arrived on Friday 04/10.
NOW = datetime.datetime(2024, 10, 7, 9, 0, tzinfo=VN)
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def dispatch(records_clerk):
    scan = check_upload(SimpleUploadedFile("Công văn 2980.pdf", PDF_BYTES, content_type="application/pdf"))
    return services.register_incoming(
        by=records_clerk,
        issuer="Sở Thông tin và Truyền thông",
        reference="2980/STTTT-TTra",
        document_date=datetime.date(2024, 10, 1),
        subject="V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước để lừa đảo",
        received_on=datetime.date(2024, 10, 4),
        files=[scan],
    )


@pytest.fixture
def lead_clerk(monitoring_unit):
    return make_user("lead-clerk", unit=monitoring_unit)


def as_user(client, user):
    client.force_login(user)
    return client


def assign_form(monitoring_unit, unit, **overrides):
    data = {
        "lead_unit": monitoring_unit.pk,
        "support_units": [unit.pk],
        "due_by": "working_days",
        "working_days": "5",
        "due_on": "",
        "instruction": "Giao Phòng Văn hóa và Thông tin tham mưu UBND huyện triển khai.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def assigned(dispatch, signer, monitoring_unit, unit, lead_clerk, clerk):
    """Assigned by the leader: the culture office leads, the commune supports, five
    working days (due Monday 14/10)."""
    lead, support = assignments.assign(
        dispatch=dispatch,
        by=signer,
        lead_unit=monitoring_unit,
        support_units=[unit],
        working_days=5,
        instruction="Giao Phòng Văn hóa và Thông tin tham mưu.",
    )
    return lead, support


def nothing_assigned(dispatch):
    assert not Assignment.objects.exists()
    assert not HandlingEvent.objects.filter(action__in=["instruct", "assign"]).exists()
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status != HandlingStatus.ASSIGNED


# --- The dispatch's handling panel -----------------------------------------------------


def test_records_clerk_presents_a_dispatch_to_a_leader(client, records_clerk, signer, dispatch):
    client = as_user(client, records_clerk)
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert 'id="present-form"' in page and 'id="assign-form"' in page

    response = client.post(
        reverse("incoming-present", args=[dispatch.pk]), {"leader": signer.pk, "note": "Kính trình anh xem."}
    )
    assert response.status_code == 302 and response["Location"] == reverse("incoming-detail", args=[dispatch.pk])
    dispatch.refresh_from_db()
    assert (dispatch.handling_status, dispatch.presented_to) == (HandlingStatus.PRESENTED, signer)
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert 'data-status="presented"' in page
    assert "Nguyễn Hùng, 07/10/2024 09:00" in page
    assert 'data-action="present"' in page and "Kính trình anh xem." in page


def test_presenting_to_someone_who_is_not_a_leader_is_refused_in_vietnamese(client, records_clerk, drafter, dispatch):
    response = as_user(client, records_clerk).post(
        reverse("incoming-present", args=[dispatch.pk]), {"leader": drafter.pk, "note": "Giữ lại ghi chú"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="page-error"' in body and "Lựa chọn" in body  # Django's "choose a valid choice", in Vietnamese
    assert "Giữ lại ghi chú" in body
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.REGISTERED


def test_leader_assigns_lead_and_support_units_in_working_days(
    client, signer, dispatch, monitoring_unit, unit, lead_clerk
):
    client = as_user(client, signer)
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    # A leader assigns in their own name: no leader to choose, and nothing to present.
    assert 'id="assign-form"' in page and 'id="present-form"' not in page and "assign_leader" not in page

    response = client.post(reverse("incoming-assign", args=[dispatch.pk]), assign_form(monitoring_unit, unit))
    assert response.status_code == 302
    lead, support = Assignment.objects.order_by("pk")
    assert (lead.unit, lead.role, lead.due_on, lead.leader) == (
        monitoring_unit,
        "lead",
        datetime.date(2024, 10, 14),
        signer,
    )
    assert (support.unit, support.role) == (unit, "support")

    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert f'id="assignment-{lead.pk}" data-role="lead"' in page
    assert f'id="assignment-{support.pk}" data-role="support"' in page
    assert "14/10/2024" in page and "Giao Phòng Văn hóa và Thông tin tham mưu UBND huyện triển khai." in page
    # Assigning again is offered, and the page says it replaces.
    assert 'id="reassign-notice"' in page


def test_records_clerk_records_a_leaders_instruction_on_a_date(
    client, records_clerk, signer, dispatch, monitoring_unit, unit
):
    response = as_user(client, records_clerk).post(
        reverse("incoming-assign", args=[dispatch.pk]),
        assign_form(monitoring_unit, unit, due_by="date", due_on="21/10/2024", working_days="3", leader=signer.pk),
    )
    assert response.status_code == 302
    lead = Assignment.objects.get(role="lead")
    # The date counts (the working days box was left filled in).
    assert (lead.due_on, lead.leader, lead.assigned_by) == (datetime.date(2024, 10, 21), signer, records_clerk)
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert 'id="handling-leader"' in page and "Nguyễn Hùng" in page


def test_assigning_again_replaces_and_keeps_the_history(client, signer, dispatch, assigned, monitoring_unit, unit):
    response = as_user(client, signer).post(
        reverse("incoming-assign", args=[dispatch.pk]),
        assign_form(unit, monitoring_unit, support_units=[], instruction="Giao UBND xã Một chủ trì."),
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(status="replaced").count() == 2
    assert list(Assignment.objects.current().values_list("unit", "role")) == [(unit.pk, "lead")]
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert page.count('data-action="replace"') == 2


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"lead_unit": ""}, "đơn vị chủ trì"),
        ({"support_units": "LEAD"}, "vừa là đơn vị phối hợp"),
        ({"due_by": "date", "due_on": "04/10/2024"}, "Hạn xử lý phải"),
        ({"due_by": "date", "due_on": "01/01/2026"}, "Hạn xử lý phải"),
        ({"due_by": "", "due_on": "21/10/2024"}, "một trong hai"),
        ({"working_days": ""}, "một trong hai"),
        ({"working_days": "0"}, "ngày làm việc"),
        ({"instruction": "   "}, "ý kiến chỉ đạo"),
        ({"lead_unit": "999999"}, "Lựa chọn"),
        ({"due_by": "date", "due_on": "32/13/2024"}, "ngày"),
    ],
)
def test_bad_assignment_input_is_a_400_in_vietnamese_and_changes_nothing(
    client, signer, dispatch, monitoring_unit, unit, overrides, words
):
    if overrides.get("support_units") == "LEAD":
        overrides = {"support_units": [unit.pk, monitoring_unit.pk]}
    data = assign_form(monitoring_unit, unit, **overrides)
    response = as_user(client, signer).post(reverse("incoming-assign", args=[dispatch.pk]), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="page-error"' in body and words in body
    # The form comes back as filled in.
    assert 'id="assign-box" open' in body
    if data.get("instruction", "").strip():
        assert data["instruction"] in body
    nothing_assigned(dispatch)


def test_records_clerk_must_name_the_leader(client, records_clerk, dispatch, monitoring_unit, unit):
    response = as_user(client, records_clerk).post(
        reverse("incoming-assign", args=[dispatch.pk]), assign_form(monitoring_unit, unit)
    )
    assert response.status_code == 400
    assert "lãnh đạo" in response.content.decode()
    nothing_assigned(dispatch)


@pytest.mark.parametrize("who", ["drafter", "monitor_drafter"])
def test_a_drafter_does_not_present_or_assign(client, request, dispatch, signer, monitoring_unit, unit, who):
    user = request.getfixturevalue("drafter") if who == "drafter" else make_user("x", role=PortalRole.DRAFTER)
    client = as_user(client, user)
    page = client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    assert 'id="assign-form"' not in page and 'id="present-form"' not in page
    response = client.post(reverse("incoming-assign", args=[dispatch.pk]), assign_form(monitoring_unit, unit))
    assert response.status_code == 403
    assert "lãnh đạo" in response.content.decode()
    response = client.post(reverse("incoming-present", args=[dispatch.pk]), {"leader": signer.pk})
    assert response.status_code == 403
    nothing_assigned(dispatch)
    assert IncomingDispatch.objects.get(pk=dispatch.pk).handling_status == HandlingStatus.REGISTERED


def test_a_unit_clerk_does_not_reach_the_dispatch_at_all(client, clerk, dispatch, signer, monitoring_unit, unit):
    client = as_user(client, clerk)
    assert client.get(reverse("incoming-detail", args=[dispatch.pk])).status_code == 404
    response = client.post(reverse("incoming-assign", args=[dispatch.pk]), assign_form(monitoring_unit, unit))
    assert response.status_code == 404
    assert client.post(reverse("incoming-present", args=[dispatch.pk]), {"leader": signer.pk}).status_code == 404
    nothing_assigned(dispatch)


def test_a_handled_dispatch_is_no_longer_assigned(
    client, signer, dispatch, assigned, lead_clerk, monitoring_unit, unit
):
    assignments.complete(assignment=assigned[0], by=lead_clerk, note="Đã tham mưu.")
    client = as_user(client, signer)
    assert 'id="assign-form"' not in client.get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    response = client.post(reverse("incoming-assign", args=[dispatch.pk]), assign_form(monitoring_unit, unit))
    assert response.status_code == 409
    assert "đã được xử lý" in response.content.decode()
    assert Assignment.objects.filter(status="done").count() == 2


def test_a_dispatch_that_does_not_exist_is_404(client, signer, monitoring_unit, unit):
    response = as_user(client, signer).post(
        reverse("incoming-assign", args=[999999]), assign_form(monitoring_unit, unit)
    )
    assert response.status_code == 404


# --- The assignment page ---------------------------------------------------------------


def test_the_assignment_page_shows_the_dispatch_the_role_and_the_other_units(client, lead_clerk, assigned, unit):
    lead, _support = assigned
    page = as_user(client, lead_clerk).get(reverse("assignment-detail", args=[lead.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-role="lead"' in body and "14/10/2024" in body
    assert "Sở Thông tin và Truyền thông" in body and "01/10/2024" in body
    assert f'data-unit="{unit.code}" data-role="support"' in body
    attachment = lead.dispatch.attachments.get()
    assert reverse("attachment-download", args=[attachment.pk]) in body
    assert 'id="note-form"' in body and 'id="complete-form"' in body


def test_due_soon_and_overdue_are_marked(client, lead_clerk, assigned, clock):
    lead, _support = assigned
    client = as_user(client, lead_clerk)
    body = client.get(reverse("assignment-detail", args=[lead.pk])).content.decode()
    assert "badge-late" not in body and "badge-soon" not in body
    # Friday 11/10: due on Monday 14/10, the next working day.
    clock.move_to(datetime.datetime(2024, 10, 11, 9, 0, tzinfo=VN))
    client.force_login(lead_clerk)
    assert "badge-soon" in client.get(reverse("assignment-detail", args=[lead.pk])).content.decode()
    clock.move_to(datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN))
    client.force_login(lead_clerk)
    body = client.get(reverse("assignment-detail", args=[lead.pk])).content.decode()
    assert "badge-late" in body and "badge-soon" not in body


def test_a_supporting_unit_adds_its_contribution(client, clerk, assigned):
    _lead, support = assigned
    client = as_user(client, clerk)
    body = client.get(reverse("assignment-detail", args=[support.pk])).content.decode()
    assert 'id="note-form"' in body and 'id="complete-form"' not in body
    response = client.post(reverse("assignment-note", args=[support.pk]), {"text": "Xã Một đã tuyên truyền trên loa."})
    assert response.status_code == 302
    event = HandlingEvent.objects.get(action="note")
    assert (event.assignment, event.actor, event.note) == (support, clerk, "Xã Một đã tuyên truyền trên loa.")
    assert (
        "Xã Một đã tuyên truyền trên loa."
        in client.get(reverse("assignment-detail", args=[support.pk])).content.decode()
    )


def test_an_empty_contribution_is_a_400_in_vietnamese(client, clerk, assigned):
    response = as_user(client, clerk).post(reverse("assignment-note", args=[assigned[1].pk]), {"text": "  "})
    assert response.status_code == 400
    assert "Hãy ghi ý kiến" in response.content.decode() or "ý kiến" in response.content.decode()
    assert not HandlingEvent.objects.filter(action="note").exists()


def test_the_lead_unit_completes_with_a_note(client, lead_clerk, signer, assigned):
    lead, support = assigned
    client = as_user(client, lead_clerk)
    response = client.post(reverse("assignment-complete", args=[lead.pk]), {"note": "Đã tham mưu văn bản chỉ đạo."})
    assert response.status_code == 302
    lead.refresh_from_db()
    support.refresh_from_db()
    assert (lead.status, support.status) == ("done", "done")
    assert IncomingDispatch.objects.get(pk=lead.dispatch_id).handling_status == HandlingStatus.DONE
    body = client.get(reverse("assignment-detail", args=[lead.pk])).content.decode()
    assert 'id="assignment-result"' in body and "Đã tham mưu văn bản chỉ đạo." in body
    assert 'id="note-form"' not in body


def test_completing_without_a_note_is_a_400_and_keeps_the_assignment_open(client, lead_clerk, assigned):
    lead, _support = assigned
    response = as_user(client, lead_clerk).post(reverse("assignment-complete", args=[lead.pk]), {"note": ""})
    assert response.status_code == 400
    assert 'id="page-error"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "assigned"


def test_a_supporting_unit_does_not_complete(client, clerk, assigned):
    _lead, support = assigned
    response = as_user(client, clerk).post(reverse("assignment-complete", args=[support.pk]), {"note": "Xong"})
    assert response.status_code == 403
    body = response.content.decode()
    assert 'id="page-error"' in body and "đơn vị chủ trì" in body
    assert not Assignment.objects.filter(status="done").exists()


@pytest.mark.parametrize("name", ["assignment-detail", "assignment-note", "assignment-complete"])
def test_another_units_assignment_is_a_404(client, other_clerk, clerk, assigned, name):
    lead, support = assigned
    method = "get" if name == "assignment-detail" else "post"
    for user, pk in [(other_clerk, lead.pk), (other_clerk, support.pk), (clerk, lead.pk)]:
        response = getattr(as_user(client, user), method)(reverse(name, args=[pk]), {"text": "x", "note": "x"})
        assert response.status_code == 404
    assert not HandlingEvent.objects.filter(action__in=["note", "complete"]).exists()


def test_issuing_a_circular_in_response_completes_it_and_the_page_links_it(
    client, lead_clerk, drafter, signer, records_clerk, communes_group, assigned
):
    lead, _support = assigned
    circular = approved_circular(drafter, signer, groups=[communes_group], in_response_to=[lead.dispatch])
    issued = services.issue(circular=circular, by=records_clerk)
    body = as_user(client, lead_clerk).get(reverse("assignment-detail", args=[lead.pk])).content.decode()
    assert 'data-status="done"' in body
    assert f'href="{reverse("circular-detail", args=[issued.pk])}" id="completed-by-circular"' in body


def test_a_lead_unit_member_who_drafts_starts_the_answer_from_the_assignment(client, monitoring_unit, assigned):
    drafting_clerk = make_user("drafting-clerk", role=PortalRole.DRAFTER, unit=monitoring_unit)
    body = as_user(client, drafting_clerk).get(reverse("assignment-detail", args=[assigned[0].pk])).content.decode()
    assert f"{reverse('circular-new')}?in_response_to={assigned[0].dispatch_id}" in body


# --- Attachments for the assigned units ------------------------------------------------


def test_assigned_units_members_download_the_dispatch_attachments(client, clerk, lead_clerk, other_clerk, assigned):
    attachment = assigned[0].dispatch.attachments.get()
    url = reverse("attachment-download", args=[attachment.pk])
    for member in (lead_clerk, clerk):
        response = as_user(client, member).get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
    assert as_user(client, other_clerk).get(url).status_code == 404


def test_a_unit_whose_assignment_was_replaced_no_longer_downloads(
    client, clerk, signer, dispatch, assigned, monitoring_unit
):
    assignments.assign(
        dispatch=dispatch, by=signer, lead_unit=monitoring_unit, working_days=5, instruction="Chỉ phòng VHTT."
    )
    attachment = dispatch.attachments.get()
    client = as_user(client, clerk)
    assert client.get(reverse("attachment-download", args=[attachment.pk])).status_code == 404
    # Its page keeps the history, and offers no link that would be refused.
    body = client.get(reverse("assignment-detail", args=[assigned[1].pk])).content.decode()
    assert 'id="replaced-notice"' in body
    assert reverse("attachment-download", args=[attachment.pk]) not in body


# --- The inbox -------------------------------------------------------------------------


def test_the_inbox_lists_the_units_open_assignments(client, clerk, lead_clerk, other_clerk, assigned):
    lead, support = assigned
    response = as_user(client, clerk).get(reverse("inbox"))
    body = response.content.decode()
    assert 'id="handling-section"' in body
    assert f'id="assignment-{support.pk}"' in body and f'id="assignment-{lead.pk}"' not in body
    assert reverse("assignment-detail", args=[support.pk]) in body and "2980/STTTT-TTra" in body
    assert 'id="handling-section"' not in as_user(client, other_clerk).get(reverse("inbox")).content.decode()


def test_the_inbox_marks_an_overdue_assignment_and_drops_a_done_one(client, lead_clerk, assigned, clock):
    lead, _support = assigned
    clock.move_to(datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN))
    client = as_user(client, lead_clerk)
    body = client.get(reverse("inbox")).content.decode()
    assert f'id="assignment-{lead.pk}" data-id="{lead.pk}" data-role="lead" class="overdue"' in body
    assert "badge-late" in body
    assignments.complete(assignment=lead, by=lead_clerk, note="Xong.")
    assert 'id="handling-section"' not in client.get(reverse("inbox")).content.decode()


def test_a_leader_finds_the_dispatches_presented_to_them(client, records_clerk, signer, dispatch):
    other_signer = make_user("signer-2", role=PortalRole.SIGNER)
    assignments.present(dispatch=dispatch, by=records_clerk, leader=signer)
    body = as_user(client, signer).get(reverse("incoming-detail", args=[dispatch.pk])).content.decode()
    # A leader belongs to no unit, but has an inbox: the dispatches presented to them.
    assert 'id="nav-inbox"' in body
    body = client.get(reverse("inbox")).content.decode()
    assert f'id="presented-{dispatch.pk}"' in body
    assert reverse("incoming-detail", args=[dispatch.pk]) in body
    assert 'id="inbox-filters"' not in body
    assert f'id="presented-{dispatch.pk}"' not in as_user(client, other_signer).get(reverse("inbox")).content.decode()


@pytest.mark.parametrize("count", [1, 4])
def test_the_inbox_queries_do_not_grow_with_assignments(
    count, client, records_clerk, signer, lead_clerk, monitoring_unit, django_assert_num_queries
):
    for n in range(count):
        other = services.register_incoming(
            by=records_clerk,
            issuer="Sở Nội vụ",
            reference=f"{n + 1}/SNV",
            document_date=datetime.date(2024, 10, 1),
            subject=f"Văn bản {n}",
            received_on=datetime.date(2024, 10, 4),
        )
        assignments.assign(
            dispatch=other, by=signer, lead_unit=monitoring_unit, working_days=5, instruction="Giao phòng VHTT."
        )
    client = as_user(client, lead_clerk)
    # The inbox's twelve (test_inbox_queries_do_not_grow_with_rows) less the page of
    # deliveries (this unit has none: the paginator reads no empty page), plus the
    # calendar of the next working days, read once for the due-soon marks: twelve, for 1
    # assignment as for 4.
    with django_assert_num_queries(12):
        response = client.get(reverse("inbox"))
    assert len(response.context["handling"]) == count


def test_the_inbox_shows_the_units_name_for_a_member_of_several(client, clerk, assigned, monitoring_unit):
    Membership.objects.create(user=clerk, unit=monitoring_unit)
    body = as_user(client, clerk).get(reverse("inbox")).content.decode()
    assert body.count('class="delivery-link assignment-link"') == 2
    assert Unit.objects.get(pk=monitoring_unit.pk).name in body


def test_the_inbox_lists_what_waits_for_the_signer_and_the_records_clerk(
    client, drafter, signer, records_clerk, communes_group, django_assert_num_queries
):
    to_sign = factories.draft_circular(drafter, signer=signer, groups=[communes_group], subject="V/v chờ ký")
    services.submit(circular=to_sign, by=drafter)
    to_issue = factories.approved_circular(drafter, signer, groups=[communes_group], subject="V/v chờ cấp số")
    to_send = factories.issued_circular(drafter, signer, records_clerk, groups=[communes_group], subject="V/v chờ gửi")
    to_present = services.register_incoming(
        by=records_clerk,
        issuer="Sở Nội vụ",
        reference="7/SNV",
        document_date=datetime.date(2024, 10, 1),
        subject="Văn bản chờ trình",
        received_on=datetime.date(2024, 10, 4),
    )
    signer_page = as_user(client, signer).get(reverse("inbox")).content.decode()
    assert f'id="todo-circular-{to_sign.pk}"' in signer_page
    assert f'id="todo-circular-{to_issue.pk}"' not in signer_page
    client.logout()
    clerk_page = as_user(client, records_clerk).get(reverse("inbox")).content.decode()
    rows = re.findall(r'<tr id="todo-(\w+-\d+)">.*?<td data-label="[^"]*">([^<]+)</td>', clerk_page, re.S)
    assert rows == [
        (f"circular-{to_issue.pk}", "Cấp số và phát hành"),
        (f"circular-{to_send.pk}", "Gửi đến các đơn vị"),
        (f"dispatch-{to_present.pk}", "Trình lãnh đạo"),
    ]
    assert reverse("incoming-new") in clerk_page
    # Someone with no unit and work waiting is not shown an empty list of deliveries.
    assert 'id="inbox-filters"' not in clerk_page
    # One query for the circulars and one for the dispatches, whatever their number.
    factories.approved_circular(drafter, signer, groups=[communes_group], subject="V/v chờ cấp số 2")
    with django_assert_num_queries(12):
        client.get(reverse("inbox"))
