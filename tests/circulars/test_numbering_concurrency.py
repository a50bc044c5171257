"""Two clerks issuing at the same instant get two different, consecutive numbers.

Only PostgreSQL has row locks that let two transactions truly race; SQLite serialises
every writer, so the test runs where CI runs: on PostgreSQL."""

import datetime
import threading

import pytest
from django.db import connection, connections

from circulars import services
from circulars.models import Circular, IncomingDispatch, NumberingRegister
from core.errors import Conflict
from tests.factories import approved_circular

pytestmark = pytest.mark.django_db(transaction=True)


def _race(n, action):
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def run(i):
        try:
            barrier.wait()
            results[i] = action(i)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def test_concurrent_issues_get_distinct_consecutive_numbers(drafter, signer, records_clerk, district, communes_group):
    if connection.vendor != "postgresql":
        pytest.skip("row-level locking races need PostgreSQL (CI runs it)")
    circulars = [approved_circular(drafter, signer, groups=[communes_group]) for _ in range(4)]
    results, errors = _race(4, lambda i: services.issue(circular=circulars[i], by=records_clerk).number)
    assert errors == []
    assert sorted(results) == [1, 2, 3, 4]
    assert NumberingRegister.objects.get(kind="outgoing").last_number == 4
    assert sorted(Circular.objects.values_list("number", flat=True)) == [1, 2, 3, 4]


def test_concurrent_registration_of_the_same_dispatch_keeps_one(records_clerk):
    if connection.vendor != "postgresql":
        pytest.skip("row-level locking races need PostgreSQL (CI runs it)")

    def register(_i):
        return services.register_incoming(
            by=records_clerk,
            issuer="Sở Thông tin và Truyền thông",
            reference="2980/STTTT-TTra",
            document_date=datetime.date(2024, 10, 1),
            subject="V/v cảnh báo",
            received_on=datetime.date(2024, 10, 3),
        ).arrival_number

    results, errors = _race(3, register)
    assert IncomingDispatch.objects.count() == 1
    assert [r for r in results if r is not None] == [1]
    assert len(errors) == 2 and all(isinstance(e, Conflict) for e in errors)
    # The losers' numbers went back: the register says 1, not 3.
    assert NumberingRegister.objects.get(kind="incoming").last_number == 1
