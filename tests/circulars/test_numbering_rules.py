"""Honest numbering: a circular is issued on or after the day it was signed, not in the
future, and only in this year's register; an administrator starts a register from a
given number, recorded, and a register never goes back."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from circulars import services
from circulars.models import Circular, NumberingRegister, RegisterEvent
from core.errors import Conflict, Forbidden
from tests.conftest import VN
from tests.factories import approved_circular

pytestmark = pytest.mark.django_db

SIGNED_AT = datetime.datetime(2026, 12, 2, 15, 0, tzinfo=VN)
TODAY = datetime.datetime(2026, 12, 4, 9, 0, tzinfo=VN)


@pytest.fixture
def signed(drafter, signer, communes_group):
    """Approved (signed) on Wednesday 02/12/2026."""
    with time_machine.travel(SIGNED_AT, tick=False):
        return approved_circular(drafter, signer, groups=[communes_group])


def _issue_page(client, user, circular, typed):
    client.force_login(user)
    with time_machine.travel(TODAY, tick=False):
        return client.post(reverse("circular-issue", args=[circular.pk]), {"issue-issued_on": typed})


def _issue_api(api_as, user, circular, iso):
    with time_machine.travel(TODAY, tick=False):
        return api_as(user).post(f"/api/v1/circulars/{circular.pk}/issue", {"issued_on": iso}, format="json")


BAD_DATES = [
    (datetime.date(2026, 12, 1), "before it was signed"),
    (datetime.date(2026, 12, 5), "in the future"),
    (datetime.date(2025, 1, 13), "a past year"),
]


@pytest.mark.parametrize(("day", "why"), BAD_DATES, ids=[why for _d, why in BAD_DATES])
def test_the_page_refuses_a_date_outside_the_rules(client, records_clerk, signed, day, why):
    response = _issue_page(client, records_clerk, signed, f"{day:%d/%m/%Y}")
    assert response.status_code == 400, why
    body = response.content.decode()
    assert "02/12/2026" in body and "04/12/2026" in body  # the allowed dates, named
    signed.refresh_from_db()
    assert signed.number is None and signed.status == Circular.Status.APPROVED
    assert not NumberingRegister.objects.filter(kind="outgoing", last_number__gt=0).exists()


@pytest.mark.parametrize(("day", "why"), BAD_DATES, ids=[why for _d, why in BAD_DATES])
def test_the_api_refuses_a_date_outside_the_rules(api_as, records_clerk, signed, day, why):
    response = _issue_api(api_as, records_clerk, signed, day.isoformat())
    assert response.status_code == 400, why
    assert "02/12/2026" in response.json()["detail"] and "04/12/2026" in response.json()["detail"]
    assert Circular.objects.get(pk=signed.pk).number is None
    # No number was ever taken in a past year's register.
    assert not NumberingRegister.objects.filter(year=2025).exclude(last_number=0).exists()


@pytest.mark.parametrize("day", [datetime.date(2026, 12, 2), datetime.date(2026, 12, 4)])
def test_the_day_of_signing_and_today_are_allowed(api_as, records_clerk, signed, day):
    response = _issue_api(api_as, records_clerk, signed, day.isoformat())
    assert response.status_code == 200, response.json()
    assert response.json()["issued_on"] == day.isoformat() and response.json()["number"] == 1
    assert NumberingRegister.objects.get(kind="outgoing", year=2026).last_number == 1


def test_signed_last_year_is_issued_from_1_january_in_this_years_register(
    api_as, records_clerk, drafter, signer, communes_group
):
    with time_machine.travel(datetime.datetime(2026, 12, 30, 16, 0, tzinfo=VN), tick=False):
        circular = approved_circular(drafter, signer, groups=[communes_group])
    with time_machine.travel(datetime.datetime(2027, 1, 4, 9, 0, tzinfo=VN), tick=False):
        late = api_as(records_clerk).post(
            f"/api/v1/circulars/{circular.pk}/issue", {"issued_on": "2026-12-31"}, format="json"
        )
        assert late.status_code == 400 and "01/01/2027" in late.json()["detail"]
        ok = api_as(records_clerk).post(f"/api/v1/circulars/{circular.pk}/issue", {}, format="json")
    assert ok.status_code == 200
    assert ok.json()["issued_on"] == "2027-01-04"
    assert not NumberingRegister.objects.filter(year=2026, last_number__gt=0).exists()


# --- Restarting a register -----------------------------------------------------------


def test_administrator_starts_the_outgoing_register_from_a_number(client, admin_user, signed, records_clerk):
    client.force_login(admin_user)
    with time_machine.travel(TODAY, tick=False):
        page = client.get(reverse("registers"))
        assert page.status_code == 200 and 'id="restart-outgoing"' in page.content.decode()
        response = client.post(
            reverse("register-restart", args=["outgoing"]), {"outgoing-start_at": "57", "outgoing-note": "Sổ giấy"}
        )
        assert response.status_code == 302
        event = RegisterEvent.objects.get()
        assert (event.register.kind, event.register.year, event.from_number, event.to_number) == (
            "outgoing",
            2026,
            0,
            57,
        )
        assert event.actor == admin_user and event.note == "Sổ giấy"
        issued = services.issue(circular=signed, by=records_clerk)
        assert issued.number == 57
        # Read on the same day: the session would expire if the clock jumped back to now.
        assert "57" in client.get(reverse("registers")).content.decode()


def test_the_api_restarts_the_incoming_register(api_as, admin_user):
    with time_machine.travel(TODAY, tick=False):
        response = api_as(admin_user).post("/api/v1/registers/incoming/restart", {"start_at": 120}, format="json")
    assert response.status_code == 200
    assert response.json() == {"kind": "incoming", "year": 2026, "last_number": 119, "next_number": 120}
    assert RegisterEvent.objects.get().to_number == 120


@pytest.mark.parametrize("start_at", [5, 4])
def test_a_register_never_goes_back(api_as, client, admin_user, start_at):
    NumberingRegister.objects.create(kind="outgoing", year=2026, last_number=5)
    with time_machine.travel(TODAY, tick=False):
        response = api_as(admin_user).post("/api/v1/registers/outgoing/restart", {"start_at": start_at}, format="json")
        assert response.status_code == 409
        assert "5" in response.json()["detail"] and "6" in response.json()["detail"]
        client.force_login(admin_user)
        page = client.post(reverse("register-restart", args=["outgoing"]), {"outgoing-start_at": str(start_at)})
    assert page.status_code == 409
    assert NumberingRegister.objects.get(kind="outgoing", year=2026).last_number == 5
    assert not RegisterEvent.objects.exists()


def test_only_an_administrator_restarts_a_register(api_as, client, records_clerk, signer):
    for user in (records_clerk, signer):
        response = api_as(user).post("/api/v1/registers/outgoing/restart", {"start_at": 100}, format="json")
        assert response.status_code == 403
        client.force_login(user)
        assert client.get(reverse("registers")).status_code == 403
        page = client.post(reverse("register-restart", args=["outgoing"]), {"outgoing-start_at": "100"})
        assert page.status_code == 403
    with pytest.raises(Forbidden):
        services.restart_register(kind="outgoing", start_at=100, by=records_clerk)
    assert not RegisterEvent.objects.exists()


def test_an_unknown_register_or_number_is_400(api_as, admin_user):
    api = api_as(admin_user)
    assert api.post("/api/v1/registers/nope/restart", {"start_at": 3}, format="json").status_code == 400
    assert api.post("/api/v1/registers/outgoing/restart", {"start_at": 0}, format="json").status_code == 400
    services.restart_register(kind="outgoing", start_at=10, by=admin_user)
    with pytest.raises(Conflict):
        services.restart_register(kind="outgoing", start_at=9, by=admin_user)  # 9 was given by the paper register
    assert list(RegisterEvent.objects.values_list("from_number", "to_number")) == [(0, 10)]
