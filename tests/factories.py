"""Small builders for circulars in a given state, through the real services."""

import datetime
import zoneinfo

import time_machine

from acknowledgements import assignments
from circulars import services

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


def draft_circular(drafter, *, signer, groups=(), units=(), subject="V/v cảnh báo giả mạo", in_response_to=(), **data):
    # The sample's notation, typed: the test organisation has no drafting office. Tests of
    # the notation Decree 30 builds pass notation_override="" (tests/circulars/test_notation.py).
    data.setdefault("notation_override", "UBND-TH")
    return services.create_draft(
        by=drafter,
        data={
            "subject": subject,
            "body": "Đề nghị các đơn vị triển khai.\n\n- Thông báo đến cán bộ\n- Lưu bằng chứng",
            "signer": signer,
            "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            "copy_to": ["Như trên;", "Lưu: VT."],
            **data,
        },
        recipient_groups=list(groups),
        recipient_units=list(units),
        action_items=["Thông báo đến toàn thể cán bộ", "Lưu lại bằng chứng"],
        in_response_to=list(in_response_to),
    )


def approved_circular(drafter, signer, **kwargs):
    circular = draft_circular(drafter, signer=signer, **kwargs)
    services.submit(circular=circular, by=drafter)
    return services.approve(circular=circular, by=signer)


def issued_circular(drafter, signer, records_clerk, *, issued_on: datetime.date | None = None, **kwargs):
    """Drafted, signed and issued now; with ``issued_on``, all of it on that day (09:00 in
    Hà Nội), as a circular is issued on or after the day it is signed and in its year."""
    if issued_on is None:
        circular = approved_circular(drafter, signer, **kwargs)
        return services.issue(circular=circular, by=records_clerk)
    with time_machine.travel(datetime.datetime.combine(issued_on, datetime.time(9, 0), VN), tick=False):
        circular = approved_circular(drafter, signer, **kwargs)
        return services.issue(circular=circular, by=records_clerk, issued_on=issued_on)


def assigned_dispatch(
    records_clerk,
    signer,
    *,
    number: int,
    lead,
    supports=(),
    due_on: datetime.date,
    at: datetime.datetime,
    received_on: datetime.date | None = None,
    urgency: str = "normal",
):
    """An incoming dispatch registered and assigned by ``signer`` at ``at`` to ``lead``
    and ``supports`` with ``due_on``, through the real services. Returns (dispatch, the
    new assignments, the lead first)."""
    with time_machine.travel(at, tick=False):
        dispatch = services.register_incoming(
            by=records_clerk,
            issuer="Sở Thông tin và Truyền thông",
            reference=f"{number}/STTTT-TTra",
            document_date=(received_on or at.date()) - datetime.timedelta(days=3),
            subject=f"V/v văn bản đến số {number}",
            received_on=received_on or at.date(),
            urgency=urgency,
        )
        new = assignments.assign(
            dispatch=dispatch,
            by=signer,
            lead_unit=lead,
            support_units=list(supports),
            due_on=due_on,
            instruction="Giao đơn vị chủ trì tham mưu triển khai.",
        )
    return dispatch, new
