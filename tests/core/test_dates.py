"""Every date the portal accepts lies in a plausible range: a slip such as 31/10/0204 is
refused with a Vietnamese message on the pages and in the API, never stored."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from core.dates import EARLIEST, check_plausible, latest
from core.forms import DayFirstDateField


@pytest.mark.parametrize("typed", ["31/10/0204", "01/01/1900", "01/09/1945", "31/12/9999"])
def test_the_date_field_refuses_an_implausible_year(typed):
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        DayFirstDateField().clean(typed)
    assert "không hợp lệ" in refused.value.messages[0]
    assert typed.split("/")[-1].lstrip("0") in refused.value.messages[0]


@pytest.mark.parametrize("typed", ["02/09/1945", "15/10/2024"])
def test_the_date_field_accepts_a_plausible_date(typed):
    assert DayFirstDateField().clean(typed) == datetime.datetime.strptime(typed, "%d/%m/%Y").date()


def test_ten_years_ahead_is_the_last_plausible_day():
    check_plausible(latest())
    with pytest.raises(ValidationError):
        check_plausible(latest() + datetime.timedelta(days=1))
    assert latest().year == timezone.localdate().year + 10
    with pytest.raises(ValidationError):
        check_plausible(EARLIEST - datetime.timedelta(days=1))


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["9999-12-31", "0204-10-31"])
def test_the_calendar_api_refuses_a_far_date_with_a_400(api_as, clerk, start):
    response = api_as(clerk).get("/api/v1/calendar/due", {"from": start, "working_days": 60})
    assert response.status_code == 400
    assert "không hợp lệ" in str(response.json())


@pytest.mark.django_db
def test_the_incoming_api_refuses_an_implausible_document_date(api_as, records_clerk):
    response = api_as(records_clerk).post(
        "/api/v1/incoming/",
        {"issuer": "Sở Nội vụ", "reference": "15/SNV-VP", "document_date": "0204-10-31", "subject": "V/v thử"},
        format="json",
    )
    assert response.status_code == 400
    assert "document_date" in response.json()["errors"]
