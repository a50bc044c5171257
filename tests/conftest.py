"""Fixtures every test may use: a small organisation with one person of each kind.

- ``unit`` and ``other_unit`` are two communes; ``clerk``/``head`` belong to ``unit``,
  ``other_clerk`` to ``other_unit``;
- ``monitor`` works in ``monitoring_unit`` (the Culture and Information office);
- ``records_clerk``, ``drafter``, ``signer`` and ``admin_user`` hold the portal roles.
"""

import pytest
from django.core.cache import cache

from units.models import Membership, Unit, UnitGroup, User
from units.roles import PortalRole

PASSWORD = "correct-horse-42"


def pytest_configure(config):
    from django.conf import settings

    # Hashing with PBKDF2 would dominate the run time; tests are not about its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Unit tests run tasks in process; the integration tests start a real worker.
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttles count in the cache; one test's requests must not throttle the next.
    cache.clear()
    yield
    cache.clear()


def make_user(username, *, role=None, unit=None, unit_role=Membership.Role.CLERK, full_name=None):
    from django.contrib.auth.models import Group

    user = User.objects.create_user(
        username=username, password=PASSWORD, full_name=full_name or username.title(), email=f"{username}@example.vn"
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    if unit:
        Membership.objects.create(user=user, unit=unit, role=unit_role)
    return user


@pytest.fixture
def district(db):
    return Unit.objects.create(code="ubnd-huyen", name="Ủy ban nhân dân huyện", kind=Unit.Kind.PEOPLES_COMMITTEE)


@pytest.fixture
def unit(district):
    return Unit.objects.create(code="xa-mot", name="Ủy ban nhân dân xã Một", kind=Unit.Kind.COMMUNE, parent=district)


@pytest.fixture
def other_unit(district):
    return Unit.objects.create(code="xa-hai", name="Ủy ban nhân dân xã Hai", kind=Unit.Kind.COMMUNE, parent=district)


@pytest.fixture
def monitoring_unit(district):
    return Unit.objects.create(
        code="phong-vhtt-test", name="Phòng Văn hóa và Thông tin", kind=Unit.Kind.DEPARTMENT, parent=district
    )


@pytest.fixture
def communes_group(unit, other_unit):
    group = UnitGroup.objects.create(code="cac-xa", name="Ủy ban nhân dân các xã")
    group.units.set([unit, other_unit])
    return group


@pytest.fixture
def clerk(unit):
    return make_user("clerk", unit=unit, full_name="Nguyễn Văn Thư")


@pytest.fixture
def head(unit):
    return make_user("head", unit=unit, unit_role=Membership.Role.HEAD)


@pytest.fixture
def other_clerk(other_unit):
    return make_user("other-clerk", unit=other_unit)


@pytest.fixture
def monitor(monitoring_unit):
    return make_user("monitor", role=PortalRole.MONITOR, unit=monitoring_unit)


@pytest.fixture
def records_clerk(db):
    return make_user("records-clerk", role=PortalRole.RECORDS_CLERK)


@pytest.fixture
def drafter(db):
    return make_user("drafter", role=PortalRole.DRAFTER)


@pytest.fixture
def signer(db):
    return make_user("signer", role=PortalRole.SIGNER, full_name="Nguyễn Hùng")


@pytest.fixture
def admin_user(db):
    user = make_user("admin-user", role=PortalRole.ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def api_as(api):
    """An API client authenticated by token as the given user."""
    from rest_framework.authtoken.models import Token

    def login(user):
        token, _created = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return login
