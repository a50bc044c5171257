"""History stays as it was written, whoever writes to the database.

On PostgreSQL, triggers (django-pgtrigger, declared in the models' Meta and installed by
migrations) refuse an UPDATE or DELETE of a circular's or a delivery's events, a change to
a frozen field of an issued circular, the deletion of an issued circular, and a change to
what a unit submitted in a report version. The services never do any of these; the
triggers stop a shell, a raw ``.update()`` or a stray script. On SQLite the migrations
install nothing (pgtrigger's operations act on PostgreSQL only): there the services are
the only guard, and the PostgreSQL tests below skip.
"""

import datetime

import pgtrigger
import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from psycopg.errors import RaiseException

from acknowledgements import services as ack
from acknowledgements.models import Delivery, DeliveryEvent, ImplementationReport
from circulars import services
from circulars.models import Circular, CircularEvent
from tests.factories import draft_circular

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only triggers exist on PostgreSQL only (set DATABASE_URL=postgres://…)",
)

TRIGGERS = {
    "circulars.Circular:issued_circular_frozen",
    "circulars.Circular:issued_circular_kept",
    "circulars.CircularEvent:append_only",
    "circulars.RegisterEvent:append_only",
    "circulars.CircularRelation:append_only",
    "circulars.HandlingEvent:append_only",
    "acknowledgements.DeliveryEvent:append_only",
    "acknowledgements.ImplementationReport:submitted_report_frozen",
    "acknowledgements.ImplementationReport:report_version_kept",
}


@pytest.fixture
def report(delivery, clerk):
    items = [{"action_item": ai.pk, "status": "done"} for ai in delivery.circular.action_items.all()]
    return ack.submit_report(delivery=delivery, by=clerk, summary="Đã triển khai", items=items)


def refused(statement):
    """Run a statement that a trigger must refuse, in a savepoint so that the test's
    transaction survives, and return the exception."""
    with pytest.raises(ProgrammingError, match="pgtrigger: Cannot") as excinfo, transaction.atomic():
        statement()
    # The trigger's RAISE EXCEPTION is SQLSTATE P0001, which psycopg 3 classes as
    # psycopg.errors.RaiseException, a ProgrammingError; Django wraps it as its own
    # ProgrammingError. (psycopg2 called the same error an InternalError.)
    assert type(excinfo.value) is ProgrammingError
    assert type(excinfo.value.__cause__) is RaiseException
    assert excinfo.value.__cause__.sqlstate == "P0001"
    return excinfo.value


# --- Everywhere: what the triggers say, and where they are ---------------------------


def test_the_frozen_field_trigger_covers_exactly_frozen_fields():
    """The trigger lists the fields again (a model's Meta cannot read its class body);
    this keeps the two lists equal."""
    trigger = pgtrigger.registered("circulars.Circular:issued_circular_frozen")[0][1]
    condition = str(trigger.compile(Circular).sql.kwargs["condition"])
    changed = {Circular._meta.get_field(name).column for name in Circular.FROZEN_FIELDS}  # FKs end in _id
    for column in changed:
        assert f'OLD."{column}" IS DISTINCT FROM (NEW."{column}")' in condition
    assert condition.count("IS DISTINCT FROM") == len(changed)
    assert 'OLD."number" IS NOT NULL' in condition


def test_triggers_are_installed_on_postgresql_and_nowhere_else():
    statuses = {
        f"{model._meta.label}:{trigger.name}": trigger.get_installation_status(model)[0]
        for model, trigger in pgtrigger.registered()
    }
    assert set(statuses) == TRIGGERS
    if connection.vendor == "postgresql":
        assert set(statuses.values()) == {"INSTALLED"}
    else:
        # The migrations ran (AddTrigger is a no-op here) and left no trigger behind.
        assert set(statuses.values()) == {"UNALLOWED"}
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
            assert cursor.fetchone()[0] == 0


# --- Events ---------------------------------------------------------------------------


@postgresql_only
@pytest.mark.parametrize("model", [DeliveryEvent, CircularEvent], ids=["delivery-event", "circular-event"])
def test_events_cannot_be_updated_or_deleted(model, circular):
    event = model.objects.order_by("id").first()
    assert event is not None
    refused(lambda: model.objects.filter(pk=event.pk).update(action="forged"))
    refused(lambda: model.objects.filter(pk=event.pk).delete())
    refused(lambda: event.save())
    with connection.cursor() as cursor:
        refused(lambda: cursor.execute(f"DELETE FROM {model._meta.db_table}"))  # noqa: S608 (a model's table)
    assert model.objects.filter(pk=event.pk, action=event.action).exists()


@postgresql_only
def test_events_are_still_appended(delivery, clerk):
    before = DeliveryEvent.objects.count()
    ack.acknowledge(delivery=delivery, by=clerk)
    assert DeliveryEvent.objects.count() == before + 1


# --- Issued circulars -----------------------------------------------------------------


@postgresql_only
def test_every_frozen_field_of_an_issued_circular_is_refused(issued, other_unit):
    changes = {
        "document_type": "ke_hoach",
        "subject": "x",
        "body": "x",
        "notation": "UBND-VP",
        "issuing_unit": other_unit,
        "place_name": "Nơi khác",
        "recipients_text": "Ai đó.",
        "copy_to": ["Lưu: khác."],
        "signer": None,
        "signer_title": "CHỦ TỊCH",
        "urgency": "flash",
        "secrecy": "secret",
        "number": issued.number + 100,
        "issued_year": issued.issued_year - 1,
        "issued_on": issued.issued_on - datetime.timedelta(days=1),
        "pdf": "circulars/other.pdf",
        "sha256": "0" * 64,
        "verification_code": "ZZZZ-9999",
    }
    assert set(changes) == set(Circular.FROZEN_FIELDS)
    for field, value in changes.items():
        refused(lambda field=field, value=value: Circular.objects.filter(pk=issued.pk).update(**{field: value}))
    # The same through save(), as a shell user would.
    issued.subject = "đổi"
    refused(issued.save)
    issued.refresh_from_db()
    assert issued.subject != "đổi"


@postgresql_only
def test_an_issued_circular_still_moves_on(issued, signer, other_unit):
    assert Circular.objects.filter(pk=issued.pk).update(status=Circular.Status.WITHDRAWN) == 1
    # Fields outside FROZEN_FIELDS (deadlines, monitoring, search text) may change.
    Circular.objects.filter(pk=issued.pk).update(report_due_on=datetime.date(2030, 1, 1), monitoring_unit=other_unit)
    issued.refresh_from_db()
    issued.save()  # rewriting the same frozen values is no change
    assert issued.status == Circular.Status.WITHDRAWN


@postgresql_only
def test_the_lifecycle_passes_the_triggers(circular, signer):
    assert circular.status == Circular.Status.DISTRIBUTED
    ack.recall(circular=circular, by=signer, reason="Sai căn cứ")
    circular.refresh_from_db()
    assert circular.status == Circular.Status.RECALLED
    assert set(Delivery.objects.filter(circular=circular).values_list("status", flat=True)) == {"recalled"}


@postgresql_only
def test_an_issued_circular_cannot_be_deleted(issued):
    # The ORM would stop first (its events PROTECT it); the trigger stops raw SQL too.
    with connection.cursor() as cursor:
        refused(lambda: cursor.execute("DELETE FROM circulars_circular WHERE id = %s", [issued.pk]))
    assert Circular.objects.filter(pk=issued.pk).exists()


@postgresql_only
def test_a_draft_can_be_edited_and_deleted(drafter, signer, district):
    drafted = draft_circular(drafter, signer=signer)
    assert Circular.objects.filter(pk=drafted.pk).update(subject="Sửa", copy_to=["Lưu: VT."]) == 1
    services.update_draft(circular=drafted, by=drafter, data={"subject": "Sửa lại"})
    # A draft without history (as the admin creates one) can be deleted.
    bare = Circular.objects.create(subject="Nháp", issuing_unit=district, created_by=drafter)
    Circular.objects.filter(pk=bare.pk).update(recipients_text="Các xã.", signer=signer)
    bare.delete()
    assert not Circular.objects.filter(pk=bare.pk).exists()


# --- Report versions ------------------------------------------------------------------


@postgresql_only
def test_a_submitted_report_keeps_what_the_unit_filed(report, monitor, other_unit):
    other_delivery = Delivery.objects.get(circular=report.delivery.circular, unit=other_unit)
    refused(lambda: ImplementationReport.objects.filter(pk=report.pk).update(summary="đổi"))
    refused(lambda: ImplementationReport.objects.filter(pk=report.pk).update(version=7))
    refused(lambda: ImplementationReport.objects.filter(pk=report.pk).update(delivery=other_delivery))
    refused(lambda: ImplementationReport.objects.filter(pk=report.pk).delete())
    # The review still changes status and review fields.
    reviewed = ack.return_report(report=report, by=monitor, comment="Bổ sung bằng chứng")
    assert reviewed.status == ImplementationReport.Status.RETURNED
    report.refresh_from_db()
    assert (report.summary, report.version, report.review_comment) == ("Đã triển khai", 1, "Bổ sung bằng chứng")
