"""File endpoints answer 200 to their own media type and to */*, 406 to a client that
accepts only JSON; their errors are JSON whatever the client asked for."""

import pytest

pytestmark = pytest.mark.django_db

FILES = [
    ("/api/v1/circulars/{pk}/pdf", "application/pdf"),
    ("/api/v1/circulars/{pk}/compliance/report.pdf", "application/pdf"),
    (
        "/api/v1/circulars/{pk}/compliance/export.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("/api/v1/circulars/{pk}/compliance/export.csv", "text/csv"),
]


@pytest.mark.parametrize(("path", "media_type"), FILES)
@pytest.mark.parametrize("accept", ["own", "*/*", None])
def test_a_file_endpoint_serves_its_own_type_and_anything(api_as, monitor, circular, path, media_type, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": media_type if accept == "own" else accept}
    response = api_as(monitor).get(path.format(pk=circular.pk), **headers)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(media_type)


@pytest.mark.parametrize(("path", "media_type"), FILES)
def test_a_file_endpoint_refuses_a_client_that_wants_only_json(api_as, monitor, circular, path, media_type):
    response = api_as(monitor).get(path.format(pk=circular.pk), HTTP_ACCEPT="application/json")
    assert response.status_code == 406
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


@pytest.mark.parametrize(("path", "media_type"), FILES)
def test_a_file_endpoints_errors_are_json(api_as, other_clerk, issued, path, media_type):
    # ``issued`` is not distributed: nothing of it reached the other commune.
    response = api_as(other_clerk).get(path.format(pk=issued.pk), HTTP_ACCEPT=media_type)
    assert response.status_code in (403, 404)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
