"""This year's incoming dispatches of the demo district, at every step of their handling:
one handled, one whose lead unit is late, one in hand at xa-bac-phong with a supporting
unit's contribution, one presented to the leader awaiting an instruction, one registered
this morning awaiting presentation. Registered oldest first: arrival numbers follow
the dates received."""

from django.db import transaction

from acknowledgements import assignments
from circulars import services as circulars
from circulars.models import Assignment, IncomingDispatch, NumberingRegister
from portal.demo.story import Clock, numbers_before, user
from units.models import Unit

# Dispatches a district receives a day (its incoming register's pace).
INCOMING_PER_DAY = 1.6
INSTRUCTION = "Giao {lead} chủ trì{support} tham mưu UBND huyện xử lý, báo cáo kết quả đúng thời hạn."

# reference, issuer, subject, received (working days ago, hour)
HANDLED = (
    "1234/STC-QLNS",
    "Sở Tài chính",
    "V/v hướng dẫn lập dự toán ngân sách nhà nước năm sau",
    (25, "08:30"),
)
LATE = (
    "856/SVHTTDL-QLVH",
    "Sở Văn hóa, Thể thao và Du lịch",
    "V/v báo cáo tình hình hoạt động của các thiết chế văn hóa cơ sở",
    (12, "08:15"),
)
IN_HAND = (
    "412/SKHCN-BCVT",
    "Sở Khoa học và Công nghệ",
    "V/v rà soát hiện trạng hệ thống truyền thanh cơ sở ứng dụng công nghệ thông tin - viễn thông",
    (3, "08:00"),
)
PRESENTED = (
    "2207/CAT-PA05",
    "Công an tỉnh",
    "V/v cảnh báo thủ đoạn giả danh cơ quan Công an gọi điện lừa đảo",
    (1, "08:20"),
)
REGISTERED = (
    "1590/SNV-CCVC",
    "Sở Nội vụ",
    "V/v triển khai đánh giá, xếp loại chất lượng cán bộ, công chức cuối năm",
    (0, "08:15"),
)


def _register(clock: Clock, entry) -> IncomingDispatch | None:
    """The entry, registered at its moment; None when an earlier run already did."""
    reference, issuer, subject, received = entry
    received_at = clock.at(*received)
    if IncomingDispatch.objects.filter(issuer=issuer, subject=subject).exists():
        return None
    document_date = clock.day(received[0] + 2)
    numbers_before(NumberingRegister.Kind.INCOMING, received_at.date(), INCOMING_PER_DAY)
    return circulars.register_incoming(
        by=user("vanthu"),
        issuer=issuer,
        reference=reference,
        document_date=document_date,
        subject=subject,
        received_on=received_at.date(),
        at=received_at,
    )


def _assign(clock, dispatch, *, when, lead: str, support=(), **due) -> list[Assignment]:
    lead_unit = Unit.objects.get(code=lead)
    supports = list(Unit.objects.filter(code__in=support))
    helpers = "".join(f", {u.name} phối hợp" for u in supports)
    return assignments.assign(
        dispatch=dispatch,
        by=user("lanhdao"),
        lead_unit=lead_unit,
        support_units=supports,
        instruction=INSTRUCTION.format(lead=lead_unit.name, support=helpers),
        at=clock.at(*when),
        **due,
    )


LATE_NOTE = "Xã Công Hải có 01 nhà văn hóa xã, 08 nhà văn hóa thôn đang hoạt động; số liệu chi tiết gửi kèm."
IN_HAND_NOTE = "Phòng VH-TT gửi mẫu biểu rà soát hiện trạng; đề nghị xã hoàn thành trước hạn để tổng hợp."


@transaction.atomic
def _in_handling(clock, entry, *, presented, assigned, lead: str, support: str, due: dict, note) -> None:
    """Registered, presented, assigned with a supporting unit, which has written its part."""
    dispatch = _register(clock, entry)
    if dispatch is None:
        return
    assignments.present(dispatch=dispatch, by=user("vanthu"), leader=user("lanhdao"), at=clock.at(*presented))
    _lead, helper = _assign(clock, dispatch, when=assigned, lead=lead, support=[support], **due)
    author, written, text = note
    assignments.add_note(assignment=helper, by=user(author), text=text, at=clock.at(*written))


def seed_dispatches(clock: Clock) -> None:
    vanthu, lanhdao = user("vanthu"), user("lanhdao")
    with transaction.atomic():
        dispatch = _register(clock, HANDLED)
        if dispatch:
            assignments.present(dispatch=dispatch, by=vanthu, leader=lanhdao, at=clock.at(25, "09:00"))
            [lead] = _assign(clock, dispatch, when=(24, "14:00"), lead="phong-tckh", working_days=10)
            assignments.complete(
                assignment=lead,
                by=user("phong-tckh"),
                note="Đã tham mưu UBND huyện ban hành hướng dẫn lập dự toán cho các đơn vị, các xã.",
                at=clock.at(18, "16:00"),
            )
    _in_handling(
        clock,
        LATE,
        presented=(12, "09:00"),
        assigned=(11, "10:00"),
        lead="phong-vhtt",
        support="xa-cong-hai",
        due={"due_on": clock.day(2)},
        note=("xa-cong-hai", (6, "15:00"), LATE_NOTE),
    )
    _in_handling(
        clock,
        IN_HAND,
        presented=(3, "08:30"),
        assigned=(2, "15:00"),
        lead="xa-bac-phong",
        support="phong-vhtt",
        due={"working_days": 7},
        note=("vhtt", (1, "10:00"), IN_HAND_NOTE),
    )
    with transaction.atomic():
        dispatch = _register(clock, PRESENTED)
        if dispatch:
            assignments.present(dispatch=dispatch, by=vanthu, leader=lanhdao, at=clock.at(1, "09:00"))
    with transaction.atomic():
        _register(clock, REGISTERED)
