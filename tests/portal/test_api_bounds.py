"""The OpenAPI schema states the bounds the API enforces, and the API enforces what the
schema states (tests/portal/test_api_fuzz.py checks both ways with generated requests;
these pin what it found): pages and page sizes, text that may not be blank, working
days, the plausible range of dates, a chase naming at least one unit."""

import datetime
import json
import re
import sys

import pytest

from acknowledgements import services as ack_services
from circulars import services
from core.api import SPACES
from core.dates import EARLIEST, iso_pattern, latest
from tests.factories import draft_circular

pytestmark = pytest.mark.django_db
VIETNAMESE = "ơưăâêôđ"


@pytest.fixture
def schema(api_as, clerk):
    return api_as(clerk).get("/api/v1/openapi.json").json()


def parameter(schema, path, name) -> dict:
    return next(p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)["schema"]


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5", "", "+1", "١", "9" * 5000 + "x"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400_naming_it(api_as, clerk, page):
    response = api_as(clerk).get("/api/v1/units/", {"page": page})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page"]


@pytest.mark.parametrize("size", ["0", "-5", "abc", "", "2.0e2"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400_naming_it(api_as, clerk, size):
    response = api_as(clerk).get("/api/v1/inbox/", {"page_size": size})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page_size"]


def test_a_page_or_page_size_given_twice_is_a_400(api_as, clerk):
    assert api_as(clerk).get("/api/v1/units/?page=1&page=1").status_code == 400
    assert api_as(clerk).get("/api/v1/units/?page_size=5&page_size=6").status_code == 400


def test_the_page_errors_are_in_vietnamese(api_as, clerk):
    body = api_as(clerk).get("/api/v1/units/", {"page": "0", "page_size": "0"}).json()
    assert len(body["errors"]) == 2
    assert any(letter in json.dumps(body, ensure_ascii=False) for letter in VIETNAMESE), body


def test_a_page_past_the_end_is_a_404_and_the_last_page_is_served(api_as, clerk):
    api = api_as(clerk)
    assert api.get("/api/v1/units/", {"page": "9" * 5000}).status_code == 404
    assert api.get("/api/v1/units/", {"page": "2"}).status_code == 404
    assert api.get("/api/v1/units/", {"page": "last"}).status_code == 200


def test_a_page_size_of_thousands_of_digits_gives_the_largest_page(api_as, clerk):
    assert api_as(clerk).get("/api/v1/units/", {"page_size": "9" * 5000}).status_code == 200


def test_the_schema_states_the_page_bounds(schema):
    page = parameter(schema, "/api/v1/units/", "page")
    assert {"type": "integer", "minimum": 1} in page["oneOf"]
    assert parameter(schema, "/api/v1/units/", "page_size") == {"type": "integer", "minimum": 1}


# --- Text that may not be blank -----------------------------------------------------------


def test_the_pattern_of_required_text_knows_the_spaces_strip_removes():
    # Python's "\s" and the schema's (ECMA) differ; the class spelled out must not.
    not_space = re.compile(f"[^{SPACES}]")
    wrong = [hex(c) for c in range(sys.maxunicode + 1) if (not_space.match(chr(c)) is None) != chr(c).isspace()]
    assert not wrong


@pytest.mark.parametrize("reason", ["", "   ", "\x1f\x85", "\u3000"])
def test_a_refusal_without_a_reason_is_a_400_naming_the_field(api_as, clerk, delivery, reason):
    response = api_as(clerk).post(f"/api/v1/deliveries/{delivery.pk}/refuse", {"reason": reason}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reason"]


def test_returning_a_draft_without_a_comment_is_a_400_in_the_services_words(api_as, drafter, signer, district):
    circular = draft_circular(drafter, signer=signer, units=[district])
    services.submit(circular=circular, by=drafter)
    response = api_as(signer).post(f"/api/v1/circulars/{circular.pk}/return", {}, format="json")
    assert response.status_code == 400
    assert "bắt buộc" in response.json()["errors"]["comment"][0]  # "… the comment is required."


def test_returning_a_report_without_a_comment_is_a_400_naming_the_field(api_as, clerk, monitor, delivery):
    items = [{"action_item": a.pk, "status": "done", "note": ""} for a in delivery.circular.action_items.all()]
    report = ack_services.submit_report(delivery=delivery, by=clerk, summary="Đã làm.", items=items)
    response = api_as(monitor).post(f"/api/v1/reports/{report.pk}/return", {"comment": " "}, format="json")
    assert response.status_code == 400
    assert "bắt buộc" in response.json()["errors"]["comment"][0]


def test_a_withdrawal_and_an_acceptance_need_no_comment(schema):
    for name in ("Comment", "ReviewComment"):
        assert "required" not in schema["components"]["schemas"][name]
    for name in ("ReturnComment", "ReturnReportComment", "Reason"):
        component = schema["components"]["schemas"][name]
        assert component["required"] and all(
            field["minLength"] == 1 and field["pattern"] for field in component["properties"].values()
        )


# --- Numbers, lists and dates ----------------------------------------------------------------


def test_the_schema_states_the_working_days_and_the_chase_bounds(schema):
    assert parameter(schema, "/api/v1/calendar/due", "working_days") == {"type": "integer", "minimum": 1, "maximum": 60}
    assert schema["components"]["schemas"]["Chase"]["properties"]["units"]["minItems"] == 1


def test_the_date_pattern_is_exactly_the_plausible_range():
    pattern = re.compile(iso_pattern(EARLIEST, latest()))
    day, last = datetime.date(1900, 1, 1), latest() + datetime.timedelta(days=800)
    while day <= last:
        assert bool(pattern.match(day.isoformat())) == (EARLIEST <= day <= latest()), day
        day += datetime.timedelta(days=1)


def test_the_schema_states_the_plausible_range_of_a_date(schema):
    pattern = re.compile(parameter(schema, "/api/v1/calendar/due", "from")["pattern"])
    assert pattern.match(EARLIEST.isoformat()) and pattern.match(latest().isoformat())
    assert not pattern.match((EARLIEST - datetime.timedelta(days=1)).isoformat())
    assert not pattern.match((latest() + datetime.timedelta(days=1)).isoformat())


def test_an_empty_period_bound_means_not_given_and_the_schema_says_so(api_as, monitor, schema):
    assert api_as(monitor).get("/api/v1/compliance/units/?from=&to=").status_code == 200
    assert {"type": "string", "maxLength": 0} in parameter(schema, "/api/v1/compliance/units/", "from")["oneOf"]


def test_a_period_that_ends_before_it_starts_is_a_400(api_as, monitor):
    response = api_as(monitor).get("/api/v1/compliance/units/", {"from": "2024-10-02", "to": "2024-10-01"})
    assert response.status_code == 400
