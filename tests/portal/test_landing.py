"""Each role lands on its work after login, and a unit's clerk acknowledges from there in
one tap."""

import pytest
from django.urls import reverse

from acknowledgements.models import Delivery
from tests.conftest import PASSWORD, make_user
from units.roles import PortalRole

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("records_clerk", "inbox"),
        ("signer", "inbox"),
        ("monitor", "dashboard?sort=overdue"),
        ("drafter", "circular-list"),
        ("clerk", "inbox"),
        ("admin_user", "home"),
    ],
)
def test_login_leads_each_role_to_its_work(client, request, who, page):
    user = request.getfixturevalue(who)
    answer = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, follow=True)
    name, _, query = page.partition("?")
    assert answer.redirect_chain[-1][0] == reverse(name) + (f"?{query}" if query else "")
    assert answer.status_code == 200


def test_someone_with_no_role_and_no_unit_lands_home(client):
    user = make_user("newcomer")
    client.force_login(user)
    assert client.get(reverse("landing")).url == reverse("home")


def test_a_records_clerk_who_is_also_a_units_member_lands_on_the_inbox_with_both_kinds_of_work(client, unit):
    user = make_user("both", role=PortalRole.RECORDS_CLERK, unit=unit)
    client.force_login(user)
    assert client.get(reverse("landing")).url == reverse("inbox")
    page = client.get(reverse("inbox")).content.decode()
    assert reverse("incoming-new") in page and 'id="inbox-filters"' in page


def test_an_explicit_next_wins(client, clerk, circular):
    answer = client.post(
        reverse("login") + "?next=" + reverse("circular-list"), {"username": clerk.username, "password": PASSWORD}
    )
    assert answer.url == reverse("circular-list")


def test_the_clerk_acknowledges_from_the_inbox_in_one_tap(client, clerk, delivery):
    client.force_login(clerk)
    inbox = client.get(reverse("inbox")).content.decode()
    action = reverse("delivery-acknowledge", args=[delivery.pk])
    assert f'action="{action}"' in inbox and f'id="acknowledge-{delivery.pk}"' in inbox
    answer = client.post(action, follow=True)
    assert answer.status_code == 200
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.ACKNOWLEDGED
    # Acknowledged, the row offers the step no more.
    assert f'id="acknowledge-{delivery.pk}"' not in client.get(reverse("inbox")).content.decode()


def test_from_the_circulars_page_a_unit_clerk_reaches_the_units_copy(client, clerk, other_clerk, delivery, monitor):
    client.force_login(clerk)
    page = client.get(reverse("circular-detail", args=[delivery.circular_id])).content.decode()
    assert f'href="{reverse("delivery-detail", args=[delivery.pk])}"' in page
    # Another unit's clerk reaches their own copy, not this one; the monitor, who keeps no
    # copy, gets no such link.
    client.force_login(other_clerk)
    page = client.get(reverse("circular-detail", args=[delivery.circular_id])).content.decode()
    assert f'id="my-delivery-{delivery.pk}"' not in page and 'id="my-deliveries"' in page
    client.force_login(monitor)
    page = client.get(reverse("circular-detail", args=[delivery.circular_id])).content.decode()
    assert 'id="my-deliveries"' not in page
