"""The seed document: Sở TT&TT's dispatch 2980/STTTT-TTra of 01/10/2024, registered on
arrival, and the district's forwarding circular, drafted, signed and issued through the
same services the pages use. Text from forwarding-circular-thuan-bac-2024.txt beside this file."""

import datetime

from django.db import transaction

from acknowledgements import assignments
from acknowledgements.models import Delivery
from circulars import services
from circulars.models import Circular, HandlingStatus, NumberingRegister
from portal.demo.story import VN, Step, advance, deliveries_of, play, user, write
from units.models import Unit

DISPATCH = {
    "issuer": "Sở Thông tin và Truyền thông",
    "reference": "2980/STTTT-TTra",
    "document_date": datetime.date(2024, 10, 1),
    "document_type": "cong_van",
    "subject": (
        "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông để gọi điện đe dọa, quấy rối"
    ),
    "signer_name": "",
    "urgency": "normal",
    "received_on": datetime.date(2024, 10, 3),
    "handled_by": "Phòng Văn hóa và Thông tin",
}

SUBJECT = "V/v cảnh báo việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông để gọi điện đe dọa, quấy rối"

ACTION_ITEMS = [
    "Thông báo đến toàn thể cán bộ, công chức, viên chức và người lao động của đơn vị về tình trạng đã có một số "
    "đối tượng giả mạo danh nghĩa công chức Sở Thông tin và Truyền thông thực hiện hành vi gọi điện thoại đe dọa, "
    "quấy rối để nâng cao cảnh giác. Khi nhận được những cuộc gọi có dấu hiệu bất thường cần liên hệ trực tiếp với "
    "cơ quan chức năng để xác minh.",
    "Khi phát hiện các hành vi giả mạo hoặc có biểu hiện nghi ngờ, cần thông báo ngay cho các cơ quan chức năng, "
    "đồng thời phối hợp với Sở Thông tin và Truyền thông để xử lý kịp thời, tránh gây thiệt hại có thể xảy ra.",
    "Phối hợp chặt chẽ với cơ quan công an trên địa bàn để điều tra, xác minh và xử lý nghiêm các đối tượng lợi dụng "
    "danh nghĩa của các tổ chức, cá nhân nhằm thực hiện các hành vi đe dọa, quấy rối.",
    "Lưu lại các bằng chứng (tin nhắn hoặc ghi âm cuộc gọi) thực hiện phản ánh tới Doanh nghiệp viễn thông quản lý "
    "thuê bao để yêu cầu xử lý hoặc thông báo đến số điện thoại trực ban hình sự 0692348560 của Cục Cảnh sát hình sự "
    "để được hướng dẫn kịp thời.",
    "Phản ánh cuộc gọi rác/tin nhắn rác đến đầu số 5656 để Bộ Thông tin và Truyền thông xem xét xử lý theo quy định.",
]

BODY = (
    "<p>Tiếp nhận Công văn số 2980/STTTT-TTra ngày 01/10/2024 của Sở Thông tin và Truyền thông về việc cảnh báo "
    "việc lợi dụng danh nghĩa công chức Sở Thông tin và Truyền thông để gọi điện đe dọa, quấy rối,</p>"
    "<p>Chủ tịch Ủy ban nhân dân huyện có ý kiến như sau:</p>"
    "<p>1. Đề nghị các cơ quan, đơn vị thuộc UBND huyện, Ủy ban nhân dân các xã triển khai thực hiện các nội dung "
    "sau:</p>"
    "<p>- " + "</p><p>- ".join(ACTION_ITEMS[:4]) + "</p>"
    "<p>- " + ACTION_ITEMS[4] + " Cú pháp nhắn tin đến đầu số 5656:</p>"
    "<p>(1). Để phản ánh về cuộc gọi rác soạn: V [Nguồn phát tán] [Nội dung cuộc gọi rác] gửi 5656.</p>"
    "<p>(2). Để phản ánh về tin nhắn rác soạn: S [Nguồn phát tán] [Nội dung tin nhắn rác] gửi 5656.</p>"
    "<p>2. Giao Phòng Văn hóa và Thông tin tham mưu Ủy ban nhân dân huyện theo dõi việc triển khai thực hiện các nội "
    "dung nêu tại khoản 1 Công văn này.</p>"
    "<p><em>(Đính kèm Công văn số 2980/STTTT-TTra ngày 01/10/2024 của Sở Thông tin và Truyền thông).</em></p>"
)

COPY_TO = ["Như trên;", "CT, PCT. UBND huyện;", "VPUB: LĐ, CV;", "Trang Thông tin điện tử huyện;", "Lưu VT."]
ISSUED_ON = datetime.date(2024, 10, 15)
# The demo replays the circular's history as it happened in 2024: drafted the day before,
# signed and issued on 15/10/2024, sent to the units that morning. The services check
# their dates against these moments (issued on or after signing, not in the future, in
# the year of issue) as they check a clerk's against now.
DRAFTED_AT = datetime.datetime(2024, 10, 14, 15, 0, tzinfo=VN)
SIGNED_AT = datetime.datetime(2024, 10, 15, 8, 0, tzinfo=VN)
ISSUED_AT = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN)
SENT_AT = datetime.datetime(2024, 10, 15, 10, 0, tzinfo=VN)
REGISTERED_AT = datetime.datetime(2024, 10, 3, 8, 30, tzinfo=VN)
PRESENTED_AT = datetime.datetime(2024, 10, 3, 9, 0, tzinfo=VN)
ASSIGNED_AT = datetime.datetime(2024, 10, 4, 14, 0, tzinfo=VN)
INSTRUCTION = (
    "Giao Văn phòng HĐND và UBND huyện chủ trì, Phòng Văn hóa và Thông tin phối hợp tham mưu văn bản chỉ đạo "
    "các cơ quan, đơn vị và các xã."
)
# A district issues many documents a year; the demo's circular takes number 123 as in the
# design notes, so the outgoing register of 2024 starts as if 122 had gone before.
NUMBERS_BEFORE = 122


def seed_circular() -> Circular:
    """Register the dispatch and issue the forwarding circular, once."""
    existing = services.find_duplicate_incoming(
        issuer=DISPATCH["issuer"], reference=DISPATCH["reference"], document_date=DISPATCH["document_date"]
    )
    if existing is not None:
        answer = existing.answered_by.order_by("id").first()
        if answer is not None:
            return answer
    with transaction.atomic():
        dispatch = existing or services.register_incoming(by=user("vanthu"), **DISPATCH, at=REGISTERED_AT)
        if dispatch.handling_status == HandlingStatus.REGISTERED:
            # Presented to the leader, who gave it to the office to answer; the circular,
            # once issued, completes its handling.
            assignments.present(dispatch=dispatch, by=user("vanthu"), leader=user("lanhdao"), at=PRESENTED_AT)
            assignments.assign(
                dispatch=dispatch,
                by=user("lanhdao"),
                lead_unit=Unit.objects.get(code="van-phong"),
                support_units=[Unit.objects.get(code="phong-vhtt")],
                instruction=INSTRUCTION,
                working_days=10,
                at=ASSIGNED_AT,
            )
        circular = write(
            data={
                "subject": SUBJECT,
                "body": BODY,
                "copy_to": COPY_TO,
                "report_due_on": datetime.date(2024, 10, 31),
            },
            groups=["co-quan-huyen", "ubnd-cac-xa"],
            items=ACTION_ITEMS,
            in_response_to=[dispatch],
            at=DRAFTED_AT,
        )
        NumberingRegister.objects.get_or_create(
            kind=NumberingRegister.Kind.OUTGOING, year=ISSUED_ON.year, defaults={"last_number": NUMBERS_BEFORE}
        )
        return advance(circular, submitted=DRAFTED_AT, approved=SIGNED_AT, issued=ISSUED_AT)


# The units' side of the story, as it went in 2024: receipt confirmed within the two
# working days (due 17/10) but for two communes, reports by 31/10 but for two, one report
# returned for more detail and sent again, every report accepted by the monitoring office
# (Phòng Văn hóa và Thông tin). (unit, acknowledged, reported, accepted), "dd/mm HH:MM".
HISTORY = [
    ("van-phong", "15/10 10:20", "24/10 09:00", "25/10 08:30"),
    ("phong-vhtt", "15/10 10:35", "23/10 15:00", "24/10 08:00"),
    ("phong-noi-vu", "15/10 11:00", "22/10 10:15", "23/10 09:00"),
    ("phong-tu-phap", "15/10 14:10", "25/10 14:40", "28/10 08:45"),
    ("xa-cong-hai", "15/10 14:30", "22/10 08:10", "23/10 09:20"),
    ("xa-bac-son", "15/10 15:05", "24/10 16:00", "29/10 10:00"),
    ("phong-tckh", "15/10 15:40", "29/10 09:30", "30/10 08:30"),
    ("phong-gddt", "16/10 08:15", "28/10 14:00", "29/10 15:00"),
    ("phong-y-te", "16/10 08:40", "30/10 10:00", "31/10 09:00"),
    ("phong-tnmt", "16/10 09:10", "30/10 15:30", "01/11 08:30"),
    ("thanh-tra", "16/10 10:00", "25/10 10:00", "28/10 09:15"),
    ("xa-loi-hai", "16/10 10:30", "29/10 16:20", "31/10 14:00"),
    ("phong-kt-ht", "16/10 14:00", "31/10 09:00", "01/11 10:00"),
    ("phong-ldtbxh", "16/10 15:20", "31/10 16:30", "04/11 08:30"),
    ("phong-nnptnt", "17/10 09:00", "31/10 11:00", "04/11 09:00"),
    ("phong-dan-toc", "17/10 10:45", "04/11 15:00", "06/11 08:30"),
    ("xa-phuoc-chien", "17/10 16:30", "30/10 09:45", "01/11 14:30"),
    ("xa-phuoc-khang", "21/10 08:30", "05/11 10:00", "07/11 09:00"),
    ("xa-bac-phong", "21/10 09:15", "31/10 15:45", "04/11 10:30"),
]
RETURNED = ("xa-bac-son", "25/10 08:30", "28/10 10:00")  # returned, then reported again
RETURN_COMMENT = (
    "Đề nghị bổ sung hình thức phổ biến (họp, niêm yết, truyền thanh) và số cán bộ, công chức đã được phổ biến."
)
RETURN_ANSWER = (
    "Bổ sung: phổ biến tại cuộc họp giao ban ngày 18/10/2024 cho 21 cán bộ, công chức; niêm yết tại trụ sở; "
    "phát 03 lần trên hệ thống truyền thanh xã."
)
REPORTS = {
    "xa-cong-hai": (
        "UBND xã Công Hải đã phổ biến nội dung Công văn đến toàn thể cán bộ, công chức tại cuộc họp giao ban "
        "ngày 21/10/2024; niêm yết thông báo tại trụ sở và phát trên hệ thống truyền thanh xã."
    ),
}
DEPARTMENT_REPORT = (
    "{unit} đã phổ biến nội dung Công văn đến toàn thể cán bộ, công chức, viên chức và người lao động của đơn vị; "
    "không ghi nhận cuộc gọi giả mạo nào trong thời gian qua."
)
COMMUNE_REPORT = (
    "{unit} đã phổ biến nội dung Công văn đến cán bộ, công chức xã và các thôn; thông báo trên hệ thống "
    "truyền thanh xã; phối hợp Công an xã tiếp nhận phản ánh của người dân."
)


def _moment(text: str) -> datetime.datetime:
    day, hour = text.split()
    return datetime.datetime.strptime(f"{day}/2024 {hour}", "%d/%m/%Y %H:%M").replace(tzinfo=VN)


def history_steps() -> list[Step]:
    steps, summaries = [], {}
    for code, acknowledged, reported, accepted in HISTORY:
        unit = Unit.objects.get(code=code)
        template = COMMUNE_REPORT if unit.kind == Unit.Kind.COMMUNE else DEPARTMENT_REPORT
        summaries[code] = REPORTS.get(code) or template.format(unit=unit.short_name)
        steps += [
            Step(_moment(acknowledged), code, "acknowledge"),
            Step(_moment(reported), code, "report", summaries[code]),
            Step(_moment(accepted), code, "accept"),
        ]
    code, returned, again = RETURNED
    completed = summaries[code] + " " + RETURN_ANSWER
    steps += [Step(_moment(returned), code, "return", RETURN_COMMENT), Step(_moment(again), code, "report", completed)]
    return steps


def seed_deliveries(circular: Circular) -> int:
    """Distribute the seed circular as it was on 15/10/2024 and replay what the units and
    the monitoring office did, once."""
    if Delivery.objects.filter(circular=circular).exists():
        return Delivery.objects.filter(circular=circular).count()
    advance(circular, sent=SENT_AT)
    deliveries = deliveries_of(circular)
    play(deliveries, history_steps(), reviewer="vhtt")
    return len(deliveries)
