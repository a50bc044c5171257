import pytest
from django.core.cache import cache

from tests.conftest import PASSWORD, make_user
from units.models import Unit

pytestmark = pytest.mark.django_db


def test_token_for_good_credentials(api, clerk):
    response = api.post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me").json()["username"] == "clerk"


def test_token_refused_for_bad_credentials_with_vietnamese_message(api, clerk):
    response = api.post("/api/v1/auth/token", {"username": "clerk", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "Sai tên đăng nhập hoặc mật khẩu."


def test_token_request_without_fields_is_400_not_500(api, db):
    response = api.post("/api/v1/auth/token", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}
    response = api.post("/api/v1/auth/token", "not json", content_type="application/json")
    assert response.status_code == 400


def test_token_endpoint_limits_failures_not_requests(api, clerk, settings):
    """Guessing is stopped by failures (the username from this address is locked after
    five); a colleague at the same address still gets a token (no request-rate throttle)."""
    cache.clear()
    answers = [
        api.post("/api/v1/auth/token", {"username": "clerk", "password": "wrong"}, format="json").status_code
        for _ in range(12)
    ]
    assert set(answers) <= {400, 429}
    response = api.post("/api/v1/auth/token", {"username": "clerk", "password": PASSWORD}, format="json")
    assert "token" not in response.json()
    make_user("colleague")
    response = api.post("/api/v1/auth/token", {"username": "colleague", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json()["token"]


def test_api_needs_authentication(api, db):
    for path in ("/api/v1/me", "/api/v1/units/", "/api/v1/unit-groups/"):
        assert api.get(path).status_code == 401, path


def test_me_describes_roles_and_units(api_as, clerk, unit, monitor, monitoring_unit):
    body = api_as(clerk).get("/api/v1/me").json()
    assert body == {
        "username": "clerk",
        "full_name": "Nguyễn Văn Thư",
        "roles": ["unit_clerk"],
        "units": [{"id": unit.id, "code": "xa-mot", "name": "Ủy ban nhân dân xã Một"}],
    }
    body = api_as(monitor).get("/api/v1/me").json()
    assert body["roles"] == ["monitor", "unit_clerk"]
    assert [u["code"] for u in body["units"]] == [monitoring_unit.code]


def test_me_for_head_and_portal_roles(api_as, head, signer, admin_user):
    assert api_as(head).get("/api/v1/me").json()["roles"] == ["unit_head"]
    assert api_as(signer).get("/api/v1/me").json()["roles"] == ["signer"]
    assert api_as(admin_user).get("/api/v1/me").json()["roles"] == ["admin"]


def test_units_list_is_paginated_with_page_size_up_to_500(api_as, clerk, district):
    Unit.objects.bulk_create(
        Unit(code=f"xa-{i:03}", name=f"Xã {i:03}", kind=Unit.Kind.COMMUNE, parent=district) for i in range(520)
    )
    api = api_as(clerk)
    first = api.get("/api/v1/units/").json()
    assert first["count"] == 522  # the district, the clerk's commune and 520 more
    assert len(first["results"]) == 50
    assert first["next"] and first["previous"] is None
    assert set(first["results"][0]) >= {"id", "code", "name", "kind", "parent"}
    big = api.get("/api/v1/units/?page_size=1000").json()
    assert len(big["results"]) == 500
    assert api.get("/api/v1/units/?page=99").status_code == 404


def test_unit_groups_list_their_units_as_ids(
    api_as, clerk, communes_group, unit, other_unit, django_assert_num_queries
):
    api = api_as(clerk)
    # token + user, count, page of groups, prefetch of their units
    with django_assert_num_queries(4):
        body = api.get("/api/v1/unit-groups/").json()
    assert body["count"] == 1
    group = body["results"][0]
    assert group["code"] == "cac-xa"
    assert sorted(group["units"]) == sorted([unit.id, other_unit.id])


def test_openapi_schema_is_served(api_as, clerk):
    response = api_as(clerk).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in ("/api/v1/auth/token", "/api/v1/me", "/api/v1/units/", "/api/v1/unit-groups/"):
        assert path in schema["paths"], path
