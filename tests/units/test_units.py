import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from units.models import Membership, Unit

pytestmark = pytest.mark.django_db


def test_units_nest_to_any_depth(district):
    province = Unit.objects.create(code="tinh", name="UBND tỉnh", kind=Unit.Kind.PEOPLES_COMMITTEE)
    district.parent = province
    district.save()
    ward = Unit.objects.create(code="phuong", name="UBND phường", parent=district)
    hamlet = Unit.objects.create(code="to-dan-pho", name="Tổ dân phố 1", parent=ward)
    assert [u.code for u in hamlet.ancestors()] == ["phuong", "ubnd-huyen", "tinh"]


def test_a_unit_cannot_be_placed_under_its_own_descendant(district, unit):
    district.parent = unit
    with pytest.raises(ValidationError) as error:
        district.full_clean()
    assert "parent" in error.value.message_dict


def test_a_unit_cannot_be_its_own_parent_in_the_database(district):
    district.parent_id = district.id
    with pytest.raises(IntegrityError):
        district.save()


def test_one_membership_per_user_and_unit(clerk, unit):
    with pytest.raises(IntegrityError):
        Membership.objects.create(user=clerk, unit=unit, role=Membership.Role.HEAD)


def test_for_user_lists_only_the_users_units(clerk, unit, other_unit):
    assert list(Unit.objects.for_user(clerk)) == [unit]


def test_role_groups_exist_after_migrate(db):
    names = set(Group.objects.values_list("name", flat=True))
    assert {"records_clerk", "drafter", "signer", "monitor", "admin"} <= names
    admin = Group.objects.get(name="admin")
    assert admin.permissions.filter(codename="change_unit").exists()
