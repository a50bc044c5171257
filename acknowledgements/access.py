"""Fetching deliveries and reports for a user: another unit's delivery is a 404."""

from django.shortcuts import get_object_or_404

from acknowledgements.models import Delivery, Evidence, ImplementationReport


def get_delivery_for_user(user, pk) -> Delivery:
    return get_object_or_404(
        Delivery.objects.for_user(user).select_related("circular", "circular__issuing_unit", "unit"), pk=pk
    )


def get_report_for_user(user, pk) -> ImplementationReport:
    report = get_object_or_404(ImplementationReport.objects.select_related("delivery"), pk=pk)
    get_delivery_for_user(user, report.delivery_id)
    return report


def get_evidence_for_user(user, pk) -> Evidence:
    evidence = get_object_or_404(Evidence.objects.select_related("report"), pk=pk)
    get_delivery_for_user(user, evidence.report.delivery_id)
    return evidence
