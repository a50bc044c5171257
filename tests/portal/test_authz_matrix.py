"""The authorization matrix: every route of the URLconf × every kind of user.

The routes come from ``get_resolver()``: a route added to the URLconf and missing from
``MATRIX`` fails ``test_every_route_is_in_the_matrix`` until someone decides who may use
it; an entry whose route is gone fails too. Each entry names the method, the object its
URL points at (in ``world``, built once for the module) and the answer each user gets:

- anonymous: ``LOGIN`` (a redirect to the login page) for pages, 401 for the API, the
  page itself for the few public addresses (login, health, verification, one-click link);
- someone who may not know the object exists (another unit's delivery, a circular not
  sent to their unit): 404;
- someone who may read it but not do this: 403; the right person in the wrong state: 409;
- the right person in the right state: 200/201 for the API, a 302 or the page for pages.

Every case runs inside a savepoint that is rolled back, so a case that succeeds (a
circular issued, a delivery acknowledged) leaves the world as it was for the next one.
"""

import dataclasses
import datetime
import json
import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from rest_framework.authtoken.models import Token

from acknowledgements import assignments as handling
from acknowledgements import links
from acknowledgements import services as ack_services
from acknowledgements.models import Delivery, Evidence, Notification
from circulars import services
from core.uploads import ATTACHMENT_KINDS, EVIDENCE_KINDS, check_upload
from tests.conftest import PASSWORD, make_user
from tests.factories import approved_circular, draft_circular, issued_circular
from units.models import Membership, Unit, UnitGroup
from units.roles import PortalRole

pytestmark = pytest.mark.django_db

PDF_BYTES = b"%PDF-1.4\n%%EOF\n"
ROLES = ("anonymous", "records_clerk", "drafter", "signer", "monitor", "admin", "clerk", "other_clerk")
LOGIN = "login"  # anonymous: 302 to the login page
ADMIN_LOGIN = "admin-login"  # 302 to the admin's login page


def expect(*answers) -> dict:
    """One answer per role, in the order of ROLES."""
    assert len(answers) == len(ROLES)
    return dict(zip(ROLES, answers, strict=True))


# --- The world every case looks at ----------------------------------------------------


def pdf(name="van-ban.pdf"):
    return SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")


def items_of(circular, status="done") -> list[dict]:
    return [{"action_item": a.pk, "status": status, "note": ""} for a in circular.action_items.all()]


def build_world() -> SimpleNamespace:
    """The same people as tests/conftest.py, and one object in each state that matters:

    - ``circular``: distributed to ``unit`` and ``other_unit``; ``delivery`` (unit) has a
      submitted ``report`` with ``evidence``; ``other_delivery`` (other_unit) has an
      ``accepted_report``;
    - ``fresh``: distributed to ``unit`` only; ``sent_delivery`` still waits for the unit;
    - ``draft``, ``submitted``, ``approved``, ``issued`` (not distributed), ``withdrawn``:
      circulars in those states, all followed by ``monitoring_unit``;
    - ``incoming`` with an ``attachment``; ``handled``, another dispatch, assigned to
      ``unit`` (``lead_assignment``) and ``monitoring_unit`` (``support_assignment``);
      ``notification``: one of the clerk's;
      ``token``: the clerk's one-click link for ``sent_delivery``.
    """
    w = SimpleNamespace()
    w.district = Unit.objects.create(code="ubnd-huyen", name="Ủy ban nhân dân huyện", kind=Unit.Kind.PEOPLES_COMMITTEE)
    w.unit = Unit.objects.create(
        code="xa-mot", name="Ủy ban nhân dân xã Một", kind=Unit.Kind.COMMUNE, parent=w.district
    )
    w.other_unit = Unit.objects.create(
        code="xa-hai", name="Ủy ban nhân dân xã Hai", kind=Unit.Kind.COMMUNE, parent=w.district
    )
    w.monitoring_unit = Unit.objects.create(
        code="phong-vhtt-test", name="Phòng Văn hóa và Thông tin", kind=Unit.Kind.DEPARTMENT, parent=w.district
    )
    w.communes = UnitGroup.objects.create(code="cac-xa", name="Ủy ban nhân dân các xã")
    w.communes.units.set([w.unit, w.other_unit])

    w.users = {
        "clerk": make_user("clerk", unit=w.unit, full_name="Nguyễn Văn Thư"),
        "other_clerk": make_user("other-clerk", unit=w.other_unit),
        "monitor": make_user("monitor", role=PortalRole.MONITOR, unit=w.monitoring_unit),
        "records_clerk": make_user("records-clerk", role=PortalRole.RECORDS_CLERK),
        "drafter": make_user("drafter", role=PortalRole.DRAFTER),
        "signer": make_user("signer", role=PortalRole.SIGNER, full_name="Nguyễn Hùng"),
        "admin": make_user("admin-user", role=PortalRole.ADMIN),
    }
    make_user("head", unit=w.unit, unit_role=Membership.Role.HEAD)
    admin = w.users["admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    w.tokens = {role: Token.objects.create(user=user).key for role, user in w.users.items()}
    drafter, signer, records_clerk = w.users["drafter"], w.users["signer"], w.users["records_clerk"]
    clerk, other_clerk, monitor = w.users["clerk"], w.users["other_clerk"], w.users["monitor"]

    w.incoming = services.register_incoming(
        by=records_clerk,
        issuer="Sở Thông tin và Truyền thông",
        reference="2980/STTTT-TTra",
        document_date=timezone.localdate() - datetime.timedelta(days=3),
        subject="V/v cảnh báo việc lợi dụng danh nghĩa cơ quan nhà nước",
        files=[check_upload(pdf("cong-van-den.pdf"), allowed=ATTACHMENT_KINDS)],
    )
    w.attachment = w.incoming.attachments.get()

    common = {"monitoring_unit": w.monitoring_unit, "report_due_on": timezone.localdate() + datetime.timedelta(days=20)}
    w.circular = issued_circular(drafter, signer, records_clerk, groups=[w.communes], **common)
    ack_services.distribute(circular=w.circular, by=records_clerk)
    w.delivery = Delivery.objects.get(circular=w.circular, unit=w.unit)
    w.other_delivery = Delivery.objects.get(circular=w.circular, unit=w.other_unit)
    w.report = ack_services.submit_report(
        delivery=w.delivery,
        by=clerk,
        summary="Đã thông báo đến toàn thể cán bộ.",
        items=items_of(w.circular),
        files=[check_upload(pdf("bao-cao.pdf"), allowed=EVIDENCE_KINDS)],
    )
    w.evidence = Evidence.objects.get(report=w.report)
    other_report = ack_services.submit_report(
        delivery=w.other_delivery, by=other_clerk, summary="Đã thực hiện.", items=items_of(w.circular)
    )
    w.accepted_report = ack_services.accept_report(report=other_report, by=monitor)

    w.fresh = issued_circular(drafter, signer, records_clerk, units=[w.unit], subject="V/v mới", **common)
    ack_services.distribute(circular=w.fresh, by=records_clerk)
    w.sent_delivery = Delivery.objects.get(circular=w.fresh)

    w.draft = draft_circular(drafter, signer=signer, groups=[w.communes], subject="V/v dự thảo", **common)
    w.submitted = draft_circular(drafter, signer=signer, groups=[w.communes], subject="V/v chờ ký", **common)
    services.submit(circular=w.submitted, by=drafter)
    w.approved = approved_circular(drafter, signer, groups=[w.communes], subject="V/v đã duyệt", **common)
    w.issued = issued_circular(drafter, signer, records_clerk, groups=[w.communes], subject="V/v đã ban hành", **common)
    w.withdrawn = draft_circular(drafter, signer=signer, groups=[w.communes], subject="V/v thu hồi", **common)
    services.withdraw(circular=w.withdrawn, by=drafter, reason="Không ban hành nữa")

    w.handled = services.register_incoming(
        by=records_clerk,
        issuer="Sở Nội vụ",
        reference="15/SNV",
        document_date=timezone.localdate() - datetime.timedelta(days=3),
        subject="V/v giao xử lý",
    )
    w.lead_assignment, w.support_assignment = handling.assign(
        dispatch=w.handled,
        by=signer,
        lead_unit=w.unit,
        support_units=[w.monitoring_unit],
        working_days=5,
        instruction="Giao xã Một chủ trì.",
    )

    w.notification = Notification.objects.filter(user=clerk).order_by("id").first()
    w.token = links.make_ack_token(user_id=clerk.pk, delivery_id=w.sent_delivery.pk)
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """Built once, inside a transaction that is rolled back after the module's last case:
    each case's own savepoint (pytest-django's) undoes whatever that case changed."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        world = build_world()
        world.media_root = media
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def media_root(world):
    """The world's files stay in the module's folder, where it wrote them, rather than in
    a folder of each case's own."""
    return world.media_root


@pytest.fixture(autouse=True)
def _no_broker(settings):
    # /healthz asks the broker when one is configured; the matrix is about who may ask.
    settings.CELERY_BROKER_URL = ""


# --- The matrix -------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Case:
    route: str
    method: str
    expect: dict
    on: str = ""  # the world's object whose pk fills <pk> (and the label of the case)
    kwargs: Callable | None = None  # other URL kwargs, from the world
    data: Callable | None = None  # the body, from the world
    query: str = ""
    headers: dict = dataclasses.field(default_factory=dict)
    known_bug: str = ""  # the roles this case lets through fail for this reason (xfail, strict)

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.route}" + (f" [{self.on}]" if self.on else "")


def report_form(w, circular_attr="fresh"):
    circular = getattr(w, circular_attr)
    data = {"summary": "Đã thông báo."}
    for item in circular.action_items.all():
        data[f"item-{item.pk}-status"] = "done"
        data[f"item-{item.pk}-note"] = ""
    return data


def today_text():
    return timezone.localdate().strftime("%d/%m/%Y")


def incoming_form(w):
    return {
        "issuer": "Sở Nội vụ",
        "reference": "15/SNV-VP",
        "document_date": today_text(),
        "document_type": "cong_van",
        "subject": "V/v thử quyền",
        "urgency": "normal",
        "received_on": today_text(),
    }


def circular_form(w):
    return {
        "document_type": "cong_van",
        "subject": "V/v thử quyền",
        "body": "Nội dung.",
        "recipient_groups": [w.communes.pk],
        "ack_due_working_days": 2,
        "urgency": "normal",
        "signer": w.users["signer"].pk,
        "signer_title": "CHỦ TỊCH",
        "notation": "UBND-TH",
    }


def api_items(w, circular_attr="fresh"):
    return {"summary": "Đã thông báo.", "items": items_of(getattr(w, circular_attr))}


CHASE_NOTHING_BUG = (
    "chasing.chase_now() builds an INSERT … SELECT from pk__in=[] when no chosen unit owes "
    "anything: Django raises EmptyResultSet and the page and the API answer 500"
)

# Columns: anonymous, records_clerk, drafter, signer, monitor, admin, clerk, other_clerk.
# ``clerk`` belongs to the unit that received every distributed circular; ``other_clerk``
# to the unit that received ``circular`` only; ``monitor`` to the monitoring unit of all.
#                   anon   rc    draf  sign  mon   admin clerk other
PUBLIC_200 = expect(200, 200, 200, 200, 200, 200, 200, 200)
ALL_PAGES = expect(LOGIN, 200, 200, 200, 200, 200, 200, 200)
ALL_API = expect(401, 200, 200, 200, 200, 200, 200, 200)
REGISTER_PAGE = expect(LOGIN, 200, 200, 200, 404, 200, 404, 404)
UNIT_REGISTER_PAGE = expect(LOGIN, 200, 404, 200, 200, 200, 200, 404)
UNIT_REGISTER_API = expect(401, 200, 404, 200, 200, 200, 200, 404)
DASHBOARD_PAGE = expect(LOGIN, 403, 403, 200, 200, 200, 403, 403)
DASHBOARD_API = expect(401, 403, 403, 200, 200, 200, 403, 403)
# A circular every role may read (it reached both units).
MONITORED_PAGE = expect(LOGIN, 403, 403, 200, 200, 200, 403, 403)
MONITORED_API = expect(401, 403, 403, 200, 200, 200, 403, 403)
# ``fresh`` reached the clerk's unit only: the other clerk may not know it exists.
MONITORED_FRESH_PAGE = expect(LOGIN, 403, 403, 200, 200, 200, 403, 404)
MONITORED_FRESH_API = expect(401, 403, 403, 200, 200, 200, 403, 404)
# A circular's deliveries: its monitors, and the records clerk who distributes it, on the
# page and in the API alike (circulars.policy.may_follow).
DELIVERIES_PAGE = expect(LOGIN, 200, 403, 200, 200, 200, 403, 403)
DELIVERIES_API = expect(401, 200, 403, 200, 200, 200, 403, 403)
DELIVERIES_FRESH_PAGE = expect(LOGIN, 200, 403, 200, 200, 200, 403, 404)
DELIVERIES_FRESH_API = expect(401, 200, 403, 200, 200, 200, 403, 404)


HANDLING_PRESENT_PAGE = expect(LOGIN, 302, 403, 403, 404, 302, 404, 404)
HANDLING_ASSIGN_PAGE = expect(LOGIN, 302, 403, 302, 404, 302, 404, 404)


def present_form(w):
    return {"leader": w.users["signer"].pk}


def assign_form(w):
    # "leader" is for whoever records a leader's instruction; a leader's own form has none.
    return {
        "lead_unit": w.unit.pk,
        "due_by": "working_days",
        "working_days": 5,
        "instruction": "Giao xã Một.",
        "leader": w.users["signer"].pk,
    }


MATRIX: list[Case] = [
    # --- Portal, sign-in, language ---------------------------------------------------
    Case("", "get", ALL_PAGES),
    # Where login leads: a redirect to each one's work (tests/portal/test_landing.py).
    Case("start/", "get", expect(LOGIN, 302, 302, 302, 302, 302, 302, 302)),
    Case("healthz", "get", PUBLIC_200),
    Case("login/", "get", expect(200, 302, 302, 302, 302, 302, 302, 302)),
    # Logging out leads to the login page too.
    Case("logout/", "post", expect(LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN)),
    Case("password/", "get", ALL_PAGES),
    Case("password/done/", "get", ALL_PAGES),
    # Not public (see the report of the footer's language switch on the public pages).
    # Public: the language buttons are on the login and verification pages too.
    Case("i18n/setlang/", "post", expect(302, 302, 302, 302, 302, 302, 302, 302), data=lambda w: {"language": "vi"}),
    Case(
        "admin/",
        "get",
        expect(ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, 200, ADMIN_LOGIN, ADMIN_LOGIN),
    ),
    # --- Incoming register -----------------------------------------------------------
    Case("incoming/", "get", REGISTER_PAGE),
    Case("incoming/new/", "get", expect(LOGIN, 200, 403, 403, 404, 200, 404, 404)),
    Case("incoming/new/", "post", expect(LOGIN, 302, 403, 403, 404, 302, 404, 404), data=incoming_form),
    Case("incoming/export.xlsx", "get", REGISTER_PAGE),
    Case("incoming/print.pdf", "get", REGISTER_PAGE),
    # The outgoing register is the same office's book: read by whoever reads the incoming one.
    Case("outgoing/", "get", REGISTER_PAGE),
    Case("outgoing/export.xlsx", "get", REGISTER_PAGE),
    Case("outgoing/print.pdf", "get", REGISTER_PAGE),
    Case("incoming/<int:pk>/", "get", REGISTER_PAGE, on="incoming"),
    Case("attachments/<int:pk>/", "get", REGISTER_PAGE, on="attachment"),
    # --- Handling of incoming dispatches: the records clerk presents, a leader (or the
    # records clerk on a leader's instruction) assigns; ``handled`` is assigned to the
    # clerk's unit (lead) and the monitor's (support). Staff read an assignment, only its
    # unit acts on it, and the lead unit alone completes it.
    Case("incoming/<int:pk>/present/", "post", HANDLING_PRESENT_PAGE, on="incoming", data=present_form),
    Case("incoming/<int:pk>/assign/", "post", HANDLING_ASSIGN_PAGE, on="incoming", data=assign_form),
    Case("assignments/<int:pk>/", "get", expect(LOGIN, 200, 200, 200, 404, 200, 200, 404), on="lead_assignment"),
    Case(
        "assignments/<int:pk>/notes/",
        "post",
        expect(LOGIN, 403, 403, 403, 404, 403, 302, 404),
        on="lead_assignment",
        data=lambda w: {"text": "Ý kiến"},
    ),
    Case(
        "assignments/<int:pk>/complete/",
        "post",
        expect(LOGIN, 403, 403, 403, 404, 403, 302, 404),
        on="lead_assignment",
        data=lambda w: {"note": "Đã xử lý"},
    ),
    Case(
        "assignments/<int:pk>/complete/",
        "post",
        expect(LOGIN, 403, 403, 403, 403, 403, 404, 404),
        on="support_assignment",
        data=lambda w: {"note": "Đã xử lý"},
    ),
    Case("registers/", "get", expect(LOGIN, 403, 403, 403, 403, 200, 403, 403)),
    Case(
        "registers/<str:kind>/restart",
        "post",
        expect(LOGIN, 403, 403, 403, 403, 302, 403, 403),
        kwargs=lambda w: {"kind": "incoming"},
        data=lambda w: {"incoming-start_at": "900"},
    ),
    Case(
        "calendar/no-swaps",
        "post",
        expect(LOGIN, 403, 403, 403, 403, 302, 403, 403),
        data=lambda w: {"year": str(timezone.localdate().year)},
    ),
    # --- Circulars: reading ----------------------------------------------------------
    Case("circulars/", "get", ALL_PAGES),
    Case("circulars/<int:pk>/", "get", ALL_PAGES, on="circular"),
    Case("circulars/<int:pk>/", "get", expect(LOGIN, 200, 200, 200, 200, 200, 200, 404), on="fresh"),
    Case("circulars/<int:pk>/", "get", expect(LOGIN, 200, 200, 200, 200, 200, 404, 404), on="draft"),
    Case("circulars/<int:pk>/pdf", "get", ALL_PAGES, on="circular"),
    Case("circulars/<int:pk>/pdf", "get", expect(LOGIN, 200, 200, 200, 200, 200, 200, 404), on="fresh"),
    # --- Circulars: drafting and the signing lifecycle --------------------------------
    Case("circulars/new/", "get", expect(LOGIN, 403, 200, 403, 403, 200, 403, 403)),
    Case("circulars/new/", "post", expect(LOGIN, 403, 302, 403, 403, 302, 403, 403), data=circular_form),
    Case("circulars/<int:pk>/edit/", "get", expect(LOGIN, 403, 200, 403, 403, 200, 404, 404), on="draft"),
    Case("circulars/<int:pk>/edit/", "get", expect(LOGIN, 403, 409, 403, 403, 409, 403, 403), on="circular"),
    Case(
        "circulars/<int:pk>/edit/",
        "post",
        expect(LOGIN, 403, 302, 403, 403, 302, 404, 404),
        on="draft",
        data=circular_form,
    ),
    Case("circulars/<int:pk>/submit", "post", expect(LOGIN, 403, 302, 403, 403, 302, 404, 404), on="draft"),
    Case("circulars/<int:pk>/submit", "post", expect(LOGIN, 403, 409, 403, 403, 409, 404, 404), on="submitted"),
    # Approving and returning are the signer's alone, not the administrator's.
    Case("circulars/<int:pk>/approve", "post", expect(LOGIN, 403, 403, 302, 403, 403, 404, 404), on="submitted"),
    Case("circulars/<int:pk>/approve", "post", expect(LOGIN, 403, 403, 409, 403, 403, 404, 404), on="draft"),
    Case(
        "circulars/<int:pk>/return",
        "post",
        expect(LOGIN, 403, 403, 302, 403, 403, 404, 404),
        on="submitted",
        data=lambda w: {"return-comment": "Sửa lại trích yếu"},
    ),
    Case(
        "circulars/<int:pk>/return",
        "post",
        expect(LOGIN, 403, 403, 409, 403, 403, 404, 404),
        on="draft",
        data=lambda w: {"return-comment": "Sửa lại trích yếu"},
    ),
    Case("circulars/<int:pk>/issue", "post", expect(LOGIN, 302, 403, 403, 403, 302, 404, 404), on="approved"),
    # Signing elsewhere: whoever reads the circular downloads the approved draft; only the
    # signer hands in a signed one (this file is no signed draft: 400 with the reason).
    Case("circulars/<int:pk>/approved-draft", "get", expect(LOGIN, 200, 200, 200, 200, 200, 404, 404), on="approved"),
    Case(
        "circulars/<int:pk>/signed-draft",
        "post",
        expect(LOGIN, 403, 403, 400, 403, 403, 404, 404),
        on="approved",
        data=lambda w: {"signed_draft-file": pdf()},
    ),
    Case("circulars/<int:pk>/issue", "post", expect(LOGIN, 409, 403, 403, 403, 409, 404, 404), on="submitted"),
    Case(
        "circulars/<int:pk>/withdraw",
        "post",
        expect(LOGIN, 403, 302, 302, 403, 302, 404, 404),
        on="draft",
        data=lambda w: {"withdraw-reason": "Không cần nữa"},
    ),
    # An issued circular is withdrawn by a signer or the administrator only.
    Case(
        "circulars/<int:pk>/withdraw",
        "post",
        expect(LOGIN, 403, 403, 302, 403, 302, 403, 403),
        on="circular",
        data=lambda w: {"withdraw-reason": "Ban hành nhầm"},
    ),
    Case(
        "circulars/<int:pk>/withdraw",
        "post",
        expect(LOGIN, 403, 409, 409, 403, 409, 404, 404),
        on="withdrawn",
        data=lambda w: {"withdraw-reason": "Lần nữa"},
    ),
    # Recall (thu hồi): the circular's own signer or the administrator, with a reason.
    Case(
        "circulars/<int:pk>/recall",
        "post",
        expect(LOGIN, 403, 403, 302, 403, 302, 403, 403),
        on="circular",
        data=lambda w: {"recall-reason": "Ban hành nhầm"},
    ),
    Case(
        "circulars/<int:pk>/recall",
        "post",
        expect(LOGIN, 403, 403, 409, 403, 409, 404, 404),
        on="draft",
        data=lambda w: {"recall-reason": "Ban hành nhầm"},
    ),
    # --- Distribution and the monitoring page -----------------------------------------
    Case("circulars/<int:pk>/distribute", "post", expect(LOGIN, 302, 403, 403, 403, 302, 404, 404), on="issued"),
    Case("circulars/<int:pk>/distribute", "post", expect(LOGIN, 409, 403, 403, 403, 409, 404, 404), on="draft"),
    # Records clerks open the page to distribute; drafters and units do not.
    Case("circulars/<int:pk>/deliveries/", "get", DELIVERIES_PAGE, on="circular"),
    Case("circulars/<int:pk>/deliveries/", "get", DELIVERIES_FRESH_PAGE, on="fresh"),
    # Chasing is the monitoring office's (and the administrator's), not the signer's.
    Case(
        "circulars/<int:pk>/chase",
        "post",
        expect(LOGIN, 403, 403, 403, 302, 302, 403, 404),
        on="fresh",
        data=lambda w: {"units": [w.unit.pk]},
    ),
    # The only unit asked for has reported already: nothing to chase, which is no error.
    Case(
        "circulars/<int:pk>/chase",
        "post",
        expect(LOGIN, 403, 403, 403, 302, 302, 403, 403),
        on="circular",
        data=lambda w: {"units": [w.unit.pk]},
    ),
    Case(
        "circulars/<int:pk>/deliveries/<int:delivery_pk>/report",
        "get",
        MONITORED_PAGE,
        on="circular",
        kwargs=lambda w: {"delivery_pk": w.delivery.pk},
        headers={"HX-Request": "true"},
    ),
    Case("circulars/<int:pk>/export.xlsx", "get", MONITORED_PAGE, on="circular"),
    Case("circulars/<int:pk>/export.csv", "get", MONITORED_PAGE, on="circular"),
    Case("circulars/<int:pk>/export.csv", "get", MONITORED_FRESH_PAGE, on="fresh"),
    Case("circulars/<int:pk>/report.pdf", "get", MONITORED_PAGE, on="circular"),
    # --- Dashboard ---------------------------------------------------------------------
    Case("dashboard/", "get", DASHBOARD_PAGE),
    Case("dashboard/units/", "get", DASHBOARD_PAGE),
    Case("dashboard/units/export.xlsx", "get", DASHBOARD_PAGE),
    Case("dashboard/units/export.csv", "get", DASHBOARD_PAGE),
    Case("dashboard/incoming/", "get", DASHBOARD_PAGE),
    Case("dashboard/incoming/export.xlsx", "get", DASHBOARD_PAGE),
    # --- A unit's deliveries -----------------------------------------------------------
    Case("inbox/", "get", ALL_PAGES),
    # Each unit's own incoming register: its members, and whoever follows every unit (the
    # monitoring office, records clerks, signers, administrators); a member of one unit is
    # sent to its register, the others choose; anyone else: 404.
    Case("unit-register/", "get", expect(LOGIN, 200, 404, 200, 200, 200, 302, 302)),
    Case("units/<slug:key>/register/", "get", UNIT_REGISTER_PAGE, kwargs=lambda w: {"key": w.unit.code}),
    Case("units/<slug:key>/register/export.xlsx", "get", UNIT_REGISTER_PAGE, kwargs=lambda w: {"key": w.unit.code}),
    Case("units/<slug:key>/register/print.pdf", "get", UNIT_REGISTER_PAGE, kwargs=lambda w: {"key": w.unit.code}),
    # Records clerks and drafters read circulars, not what units did with them.
    Case("deliveries/<int:pk>/", "get", expect(LOGIN, 404, 404, 200, 200, 200, 200, 404), on="delivery"),
    Case("deliveries/<int:pk>/", "get", expect(LOGIN, 404, 404, 200, 200, 200, 404, 200), on="other_delivery"),
    Case(
        "deliveries/<int:pk>/acknowledge", "post", expect(LOGIN, 404, 404, 403, 403, 403, 302, 404), on="sent_delivery"
    ),
    # Acknowledging again is harmless: the same page, no second event.
    Case("deliveries/<int:pk>/acknowledge", "post", expect(LOGIN, 404, 404, 403, 403, 403, 302, 404), on="delivery"),
    Case(
        "deliveries/<int:pk>/refuse",
        "post",
        expect(LOGIN, 404, 404, 403, 403, 403, 302, 404),
        on="sent_delivery",
        data=lambda w: {"reason": "Không phải của xã"},
    ),
    Case(
        "deliveries/<int:pk>/refuse",
        "post",
        expect(LOGIN, 404, 404, 403, 403, 403, 409, 404),
        on="delivery",
        data=lambda w: {"reason": "Không phải của xã"},
    ),
    Case("deliveries/<int:pk>/report/", "get", expect(LOGIN, 404, 404, 403, 403, 403, 200, 404), on="sent_delivery"),
    Case("deliveries/<int:pk>/report/", "get", expect(LOGIN, 404, 404, 403, 403, 403, 409, 404), on="delivery"),
    Case(
        "deliveries/<int:pk>/report/",
        "post",
        expect(LOGIN, 404, 404, 403, 403, 403, 302, 404),
        on="sent_delivery",
        data=report_form,
    ),
    # --- Reviewing reports ----------------------------------------------------------------
    Case("reports/<int:pk>/accept", "post", expect(LOGIN, 404, 404, 302, 302, 302, 403, 404), on="report"),
    Case("reports/<int:pk>/accept", "post", expect(LOGIN, 404, 404, 409, 409, 409, 404, 403), on="accepted_report"),
    Case(
        "reports/<int:pk>/return",
        "post",
        expect(LOGIN, 404, 404, 302, 302, 302, 403, 404),
        on="report",
        data=lambda w: {"comment": "Bổ sung bằng chứng"},
    ),
    Case(
        "reports/<int:pk>/return",
        "post",
        expect(LOGIN, 404, 404, 409, 409, 409, 404, 403),
        on="accepted_report",
        data=lambda w: {"comment": "Bổ sung bằng chứng"},
    ),
    Case("evidence/<int:pk>/", "get", expect(LOGIN, 404, 404, 200, 200, 200, 200, 404), on="evidence"),
    # --- The bell -------------------------------------------------------------------------
    Case("notifications/", "get", ALL_PAGES),
    Case("notifications/read", "post", expect(LOGIN, 302, 302, 302, 302, 302, 302, 302)),
    Case("notifications/<int:pk>/", "get", expect(LOGIN, 404, 404, 404, 404, 404, 302, 404), on="notification"),
    # --- Public addresses -------------------------------------------------------------------
    Case("verify/", "get", PUBLIC_200),
    Case("verify/<str:code>", "get", PUBLIC_200, kwargs=lambda w: {"code": w.circular.verification_code}),
    Case(
        "verify/<str:code>",
        "post",
        PUBLIC_200,
        kwargs=lambda w: {"code": w.circular.verification_code},
        data=lambda w: {"file": pdf()},
    ),
    # The link is the credential: whoever holds it sees the confirmation and may confirm.
    Case("ack/<str:token>/", "get", PUBLIC_200, kwargs=lambda w: {"token": w.token}),
    Case("ack/<str:token>/", "post", PUBLIC_200, kwargs=lambda w: {"token": w.token}),
    # --- API: foundation ------------------------------------------------------------------
    Case(
        "api/v1/auth/token",
        "post",
        expect(400, 200, 200, 200, 200, 200, 200, 200),
        data=lambda w: {"username": "nobody", "password": "wrong"},
    ),
    Case("api/v1/me", "get", ALL_API),
    Case("api/v1/units/", "get", ALL_API),
    Case("api/v1/unit-groups/", "get", ALL_API),
    Case("api/v1/units/<slug:key>/register/", "get", UNIT_REGISTER_API, kwargs=lambda w: {"key": w.unit.code}),
    Case(
        "api/v1/units/<slug:key>/register/export.xlsx",
        "get",
        UNIT_REGISTER_API,
        kwargs=lambda w: {"key": w.unit.code},
    ),
    Case("api/v1/openapi.json", "get", ALL_API),
    Case("api/v1/calendar/due", "get", ALL_API, query="from=2025-01-02&working_days=2"),
    # --- Registers and the calendar's yearly swaps: the administrator's ----------------
    Case(
        "api/v1/registers/<str:kind>/restart",
        "post",
        expect(401, 403, 403, 403, 403, 200, 403, 403),
        kwargs=lambda w: {"kind": "outgoing"},
        data=lambda w: {"start_at": 900},
    ),
    # A unit's incoming register is numbered by distribution, never restarted by hand.
    Case(
        "api/v1/registers/<str:kind>/restart",
        "post",
        expect(401, 403, 403, 403, 403, 400, 403, 403),
        kwargs=lambda w: {"kind": "unit_in"},
        data=lambda w: {"start_at": 900},
    ),
    Case(
        "api/v1/calendar/no-swaps",
        "post",
        expect(401, 403, 403, 403, 403, 200, 403, 403),
        data=lambda w: {"year": timezone.localdate().year},
    ),
    # --- API: incoming register and circulars ---------------------------------------------
    # The register does not exist for those who keep no part of it: 404, as on its page.
    Case("api/v1/incoming/", "get", expect(401, 200, 200, 200, 404, 200, 404, 404)),
    Case(
        "api/v1/incoming/",
        "post",
        expect(401, 201, 403, 403, 403, 201, 403, 403),
        data=lambda w: {
            "issuer": "Sở Nội vụ",
            "reference": "15/SNV-VP",
            "document_date": timezone.localdate().isoformat(),
            "subject": "V/v thử quyền",
        },
    ),
    Case("api/v1/incoming/<int:pk>/", "get", expect(401, 200, 200, 200, 404, 200, 404, 404), on="incoming"),
    Case(
        "api/v1/incoming/<int:pk>/present",
        "post",
        expect(401, 200, 403, 403, 404, 200, 404, 404),
        on="incoming",
        data=lambda w: {"leader": "signer"},
    ),
    Case(
        "api/v1/incoming/<int:pk>/assign",
        "post",
        expect(401, 201, 403, 201, 404, 201, 404, 404),
        on="incoming",
        data=lambda w: {"lead_unit": "xa-mot", "working_days": 5, "instruction": "Giao xã Một.", "leader": "signer"},
    ),
    Case("api/v1/assignments/", "get", ALL_API),
    Case("api/v1/assignments/<int:pk>/", "get", expect(401, 200, 200, 200, 404, 200, 200, 404), on="lead_assignment"),
    Case(
        "api/v1/assignments/<int:pk>/notes",
        "post",
        expect(401, 403, 403, 403, 404, 403, 201, 404),
        on="lead_assignment",
        data=lambda w: {"text": "Ý kiến"},
    ),
    Case(
        "api/v1/assignments/<int:pk>/complete",
        "post",
        expect(401, 403, 403, 403, 404, 403, 200, 404),
        on="lead_assignment",
        data=lambda w: {"note": "Đã xử lý"},
    ),
    Case("api/v1/outgoing/", "get", expect(401, 200, 200, 200, 404, 200, 404, 404)),
    Case("api/v1/outgoing/export.xlsx", "get", expect(401, 200, 200, 200, 404, 200, 404, 404)),
    Case("api/v1/circulars/", "get", ALL_API),
    Case(
        "api/v1/circulars/",
        "post",
        expect(401, 403, 201, 403, 403, 201, 403, 403),
        data=lambda w: {"subject": "V/v thử quyền", "recipient_groups": [w.communes.pk]},
    ),
    Case("api/v1/circulars/<int:pk>/", "get", ALL_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/", "get", expect(401, 200, 200, 200, 200, 200, 200, 404), on="fresh"),
    Case("api/v1/circulars/<int:pk>/", "get", expect(401, 200, 200, 200, 200, 200, 404, 404), on="draft"),
    Case("api/v1/circulars/<int:pk>/submit", "post", expect(401, 403, 200, 403, 403, 200, 404, 404), on="draft"),
    Case("api/v1/circulars/<int:pk>/submit", "post", expect(401, 403, 409, 403, 403, 409, 404, 404), on="approved"),
    Case("api/v1/circulars/<int:pk>/approve", "post", expect(401, 403, 403, 200, 403, 403, 404, 404), on="submitted"),
    Case("api/v1/circulars/<int:pk>/approve", "post", expect(401, 403, 403, 409, 403, 403, 404, 404), on="approved"),
    Case(
        "api/v1/circulars/<int:pk>/return",
        "post",
        expect(401, 403, 403, 200, 403, 403, 404, 404),
        on="submitted",
        data=lambda w: {"comment": "Sửa lại"},
    ),
    Case(
        "api/v1/circulars/<int:pk>/return",
        "post",
        expect(401, 403, 403, 409, 403, 403, 404, 404),
        on="draft",
        data=lambda w: {"comment": "Sửa lại"},
    ),
    Case(
        "api/v1/circulars/<int:pk>/withdraw",
        "post",
        expect(401, 403, 200, 200, 403, 200, 404, 404),
        on="draft",
        data=lambda w: {"comment": "Không cần nữa"},
    ),
    Case(
        "api/v1/circulars/<int:pk>/withdraw",
        "post",
        expect(401, 403, 403, 200, 403, 200, 403, 403),
        on="circular",
        data=lambda w: {"comment": "Ban hành nhầm"},
    ),
    Case("api/v1/circulars/<int:pk>/withdraw", "post", expect(401, 403, 409, 409, 403, 409, 404, 404), on="withdrawn"),
    Case(
        "api/v1/circulars/<int:pk>/recall",
        "post",
        expect(401, 403, 403, 200, 403, 200, 403, 403),
        on="circular",
        data=lambda w: {"reason": "Ban hành nhầm"},
    ),
    Case(
        "api/v1/circulars/<int:pk>/recall",
        "post",
        expect(401, 403, 403, 409, 403, 409, 404, 404),
        on="draft",
        data=lambda w: {"reason": "Ban hành nhầm"},
    ),
    Case("api/v1/circulars/<int:pk>/issue", "post", expect(401, 200, 403, 403, 403, 200, 404, 404), on="approved"),
    Case("api/v1/circulars/<int:pk>/issue", "post", expect(401, 409, 403, 403, 403, 409, 404, 404), on="draft"),
    Case("api/v1/circulars/<int:pk>/pdf", "get", ALL_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/pdf", "get", expect(401, 200, 200, 200, 200, 200, 200, 404), on="fresh"),
    Case("api/v1/verify/<str:code>", "get", PUBLIC_200, kwargs=lambda w: {"code": w.circular.verification_code}),
    Case(
        "api/v1/circulars/<int:pk>/approved-draft",
        "get",
        expect(401, 200, 200, 200, 200, 200, 404, 404),
        on="approved",
    ),
    Case(
        "api/v1/circulars/<int:pk>/signed-draft",
        "post",
        expect(401, 403, 403, 400, 403, 403, 404, 404),
        on="approved",
    ),
    # Public: anyone checks a PDF's signatures (the matrix posts JSON, no file: 400).
    Case("api/v1/signatures/validate", "post", expect(*[400] * 8)),
    # --- API: distribution, monitoring, compliance -----------------------------------------
    Case("api/v1/circulars/<int:pk>/distribute", "post", expect(401, 200, 403, 403, 403, 200, 404, 404), on="issued"),
    Case("api/v1/circulars/<int:pk>/distribute", "post", expect(401, 409, 403, 403, 403, 409, 404, 404), on="draft"),
    Case("api/v1/circulars/<int:pk>/deliveries/", "get", DELIVERIES_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/deliveries/", "get", DELIVERIES_FRESH_API, on="fresh"),
    Case(
        "api/v1/circulars/<int:pk>/chase",
        "post",
        expect(401, 403, 403, 403, 200, 200, 403, 404),
        on="fresh",
        data=lambda w: {"units": [w.unit.pk]},
    ),
    Case(
        "api/v1/circulars/<int:pk>/chase",
        "post",
        expect(401, 403, 403, 403, 200, 200, 403, 403),
        on="circular",
        data=lambda w: {"units": [w.unit.pk]},
    ),
    Case("api/v1/circulars/<int:pk>/compliance", "get", MONITORED_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/compliance", "get", MONITORED_FRESH_API, on="fresh"),
    Case("api/v1/circulars/<int:pk>/compliance/export.xlsx", "get", MONITORED_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/compliance/export.csv", "get", MONITORED_API, on="circular"),
    Case("api/v1/circulars/<int:pk>/compliance/report.pdf", "get", MONITORED_API, on="circular"),
    Case("api/v1/compliance/units/", "get", DASHBOARD_API),
    Case("api/v1/compliance/incoming/", "get", DASHBOARD_API),
    Case("api/v1/compliance/incoming/export.xlsx", "get", DASHBOARD_API),
    # --- API: a unit's deliveries and their reports -------------------------------------------
    Case("api/v1/inbox/", "get", ALL_API),
    Case("api/v1/deliveries/<int:pk>/", "get", expect(401, 404, 404, 200, 200, 200, 200, 404), on="delivery"),
    Case(
        "api/v1/deliveries/<int:pk>/acknowledge",
        "post",
        expect(401, 404, 404, 403, 403, 403, 200, 404),
        on="sent_delivery",
    ),
    Case(
        "api/v1/deliveries/<int:pk>/refuse",
        "post",
        expect(401, 404, 404, 403, 403, 403, 200, 404),
        on="sent_delivery",
        data=lambda w: {"reason": "Không phải của xã"},
    ),
    Case(
        "api/v1/deliveries/<int:pk>/refuse",
        "post",
        expect(401, 404, 404, 403, 403, 403, 409, 404),
        on="delivery",
        data=lambda w: {"reason": "Không phải của xã"},
    ),
    Case(
        "api/v1/deliveries/<int:pk>/reports",
        "post",
        expect(401, 404, 404, 403, 403, 403, 201, 404),
        on="sent_delivery",
        data=api_items,
    ),
    Case(
        "api/v1/deliveries/<int:pk>/reports",
        "post",
        expect(401, 404, 404, 403, 403, 403, 409, 404),
        on="delivery",
        data=lambda w: api_items(w, "circular"),
    ),
    Case("api/v1/reports/<int:pk>/accept", "post", expect(401, 404, 404, 200, 200, 200, 403, 404), on="report"),
    Case(
        "api/v1/reports/<int:pk>/accept", "post", expect(401, 404, 404, 409, 409, 409, 404, 403), on="accepted_report"
    ),
    Case(
        "api/v1/reports/<int:pk>/return",
        "post",
        expect(401, 404, 404, 200, 200, 200, 403, 404),
        on="report",
        data=lambda w: {"comment": "Bổ sung bằng chứng"},
    ),
    Case(
        "api/v1/reports/<int:pk>/return",
        "post",
        expect(401, 404, 404, 409, 409, 409, 404, 403),
        on="accepted_report",
        data=lambda w: {"comment": "Bổ sung bằng chứng"},
    ),
]


# --- The routes of the URLconf ----------------------------------------------------------


def url_routes(patterns=None, prefix="") -> set[str]:
    """Every route of the URLconf as written in it ("circulars/<int:pk>/approve"); the
    admin site counts as one route, "admin/"; static files (DEBUG only) are left out."""
    routes = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "app_name", None) == "admin":
                routes.add(route)
            else:
                routes |= url_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and getattr(pattern.callback, "__name__", "") != "serve":
            routes.add(route)
    return routes


def test_every_route_is_in_the_matrix():
    in_urlconf = url_routes()
    in_matrix = {case.route for case in MATRIX}
    missing = sorted(in_urlconf - in_matrix)
    gone = sorted(in_matrix - in_urlconf)
    assert not missing, "\n".join(f"new route {route!r} is not in the authorization matrix" for route in missing)
    assert not gone, "\n".join(f"matrix route {route!r} is no longer in the URLconf" for route in gone)


@pytest.mark.parametrize("role", ROLES)
def test_the_whole_admin_site_is_for_administrators_only(client, world, role):
    """``admin/`` is one entry of the matrix; its inner pages answer the same way."""
    if role != "anonymous":
        client.force_login(world.users[role])
    for url in ("/admin/circulars/circular/", f"/admin/circulars/circular/{world.circular.pk}/change/"):
        response = client.get(url)
        if role == "admin":
            assert response.status_code == 200, url
        else:
            # Anonymous: the portal's login page (or the admin's); signed in without
            # being staff: the admin's login page.
            login = ("/login/", "/admin/login/") if role == "anonymous" else ("/admin/login/",)
            assert response.status_code == 302 and response["Location"].startswith(login), url


# --- Asking -----------------------------------------------------------------------------


def fill(route: str, values: dict) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def ask(client, w, case: Case, role: str):
    values = {}
    if case.on:
        values["pk"] = getattr(w, case.on).pk
    if case.kwargs:
        values.update(case.kwargs(w))
    url = fill(case.route, values) + (f"?{case.query}" if case.query else "")
    data = case.data(w) if case.data else {}
    if case.route == "api/v1/auth/token" and role != "anonymous":
        data = {"username": w.users[role].username, "password": PASSWORD}
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in case.headers.items()}
    if case.is_api:
        if role != "anonymous":
            extra["HTTP_AUTHORIZATION"] = f"Token {w.tokens[role]}"
        if case.method == "post":
            return client.post(url, json.dumps(data), content_type="application/json", **extra)
        return client.get(url, **extra)
    if role != "anonymous":
        client.force_login(w.users[role])
    return getattr(client, case.method)(url, data, **extra)


def case_id(case: Case, role: str) -> str:
    return f"{case.label} as {role}"


def matrix_params():
    for case in MATRIX:
        for role in ROLES:
            allowed = case.expect[role] in (200, 201, 302)
            marks = [pytest.mark.xfail(reason=case.known_bug, strict=True)] if case.known_bug and allowed else []
            yield pytest.param(case, role, id=case_id(case, role), marks=marks)


@pytest.mark.parametrize(("case", "role"), list(matrix_params()))
def test_route_answers_each_role_as_the_rules_say(client, world, case, role):
    expected = case.expect[role]
    response = ask(client, world, case, role)
    if expected == LOGIN:
        assert response.status_code == 302, f"{case_id(case, role)}: {response.status_code}, expected the login page"
        assert response["Location"].startswith("/login/"), response["Location"]
    elif expected == ADMIN_LOGIN:
        assert response.status_code == 302, f"{case_id(case, role)}: {response.status_code}, expected the admin login"
        assert response["Location"].startswith("/admin/login/"), response["Location"]
    else:
        assert response.status_code == expected, f"{case_id(case, role)}: {response.status_code}, expected {expected}"
        if expected == 302:
            assert not response["Location"].startswith(("/login/", "/admin/login/")), response["Location"]
