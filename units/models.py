"""Who is who: units (a tree of any depth), groups of units, users and their memberships.

Vietnam has had two levels of local government since 1 July 2025 (province and commune)
and had three before; nothing here counts levels. A unit's place is its ``parent`` chain.
"""

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# A notation and its parts (Decree 30, Appendix III): letters, Vietnamese ones included,
# and digits, in groups joined by "-", "&" or ".": "UBND", "TH", "LĐ-TB&XH", "STTTT-TTra".
NOTATION_PATTERN = re.compile(r"[^\W_]+(?:[-&.][^\W_]+)*")

validate_abbreviation = RegexValidator(
    re.compile(rf"\A{NOTATION_PATTERN.pattern}\Z"),
    _("Use letters and digits only, joined by “-”, “&” or “.”, e.g. UBND, TH or LĐ-TB&XH."),
)


class User(AbstractUser):
    """A portal user. Vietnamese names are written whole ("Nguyễn Hùng"), not split."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    title = models.CharField(_("job title"), max_length=150, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    @cached_property
    def unit_ids(self) -> list[int]:
        """The ids of the units the user is a member of, read once per user object (so
        once per request: the inbox, its unit column and the navigation ask)."""
        return list(Membership.objects.filter(user=self).values_list("unit_id", flat=True))

    def __str__(self) -> str:
        return self.get_full_name()


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_user(self, user):
        """The units the user is a member of."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user).distinct()


class Unit(models.Model):
    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "committee", _("People's Committee")
        DEPARTMENT = "department", _("Department")
        OFFICE = "office", _("Office")
        COMMUNE = "commune", _("Commune")
        AGENCY = "agency", _("Agency")
        OTHER = "other", _("Other")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=100, blank=True)
    # Decree 30, Appendix III: "UBND" for a People's Committee, "TH" for a section, in a
    # document's notation ("01/QĐ-UBND", "123/UBND-TH").
    abbreviation = models.CharField(
        _("abbreviation"),
        max_length=20,
        blank=True,
        validators=[validate_abbreviation],
        help_text=_("As in the notation of the documents it issues or drafts, e.g. UBND, TH, VHTT."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    email = models.EmailField(_("email"), blank=True)
    # "Thuận Bắc" in "Thuận Bắc, ngày 15 tháng 10 năm 2024" on the documents the unit issues.
    place_name = models.CharField(_("place name"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.CheckConstraint(condition=~Q(parent=models.F("id")), name="unit_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Unit"]:
        """From the parent up to the root; one query per level, and levels are few."""
        chain, node, seen = [], self.parent, {self.pk}
        while node is not None and node.pk not in seen:
            chain.append(node)
            seen.add(node.pk)
            node = node.parent
        return chain

    def clean(self) -> None:
        if not (self.parent_id and self.pk):
            return
        if self.parent_id == self.pk or any(a.pk == self.pk for a in self.parent.ancestors()):
            raise ValidationError({"parent": _("A unit cannot be placed under itself or one of its own sub-units.")})


class UnitGroup(models.Model):
    """A named set of units that circulars address at once ("UBND các xã")."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="groups", blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user works for a unit as its clerk (văn thư đơn vị) or its head (thủ trưởng)."""

    class Role(models.TextChoices):
        CLERK = "clerk", _("Clerk")
        HEAD = "head", _("Head")

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.CLERK)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_one_per_user_and_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"
