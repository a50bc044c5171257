import pytest

from tests.factories import draft_circular, issued_circular

pytestmark = pytest.mark.django_db


def test_admin_shows_an_issued_circular_read_only(
    client, admin_user, drafter, signer, records_clerk, district, communes_group
):
    circular = issued_circular(drafter, signer, records_clerk, groups=[communes_group])
    client.force_login(admin_user)
    page = client.get(f"/admin/circulars/circular/{circular.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="subject"' not in html
    assert circular.subject in html
    # A POST cannot change it either.
    client.post(f"/admin/circulars/circular/{circular.pk}/change/", {"subject": "đổi"})
    circular.refresh_from_db()
    assert circular.subject != "đổi"
    assert client.get(f"/admin/circulars/circular/{circular.pk}/delete/").status_code == 403


def test_admin_edits_a_draft(client, admin_user, drafter, signer, district):
    circular = draft_circular(drafter, signer=signer)
    client.force_login(admin_user)
    html = client.get(f"/admin/circulars/circular/{circular.pk}/change/").content.decode()
    assert 'name="subject"' in html


def test_admin_lists_circular_events_without_edit(client, admin_user, drafter, signer, district):
    circular = draft_circular(drafter, signer=signer)
    client.force_login(admin_user)
    event = circular.events.get()
    assert client.get("/admin/circulars/circularevent/").status_code == 200
    assert client.get(f"/admin/circulars/circularevent/{event.pk}/delete/").status_code == 403
