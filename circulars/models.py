"""Incoming dispatches (văn bản đến), the district's own circulars (văn bản đi), their
attachments and numbering registers.

A circular moves draft → submitted → approved → issued (→ distributed, by the
acknowledgements app), may be sent back (``returned``) by the signer, and may be
``withdrawn`` before issue. From ``issued`` on, its content is frozen: number, date, PDF and
its SHA-256; an issued circular may then be ``recalled`` or ``replaced`` by a new one (both
carried to the units by the acknowledgements app), and corrected by a new one
(``CircularRelation`` keeps the link with its QCVN 102:2016 relation type).
"""

import re
import unicodedata
from functools import cached_property

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from core.models import Event, StoredFile
from units.models import Unit, UnitGroup
from units.roles import PortalRole, has_role


def fold(text: str) -> str:
    """Lower-case text without Vietnamese diacritics: "Cảnh báo GIẢ MẠO" → "canh bao gia mao".

    Search compares folded query words with a folded copy of each document, so it behaves
    the same on SQLite and PostgreSQL (where a trigram index makes it fast)."""
    text = unicodedata.normalize("NFD", text or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.lower().split())


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    VERY_URGENT = "very_urgent", _("Very urgent")
    FLASH = "flash", _("Flash")

    @property
    def stamp(self) -> str:
        """The word of the urgency stamp (Decree 30, Appendix I); "" for a normal one."""
        return URGENCY_STAMPS[self.value]


class DocumentType(models.TextChoices):
    """The administrative documents of Decree 30/2020 (Appendix III): what the committee
    issues. ``abbreviation`` goes into the notation ("QĐ" in "01/QĐ-UBND") and
    ``paper_name`` is printed in capitals under the number ("QUYẾT ĐỊNH")."""

    OFFICIAL_LETTER = "cong_van", _("Official letter")
    RESOLUTION = "nghi_quyet", _("Resolution")
    DECISION = "quyet_dinh", _("Decision")
    DIRECTIVE = "chi_thi", _("Directive")
    STATUTE = "quy_che", _("Statute")
    REGULATION = "quy_dinh", _("Regulation")
    COMMUNIQUE = "thong_cao", _("Communiqué")
    NOTICE = "thong_bao", _("Notice")
    GUIDANCE = "huong_dan", _("Guidance")
    PROGRAMME = "chuong_trinh", _("Programme")
    PLAN = "ke_hoach", _("Plan")
    SCHEME = "phuong_an", _("Scheme")
    PROPOSAL = "de_an", _("Proposal")
    PROJECT = "du_an", _("Project")
    REPORT = "bao_cao", _("Report")
    MINUTES = "bien_ban", _("Minutes")
    SUBMISSION = "to_trinh", _("Submission")
    CONTRACT = "hop_dong", _("Contract")
    TELEGRAM = "cong_dien", _("Official telegram")
    MEMORANDUM = "ban_ghi_nho", _("Memorandum of understanding")
    AGREEMENT = "ban_thoa_thuan", _("Agreement")
    POWER_OF_ATTORNEY = "giay_uy_quyen", _("Power of attorney")
    INVITATION = "giay_moi", _("Invitation")
    INTRODUCTION = "giay_gioi_thieu", _("Letter of introduction")
    LEAVE_PERMIT = "giay_nghi_phep", _("Leave permit")
    DISPATCH_SLIP = "phieu_gui", _("Dispatch slip")
    TRANSFER_SLIP = "phieu_chuyen", _("Transfer slip")
    NOTIFICATION_SLIP = "phieu_bao", _("Notification slip")
    PUBLIC_LETTER = "thu_cong", _("Public letter")
    OTHER = "khac", _("Other")

    @property
    def abbreviation(self) -> str:
        """Appendix III's abbreviation; "" for the types that have none (công văn, thư
        công, other): their notation is the issuer's and the drafting unit's."""
        return PAPER_NAMES[self][0]

    @property
    def paper_name(self) -> str:
        """The name printed in capitals on the paper; "" where none is printed."""
        return PAPER_NAMES[self][1]

    @property
    def is_named(self) -> bool:
        """A document that prints its name ("văn bản có tên loại"), as opposed to a
        công văn (or an "other" document), which prints "V/v" and "Kính gửi"."""
        return bool(self.paper_name)


# (abbreviation, name on paper), Decree 30/2020 Appendix III; read through DocumentType.
PAPER_NAMES = {
    DocumentType.OFFICIAL_LETTER: ("", ""),
    DocumentType.RESOLUTION: ("NQ", "NGHỊ QUYẾT"),
    DocumentType.DECISION: ("QĐ", "QUYẾT ĐỊNH"),
    DocumentType.DIRECTIVE: ("CT", "CHỈ THỊ"),
    DocumentType.STATUTE: ("QC", "QUY CHẾ"),
    DocumentType.REGULATION: ("QyĐ", "QUY ĐỊNH"),
    DocumentType.COMMUNIQUE: ("TC", "THÔNG CÁO"),
    DocumentType.NOTICE: ("TB", "THÔNG BÁO"),
    DocumentType.GUIDANCE: ("HD", "HƯỚNG DẪN"),
    DocumentType.PROGRAMME: ("CTr", "CHƯƠNG TRÌNH"),
    DocumentType.PLAN: ("KH", "KẾ HOẠCH"),
    DocumentType.SCHEME: ("PA", "PHƯƠNG ÁN"),
    DocumentType.PROPOSAL: ("ĐA", "ĐỀ ÁN"),
    DocumentType.PROJECT: ("DA", "DỰ ÁN"),
    DocumentType.REPORT: ("BC", "BÁO CÁO"),
    DocumentType.MINUTES: ("BB", "BIÊN BẢN"),
    DocumentType.SUBMISSION: ("TTr", "TỜ TRÌNH"),
    DocumentType.CONTRACT: ("HĐ", "HỢP ĐỒNG"),
    DocumentType.TELEGRAM: ("CĐ", "CÔNG ĐIỆN"),
    DocumentType.MEMORANDUM: ("BGN", "BẢN GHI NHỚ"),
    DocumentType.AGREEMENT: ("BTT", "BẢN THỎA THUẬN"),
    DocumentType.POWER_OF_ATTORNEY: ("GUQ", "GIẤY ỦY QUYỀN"),
    DocumentType.INVITATION: ("GM", "GIẤY MỜI"),
    DocumentType.INTRODUCTION: ("GGT", "GIẤY GIỚI THIỆU"),
    DocumentType.LEAVE_PERMIT: ("GNP", "GIẤY NGHỈ PHÉP"),
    DocumentType.DISPATCH_SLIP: ("PG", "PHIẾU GỬI"),
    DocumentType.TRANSFER_SLIP: ("PC", "PHIẾU CHUYỂN"),
    DocumentType.NOTIFICATION_SLIP: ("PB", "PHIẾU BÁO"),
    # Appendix III gives a thư công no abbreviation; it is a letter with its own name.
    DocumentType.PUBLIC_LETTER: ("", "THƯ CÔNG"),
    DocumentType.OTHER: ("", ""),
}


class LegalDocumentType(models.TextChoices):
    """Legal normative documents (Law on the Promulgation of Legal Documents): the
    committee receives them from above and registers them, but never issues one here,
    so they are choices of the incoming register only."""

    CONSTITUTION = "hien_phap", _("Constitution")
    CODE = "bo_luat", _("Code")
    LAW = "luat", _("Law")
    ORDINANCE = "phap_lenh", _("Ordinance")
    ORDER = "lenh", _("Order")
    NORMATIVE_RESOLUTION = "nghi_quyet_qppl", _("Resolution (legal normative)")
    JOINT_RESOLUTION = "nghi_quyet_lt", _("Joint resolution")
    DECREE = "nghi_dinh", _("Decree")
    NORMATIVE_DECISION = "quyet_dinh_qppl", _("Decision (legal normative)")
    MINISTERIAL_CIRCULAR = "thong_tu", _("Ministerial circular")
    JOINT_CIRCULAR = "thong_tu_lt", _("Joint ministerial circular")


# What the incoming register takes: every administrative type and the legal normative ones.
INCOMING_DOCUMENT_TYPES = [*DocumentType.choices, *LegalDocumentType.choices]


class Secrecy(models.TextChoices):
    """Độ mật of a document (Law on the Protection of State Secrets, 2018)."""

    NONE = "none", _("Not secret")
    CONFIDENTIAL = "confidential", _("Confidential")
    SECRET = "secret", _("Secret")
    TOP_SECRET = "top_secret", _("Top secret")

    @property
    def stamp(self) -> str:
        """The word of the stamp on the paper; "" for a document that is not secret."""
        return SECRECY_STAMPS[self.value]


# The words of the stamps, as Decree 30 prints them: always Vietnamese, whatever the UI language.
URGENCY_STAMPS = {"normal": "", "urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}
SECRECY_STAMPS = {"none": "", "confidential": "MẬT", "secret": "TỐI MẬT", "top_secret": "TUYỆT MẬT"}


class NumberingRegister(models.Model):
    """The last number given in a register for a year: the incoming register's arrival
    numbers and the outgoing register's circular numbers both restart at 1 every 1 January.

    The row is locked with ``select_for_update()`` by the transaction that takes a number,
    so two clerks never get the same one, and a failed transaction gives its number back.
    """

    class Kind(models.TextChoices):
        INCOMING = "incoming", _("Incoming register")
        OUTGOING = "outgoing", _("Outgoing register")
        # A unit's own register of what reached it through the portal.
        UNIT_INCOMING = "unit_in", _("Unit's incoming register")

    kind = models.CharField(_("register"), max_length=8, choices=Kind.choices)
    # Empty for the committee's own registers; a unit for that unit's incoming register
    # (the arrival numbers its deliveries get, Decree 30 Art. 22: every agency keeps one).
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, null=True, blank=True, related_name="registers"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("numbering register")
        verbose_name_plural = _("numbering registers")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year"], condition=Q(unit__isnull=True), name="register_one_row_per_kind_and_year"
            ),
            models.UniqueConstraint(
                fields=["kind", "unit", "year"],
                condition=Q(unit__isnull=False),
                name="register_one_row_per_unit_kind_and_year",
            ),
            # The committee's registers have no unit; a unit's incoming register has one.
            models.CheckConstraint(
                condition=Q(unit__isnull=True, kind__in=["incoming", "outgoing"])
                | Q(unit__isnull=False, kind="unit_in"),
                name="register_unit_only_for_unit_registers",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}: {self.last_number}"


class RegisterEvent(models.Model):
    """Append-only history of a register: an administrator started the year's register
    from a given number (taking over from a paper register mid-year). ``from_number`` is
    the last number the register had given, ``to_number`` the number it starts from (the
    next one taken)."""

    class Action(models.TextChoices):
        RESTART = "restart", _("Register started from a given number")

    register = models.ForeignKey(NumberingRegister, on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices, default=Action.RESTART)
    from_number = models.PositiveIntegerField(_("last number given"))
    to_number = models.PositiveIntegerField(_("starts from number"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("register event")
        verbose_name_plural = _("register events")
        constraints = [
            # A register never goes back.
            models.CheckConstraint(
                condition=Q(to_number__gt=models.F("from_number")), name="register_event_goes_forward"
            ),
        ]
        # Append-only: PostgreSQL refuses any UPDATE or DELETE of a row.
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.register}: {self.from_number} → {self.to_number}"


class FoldedSearchQuerySet(models.QuerySet):
    """Search over a model's ``search_text`` (folded on save): every word must occur."""

    def search(self, query: str):
        qs = self
        for word in fold(query).split():
            qs = qs.filter(search_text__contains=word)
        return qs


class SignatureStatus(models.TextChoices):
    """What the signatures of a received PDF say, at a glance (signing.validation)."""

    NO_PDF = "", _("No PDF")
    VALID = "valid", _("Valid signature")
    INVALID = "invalid", _("Signature not valid")
    UNSIGNED = "unsigned", _("Not signed")
    UNTRUSTED = "untrusted", _("Signer not trusted")

    @classmethod
    def of(cls, reports: list[dict]) -> "SignatureStatus":
        """unsigned: no signature; invalid: any not valid; untrusted: valid but any signer
        not trusted; valid otherwise."""
        if not reports:
            return cls.UNSIGNED
        if not all(report["valid"] for report in reports):
            return cls.INVALID
        if not all(report["trusted"] for report in reports):
            return cls.UNTRUSTED
        return cls.VALID


class HandlingStatus(models.TextChoices):
    """Where an incoming dispatch is in its handling."""

    REGISTERED = "registered", _("Registered")
    PRESENTED = "presented", _("Presented to a leader")
    ASSIGNED = "assigned", _("Assigned for handling")
    DONE = "done", _("Handled")


class IncomingDispatchQuerySet(FoldedSearchQuerySet):
    def with_handling(self):
        """With ``presented_to`` and the current assignments (``current_assignments``) and
        their units: a page of the register in three queries."""
        return self.select_related("presented_to").prefetch_related(
            models.Prefetch(
                "assignments",
                queryset=Assignment.objects.current().select_related("unit"),
                to_attr="current_assignments",
            )
        )

    def for_user(self, user):
        """The incoming register is the records office's: staff roles read it."""
        if has_role(user, PortalRole.RECORDS_CLERK, PortalRole.DRAFTER, PortalRole.SIGNER, PortalRole.ADMIN):
            return self
        return self.none()


class IncomingDispatch(models.Model):
    """A document received from outside, entered in the incoming register."""

    arrival_year = models.PositiveSmallIntegerField(_("arrival year"))
    arrival_number = models.PositiveIntegerField(_("arrival number"))
    issuer = models.CharField(_("issuing body"), max_length=255)
    number = models.CharField(_("number"), max_length=32)
    notation = models.CharField(_("notation"), max_length=64, blank=True)
    document_date = models.DateField(_("document date"))
    document_type = models.CharField(
        _("document type"), max_length=16, choices=INCOMING_DOCUMENT_TYPES, default=DocumentType.OFFICIAL_LETTER
    )
    subject = models.CharField(_("subject"), max_length=500)
    signer_name = models.CharField(_("signed by"), max_length=150, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("due on"), null=True, blank=True)
    handled_by = models.CharField(_("unit or person handling it"), max_length=255, blank=True)
    # The check of the digital signatures of its PDF on registration (issue 14): the verdict
    # at a glance and the report (signing.validation's fields, one entry per signature).
    signature_status = models.CharField(
        _("signatures"), max_length=12, choices=SignatureStatus.choices, default=SignatureStatus.NO_PDF
    )
    signature_report = models.JSONField(_("signature report"), default=list, blank=True, editable=False)
    # "Ngày chuyển" of the register: the day the dispatch was passed to whoever handles it.
    transferred_on = models.DateField(_("transferred on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Its handling (Decree 30 Art. 23-24): presented to a leader, assigned by the leader's
    # instruction to a lead unit and supporting units (``Assignment``), done when the lead
    # unit completes it. Written by the handling steps only, each with its HandlingEvent.
    handling_status = models.CharField(
        _("handling"), max_length=10, choices=HandlingStatus.choices, default=HandlingStatus.REGISTERED
    )
    presented_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    presented_at = models.DateTimeField(_("presented at"), null=True, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    search_text = models.TextField(editable=False, default="")

    objects = IncomingDispatchQuerySet.as_manager()

    class Meta:
        ordering = ["-arrival_year", "-arrival_number"]
        verbose_name = _("incoming dispatch")
        verbose_name_plural = _("incoming dispatches")
        constraints = [
            models.UniqueConstraint(fields=["arrival_year", "arrival_number"], name="incoming_arrival_number_unique"),
            # The same document registered twice is one document.
            models.UniqueConstraint(
                fields=["issuer", "number", "notation", "document_date"], name="incoming_same_document_once"
            ),
            # A dispatch is passed on after it arrives, never before.
            models.CheckConstraint(
                condition=Q(transferred_on__isnull=True) | Q(transferred_on__gte=F("received_on")),
                name="incoming_transferred_not_before_received",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.issuer})"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.reference} {self.issuer} {self.subject}")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        return f"{self.number}/{self.notation}" if self.notation else self.number


class CircularQuerySet(FoldedSearchQuerySet):
    def for_user(self, user):
        """Circulars a user may read.

        Records clerks, drafters, signers and administrators read every circular; a monitor
        reads those their units monitor; members of a unit read the circulars distributed
        to it (through its deliveries, the acknowledgements app's rows), and nothing else.
        """
        if not user.is_authenticated:
            return self.none()
        if has_role(user, PortalRole.RECORDS_CLERK, PortalRole.DRAFTER, PortalRole.SIGNER, PortalRole.ADMIN):
            return self
        my_units = Unit.objects.filter(memberships__user=user).values("pk")
        # A subquery, not a join: joining a circular's 3,500 deliveries and then DISTINCT
        # over wide rows cost ~93 ms per page at national scale (docs/benchmarks.md).
        received = Circular.objects.filter(deliveries__unit__in=my_units).values("pk")
        if has_role(user, PortalRole.MONITOR):
            return self.filter(Q(monitoring_unit__in=my_units) | Q(pk__in=received))
        # A member of the monitoring unit without the monitor role is a unit member like
        # any other (circulars.policy.is_monitor_of says the same).
        return self.filter(pk__in=received)

    def issued(self):
        return self.filter(status__in=[Circular.Status.ISSUED, Circular.Status.DISTRIBUTED])

    def numbered(self):
        """Every circular that was issued, whatever became of it (recalled, replaced)."""
        return self.filter(number__isnull=False)

    def with_chain_flag(self):
        """Whether it has any relation, read in the same query: a page showing one
        circular's chain then reads the relations only when there are some."""
        related = CircularRelation.objects.filter(Q(circular=models.OuterRef("pk")) | Q(target=models.OuterRef("pk")))
        return self.annotate(has_relations=models.Exists(related))

    def with_chain(self):
        """With the relations that make its chain (replaces, corrects, replaced by,
        corrected by) prefetched: two queries for a whole page (``Circular.chain``)."""
        return self.prefetch_related(
            models.Prefetch("relations_from", queryset=CircularRelation.objects.select_related("target")),
            models.Prefetch("relations_to", queryset=CircularRelation.objects.select_related("circular")),
        )

    def verifiable(self, code: str):
        """The issued circular (0 or 1 rows) whose verification code is ``code``, typed as
        people type it ("abcd2345", " ABCD-2345 "); the public page and API both ask here."""
        return (
            self.filter(number__isnull=False)
            .exclude(sha256="")
            .filter(verification_code__iexact=normalise_verification_code(code))
        )


def normalise_verification_code(code: str) -> str:
    """ "abcd2345", " ABCD-2345 " → "ABCD-2345", as printed under the QR code."""
    code = re.sub(r"[^A-Za-z0-9]", "", code or "").upper()[:16]
    return f"{code[:4]}-{code[4:]}" if len(code) == 8 else code


class Circular(models.Model):
    """The district's own document: drafted, signed, issued with a number, distributed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting signature")
        RETURNED = "returned", _("Returned for revision")
        APPROVED = "approved", _("Approved, awaiting issue")
        ISSUED = "issued", _("Issued")
        DISTRIBUTED = "distributed", _("Distributed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        RECALLED = "recalled", _("Recalled")
        REPLACED = "replaced", _("Replaced")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    # No longer in force: nothing more is asked of the units, nothing is late or chased.
    NOT_IN_FORCE = (Status.WITHDRAWN, Status.RECALLED, Status.REPLACED)
    # Fields that may not change once the circular is issued.
    FROZEN_FIELDS = (
        "document_type",
        "subject",
        "body",
        "notation",
        "issuing_unit",
        "place_name",
        "recipients_text",
        "copy_to",
        "signer",
        "signer_title",
        "urgency",
        "secrecy",
        "number",
        "issued_year",
        "issued_on",
        "pdf",
        "sha256",
        "verification_code",
    )

    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    document_type = models.CharField(
        _("document type"), max_length=16, choices=DocumentType.choices, default=DocumentType.OFFICIAL_LETTER
    )
    subject = models.CharField(_("subject"), max_length=500)
    body = models.TextField(_("body"), blank=True)
    # The notation printed and registered: ``notation_override`` when the drafter typed
    # one, else built from Appendix III (circulars.notation.build_notation) on every save
    # of the draft; frozen at issue like the rest.
    notation = models.CharField(_("notation"), max_length=64, default="UBND-TH")
    notation_override = models.CharField(
        _("notation typed by the drafter"),
        max_length=64,
        blank=True,
        help_text=_("Leave empty to build it from the document type and the units' abbreviations."),
    )
    issuing_unit = models.ForeignKey(
        Unit, verbose_name=_("issuing body"), on_delete=models.PROTECT, related_name="issued_circulars"
    )
    # The unit that drafted it ("TH" in "UBND-TH"): a công văn's notation names it.
    drafting_unit = models.ForeignKey(
        Unit,
        verbose_name=_("drafting unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drafted_circulars",
    )
    place_name = models.CharField(_("place name"), max_length=100, blank=True)
    in_response_to = models.ManyToManyField(
        IncomingDispatch, verbose_name=_("in response to"), related_name="answered_by", blank=True
    )
    recipient_groups = models.ManyToManyField(
        UnitGroup, verbose_name=_("recipient groups"), related_name="circulars", blank=True
    )
    recipient_units = models.ManyToManyField(
        Unit, verbose_name=_("recipient units"), related_name="addressed_circulars", blank=True
    )
    # The "Kính gửi" lines as printed; composed from the recipients when left empty.
    recipients_text = models.TextField(_("'To' lines"), blank=True)
    copy_to = models.JSONField(_("copy to"), default=list, blank=True)
    monitoring_unit = models.ForeignKey(
        Unit,
        verbose_name=_("monitoring unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monitored_circulars",
    )
    ack_due_working_days = models.PositiveSmallIntegerField(_("working days to acknowledge"), default=2)
    report_due_on = models.DateField(_("report due on"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(_("secrecy"), max_length=12, choices=Secrecy.choices, default=Secrecy.NONE)
    # Chasing policy; empty means the portal's default (settings.REMINDERS).
    remind_before_working_days = models.PositiveSmallIntegerField(
        _("remind this many working days before a deadline"), null=True, blank=True
    )
    escalate_head_after_working_days = models.PositiveSmallIntegerField(
        _("escalate to the head after this many working days late"), null=True, blank=True
    )
    escalate_monitor_after_working_days = models.PositiveSmallIntegerField(
        _("escalate to the monitoring office after this many working days late"), null=True, blank=True
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="circulars_to_sign",
    )
    signer_title = models.CharField(_("signer title"), max_length=200, blank=True, help_text=_("One line per row."))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drafted by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    issued_year = models.PositiveSmallIntegerField(_("year of issue"), null=True, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    # Issue 14: the document approved for signature, number and date left as reserved form
    # fields (frozen at approval: a signer signing elsewhere signs these very bytes), and the
    # same document signed by the signer (at approval with the portal's key, or uploaded).
    approved_draft = models.FileField(_("approved draft"), upload_to="circulars/approved/%Y/", blank=True)
    signed_draft = models.FileField(_("draft signed by the signer"), upload_to="circulars/signed/%Y/", blank=True)
    # Where the signer's signature goes on the approved draft ({page, left, top, width, height}
    # in mm from the page's top left), so that issuing places the seal without laying out again.
    signature_place = models.JSONField(_("place of the signature"), null=True, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to="circulars/%Y/", blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    verification_code = models.CharField(_("verification code"), max_length=16, null=True, blank=True, unique=True)
    # Thu hồi: when and why (shown to every unit and on the public verification page).
    # Not frozen: a recall changes the status of an issued circular, never its content.
    recalled_at = models.DateTimeField(_("recalled at"), null=True, blank=True)
    recall_reason = models.TextField(_("reason for recall"), blank=True)
    search_text = models.TextField(editable=False, default="")

    objects = CircularQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("circular")
        verbose_name_plural = _("circulars")
        constraints = [
            models.UniqueConstraint(
                fields=["issued_year", "number"],
                condition=Q(number__isnull=False),
                name="circular_one_number_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "submitted", "returned", "approved"])
                | Q(status="withdrawn")
                | (Q(number__isnull=False) & Q(issued_on__isnull=False) & ~Q(sha256="")),
                name="circular_issued_has_number_date_and_hash",
            ),
            models.CheckConstraint(
                condition=~Q(status="recalled") | (Q(recalled_at__isnull=False) & ~Q(recall_reason="")),
                name="circular_recalled_has_when_and_why",
            ),
        ]
        # PostgreSQL refuses what the services never do: an UPDATE that changes a frozen
        # field of an issued circular (old row has a number), whoever sends it (the ORM, a
        # shell, raw SQL); status, updated_at and the recall's when and why still move
        # (issued → distributed → recalled or replaced). The list is FROZEN_FIELDS (Meta
        # cannot see the class body; a test keeps the two equal). An issued circular is never deleted either.
        triggers = [
            pgtrigger.Protect(
                name="issued_circular_frozen",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__number__isnull=False)
                & (
                    pgtrigger.Q(old__document_type__df=pgtrigger.F("new__document_type"))
                    | pgtrigger.Q(old__subject__df=pgtrigger.F("new__subject"))
                    | pgtrigger.Q(old__body__df=pgtrigger.F("new__body"))
                    | pgtrigger.Q(old__notation__df=pgtrigger.F("new__notation"))
                    | pgtrigger.Q(old__issuing_unit__df=pgtrigger.F("new__issuing_unit"))
                    | pgtrigger.Q(old__place_name__df=pgtrigger.F("new__place_name"))
                    | pgtrigger.Q(old__recipients_text__df=pgtrigger.F("new__recipients_text"))
                    | pgtrigger.Q(old__copy_to__df=pgtrigger.F("new__copy_to"))
                    | pgtrigger.Q(old__signer__df=pgtrigger.F("new__signer"))
                    | pgtrigger.Q(old__signer_title__df=pgtrigger.F("new__signer_title"))
                    | pgtrigger.Q(old__urgency__df=pgtrigger.F("new__urgency"))
                    | pgtrigger.Q(old__secrecy__df=pgtrigger.F("new__secrecy"))
                    | pgtrigger.Q(old__number__df=pgtrigger.F("new__number"))
                    | pgtrigger.Q(old__issued_year__df=pgtrigger.F("new__issued_year"))
                    | pgtrigger.Q(old__issued_on__df=pgtrigger.F("new__issued_on"))
                    | pgtrigger.Q(old__pdf__df=pgtrigger.F("new__pdf"))
                    | pgtrigger.Q(old__sha256__df=pgtrigger.F("new__sha256"))
                    | pgtrigger.Q(old__verification_code__df=pgtrigger.F("new__verification_code"))
                ),
            ),
            pgtrigger.Protect(
                name="issued_circular_kept",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__number__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference or _('Draft')} – {self.subject}"

    def save(self, *args, **kwargs):
        self.search_text = fold(f"{self.reference} {self.subject} {strip_tags(self.body)}")
        super().save(*args, **kwargs)

    @property
    def reference(self) -> str:
        """ "15/UBND-TH" once issued, empty before."""
        return f"{self.number}/{self.notation}" if self.number else ""

    def get_urgency_display(self) -> str:
        # Django's own builds a dict of every choice on each call, translating every
        # label to hash it; the inbox and the lists show it on every row.
        return str(Urgency(self.urgency).label) if self.urgency in Urgency.values else self.urgency

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE

    @property
    def is_issued(self) -> bool:
        return self.number is not None

    @property
    def in_force(self) -> bool:
        """Not withdrawn, recalled or replaced: its units still owe their steps."""
        return self.status not in self.NOT_IN_FORCE

    @cached_property
    def chain(self) -> "Chain":
        """What this circular replaces or corrects, what replaced or corrected it (issued
        documents only), and whether it was recalled. Reads the relations prefetched by
        ``with_chain()``, or two queries (once per instance)."""
        return Chain.of(self)

    @property
    def signer_title_lines(self) -> list[str]:
        return [line.strip() for line in self.signer_title.splitlines() if line.strip()]

    @property
    def verification_url(self) -> str:
        """The public address printed under the QR code; empty before issue."""
        return f"{settings.SITE_URL}/verify/{self.verification_code}" if self.verification_code else ""

    def recipient_lines(self) -> list[str]:
        """The "Kính gửi" lines: as typed, or the groups then the single units."""
        if self.recipients_text.strip():
            return [line.strip() for line in self.recipients_text.splitlines() if line.strip()]
        names = [g.name for g in self.recipient_groups.all()] + [u.name for u in self.recipient_units.all()]
        if len(names) <= 1:
            return [f"{names[0]}." if names else ""]
        return [f"{name};" for name in names[:-1]] + [f"{names[-1]}."]


class ActionItem(models.Model):
    """One directive each recipient unit must report on (the dashes under point 1)."""

    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, related_name="action_items")
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["circular", "position"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        constraints = [
            models.UniqueConstraint(fields=["circular", "position"], name="action_item_position_unique"),
        ]

    def __str__(self) -> str:
        return self.text


class CircularEvent(Event):
    """Append-only history of a circular: who moved it from which state to which."""

    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(_("comment"), blank=True)
    # Now, unless a recorded history is replayed (the demo's 2024 circular).
    at = models.DateTimeField(_("at"), default=timezone.now)

    # Every action the history shows, in the words of a records office.
    ACTION_LABELS = {
        "create": _("Drafted"),
        "edit": _("Edited"),
        "submit": _("Submitted for signature"),
        "approve": _("Approved and signed"),
        "sign": _("Signed digitally"),
        "return": _("Returned for revision"),
        "issue": _("Numbered and issued"),
        "distribute": _("Sent to the recipient units"),
        "withdraw": _("Withdrawn"),
        "recall": _("Recalled"),
        "replace": _("Replaced by a new document"),
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("circular event")
        verbose_name_plural = _("circular events")
        # Append-only: PostgreSQL refuses any UPDATE or DELETE of a row.
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))


class CircularRelation(models.Model):
    """A new document that names an issued one: it replaces it (thay thế) or corrects it
    (đính chính). Stored with its QCVN 102:2016 relation type, so that an edXML exchange
    later is a mapping. A document names at most one other; written with the draft."""

    class Kind(models.IntegerChoices):
        # QCVN 102:2016's codes. A recall here is a decision on the circular itself (its
        # status, when and why), not a document, so REVOKE is kept for the exchange only.
        REVOKE = 1, _("Revokes")
        UPDATE = 2, _("Corrects")
        REPLACE = 3, _("Replaces")

    circular = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="relations_from")
    target = models.ForeignKey(Circular, on_delete=models.PROTECT, related_name="relations_to")
    kind = models.PositiveSmallIntegerField(_("relation"), choices=Kind.choices)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("relation between documents")
        verbose_name_plural = _("relations between documents")
        constraints = [
            models.UniqueConstraint(fields=["circular"], name="relation_one_per_document"),
            models.CheckConstraint(condition=~Q(circular=F("target")), name="relation_not_to_itself"),
            models.CheckConstraint(condition=Q(kind__in=[1, 2, 3]), name="relation_kind_qcvn_102"),
        ]
        # A relation is part of the document once written: never changed or removed.
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.circular} {self.get_kind_display().lower()} {self.target}"


class Chain:
    """A circular's place in its chain, for pages and the verification answer."""

    def __init__(self, circular: Circular, *, replaces=None, corrects=None, replaced_by=None, corrections=()):
        self.circular = circular
        self.replaces = replaces
        self.corrects = corrects
        self.replaced_by = replaced_by
        self.corrections = list(corrections)

    @classmethod
    def of(cls, circular: Circular) -> "Chain":
        """From the relations prefetched by ``with_chain()``; else none when
        ``with_chain_flag()`` says there are none; else one query."""
        prefetched = getattr(circular, "_prefetched_objects_cache", {})
        if "relations_from" in prefetched and "relations_to" in prefetched:
            outgoing, incoming = list(circular.relations_from.all()), list(circular.relations_to.all())
        elif getattr(circular, "has_relations", True) is False:
            outgoing, incoming = [], []
        else:
            both = list(
                CircularRelation.objects.filter(Q(circular=circular) | Q(target=circular)).select_related(
                    "circular", "target"
                )
            )
            outgoing = [r for r in both if r.circular_id == circular.pk]
            incoming = [r for r in both if r.target_id == circular.pk]
        incoming = [r for r in incoming if r.circular.is_issued]
        incoming.sort(key=lambda r: (r.circular.issued_on, r.circular.pk))
        kind = CircularRelation.Kind
        return cls(
            circular,
            replaces=next((r.target for r in outgoing if r.kind == kind.REPLACE), None),
            corrects=next((r.target for r in outgoing if r.kind == kind.UPDATE), None),
            # The replacement counts once it has replaced the circular (on distribution).
            replaced_by=next(
                (
                    r.circular
                    for r in incoming
                    if r.kind == kind.REPLACE and circular.status == Circular.Status.REPLACED
                ),
                None,
            ),
            corrections=[r.circular for r in incoming if r.kind == kind.UPDATE],
        )

    @property
    def recalled(self) -> bool:
        return self.circular.status == Circular.Status.RECALLED

    def __bool__(self) -> bool:
        return bool(self.replaces or self.corrects or self.replaced_by or self.corrections or self.recalled)

    @staticmethod
    def public_link(circular: Circular) -> dict:
        """What the public check says of a linked document: its reference, date and its
        own verification page; a secret one shows nothing but the page (which says only
        that it exists)."""
        secret = circular.is_secret
        return {
            "reference": "" if secret else circular.reference,
            "issued_on": None if secret else circular.issued_on,
            "verification_url": circular.verification_url,
            "verification_code": circular.verification_code,
        }

    def public(self) -> dict:
        """The public verification answer's part about recall, replacement and corrections."""
        circular = self.circular
        return {
            "recalled": self.recalled,
            "recalled_at": circular.recalled_at if self.recalled else None,
            "recall_reason": circular.recall_reason if self.recalled else "",
            "replaced_by": self.public_link(self.replaced_by) if self.replaced_by else None,
            "corrections": [self.public_link(c) for c in self.corrections],
        }


class AssignmentQuerySet(models.QuerySet):
    def current(self):
        """The assignments of the dispatches' latest instruction (not replaced by a new one)."""
        return self.exclude(status=Assignment.Status.REPLACED)

    def for_units(self, unit_ids):
        return self.current().filter(unit_id__in=unit_ids)

    def for_member(self, user):
        """A unit member's: their units' current assignments (another unit's is a 404)."""
        return self.current().filter(unit__memberships__user=user)

    def open(self):
        return self.filter(status=Assignment.Status.ASSIGNED)

    def in_handling(self):
        """Open, and its dispatch still being handled: what the sweep chases and the
        dashboard counts as in handling (``Assignment.in_handling_q``)."""
        return self.filter(Assignment.in_handling_q())

    def overdue(self, on):
        """Still open after the due date: the one definition the inbox, the sweep and the
        dashboard read (``Assignment.overdue_q``)."""
        return self.filter(Assignment.overdue_q(on))

    def due_soon(self, on, until):
        """Open, not overdue on ``on`` and due by ``until`` (``Assignment.due_soon_q``)."""
        return self.filter(Assignment.due_soon_q(on, until))


class Assignment(models.Model):
    """Giao xử lý: one unit's part in handling an incoming dispatch, as the leader's
    instruction gave it: the lead unit (chủ trì) handles it and completes it, supporting
    units (phối hợp) contribute. Assigning again replaces the current assignments (they
    become ``replaced`` and stay, with their history) by new ones. Chased like a delivery:
    ``Reminder`` has an ``assignment`` key too."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        SUPPORT = "support", _("Supporting unit")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Being handled")
        DONE = "done", _("Done")
        REPLACED = "replaced", _("Replaced by a new assignment")

    dispatch = models.ForeignKey(IncomingDispatch, on_delete=models.PROTECT, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ASSIGNED)
    due_on = models.DateField(_("due on"))
    instruction = models.TextField(_("instruction"))
    # The leader whose instruction it is, and who recorded it (the leader, or the records
    # clerk writing "theo ý kiến của" the leader).
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("assigned at"), default=timezone.now)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    completion_note = models.TextField(_("result"), blank=True)
    # The circular drafted in response whose issue completed it, if one did.
    completed_by_circular = models.ForeignKey(
        Circular, on_delete=models.PROTECT, null=True, blank=True, related_name="completed_assignments"
    )
    replaced_at = models.DateTimeField(_("replaced at"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["dispatch", "unit"], condition=~Q(status="replaced"), name="assignment_one_per_unit"
            ),
            models.UniqueConstraint(
                fields=["dispatch"], condition=Q(role="lead") & ~Q(status="replaced"), name="assignment_one_lead"
            ),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(completed_at__isnull=False), name="assignment_done_has_completed_at"
            ),
            models.CheckConstraint(
                condition=~Q(status="replaced") | Q(replaced_at__isnull=False),
                name="assignment_replaced_has_replaced_at",
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status_idx"),
            # The sweep and the dashboard: open assignments by due date.
            models.Index(fields=["due_on"], condition=Q(status="assigned"), name="assignment_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.dispatch.reference} → {self.unit} ({self.get_role_display()})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.ASSIGNED

    # Overdue and due soon: derived, never stored, and defined here only: the Q builders
    # for queries and conditional counts, ``is_overdue`` for a row already loaded. Keep
    # them saying the same thing (tests/chasing/test_assignment_chase.py pins it).

    @classmethod
    def in_handling_q(cls) -> Q:
        return Q(status=cls.Status.ASSIGNED, dispatch__handling_status=HandlingStatus.ASSIGNED)

    @classmethod
    def overdue_q(cls, on) -> Q:
        return Q(status=cls.Status.ASSIGNED, due_on__lt=on)

    @classmethod
    def due_soon_q(cls, on, until) -> Q:
        return Q(status=cls.Status.ASSIGNED, due_on__gte=on, due_on__lte=until)

    def is_overdue(self, on) -> bool:
        """``overdue_q(on)`` for this row."""
        return self.status == self.Status.ASSIGNED and self.due_on < on

    def is_due_soon(self, on, until) -> bool:
        """``due_soon_q(on, until)`` for this row."""
        return self.status == self.Status.ASSIGNED and on <= self.due_on <= until


class HandlingEvent(Event):
    """One step in handling an incoming dispatch: presented, assigned (one per unit),
    a supporting unit's contribution, completed, replaced by a new assignment. Written in
    the same transaction as the step; append-only."""

    dispatch = models.ForeignKey(IncomingDispatch, on_delete=models.PROTECT, related_name="handling_events")
    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    # Every action the history shows, in the words of a records office.
    ACTION_LABELS = {
        "present": _("Presented to a leader"),
        "instruct": _("Leader's instruction"),
        "assign": _("Assigned"),
        "replace": _("Replaced by a new assignment"),
        "note": _("Contribution"),
        "complete": _("Completed"),
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("handling event")
        verbose_name_plural = _("handling events")
        triggers = [pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete)]

    @property
    def action_label(self) -> str:
        return str(self.ACTION_LABELS.get(self.action, self.action))


class Attachment(StoredFile):
    """A file that goes with an incoming dispatch or a circular. Stored under MEDIA_ROOT
    with a generated name, served only through a view that checks access."""

    incoming = models.ForeignKey(
        IncomingDispatch, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    circular = models.ForeignKey(Circular, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to="attachments/%Y/%m/")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(incoming__isnull=False) & Q(circular__isnull=True))
                | (Q(incoming__isnull=True) & Q(circular__isnull=False)),
                name="attachment_has_exactly_one_owner",
            ),
        ]


class WorkingDayChange(models.Model):
    """A change to the national calendar of the ``holidays`` package: an extra day off,
    or a weekend day worked in exchange for a bridge holiday. The Government's yearly
    swaps (``official``) ship as rows of this table (migration 0008), so the
    administrator sees and corrects them beside the local ones."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    class Source(models.TextChoices):
        LOCAL = "local", _("Local change")
        OFFICIAL = "official", _("Government's swap of working days")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.LOCAL)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("working-day change")
        verbose_name_plural = _("working-day changes")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class NoSwapsYear(models.Model):
    """The administrator's answer "the Government swaps no working days this year", which
    silences the December reminder to enter next year's swaps (see
    ``circulars.workdays.years_missing_swaps``)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)

    class Meta:
        ordering = ["year"]
        verbose_name = _("year without swapped working days")
        verbose_name_plural = _("years without swapped working days")

    def __str__(self) -> str:
        return str(self.year)
