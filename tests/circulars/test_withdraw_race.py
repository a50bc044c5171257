"""Withdraw decides which role it needs on the locked row: a drafter's withdraw that was
sent while the circular was approved, but arrives after the clerk issued it, is refused
(an issued circular is the signer's to withdraw)."""

import pytest

from acknowledgements.services import withdraw
from circulars import services
from circulars.models import Circular
from core.errors import Forbidden
from tests.factories import approved_circular

pytestmark = pytest.mark.django_db


def test_a_drafters_withdraw_that_lost_the_race_to_issue_is_refused(drafter, signer, records_clerk, communes_group):
    seen_by_drafter = approved_circular(drafter, signer, groups=[communes_group])
    services.issue(circular=Circular.objects.get(pk=seen_by_drafter.pk), by=records_clerk)
    assert seen_by_drafter.status == Circular.Status.APPROVED  # the drafter's page still says approved
    with pytest.raises(Forbidden):
        services.withdraw(circular=seen_by_drafter, by=drafter, reason="Nhầm")
    assert Circular.objects.get(pk=seen_by_drafter.pk).status == Circular.Status.ISSUED


def test_a_drafter_still_withdraws_an_approved_circular(drafter, signer, communes_group):
    circular = approved_circular(drafter, signer, groups=[communes_group])
    services.withdraw(circular=circular, by=drafter, reason="Không cần nữa")
    assert Circular.objects.get(pk=circular.pk).status == Circular.Status.WITHDRAWN


def test_a_signer_withdrawing_an_issued_circular_recalls_it(drafter, signer, records_clerk, communes_group):
    circular = services.issue(circular=approved_circular(drafter, signer, groups=[communes_group]), by=records_clerk)
    recalled = withdraw(circular=circular, by=signer, reason="Sai sót")
    assert recalled.status == Circular.Status.RECALLED
    assert Circular.objects.get(pk=circular.pk).recall_reason == "Sai sót"
