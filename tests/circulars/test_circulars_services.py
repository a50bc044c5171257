import datetime
import hashlib

import pytest
import time_machine
from django.utils import timezone

from circulars import services
from circulars.models import Circular, CircularEvent, IncomingDispatch, NumberingRegister
from core.errors import Conflict, Forbidden, Invalid
from tests.factories import approved_circular, draft_circular, issued_circular

pytestmark = pytest.mark.django_db


def register(by, **overrides):
    fields = {
        "issuer": "Sở Thông tin và Truyền thông",
        "reference": "2980/STTTT-TTra",
        "document_date": datetime.date(2024, 10, 1),
        "subject": "V/v cảnh báo việc lợi dụng danh nghĩa công chức",
        "received_on": datetime.date(2024, 10, 3),
    }
    return services.register_incoming(by=by, **{**fields, **overrides})


def test_incoming_gets_the_next_arrival_number_of_its_year(records_clerk):
    first = register(records_clerk)
    second = register(records_clerk, reference="15/UBND-VX")
    assert (first.arrival_number, first.arrival_year) == (1, 2024)
    assert (second.arrival_number, second.arrival_year) == (2, 2024)
    assert (first.number, first.notation) == ("2980", "STTTT-TTra")


def test_arrival_numbers_restart_on_the_first_of_january(records_clerk):
    register(records_clerk, reference="1/A", received_on=datetime.date(2024, 12, 31))
    register(records_clerk, reference="2/A", received_on=datetime.date(2024, 12, 31))
    new_year = register(records_clerk, reference="3/A", received_on=datetime.date(2025, 1, 2))
    assert (new_year.arrival_number, new_year.arrival_year) == (1, 2025)


def test_the_same_dispatch_twice_is_refused_with_the_first_ones_id(records_clerk):
    first = register(records_clerk)
    with pytest.raises(Conflict) as error:
        register(records_clerk, issuer="  sở thông tin và truyền thông ")
    assert error.value.extra == {"existing_id": first.pk}
    assert IncomingDispatch.objects.count() == 1
    assert NumberingRegister.objects.get(kind="incoming", year=2024).last_number == 1


def test_only_the_records_clerk_registers(drafter, clerk):
    for user in (drafter, clerk):
        with pytest.raises(Forbidden):
            register(user)


def test_reference_without_number_is_refused(records_clerk):
    with pytest.raises(Invalid):
        register(records_clerk, reference="/STTTT")


def test_draft_body_is_sanitised(drafter, signer, district):
    circular = draft_circular(
        drafter,
        signer=signer,
        body='<p onclick="steal()">Xin <b>chào</b></p><script>alert(1)</script><img src=x onerror=alert(1)>',
    )
    assert circular.body == "<p>Xin <b>chào</b></p>"


def test_plain_text_body_becomes_paragraphs_and_lists(drafter, signer, district):
    circular = draft_circular(drafter, signer=signer, body="Đoạn một.\n\n- Việc một\n- Việc <hai>\n\nĐoạn hai.")
    assert circular.body == "<p>Đoạn một.</p><ul><li>Việc một</li><li>Việc &lt;hai&gt;</li></ul><p>Đoạn hai.</p>"


def test_lifecycle_writes_one_event_per_transition(drafter, signer, records_clerk, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    services.submit(circular=circular, by=drafter)
    services.return_to_drafter(circular=circular, by=signer, comment="Sửa trích yếu")
    services.update_draft(circular=circular, by=drafter, data={"subject": "V/v cảnh báo giả mạo (sửa)"})
    services.submit(circular=circular, by=drafter)
    services.approve(circular=circular, by=signer)
    issued = services.issue(circular=circular, by=records_clerk)
    steps = list(CircularEvent.objects.filter(circular=circular).values_list("action", "from_status", "to_status"))
    assert steps == [
        ("create", "", "draft"),
        ("submit", "draft", "submitted"),
        ("return", "submitted", "returned"),
        ("edit", "returned", "returned"),
        ("submit", "returned", "submitted"),
        ("approve", "submitted", "approved"),
        ("issue", "approved", "issued"),
    ]
    assert CircularEvent.objects.get(action="return").comment == "Sửa trích yếu"
    assert issued.status == Circular.Status.ISSUED


@pytest.mark.parametrize(
    ("step", "who"),
    [("submit", "signer"), ("approve", "drafter"), ("return", "records_clerk"), ("issue", "signer")],
)
def test_each_step_refuses_the_wrong_role(step, who, request, drafter, signer, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    if step in ("approve", "return"):
        services.submit(circular=circular, by=drafter)
    if step == "issue":
        services.submit(circular=circular, by=drafter)
        services.approve(circular=circular, by=signer)
    user = request.getfixturevalue(who)
    action = {
        "submit": lambda: services.submit(circular=circular, by=user),
        "approve": lambda: services.approve(circular=circular, by=user),
        "return": lambda: services.return_to_drafter(circular=circular, by=user, comment="x"),
        "issue": lambda: services.issue(circular=circular, by=user),
    }[step]
    before = circular.events.count()
    with pytest.raises(Forbidden):
        action()
    assert circular.events.count() == before


def test_each_step_refuses_the_wrong_state(drafter, signer, records_clerk, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    with pytest.raises(Conflict):
        services.approve(circular=circular, by=signer)
    with pytest.raises(Conflict):
        services.issue(circular=circular, by=records_clerk)
    services.submit(circular=circular, by=drafter)
    with pytest.raises(Conflict):
        services.submit(circular=circular, by=drafter)
    with pytest.raises(Conflict):
        services.update_draft(circular=circular, by=drafter, data={"subject": "khác"})


def test_return_needs_a_comment(drafter, signer, district, communes_group):
    circular = draft_circular(drafter, signer=signer, groups=[communes_group])
    services.submit(circular=circular, by=drafter)
    with pytest.raises(Invalid):
        services.return_to_drafter(circular=circular, by=signer, comment="  ")


def test_submit_needs_recipients_and_signer(drafter, signer, district, communes_group):
    no_recipients = draft_circular(drafter, signer=signer)
    with pytest.raises(Invalid):
        services.submit(circular=no_recipients, by=drafter)
    no_signer = draft_circular(drafter, signer=None, groups=[communes_group])
    with pytest.raises(Invalid):
        services.submit(circular=no_signer, by=drafter)


def test_issue_numbers_dates_renders_and_freezes(drafter, signer, records_clerk, district, communes_group):
    district.place_name = "Thuận Bắc"
    district.save()
    with time_machine.travel(datetime.datetime(2024, 10, 15, 9, 0, tzinfo=datetime.UTC), tick=False):
        circular = issued_circular(drafter, signer, records_clerk, groups=[communes_group])
    assert circular.number == 1
    assert circular.reference == "1/UBND-TH"
    assert circular.issued_on == datetime.date(2024, 10, 15)
    data = circular.pdf.read()
    assert data.startswith(b"%PDF-")
    assert hashlib.sha256(data).hexdigest() == circular.sha256
    assert len(circular.verification_code) == 9
    with pytest.raises(Conflict):
        services.update_draft(circular=circular, by=drafter, data={"subject": "đổi"})


def test_numbers_are_consecutive_and_restart_each_year(drafter, signer, records_clerk, district, communes_group):
    kwargs = {"groups": [communes_group]}
    a = issued_circular(drafter, signer, records_clerk, issued_on=datetime.date(2024, 12, 30), **kwargs)
    b = issued_circular(drafter, signer, records_clerk, issued_on=datetime.date(2024, 12, 31), **kwargs)
    c = issued_circular(drafter, signer, records_clerk, issued_on=datetime.date(2025, 1, 2), **kwargs)
    assert [(x.issued_year, x.number) for x in (a, b, c)] == [(2024, 1), (2024, 2), (2025, 1)]


def test_issue_date_cannot_be_in_the_future(drafter, signer, records_clerk, district, communes_group):
    circular = approved_circular(drafter, signer, groups=[communes_group])
    with pytest.raises(Invalid):
        services.issue(circular=circular, by=records_clerk, issued_on=timezone.localdate() + datetime.timedelta(days=2))
    circular.refresh_from_db()
    assert circular.status == Circular.Status.APPROVED and circular.number is None


def test_a_failed_issue_leaves_no_gap(drafter, signer, records_clerk, district, communes_group):
    issued_circular(drafter, signer, records_clerk, issued_on=datetime.date(2024, 10, 15), groups=[communes_group])
    with time_machine.travel(datetime.datetime(2024, 10, 16, 9, 0, tzinfo=datetime.UTC), tick=False):
        with time_machine.travel(datetime.datetime(2024, 10, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
            late = approved_circular(drafter, signer, groups=[communes_group])  # signed on 01/10
        # Dated before the last issued circular of the year: refused after the number was taken.
        with pytest.raises(Invalid):
            services.issue(circular=late, by=records_clerk, issued_on=datetime.date(2024, 10, 1))
        late.refresh_from_db()
        assert late.number is None and late.status == Circular.Status.APPROVED
        assert NumberingRegister.objects.get(kind="outgoing", year=2024).last_number == 1
        again = services.issue(circular=late, by=records_clerk, issued_on=datetime.date(2024, 10, 16))
    assert again.number == 2


def test_search_ignores_diacritics_and_case(drafter, signer, district):
    wanted = draft_circular(drafter, signer=signer, subject="V/v cảnh báo việc GIẢ MẠO công chức")
    draft_circular(drafter, signer=signer, subject="V/v tổ chức hội nghị")
    assert list(Circular.objects.search("canh bao gia mao")) == [wanted]
    assert list(Circular.objects.search("Cảnh Báo")) == [wanted]
    assert list(Circular.objects.search("thong bao den can bo")) != []  # from the body


def test_withdraw(drafter, signer, records_clerk, district, communes_group):
    circular = issued_circular(drafter, signer, records_clerk, groups=[communes_group])
    with pytest.raises(Forbidden):
        services.withdraw(circular=circular, by=drafter, reason="nhầm")
    # An issued circular is recalled (acknowledgements.services.recall), not withdrawn.
    with pytest.raises(Conflict):
        services.withdraw(circular=circular, by=signer, reason="Ban hành nhầm")
    draft = draft_circular(drafter, signer=signer, groups=[communes_group])
    assert services.withdraw(circular=draft, by=drafter, reason="Không cần").status == Circular.Status.WITHDRAWN
    with pytest.raises(Conflict):
        services.withdraw(circular=draft, by=drafter)
