import pytest
from django.core.management import call_command

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
