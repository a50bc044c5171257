"""This year's work of the demo district, dated back from the day ``make demo`` runs: a
circular completed six weeks ago, one in mid-campaign (units on time and late, reports
accepted and returned, one refusal, a report deadline passed two working days ago), an
urgent one sent yesterday to the communes, one sent this morning, and three more on their
way (a draft, one awaiting the leader's signature, one signed and awaiting its number).

xa-bac-phong's clerk, the guided tour's, has today's circular to acknowledge, a returned
report to send again, the urgent one to report on and a dispatch to handle."""

from django.db import transaction

from circulars.models import Circular
from circulars.workdays import due_date
from portal.demo.story import Clock, Step, advance, deliveries_of, play, write

BOTH = ["co-quan-huyen", "ubnd-cac-xa"]
COMMUNES = ["ubnd-cac-xa"]

COMPLETED = {
    "subject": "V/v tuyên truyền, phổ biến pháp luật về phòng, chống ma túy trên địa bàn huyện",
    "body": (
        "<p>Thực hiện Kế hoạch của Ủy ban nhân dân tỉnh về công tác phòng, chống ma túy, Chủ tịch Ủy ban nhân dân "
        "huyện đề nghị các cơ quan, đơn vị thuộc UBND huyện, Ủy ban nhân dân các xã triển khai các nội dung sau:</p>"
    ),
    "items": [
        "Tổ chức tuyên truyền, phổ biến pháp luật về phòng, chống ma túy đến cán bộ, công chức và Nhân dân.",
        "Rà soát, thống kê người sử dụng trái phép chất ma túy trên địa bàn, phối hợp Công an xã quản lý.",
        "Báo cáo kết quả thực hiện về Phòng Văn hóa và Thông tin.",
    ],
}

MID_CAMPAIGN = {
    "subject": "V/v tăng cường bảo đảm an toàn thông tin mạng và phòng, chống lừa đảo trực tuyến",
    "body": (
        "<p>Thời gian gần đây, tình trạng lừa đảo chiếm đoạt tài sản qua mạng, giả mạo cơ quan nhà nước diễn biến "
        "phức tạp. Chủ tịch Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị, Ủy ban nhân dân các xã:</p>"
    ),
    "items": [
        "Phổ biến các phương thức, thủ đoạn lừa đảo trực tuyến đến cán bộ, công chức, viên chức và Nhân dân.",
        "Rà soát, thay đổi mật khẩu các tài khoản thư điện tử công vụ và hệ thống quản lý văn bản của đơn vị.",
        "Báo cáo kết quả thực hiện, kèm hình ảnh hoạt động tuyên truyền (nếu có).",
    ],
}

URGENT = {
    "subject": "V/v khẩn trương kiểm tra, khắc phục sự cố hệ thống truyền thanh cơ sở sau mưa lớn",
    "body": (
        "<p>Do ảnh hưởng của đợt mưa lớn vừa qua, hệ thống truyền thanh cơ sở tại một số xã bị hư hỏng. Chủ tịch Ủy "
        "ban nhân dân huyện yêu cầu Chủ tịch Ủy ban nhân dân các xã khẩn trương:</p>"
    ),
    "items": [
        "Kiểm tra toàn bộ cụm loa, đường dây và thiết bị của đài truyền thanh xã.",
        "Khắc phục ngay các sự cố; báo cáo những hư hỏng vượt khả năng khắc phục của xã.",
    ],
}

TODAY = {
    "subject": "V/v rà soát, cập nhật danh bạ điện thoại và thư điện tử công vụ của các cơ quan, đơn vị",
    "body": (
        "<p>Để phục vụ công tác chỉ đạo, điều hành, Ủy ban nhân dân huyện đề nghị các cơ quan, đơn vị, Ủy ban nhân "
        "dân các xã rà soát, cập nhật danh bạ của đơn vị mình:</p>"
    ),
    "items": [
        "Rà soát số điện thoại, địa chỉ thư điện tử công vụ của lãnh đạo và văn thư đơn vị.",
        "Gửi danh bạ đã cập nhật qua Cổng về Văn phòng HĐND và UBND huyện.",
    ],
}

IN_SIGNATURE = {
    "subject": "V/v tổ chức Hội nghị sơ kết công tác chuyển đổi số cấp huyện",
    "body": "<p>Ủy ban nhân dân huyện tổ chức Hội nghị sơ kết công tác chuyển đổi số, cụ thể như sau:</p>",
    "items": ["Cử lãnh đạo đơn vị tham dự Hội nghị.", "Chuẩn bị báo cáo tham luận (nếu được phân công)."],
}

AWAITING_ISSUE = {
    "subject": "V/v đôn đốc gửi báo cáo thống kê định kỳ về công tác văn hóa, thông tin",
    "body": "<p>Ủy ban nhân dân huyện đề nghị các đơn vị gửi báo cáo thống kê định kỳ đúng thời hạn.</p>",
    "items": ["Gửi báo cáo thống kê định kỳ về Phòng Văn hóa và Thông tin."],
}

DRAFT = {
    "subject": "V/v kiểm tra công tác văn thư, lưu trữ năm nay",
    "body": "<p>Ủy ban nhân dân huyện thông báo kế hoạch kiểm tra công tác văn thư, lưu trữ như sau:</p>",
    "items": ["Chuẩn bị hồ sơ, sổ sách văn thư, lưu trữ phục vụ đoàn kiểm tra."],
}

DEPARTMENT_REPORT = "{unit} đã phổ biến nội dung văn bản đến toàn thể cán bộ, công chức của đơn vị và thực hiện xong."
COMMUNE_REPORT = "{unit} đã triển khai đến cán bộ, công chức xã và các thôn; thông báo trên hệ thống truyền thanh xã."


def _exists(spec: dict) -> bool:
    return Circular.objects.filter(subject=spec["subject"]).exists()


def _draft(spec: dict, clock: Clock, drafted: tuple, groups, **data) -> Circular:
    return write(
        data={"subject": spec["subject"], "body": spec["body"], **data},
        groups=groups,
        items=spec["items"],
        at=clock.at(*drafted),
    )


def _sent(spec: dict, clock: Clock, groups, moments: list[tuple], **data) -> Circular:
    """Drafted, submitted, approved, issued and sent at ``moments`` (working days ago, hour)."""
    drafted, *steps = moments
    circular = _draft(spec, clock, drafted, groups, **data)
    submitted, approved, issued, sent = (clock.at(*moment) for moment in steps)
    return advance(circular, submitted=submitted, approved=approved, issued=issued, sent=sent)


def _report(delivery, text: str = "") -> str:
    template = COMMUNE_REPORT if delivery.unit.kind == delivery.unit.Kind.COMMUNE else DEPARTMENT_REPORT
    return text or template.format(unit=delivery.unit.short_name)


def completed(clock: Clock) -> None:
    """Sent 30 working days ago: every unit acknowledged (two late), reported (one late)
    and had its report accepted."""
    if _exists(COMPLETED):
        return
    report_due = clock.day(20)
    moments = [(32, "14:00"), (32, "16:00"), (31, "09:00"), (30, "08:30"), (30, "09:00")]
    circular = _sent(COMPLETED, clock, BOTH, moments, report_due_on=report_due)
    deliveries = deliveries_of(circular)
    steps = []
    for index, code in enumerate(sorted(deliveries)):
        late = code in ("xa-phuoc-khang", "thanh-tra")
        steps += [
            Step(clock.at(26 if late else 30 - index % 3, f"{9 + index % 7:02d}:15"), code, "acknowledge"),
            Step(
                clock.at(18 if code == "phong-nnptnt" else 25 - index % 5, "10:00"),
                code,
                "report",
                _report(deliveries[code]),
            ),
            Step(clock.at(15 if code == "phong-nnptnt" else 20 - index % 4, "15:00"), code, "accept"),
        ]
    play(deliveries, steps, reviewer="vhtt")


# Mid-campaign, sent 12 working days ago; acknowledgement due 2 working days later, reports
# 2 working days ago. (unit, working days ago, hour) of each step.
MID_ACKS = [
    ("van-phong", 12, "10:30"),
    ("phong-vhtt", 12, "11:00"),
    ("phong-noi-vu", 12, "14:00"),
    ("phong-tu-phap", 12, "15:30"),
    ("xa-cong-hai", 12, "16:00"),
    ("phong-tckh", 11, "08:30"),
    ("phong-gddt", 11, "09:00"),
    ("phong-y-te", 11, "10:00"),
    ("xa-bac-son", 11, "14:00"),
    ("xa-bac-phong", 11, "15:00"),
    ("phong-ldtbxh", 10, "09:00"),
    # late
    ("phong-tnmt", 8, "09:00"),
    ("xa-loi-hai", 7, "10:00"),
    ("phong-kt-ht", 6, "14:00"),
    ("xa-phuoc-chien", 5, "08:30"),
]
# xa-phuoc-khang, thanh-tra and phong-nnptnt have not acknowledged: they are late.
MID_REFUSAL = (
    "phong-dan-toc",
    11,
    "09:30",
    "Nội dung không thuộc chức năng, nhiệm vụ của Phòng Dân tộc; đơn vị không có hệ thống thư điện tử riêng.",
)
MID_REPORTS = [
    ("phong-noi-vu", 5, "10:00", ""),
    ("xa-cong-hai", 4, "09:00", ""),
    ("xa-bac-son", 4, "15:00", ""),
    ("xa-bac-phong", 4, "10:30", ""),
    ("phong-tu-phap", 3, "14:00", ""),
    ("phong-tckh", 1, "10:00", ""),  # late
    ("van-phong", 0, "10:00", ""),  # late, this morning
]
MID_REVIEWS = [
    ("xa-cong-hai", 3, "10:00", "accept", ""),
    ("xa-bac-son", 3, "11:00", "return", "Đề nghị bổ sung số cán bộ, công chức đã được phổ biến và hình ảnh minh họa."),
    ("phong-tu-phap", 2, "09:00", "accept", ""),
    ("xa-bac-phong", 2, "15:00", "return", "Báo cáo chưa nêu kết quả rà soát, thay đổi mật khẩu tài khoản công vụ."),
]
MID_RESUBMITTED = (
    "xa-bac-son",
    1,
    "09:00",
    "UBND xã Bắc Sơn đã phổ biến cho 24 cán bộ, công chức tại cuộc họp giao ban; hình ảnh gửi kèm theo.",
)


def mid_campaign(clock: Clock) -> None:
    if _exists(MID_CAMPAIGN):
        return
    moments = [(14, "15:00"), (13, "09:00"), (13, "16:00"), (12, "09:30"), (12, "10:00")]
    circular = _sent(MID_CAMPAIGN, clock, BOTH, moments, report_due_on=clock.day(2))
    deliveries = deliveries_of(circular)
    code, days, hour, reason = MID_REFUSAL
    steps = [Step(clock.at(days, hour), code, "refuse", reason)]
    steps += [Step(clock.at(days, hour), code, "acknowledge") for code, days, hour in MID_ACKS]
    steps += [
        Step(clock.at(days, hour), code, "report", _report(deliveries[code], text))
        for code, days, hour, text in MID_REPORTS
    ]
    steps += [Step(clock.at(days, hour), code, action, text) for code, days, hour, action, text in MID_REVIEWS]
    code, days, hour, text = MID_RESUBMITTED
    steps.append(Step(clock.at(days, hour), code, "report", text))
    play(deliveries, steps, reviewer="vhtt")


def urgent(clock: Clock) -> None:
    """Urgent, to the communes, sent yesterday afternoon: receipt due today."""
    if _exists(URGENT):
        return
    moments = [(1, "09:00"), (1, "10:00"), (1, "14:00"), (1, "15:00"), (1, "15:30")]
    report_due = due_date(clock.day(1), 3)
    circular = _sent(
        URGENT, clock, COMMUNES, moments, urgency="urgent", ack_due_working_days=1, report_due_on=report_due
    )
    steps = [
        Step(clock.at(1, "16:10"), "xa-bac-phong", "acknowledge"),
        Step(clock.at(1, "16:20"), "xa-loi-hai", "acknowledge"),
        Step(clock.at(1, "16:40"), "xa-cong-hai", "acknowledge"),
        Step(clock.at(0, "08:00"), "xa-bac-son", "acknowledge"),
        Step(
            clock.at(0, "10:30"),
            "xa-loi-hai",
            "report",
            "Đã kiểm tra 12 cụm loa; khắc phục 10 cụm, 02 cụm hư hỏng bộ thu cần thay thế, đề nghị huyện hỗ trợ.",
        ),
    ]
    play(deliveries_of(circular), steps, reviewer="vhtt")


def today(clock: Clock) -> None:
    """Sent this morning; two departments and a commune have already acknowledged."""
    if _exists(TODAY):
        return
    moments = [(2, "10:00"), (2, "15:00"), (1, "08:30"), (0, "07:45"), (0, "08:00")]
    circular = _sent(TODAY, clock, BOTH, moments, report_due_on=due_date(clock.today, 10))
    steps = [
        Step(clock.at(0, "09:00"), "phong-noi-vu", "acknowledge"),
        Step(clock.at(0, "10:00"), "phong-vhtt", "acknowledge"),
        Step(clock.at(0, "14:00"), "xa-bac-son", "acknowledge"),
    ]
    play(deliveries_of(circular), steps, reviewer="vhtt")


def on_their_way(clock: Clock) -> None:
    """The drafter's draft, one awaiting the leader's signature, one signed and awaiting
    the records clerk's number."""
    if not _exists(AWAITING_ISSUE):
        circular = _draft(AWAITING_ISSUE, clock, (3, "09:00"), BOTH)
        advance(circular, submitted=clock.at(2, "09:00"), approved=clock.at(1, "16:00"))
    if not _exists(IN_SIGNATURE):
        circular = _draft(IN_SIGNATURE, clock, (1, "14:00"), ["co-quan-huyen"])
        advance(circular, submitted=clock.at(0, "08:30"))
    if not _exists(DRAFT):
        _draft(DRAFT, clock, (0, "09:30"), BOTH)


def seed_campaigns(clock: Clock) -> None:
    """Oldest first: the register numbers follow the dates of issue."""
    for story in (completed, mid_campaign, urgent, today, on_their_way):
        with transaction.atomic():
            story(clock)
