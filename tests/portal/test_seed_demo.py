import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from acknowledgements.models import Delivery
from circulars.models import Circular, IncomingDispatch
from signing.validation import validate
from units.models import Membership, Unit, UnitGroup, User
from units.roles import roles_of

pytestmark = pytest.mark.django_db

COMMUNES = ["xa-bac-phong", "xa-bac-son", "xa-cong-hai", "xa-loi-hai", "xa-phuoc-chien", "xa-phuoc-khang"]


def test_seed_demo_builds_the_district_of_the_seed_circular():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    district = Unit.objects.get(code="ubnd-thuan-bac")
    assert district.name == "Ủy ban nhân dân huyện Thuận Bắc"
    assert Unit.objects.get(code="phong-vhtt").name == "Phòng Văn hóa và Thông tin"
    assert set(UnitGroup.objects.get(code="ubnd-cac-xa").units.values_list("code", flat=True)) == set(COMMUNES)
    departments = UnitGroup.objects.get(code="co-quan-huyen")
    assert departments.name == "Các cơ quan, đơn vị thuộc UBND huyện"
    assert departments.units.count() == 13
    assert all(u.parent_id == district.id for u in Unit.objects.exclude(pk=district.pk))


def test_seed_demo_accounts_have_their_roles_and_the_readme_password():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    expected = {
        "vanthu": ["records_clerk"],
        "chuyenvien": ["drafter"],
        "lanhdao": ["signer"],
        "vhtt": ["monitor", "unit_clerk"],
        "admin": ["admin"],
        "xa-bac-phong": ["unit_clerk"],
        "xa-bac-phong-truong": ["unit_head"],
        "phong-vhtt-truong": ["unit_head"],
    }
    for username, roles in expected.items():
        user = User.objects.get(username=username)
        assert roles_of(user) == roles, username
        assert user.check_password("demo12345"), username
    assert Membership.objects.filter(user__username="vhtt", unit__code="phong-vhtt").exists()
    for unit in Unit.objects.all():
        assert User.objects.filter(username=unit.code, memberships__unit=unit).exists(), unit.code
        assert User.objects.filter(username=f"{unit.code}-truong", memberships__role="head").exists(), unit.code


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Unit.objects.count(), UnitGroup.objects.count(), User.objects.count(), Membership.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (Unit.objects.count(), UnitGroup.objects.count(), User.objects.count(), Membership.objects.count())
    assert counts[0] == 20


def test_seed_demo_issues_and_distributes_the_seed_circular():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    dispatch = IncomingDispatch.objects.get()
    assert (dispatch.reference, dispatch.issuer, dispatch.arrival_number) == (
        "2980/STTTT-TTra",
        "Sở Thông tin và Truyền thông",
        1,
    )
    circular = Circular.objects.get()
    assert circular.reference == "123/UBND-TH"
    assert circular.status == Circular.Status.DISTRIBUTED
    assert list(circular.in_response_to.all()) == [dispatch]
    assert circular.monitoring_unit.code == "phong-vhtt"
    assert circular.action_items.count() == 5
    assert set(circular.recipient_groups.values_list("code", flat=True)) == {"co-quan-huyen", "ubnd-cac-xa"}
    deliveries = {d.unit.code: d for d in Delivery.objects.select_related("unit")}
    assert len(deliveries) == 19
    assert deliveries["xa-bac-phong"].status == "sent"
    assert deliveries["xa-bac-son"].status == "acknowledged"
    assert deliveries["xa-cong-hai"].status == "reported"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Delivery.objects.count() == 19 and Circular.objects.count() == 1


def test_seed_circular_pdf_reads_like_the_seed_document():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    circular = Circular.objects.get()
    reader = PdfReader(io.BytesIO(circular.pdf.read()))
    text = " ".join(" ".join(page.extract_text() or "" for page in reader.pages).split())
    # The seed circular is signed (issue 14): the number and the date are form fields the
    # clerk filled at issue, drawn in the fields' appearance, not in the page's text.
    fields = reader.get_fields()
    assert (fields["number"]["/V"], fields["date"]["/V"]) == ("123", "ngày 15 tháng 10 năm 2024")
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "HUYỆN THUẬN BẮC",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: /UBND-TH",
        "Thuận Bắc,",
        "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông",
        "Kính gửi:",
        "Các cơ quan, đơn vị thuộc UBND huyện;",
        "Ủy ban nhân dân các xã.",
        "Tiếp nhận Công văn số 2980/STTTT-TTra ngày 01/10/2024",
        "Nơi nhận:",
        "Lưu VT.",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "Nguyễn Hùng",
    ]:
        assert expected in text, expected


def test_seed_circular_is_signed_by_the_signer_then_the_organisation():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    reports = validate(Circular.objects.get().pdf.read())
    assert [(report.field, report.valid, report.trusted) for report in reports] == [
        ("signer_signature", True, True),
        ("organisation_signature", True, True),
    ]
