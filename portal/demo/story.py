"""The demo's clock and its player: every step of the demo's history happens through the
services the pages use, at the moment it happened in the story, so that deadlines, delays,
charts and registers read true on the day ``make demo`` runs.

Moments are counted in working days back from today (the official calendar, Tết and
swaps included): ``clock.at(5, "09:30")`` is half past nine, five working days ago. Today's
steps are counted back from now, so that nothing happens in the future whatever the hour."""

import dataclasses
import datetime
import zoneinfo

from django.utils import timezone

from acknowledgements import services as ack
from acknowledgements.models import Delivery, ImplementationReport
from circulars import services as circulars
from circulars.models import Circular, NumberingRegister
from circulars.workdays import Calendar
from portal.demo.organisation import DEMO_PASSWORD
from units.models import Unit, UnitGroup, User

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")


class Clock:
    def __init__(self, now: datetime.datetime | None = None):
        self.now = timezone.localtime(now or timezone.now(), VN)
        self.today = self.now.date()
        self._calendar = Calendar.load(self.today - datetime.timedelta(days=200), self.today)

    def day(self, working_days_ago: int) -> datetime.date:
        """The working day ``working_days_ago`` working days before today (0: today)."""
        day, left = self.today, working_days_ago
        while left > 0:
            day -= datetime.timedelta(days=1)
            if self._calendar.is_working_day(day):
                left -= 1
        return day

    def at(self, working_days_ago: int, hour: str) -> datetime.datetime:
        """``hour`` ("09:30") of that working day. Today, before the office closes (17:00),
        as many minutes before now as a quarter of the time from ``hour`` to 17:00, so that
        today's steps keep their order and are all past."""
        hours, minutes = (int(part) for part in hour.split(":"))
        moment = datetime.datetime.combine(self.day(working_days_ago), datetime.time(hours, minutes), tzinfo=VN)
        if working_days_ago == 0 and self.now < moment.replace(hour=17, minute=0):
            return self.now - datetime.timedelta(minutes=max(1, (17 - hours) * 60 - minutes) // 4)
        return moment


def user(username: str) -> User:
    return User.objects.get(username=username)


@dataclasses.dataclass(frozen=True)
class Step:
    """One unit's (or its reviewer's) step on a delivery: ``acknowledge``, ``refuse``,
    ``report``, ``accept`` or ``return``, with the text it carries."""

    at: datetime.datetime
    unit: str
    action: str
    text: str = ""


def play(deliveries: dict[str, Delivery], steps: list[Step], *, reviewer: str) -> None:
    """Replay the steps in the order they happened, each through its service; a unit's
    clerk (the unit's code is their username) acts for the unit."""
    for step in sorted(steps, key=lambda s: s.at):
        delivery = deliveries[step.unit]
        delivery.refresh_from_db()
        clerk = user(step.unit)
        if step.action == "acknowledge":
            ack.acknowledge(delivery=delivery, by=clerk, at=step.at)
        elif step.action == "refuse":
            ack.refuse(delivery=delivery, by=clerk, reason=step.text, at=step.at)
        elif step.action == "report":
            items = [
                {"action_item": item.pk, "status": "done", "note": ""} for item in delivery.circular.action_items.all()
            ]
            ack.submit_report(delivery=delivery, by=clerk, summary=step.text, items=items, at=step.at)
        else:
            report = delivery.reports.filter(status=ImplementationReport.Status.SUBMITTED).get()
            if step.action == "accept":
                ack.accept_report(report=report, by=user(reviewer), comment=step.text, at=step.at)
            else:
                ack.return_report(report=report, by=user(reviewer), comment=step.text, at=step.at)


def write(*, data: dict, groups: list[str], items: list[str], at, in_response_to=()) -> Circular:
    """A draft by the demo's drafter, for the signer, monitored by Phòng Văn hóa và Thông
    tin unless ``data`` says otherwise."""
    data = {
        "document_type": "cong_van",
        "drafting_unit": Unit.objects.get(code="van-phong"),
        "recipients_text": "",
        "copy_to": ["Như trên;", "CT, PCT. UBND huyện;", "Lưu VT."],
        "monitoring_unit": Unit.objects.get(code="phong-vhtt"),
        "ack_due_working_days": 2,
        "urgency": "normal",
        "signer": user("lanhdao"),
        "signer_title": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        **data,
    }
    return circulars.create_draft(
        by=user("chuyenvien"),
        data=data,
        recipient_groups=list(UnitGroup.objects.filter(code__in=groups).order_by("sort_order")),
        action_items=items,
        in_response_to=list(in_response_to),
        at=at,
    )


def numbers_before(kind: str, day: datetime.date, per_day: float) -> None:
    """A register's first entry in the demo comes after those a district would have made
    since 1 January at its usual pace, as the seed's number 123 of 15/10/2024 does."""
    NumberingRegister.objects.get_or_create(
        kind=kind, year=day.year, defaults={"last_number": round(day.timetuple().tm_yday * per_day)}
    )


# Outgoing documents of the district a day: 122 before 15/10/2024, the seed's pace.
OUTGOING_PER_DAY = 0.42


def advance(circular: Circular, *, submitted=None, approved=None, issued=None, sent=None) -> Circular:
    """Take a draft through the steps it has reached in the story, each at its moment: the
    drafter submits, the signer approves and signs (the demo keys' PIN is the accounts'
    password), the records clerk numbers, signs for the organisation and sends."""
    if submitted:
        circulars.submit(circular=circular, by=user("chuyenvien"), at=submitted)
    if approved:
        circulars.approve(circular=circular, by=user("lanhdao"), pin=DEMO_PASSWORD, at=approved)
    if issued:
        day = timezone.localdate(issued)
        numbers_before(NumberingRegister.Kind.OUTGOING, day, OUTGOING_PER_DAY)
        circular = circulars.issue(circular=circular, by=user("vanthu"), issued_on=day, pin=DEMO_PASSWORD, at=issued)
    if sent:
        ack.distribute(circular=circular, by=user("vanthu"), at=sent)
    return circular


def deliveries_of(circular: Circular) -> dict[str, Delivery]:
    return {d.unit.code: d for d in Delivery.objects.filter(circular=circular).select_related("unit", "circular")}
