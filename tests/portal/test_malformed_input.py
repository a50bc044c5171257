"""The 500s an outside attack found, each now a 400 with a Vietnamese `detail` (or page):
JSON nested 100,000 deep, a deeply nested report `items`, a unit id of 10^30, a reference
part longer than its column, a NUL in any text field or query parameter (an admin list's
`?kind=%00` included), a number where text is expected. And those the fuzz of every
route found (test_route_fuzz.py): a NUL in an API form field, an id of 10^30 in a form's
multiple choice or a query, a date hierarchy's year 10^30 or 9999 in an admin list, a
word or 10^30 in an admin autocomplete field."""

import json
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from chasing import sweep

pytestmark = pytest.mark.django_db
VIETNAMESE = "ơưăâêôđ"  # a detail in Vietnamese carries at least one of these letters


def vietnamese(text: str) -> bool:
    return any(letter in text.lower() for letter in VIETNAMESE)


def assert_400_in_vietnamese(response):
    assert response.status_code == 400, response.content[:300]
    assert vietnamese(json.dumps(response.json(), ensure_ascii=False)), response.json()


def test_json_nested_100000_deep_is_a_400(api_as, clerk):
    body = "[" * 100_000 + "]" * 100_000
    response = api_as(clerk).generic("POST", "/api/v1/circulars/", body, content_type="application/json")
    assert_400_in_vietnamese(response)


def test_json_nested_past_the_limit_is_a_400(api_as, drafter):
    nested = "x"
    for _level in range(40):
        nested = [nested]
    body = json.dumps({"subject": "V/v thử", "copy_to": nested})
    response = api_as(drafter).generic("POST", "/api/v1/circulars/", body, content_type="application/json")
    assert_400_in_vietnamese(response)


def test_deeply_nested_report_items_are_a_400(api_as, clerk, delivery):
    items = "[" * 50_000 + "]" * 50_000
    response = api_as(clerk).post(
        f"/api/v1/deliveries/{delivery.pk}/reports", {"summary": "Đã làm", "items": items}, format="multipart"
    )
    assert_400_in_vietnamese(response)
    assert not delivery.reports.exists()


def test_a_huge_unit_id_in_chase_is_a_400(api_as, monitor, circular):
    response = api_as(monitor).post(f"/api/v1/circulars/{circular.pk}/chase", {"units": [10**30]}, format="json")
    assert_400_in_vietnamese(response)


def test_a_reference_part_longer_than_its_column_is_a_400(api_as, records_clerk):
    response = api_as(records_clerk).post(
        "/api/v1/incoming/",
        {"issuer": "Sở Nội vụ", "reference": "1" * 40 + "/SNV", "document_date": "2024-10-01", "subject": "V/v thử"},
        format="json",
    )
    assert_400_in_vietnamese(response)


@pytest.mark.parametrize("field", ["subject", "body", "notation"])
def test_a_nul_in_a_json_text_field_is_a_400(api_as, drafter, field):
    data = {"subject": "V/v thử", field: "a\x00b"}
    response = api_as(drafter).post("/api/v1/circulars/", data, format="json")
    assert_400_in_vietnamese(response)


def test_a_nul_in_a_json_key_is_a_400(api_as, drafter):
    response = api_as(drafter).post("/api/v1/circulars/", {"subject": "V/v thử", "x\x00": 1}, format="json")
    assert_400_in_vietnamese(response)


def test_a_nul_reaches_no_view_even_for_a_user_without_the_role(api_as, clerk):
    # The body is parsed before the role check: the NUL is refused first, as a 400.
    response = api_as(clerk).post("/api/v1/incoming/", {"issuer": "\x00"}, format="json")
    assert_400_in_vietnamese(response)


def test_a_nul_in_a_form_field_is_a_400_page(client, records_clerk):
    client.force_login(records_clerk)
    response = client.post(reverse("incoming-new"), {"issuer": "Sở\x00", "reference": "1/A", "subject": "x"})
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_query_parameter_of_an_admin_list_is_a_400(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/acknowledgements/notification/", {"kind": "\x00"})
    assert response.status_code == 400


def test_a_nul_in_an_api_query_parameter_is_a_400(api_as, records_clerk):
    assert_400_in_vietnamese(api_as(records_clerk).get("/api/v1/incoming/", {"q": "a\x00"}))


@pytest.mark.parametrize("value", [1e300, 12, True])
def test_a_number_where_text_is_expected_is_a_400(api_as, clerk, delivery, value):
    response = api_as(clerk).post(f"/api/v1/deliveries/{delivery.pk}/refuse", {"reason": value}, format="json")
    assert_400_in_vietnamese(response)
    delivery.refresh_from_db()
    assert delivery.refuse_reason == ""


def test_a_number_too_large_for_a_float_is_a_400(api_as, clerk, delivery):
    response = api_as(clerk).generic(
        "POST", f"/api/v1/deliveries/{delivery.pk}/refuse", '{"reason": 1e999999}', content_type="application/json"
    )
    assert_400_in_vietnamese(response)


def test_a_circular_body_past_its_bound_is_a_400(api_as, drafter):
    response = api_as(drafter).post("/api/v1/circulars/", {"subject": "V/v thử", "body": "x" * 100_001}, format="json")
    assert_400_in_vietnamese(response)


@pytest.mark.parametrize("content_type", ["multipart", "form"])
def test_a_nul_in_an_api_form_field_is_a_400(api_as, drafter, content_type):
    # The signer is looked up by username: PostgreSQL refuses a NUL in it with an error.
    data = {"subject": "V/v thử", "signer": "a\x00b"}
    if content_type == "form":
        response = api_as(drafter).generic(
            "POST", "/api/v1/circulars/", urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = api_as(drafter).post("/api/v1/circulars/", data, format="multipart")
    assert_400_in_vietnamese(response)


def test_an_id_of_10_to_the_30_in_a_forms_multiple_choice_is_an_error_on_the_page(client, drafter):
    client.force_login(drafter)
    huge = str(10**30)
    response = client.post(reverse("circular-new"), {"subject": "V/v thử", "recipient_groups": [huge]})
    assert response.status_code in (200, 400)
    assert "Không có mục nào để chọn" in response.content.decode()
    response = client.post(reverse("circular-new"), {"subject": "V/v thử", "in_response_to": [huge]})
    assert response.status_code in (200, 400)


def test_an_id_of_10_to_the_30_in_the_query_names_nothing(client, drafter):
    client.force_login(drafter)
    assert client.get(reverse("circular-new"), {"in_response_to": [str(10**30), "9" * 5000]}).status_code == 200


def test_chasing_units_by_ids_no_row_can_have_chases_nobody(circular, monitor):
    assert sweep.chase_now(circular=circular, unit_ids=[10**30, -1, 0], by=monitor) == 0


@pytest.mark.parametrize("year", [str(10**30), "9999", "0"])
def test_a_date_hierarchy_year_that_is_no_date_asks_to_fix_the_address(client, admin_user, year):
    client.force_login(admin_user)
    response = client.get("/admin/acknowledgements/delivery/", {"sent_at__year": year})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


@pytest.mark.parametrize("parent", ["xyz", str(10**30)])
def test_a_word_or_10_to_the_30_in_an_autocomplete_field_is_an_error_on_the_admin_form(client, admin_user, parent):
    client.force_login(admin_user)
    response = client.post(
        "/admin/units/unit/add/", {"code": "xa-ba", "name": "Xã Ba", "kind": "commune", "parent": parent}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]


def test_an_id_of_10_to_the_30_in_an_admin_many_to_many_field_is_an_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post("/admin/auth/group/add/", {"name": "nhóm", "permissions": [str(10**30)]})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["permissions"]
