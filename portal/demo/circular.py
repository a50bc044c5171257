"""The seed document: Sở TT&TT's dispatch 2980/STTTT-TTra of 01/10/2024, registered on
arrival, and the district's forwarding circular, drafted, signed and issued through the
same services the pages use. Text from forwarding-circular-thuan-bac-2024.txt beside this file."""

import datetime
import zoneinfo

from django.db import transaction

from acknowledgements import services as ack
from acknowledgements.models import Delivery
from circulars import services
from circulars.models import Circular, NumberingRegister
from portal.demo.organisation import DEMO_PASSWORD
from units.models import Unit, UnitGroup, User

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
VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
DRAFTED_AT = datetime.datetime(2024, 10, 14, 15, 0, tzinfo=VN)
SIGNED_AT = datetime.datetime(2024, 10, 15, 8, 0, tzinfo=VN)
ISSUED_AT = datetime.datetime(2024, 10, 15, 9, 0, tzinfo=VN)
SENT_AT = datetime.datetime(2024, 10, 15, 10, 0, tzinfo=VN)
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
    vanthu = User.objects.get(username="vanthu")
    chuyenvien = User.objects.get(username="chuyenvien")
    lanhdao = User.objects.get(username="lanhdao")
    with transaction.atomic():
        dispatch = existing or services.register_incoming(by=vanthu, **DISPATCH)
        circular = services.create_draft(
            by=chuyenvien,
            data={
                "document_type": "cong_van",
                "subject": SUBJECT,
                "body": BODY,
                # Its notation is built: UBND (the committee) - TH (the office that drafts).
                "drafting_unit": Unit.objects.get(code="van-phong"),
                "recipients_text": "",
                "copy_to": COPY_TO,
                "monitoring_unit": Unit.objects.get(code="phong-vhtt"),
                "ack_due_working_days": 2,
                "report_due_on": datetime.date(2024, 10, 31),
                "urgency": "normal",
                "signer": lanhdao,
                "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            },
            recipient_groups=list(
                UnitGroup.objects.filter(code__in=["co-quan-huyen", "ubnd-cac-xa"]).order_by("sort_order")
            ),
            action_items=ACTION_ITEMS,
            in_response_to=[dispatch],
            at=DRAFTED_AT,
        )
        services.submit(circular=circular, by=chuyenvien, at=DRAFTED_AT)
        # The demo keys' PIN is the demo accounts' password (signing.demo).
        services.approve(circular=circular, by=lanhdao, pin=DEMO_PASSWORD, at=SIGNED_AT)
        NumberingRegister.objects.get_or_create(
            kind=NumberingRegister.Kind.OUTGOING, year=ISSUED_ON.year, defaults={"last_number": NUMBERS_BEFORE}
        )
        return services.issue(circular=circular, by=vanthu, issued_on=ISSUED_ON, pin=DEMO_PASSWORD, at=ISSUED_AT)


# Units that have already acted in the demo. xa-bac-phong is left untouched: the guided
# tour (and the browser journey) starts with its clerk finding the new circular.
ACKNOWLEDGED = ["xa-bac-son", "xa-cong-hai", "phong-tu-phap", "phong-noi-vu"]
REPORTED = {
    "xa-cong-hai": (
        "UBND xã Công Hải đã phổ biến nội dung Công văn đến toàn thể cán bộ, công chức tại cuộc họp giao ban "
        "ngày 21/10/2024; niêm yết thông báo tại trụ sở và phát trên hệ thống truyền thanh xã."
    ),
}


def seed_deliveries(circular: Circular) -> int:
    """Distribute the seed circular and let a few units act, through the services."""
    vanthu = User.objects.get(username="vanthu")
    total = ack.distribute(circular=circular, by=vanthu, at=SENT_AT)
    deliveries = {d.unit.code: d for d in Delivery.objects.filter(circular=circular).select_related("unit")}
    for code in ACKNOWLEDGED:
        if code in deliveries:
            ack.acknowledge(delivery=deliveries[code], by=User.objects.get(username=code))
    for code, summary in REPORTED.items():
        delivery = deliveries[code]
        delivery.refresh_from_db()
        if not delivery.reports.exists():
            items = [
                {"action_item": item.pk, "status": "done", "note": "Đã thực hiện"}
                for item in circular.action_items.all()
            ]
            ack.submit_report(delivery=delivery, by=User.objects.get(username=code), summary=summary, items=items)
    return total
