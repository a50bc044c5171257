"""Deliveries of issued circulars to units, their append-only history, implementation
reports with evidence, in-portal notifications and the email outbox.

A delivery moves sent → acknowledged → reported → accepted, with ``returned`` (the report
was sent back; the unit reports again), ``refused`` (not for this unit), and ``recalled`` or
``replaced`` when its circular is recalled or replaced (nothing more is asked). Overdue is
derived from the due dates, never stored.
"""

import datetime

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from circulars.models import ActionItem, Assignment, Circular
from core.models import Event, StoredFile
from units.models import Unit
from units.roles import PortalRole, has_role


class DeliveryQuerySet(models.QuerySet):
    def for_user(self, user):
        """Deliveries a user may see: their units'; for a monitor, all of the circulars
        their units monitor; every one for signers and administrators. The same rule as
        ``circulars.policy.is_monitor_of``: a member of the monitoring unit without the
        monitor role reads only their own unit's deliveries."""
        if not user.is_authenticated:
            return self.none()
        if has_role(user, PortalRole.SIGNER, PortalRole.ADMIN):
            return self
        my_units = Unit.objects.filter(memberships__user=user).values("pk")
        if has_role(user, PortalRole.MONITOR):
            return self.filter(Q(unit__in=my_units) | Q(circular__monitoring_unit__in=my_units))
        return self.filter(unit__in=my_units)

    def for_units_of(self, user):
        """Only the deliveries addressed to the user's own units (the inbox). The units are
        given as values (``User.unit_ids``), not joined through the memberships: for one
        unit the planner then walks the inbox index newest first and stops after the page,
        where the join sorted every delivery of the unit first (docs/benchmarks.md)."""
        return self.filter(unit_id__in=user.unit_ids)

    def live(self):
        """Deliveries still in force: the circular has not been withdrawn, recalled or
        replaced."""
        return self.filter(Delivery.live_q())

    def overdue(self, on: datetime.date):
        """Deliveries overdue on ``on`` (``Delivery.overdue_q``)."""
        return self.filter(Delivery.overdue_q(on))

    def in_register(self, unit, year: int):
        """The lines of ``unit``'s own incoming register of ``year``, in arrival-number
        order, with what a line shows (served by the partial unique index
        delivery_arrival_number_unique_per_unit)."""
        return (
            self.filter(unit=unit, arrival_year=year, arrival_number__isnull=False)
            .select_related("circular", "circular__issuing_unit", "acknowledged_by")
            .order_by("arrival_number")
        )


class Delivery(models.Model):
    """One circular sent to one unit."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        REPORTED = "reported", _("Reported")
        RETURNED = "returned", _("Report returned")
        ACCEPTED = "accepted", _("Report accepted")
        REFUSED = "refused", _("Refused")
        RECALLED = "recalled", _("Recalled")
        REPLACED = "replaced", _("Replaced")

    # National interconnection status codes (QCVN 102:2016): a mapping, not a migration,
    # when the portal exchanges documents with other systems.
    QCVN_STATUS = {
        Status.SENT: "01",
        Status.REFUSED: "02",
        Status.ACKNOWLEDGED: "03",
        Status.REPORTED: "05",
        Status.RETURNED: "05",
        Status.ACCEPTED: "06",
        Status.RECALLED: "13",
        # QCVN 102 has no status of its own for a replaced document: the replacement
        # travels as a new document with relation type 3 (replace), and at the unit the
        # old one is withdrawn from handling, which is status 13 (thu hồi).
        Status.REPLACED: "13",
    }
    # States in which the unit still owes a report.
    REPORT_OWED = (Status.SENT, Status.ACKNOWLEDGED, Status.RETURNED)
    # Closed because the circular was recalled or replaced: never late, never chased.
    CLOSED = (Status.RECALLED, Status.REPLACED)
    # States a replacement closes: every step still owed or awaiting review.
    OPEN = (Status.SENT, Status.ACKNOWLEDGED, Status.REPORTED, Status.RETURNED)

    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="deliveries")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    ack_due_on = models.DateField(_("acknowledge by"))
    report_due_on = models.DateField(_("report by"), null=True, blank=True)
    first_viewed_at = models.DateTimeField(_("first viewed at"), null=True, blank=True)
    first_viewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    refused_at = models.DateTimeField(_("refused at"), null=True, blank=True)
    refuse_reason = models.TextField(_("reason for refusal"), blank=True)
    # Working days late when the step was done (0 on time), written in the transaction
    # that records the step, so that league tables average a column instead of running
    # the calendar over millions of rows.
    ack_delay_days = models.PositiveSmallIntegerField(_("acknowledged late by (working days)"), null=True, blank=True)
    report_delay_days = models.PositiveSmallIntegerField(_("reported late by (working days)"), null=True, blank=True)
    # Recalled or replaced: when, and why as the unit reads it (the recall's reason, or
    # "replaced by 16/UBND-TH"), so that the inbox shows it without reading more rows.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # A database default too: distribution inserts deliveries in raw SQL.
    close_reason = models.TextField(_("why it was closed"), blank=True, db_default="")
    # The unit's own incoming register (Decree 30 Art. 22): the arrival number the delivery
    # took in its unit's register for the year it arrived, given at distribution.
    arrival_year = models.PositiveSmallIntegerField(_("arrival year"), null=True, blank=True)
    arrival_number = models.PositiveIntegerField(_("arrival number"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["circular", "unit"], name="delivery_one_per_circular_and_unit"),
            models.UniqueConstraint(
                fields=["unit", "arrival_year", "arrival_number"],
                condition=Q(arrival_number__isnull=False),
                name="delivery_arrival_number_unique_per_unit",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["sent", "refused", "recalled", "replaced"]) | Q(acknowledged_at__isnull=False),
                name="delivery_acknowledged_before_later_steps",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["recalled", "replaced"]) | Q(closed_at__isnull=False),
                name="delivery_closed_has_closed_at",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["reported", "returned", "accepted"]) | Q(reported_at__isnull=False),
                name="delivery_reported_has_reported_at",
            ),
        ]
        indexes = [
            # The inbox: a unit's deliveries, newest first.
            models.Index(fields=["unit", "-sent_at"], name="delivery_inbox_idx"),
            # The monitoring page and compliance counts of one circular.
            models.Index(fields=["circular", "status"], name="delivery_circular_status_idx"),
            # The navigation's inbox count on every page: a unit's deliveries still waiting
            # for acknowledgement (a few of its thousands).
            models.Index(fields=["unit"], condition=Q(status="sent"), name="delivery_waiting_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.circular} → {self.unit}"

    @property
    def qcvn_status(self) -> str:
        return self.QCVN_STATUS[self.status]

    @property
    def arrived_on(self) -> datetime.date:
        """Ngày đến in the unit's incoming register: the local date it reached the unit."""
        return timezone.localdate(self.sent_at)

    def get_status_display(self) -> str:
        # Django's own builds a dict of every choice on each call, translating every
        # label to hash it (35 µs); the inbox and the unit table ask on every row.
        return str(self.Status(self.status).label) if self.status in self.Status.values else self.status

    # Overdue: a step still owed whose deadline has passed, the circular still in force (a
    # refused, recalled or replaced delivery and a withdrawn, recalled or replaced circular
    # are never overdue). Derived, never stored,
    # and defined here only: the Q builders for queries and aggregates, the two methods
    # below for a row already loaded. Keep them saying the same thing.

    @staticmethod
    def live_q() -> Q:
        """The circular is still in force (``Circular.in_force``)."""
        return ~Q(circular__status__in=Circular.NOT_IN_FORCE)

    @classmethod
    def ack_overdue_q(cls, on: datetime.date) -> Q:
        """Receipt still not acknowledged after its deadline (liveness aside)."""
        return Q(status=cls.Status.SENT, ack_due_on__lt=on)

    @classmethod
    def report_overdue_q(cls, on: datetime.date) -> Q:
        """A report still owed after its deadline, when one is asked for (liveness aside)."""
        return Q(status__in=cls.REPORT_OWED, report_due_on__isnull=False, report_due_on__lt=on)

    @classmethod
    def overdue_q(cls, on: datetime.date) -> Q:
        return cls.live_q() & (cls.ack_overdue_q(on) | cls.report_overdue_q(on))

    def is_ack_overdue(self, on: datetime.date | None = None) -> bool:
        """``live_q() & ack_overdue_q(on)`` for this row (reads ``self.circular``)."""
        on = on or timezone.localdate()
        return self.status == self.Status.SENT and self.ack_due_on < on and self.is_live

    def is_report_overdue(self, on: datetime.date | None = None) -> bool:
        """``live_q() & report_overdue_q(on)`` for this row (reads ``self.circular``)."""
        on = on or timezone.localdate()
        return (
            self.status in self.REPORT_OWED
            and self.report_due_on is not None
            and self.report_due_on < on
            and self.is_live
        )

    @property
    def is_live(self) -> bool:
        """``live_q()`` for this row."""
        return self.circular.in_force

    @property
    def is_closed(self) -> bool:
        """Recalled or replaced: nothing more is asked of the unit."""
        return self.status in self.CLOSED


class DeliveryEvent(Event):
    """Append-only history of a delivery: one row per transition, written in the same
    transaction as the change it records."""

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("delivery event")
        verbose_name_plural = _("delivery events")
        # Append-only: PostgreSQL refuses any UPDATE or DELETE of a row.
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]


class ImplementationReport(models.Model):
    """One version of a unit's implementation report. A returned report stays as it was;
    the unit files a new version."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveSmallIntegerField(_("version"))
    summary = models.TextField(_("summary"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("review comment"), blank=True)

    class Meta:
        ordering = ["delivery", "-version"]
        verbose_name = _("implementation report")
        verbose_name_plural = _("implementation reports")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "version"], name="report_version_unique"),
        ]
        # A version, once submitted, stays as it was filed: PostgreSQL refuses a change to
        # what the unit submitted (the review fields and status still change) and refuses
        # deleting a version.
        triggers = [
            pgtrigger.ReadOnly(
                name="submitted_report_frozen",
                fields=["delivery", "version", "summary", "submitted_by", "submitted_at"],
            ),
            pgtrigger.Protect(name="report_version_kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.delivery} v{self.version}"


class ReportItem(models.Model):
    """What the unit did about one action item."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        IN_PROGRESS = "in_progress", _("In progress")
        NOT_APPLICABLE = "not_applicable", _("Not applicable")

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="items")
    action_item = models.ForeignKey(ActionItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["report", "action_item__position"]
        constraints = [
            models.UniqueConstraint(fields=["report", "action_item"], name="report_item_once_per_action_item"),
        ]

    def __str__(self) -> str:
        return f"{self.action_item}: {self.get_status_display()}"


class Evidence(StoredFile):
    """A file attached to a report: a document, a photo, a recording of a call."""

    report = models.ForeignKey(ImplementationReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")

    class Meta:
        ordering = ["id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A line in a user's bell: a new circular, a returned report, a reminder."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    reminder = models.ForeignKey(
        "Reminder", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(max_length=24)
    title = models.CharField(max_length=500)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            # The unread count in the navigation bar, on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread_idx"),
        ]
        constraints = [
            # A recall or a replacement is told to each member once per delivery, however
            # often the step that tells it runs.
            models.UniqueConstraint(
                fields=["user", "delivery", "kind"],
                condition=Q(kind__in=["recalled", "replaced"]),
                name="notification_closing_once",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class OutboxEmailQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=OutboxEmail.Status.PENDING)


class OutboxEmail(models.Model):
    """An email to send, written in the transaction that decided to send it and sent by
    Celery after commit. A broker outage delays it; the periodic drain sends it later."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        # Not sent because its reason went away (the unit acted before it left).
        SKIPPED = "skipped", _("Skipped")

    MAX_ATTEMPTS = 5

    # Which email (see acknowledgements.emails) and about what; it is rendered when sent,
    # so that writing a thousand rows in a distribution costs no template rendering.
    kind = models.CharField(max_length=24)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    to = models.EmailField()
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    report = models.ForeignKey(
        "ImplementationReport", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    reminder = models.ForeignKey("Reminder", on_delete=models.CASCADE, null=True, blank=True, related_name="emails")
    # kind, about what and for whom: the same email is never queued twice.
    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    objects = OutboxEmailQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbox email")
        verbose_name_plural = _("outbox emails")
        indexes = [
            # The drain: pending rows whose time has come.
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class Reminder(models.Model):
    """A chase: a reminder before a deadline, a notice after it, an escalation, or a
    manual chase. (delivery, kind, stage) is unique, so no retry, second worker or
    repeated beat tick ever sends one twice: the row is the claim."""

    class Kind(models.TextChoices):
        ACK_DUE_SOON = "ack_due_soon", _("Acknowledgement due soon")
        ACK_OVERDUE = "ack_overdue", _("Acknowledgement overdue")
        ACK_ESCALATION = "ack_escalation", _("Acknowledgement escalated")
        REPORT_DUE_SOON = "report_due_soon", _("Report due soon")
        REPORT_OVERDUE = "report_overdue", _("Report overdue")
        REPORT_ESCALATION = "report_escalation", _("Report escalated")
        MANUAL = "manual", _("Chased by the monitoring office")
        ASSIGNMENT_DUE_SOON = "assignment_due_soon", _("Handling due soon")
        ASSIGNMENT_OVERDUE = "assignment_overdue", _("Handling overdue")
        ASSIGNMENT_ESCALATION = "assignment_escalation", _("Handling escalated")

    class Channel(models.TextChoices):
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("Daily digest")
        PORTAL = "portal", _("In the portal only")

    # What it chases: a delivery, or a unit's assignment of an incoming dispatch.
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    kind = models.CharField(max_length=24, choices=Kind.choices)
    # "" for a single-stage kind; "head" / "monitor" for escalations; a time slot for
    # manual chases, so that one unit is chased by hand at most once per slot.
    stage = models.CharField(max_length=32, blank=True, default="")
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.DIGEST)
    sweep = models.CharField(max_length=32, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(fields=["delivery", "kind", "stage"], name="reminder_once_per_delivery_kind_stage"),
            models.UniqueConstraint(
                fields=["assignment", "kind", "stage"], name="reminder_once_per_assignment_kind_stage"
            ),
            models.CheckConstraint(
                condition=Q(delivery__isnull=False, assignment__isnull=True)
                | Q(delivery__isnull=True, assignment__isnull=False),
                name="reminder_chases_one_thing",
            ),
        ]
        indexes = [
            # The daily digest: reminders still waiting for it.
            models.Index(fields=["channel"], condition=Q(sent_at__isnull=True), name="reminder_digest_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.stage} – {self.delivery or self.assignment}"

    def is_still_due(self) -> bool:
        """Is the step this reminder chases still owed? Asked again just before sending:
        the unit may have acted since the sweep."""
        if self.assignment_id is not None:
            return self.assignment.is_open
        delivery = self.delivery
        if not delivery.is_live:
            return False
        if self.kind.startswith("ack_"):
            return delivery.status == Delivery.Status.SENT
        return delivery.status in Delivery.REPORT_OWED
