"""Distribution as set-based SQL: each step is one INSERT … SELECT, so a distribution to
3 units and one to 3,500 run the same handful of statements (no per-row round trips, no
batching of parameters), on PostgreSQL and SQLite alike (both speak ON CONFLICT).

Called by services.distribute inside its transaction, with the circular row locked.

Only table and column names from the models' metadata are interpolated into the SQL;
every value is a query parameter.
"""
# ruff: noqa: S608

import datetime

from django.db import connection

from acknowledgements.models import Delivery, DeliveryEvent, Notification, OutboxEmail
from circulars.models import Circular, CircularRelation, NumberingRegister
from units.models import Membership, Unit, UnitGroup, User


def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _c(*names: str) -> str:
    return ", ".join(connection.ops.quote_name(n) for n in names)


def _dt(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _d(value: datetime.date | None):
    return connection.ops.adapt_datefield_value(value)


def recipients_sql(circular_id: int) -> tuple[str, list]:
    """SELECT of the ids of the active units a circular is addressed to, groups expanded;
    a replacement or a correction also reaches every unit that received the document it
    names (except those that refused it: it was not for them)."""
    group_units = _t(UnitGroup.units.through)
    circular_groups = _t(Circular.recipient_groups.through)
    circular_units = _t(Circular.recipient_units.through)
    sql = (
        f"SELECT u.id FROM {_t(Unit)} u WHERE u.active = %s AND ("
        f" u.id IN (SELECT gu.unit_id FROM {group_units} gu JOIN {circular_groups} cg"
        f"  ON cg.unitgroup_id = gu.unitgroup_id WHERE cg.circular_id = %s)"
        f" OR u.id IN (SELECT cu.unit_id FROM {circular_units} cu WHERE cu.circular_id = %s)"
        f" OR u.id IN (SELECT od.unit_id FROM {_t(Delivery)} od JOIN {_t(CircularRelation)} rel"
        f"  ON rel.target_id = od.circular_id WHERE rel.circular_id = %s AND od.status <> %s))"
    )
    return sql, [True, circular_id, circular_id, circular_id, Delivery.Status.REFUSED]


def insert_deliveries(
    *,
    circular_id: int,
    sent_at: datetime.datetime,
    ack_due_on: datetime.date,
    report_due_on: datetime.date | None,
    arrival_year: int,
) -> int:
    """One delivery per recipient unit that has none yet, in its unit's register of
    ``arrival_year`` but not numbered yet (``number_arrivals``); returns how many were added."""
    recipients, params = recipients_sql(circular_id)
    columns = _c("circular_id", "unit_id", "status", "sent_at", "ack_due_on", "report_due_on", "refuse_reason")
    sql = (
        f"INSERT INTO {_t(Delivery)} ({columns}, {_c('arrival_year')}) "
        f"SELECT %s, r.id, %s, %s, %s, %s, '', %s FROM ({recipients}) r WHERE 1 = 1 "
        f"ON CONFLICT ({_c('circular_id', 'unit_id')}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [circular_id, Delivery.Status.SENT, _dt(sent_at), _d(ack_due_on), _d(report_due_on), arrival_year, *params],
        )
        return max(cursor.rowcount, 0)


def number_arrivals(*, circular_id: int, sent_at: datetime.datetime, arrival_year: int) -> None:
    """Each delivery this distribution added takes the next arrival number of its unit's
    own incoming register for ``arrival_year`` (Decree 30 Art. 22), in two statements
    whatever the number of units.

    First one upsert moves every register concerned on by one (a unit gets at most one
    new delivery per circular), creating the year's register at 1: on PostgreSQL it
    locks each register row until the transaction ends, in unit order, so two
    distributions reaching the same units at once queue on the rows one by one (never in
    a circle) and the second one counts on from the first one's numbers; a rollback gives
    the numbers back (no gap). Then each new delivery reads its register's number, which
    is its own: the row stays locked by this transaction. Only deliveries not numbered yet
    are counted, so a delivery is numbered once whatever happens."""
    register, delivery = _t(NumberingRegister), _t(Delivery)
    kind, unit_id, year, last = (connection.ops.quote_name(n) for n in ("kind", "unit_id", "year", "last_number"))
    upsert = (
        f"INSERT INTO {register} ({kind}, {unit_id}, {year}, {last}) "
        f"SELECT %s, d.unit_id, %s, 1 FROM {delivery} d WHERE {_new()} AND d.arrival_number IS NULL "
        "ORDER BY d.unit_id "
        # The conflict target is the partial unique index of the units' registers.
        f"ON CONFLICT ({kind}, {unit_id}, {year}) WHERE {unit_id} IS NOT NULL "
        f"DO UPDATE SET {last} = {register}.{last} + 1"
    )
    number = (
        f"UPDATE {delivery} SET {_c('arrival_number')} = ("
        f"SELECT reg.{last} FROM {register} reg WHERE reg.{kind} = %s AND reg.{unit_id} = {delivery}.{unit_id} "
        f"AND reg.{year} = %s) "
        f"WHERE {delivery}.{_c('circular_id')} = %s AND {delivery}.{_c('sent_at')} = %s "
        f"AND {delivery}.{_c('arrival_number')} IS NULL"
    )
    unit_in = NumberingRegister.Kind.UNIT_INCOMING
    with connection.cursor() as cursor:
        cursor.execute(upsert, [unit_in, arrival_year, circular_id, _dt(sent_at)])
        cursor.execute(number, [unit_in, arrival_year, circular_id, _dt(sent_at)])


def _new(alias: str = "d") -> str:
    """The deliveries this distribution added: they carry its exact sent_at."""
    return f"{alias}.circular_id = %s AND {alias}.sent_at = %s"


def insert_events(*, circular_id: int, sent_at: datetime.datetime, actor_id: int) -> None:
    sql = (
        f"INSERT INTO {_t(DeliveryEvent)} "
        f"({_c('delivery_id', 'actor_id', 'action', 'from_status', 'to_status', 'at', 'note')}) "
        f"SELECT d.id, %s, 'distribute', '', %s, %s, '' FROM {_t(Delivery)} d WHERE {_new()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [actor_id, Delivery.Status.SENT, _dt(sent_at), circular_id, _dt(sent_at)])


def _members_join() -> str:
    return (
        f"FROM {_t(Delivery)} d JOIN {_t(Membership)} m ON m.unit_id = d.unit_id "
        f"JOIN {_t(User)} usr ON usr.id = m.user_id WHERE {_new()} AND usr.is_active = %s"
    )


def insert_notifications(*, circular_id: int, sent_at: datetime.datetime, title: str) -> None:
    """A line in the bell of every active member of each new recipient unit."""
    sql = (
        f"INSERT INTO {_t(Notification)} ({_c('user_id', 'delivery_id', 'kind', 'title', 'url', 'created_at')}) "
        f"SELECT usr.id, d.id, 'new_delivery', %s, '', %s {_members_join()}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [title[:500], _dt(sent_at), circular_id, _dt(sent_at), True])


def _email_key(kind: str) -> str:
    """The outbox key of a (d, usr) row: kind, delivery and user, so it is queued once."""
    if connection.vendor == "postgresql":
        return f"'{kind}:' || d.id::text || ':' || usr.id::text"
    return f"'{kind}:' || d.id || ':' || usr.id"


def _insert_outbox(*, kind: str, source: str, params: list, at: datetime.datetime) -> int:
    """A pending outbox row of ``kind`` (a model constant, never user input) per (d, usr)
    of ``source`` (FROM … WHERE over deliveries d and users usr) with an email address."""
    sql = (
        f"INSERT INTO {_t(OutboxEmail)} ("
        + _c("kind", "user_id", "to", "delivery_id", "key", "subject", "status")
        + ", "
        + _c("created_at", "next_attempt_at", "attempts", "last_error")
        + ") "
        f"SELECT '{kind}', usr.id, usr.email, d.id, {_email_key(kind)}, '', %s, %s, %s, 0, '' "
        f"{source} AND usr.email <> '' "
        f"ON CONFLICT ({_c('key')}) DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [OutboxEmail.Status.PENDING, _dt(at), _dt(at), *params])
        return max(cursor.rowcount, 0)


def insert_emails(*, circular_id: int, sent_at: datetime.datetime) -> int:
    """An outbox row per member with an email address; the key makes it once only."""
    return _insert_outbox(
        kind="new_delivery", source=_members_join(), params=[circular_id, _dt(sent_at), True], at=sent_at
    )


# --- Recall and replacement: the deliveries a step closed ---------------------------


def _closed() -> str:
    """The deliveries a recall or a replacement closed: they carry its exact closed_at."""
    return "d.circular_id = %s AND d.status = %s AND d.closed_at = %s"


def insert_closing_events(
    *, circular_id: int, from_statuses: list[str], to_status: str, action: str, at, actor_id: int, note: str
) -> None:
    """One event per delivery about to be closed (call before closing them)."""
    placeholders = ", ".join(["%s"] * len(from_statuses))
    sql = (
        f"INSERT INTO {_t(DeliveryEvent)} "
        f"({_c('delivery_id', 'actor_id', 'action', 'from_status', 'to_status', 'at', 'note')}) "
        f"SELECT d.id, %s, %s, d.status, %s, %s, %s FROM {_t(Delivery)} d "
        f"WHERE d.circular_id = %s AND d.status IN ({placeholders})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [actor_id, action, to_status, _dt(at), note, circular_id, *from_statuses])


def _closed_members() -> str:
    """The active members of each unit whose delivery a recall or replacement closed."""
    return (
        f"FROM {_t(Delivery)} d JOIN {_t(Membership)} m ON m.unit_id = d.unit_id "
        f"JOIN {_t(User)} usr ON usr.id = m.user_id WHERE {_closed()} AND usr.is_active = %s"
    )


def insert_closing_notifications(*, circular_id: int, status: str, at, title: str) -> None:
    """A line in the bell of every active member of each unit whose delivery was just
    closed; the unique key (user, delivery, kind) keeps it to one."""
    sql = (
        f"INSERT INTO {_t(Notification)} ({_c('user_id', 'delivery_id', 'kind', 'title', 'url', 'created_at')}) "
        f"SELECT usr.id, d.id, %s, %s, '', %s {_closed_members()} ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [status, title[:500], _dt(at), circular_id, status, _dt(at), True])


def insert_closing_emails(*, circular_id: int, status: str, at) -> int:
    """An outbox row per member with an email address, sent at once whatever the digest;
    the key (kind, delivery, user) makes it once only."""
    return _insert_outbox(kind=status, source=_closed_members(), params=[circular_id, status, _dt(at), True], at=at)
