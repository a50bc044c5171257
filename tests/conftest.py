"""Fixtures every test may use: a small organisation with one person of each kind, and
one circular sent to it.

- ``unit`` and ``other_unit`` are two communes; ``clerk``/``head`` belong to ``unit``,
  ``other_clerk`` to ``other_unit``;
- ``monitor`` works in ``monitoring_unit`` (the Culture and Information office);
- ``records_clerk``, ``drafter``, ``signer`` and ``admin_user`` hold the portal roles;
- ``issued`` is a circular issued on Tuesday 15/10/2024 to the communes; ``circular`` is
  the same once distributed, ``delivery`` and ``other_delivery`` what each commune got;
- ``next_morning`` sets the clock to the morning after the distribution;
- ``media_root``: every test writes its files (and demo key files) to a folder of its own.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from acknowledgements import services
from acknowledgements.models import Delivery
from portal.celery import app
from tests.factories import issued_circular
from units.models import Membership, Unit, UnitGroup, User
from units.roles import PortalRole

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
# A Tuesday: with the default two working days, acknowledgements are due Thursday 17/10.
ISSUED_ON = datetime.date(2024, 10, 15)
REPORT_DUE_ON = datetime.date(2024, 10, 31)
DISTRIBUTED_AT = datetime.datetime(2024, 10, 15, 10, 0, tzinfo=VN)
NEXT_MORNING = datetime.datetime(2024, 10, 16, 9, 0, tzinfo=VN)
PASSWORD = "correct-horse-42"


def pytest_configure(config):
    # Hashing with PBKDF2 would dominate the run time; tests are not about its strength.
    django_settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Unit tests run tasks in process; the integration tests start a real worker.
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture(autouse=True)
def _clear_cache():
    # Throttles count in the cache; one test's requests must not throttle the next.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploads, issued PDFs and evidence of each test go to a folder of its own, never to
    var/media. A module whose objects outlive one test overrides this fixture."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The demo PKI's key files too (seed_demo makes them), never var/signing.
    settings.SIGNING_DEMO_DIR = tmp_path / "signing"
    return settings.MEDIA_ROOT


@pytest.fixture
def next_morning():
    """The clock at Wednesday 16/10/2024 09:00, the morning after ``circular`` was
    distributed, and running: acknowledgements are due tomorrow, reports on 31/10, nobody
    is late yet. For pages that show how late things are."""
    with time_machine.travel(NEXT_MORNING):
        yield NEXT_MORNING


def make_user(username, *, role=None, unit=None, unit_role=Membership.Role.CLERK, full_name=None):
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
    return APIClient()


@pytest.fixture
def api_as(api):
    """An API client authenticated by token as the given user."""

    def login(user):
        token, _created = Token.objects.get_or_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return api

    return login


@pytest.fixture
def issued(drafter, signer, records_clerk, communes_group, monitoring_unit, clerk, head, other_clerk, monitor):
    """A circular issued on Tuesday 15/10/2024 to the communes, whose people exist already,
    followed by the monitoring office: acknowledgement due Thursday 17/10, report by
    31/10. Not distributed yet."""
    return issued_circular(
        drafter,
        signer,
        records_clerk,
        groups=[communes_group],
        monitoring_unit=monitoring_unit,
        issued_on=ISSUED_ON,
        report_due_on=REPORT_DUE_ON,
    )


@pytest.fixture
def circular(issued, records_clerk):
    """``issued``, distributed at 10:00 the same day: one delivery per commune, every
    member told in the portal, their emails queued in the outbox (sent on commit, so
    never inside a test's transaction unless the test sends them)."""
    with time_machine.travel(DISTRIBUTED_AT, tick=False):
        services.distribute(circular=issued, by=records_clerk)
    issued.refresh_from_db()
    return issued


@pytest.fixture
def delivery(circular, unit):
    return Delivery.objects.get(circular=circular, unit=unit)


@pytest.fixture
def other_delivery(circular, other_unit):
    return Delivery.objects.get(circular=circular, unit=other_unit)
