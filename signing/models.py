"""Keys, images and trust: a signing credential (whose key signs, and where it lives), the
signature and seal images shown where a document is signed, and the certificates the
administrator trusts. The PIN or password of a key is never stored: it is given for each
signature."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from signing.pki import fingerprint, load_certificate
from units.models import Unit, User


def default_backend() -> str:
    return settings.SIGNING_DEFAULT_BACKEND


def _certificate_or_error(pem: str):
    try:
        return load_certificate(pem.strip())
    except ValueError:
        raise ValidationError(_("This is not a certificate in PEM format.")) from None


class SigningCredentialQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def for_signer(self, user):
        """The signer's own credential (at most one is active)."""
        return self.active().filter(user=user).first()

    def for_organisation(self, unit):
        return self.active().filter(unit=unit).first()


class SigningCredential(models.Model):
    """A key that signs, owned by a signer (a user) or by the organisation (a unit), and
    where it lives: a PKCS#12 file, a PKCS#11 token or HSM, or a remote CSC service."""

    class Backend(models.TextChoices):
        PKCS12 = "pkcs12", _("PKCS#12 file")
        PKCS11 = "pkcs11", _("PKCS#11 token or HSM")
        CSC = "csc", _("Remote signing service (CSC API)")

    user = models.ForeignKey(
        User,
        verbose_name=_("signer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signing_credentials",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signing_credentials",
    )
    label = models.CharField(_("label"), max_length=200)
    backend = models.CharField(_("key store"), max_length=8, choices=Backend.choices, default=default_backend)
    # PKCS#12: a file on the server (var/, a mounted secret), never an upload served back.
    pkcs12_path = models.CharField(_("PKCS#12 file path"), max_length=500, blank=True)
    # PKCS#11: the module (empty: SIGNING_PKCS11_MODULE), the token and the key on it.
    pkcs11_module = models.CharField(_("PKCS#11 module"), max_length=500, blank=True)
    pkcs11_token_label = models.CharField(_("token label"), max_length=100, blank=True)
    pkcs11_key_label = models.CharField(_("key label"), max_length=100, blank=True)
    # CSC: the service's base URL (before /csc/v1/) and the credential's id there.
    csc_url = models.URLField(_("CSC service URL"), max_length=500, blank=True)
    csc_credential_id = models.CharField(_("CSC credential id"), max_length=200, blank=True)
    certificate_pem = models.TextField(
        _("certificate (PEM)"),
        blank=True,
        help_text=_("Shown to people and checked before signing; the key store's certificate is the one signed with."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SigningCredentialQuerySet.as_manager()

    class Meta:
        verbose_name = _("signing credential")
        verbose_name_plural = _("signing credentials")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, unit__isnull=True) | Q(user__isnull=True, unit__isnull=False),
                name="signingcredential_one_owner",
            ),
            # One active key per signer and per organisation: signing never has to choose.
            models.UniqueConstraint(
                fields=["user"], condition=Q(active=True, user__isnull=False), name="signingcredential_one_active_user"
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(active=True, unit__isnull=False), name="signingcredential_one_active_unit"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def owner(self):
        return self.user or self.unit

    def clean(self):
        if bool(self.user_id) == bool(self.unit_id):
            raise ValidationError(_("A credential belongs to a signer or to an organisation, not both."))
        required = {
            self.Backend.PKCS12: ["pkcs12_path"],
            self.Backend.PKCS11: ["pkcs11_token_label", "pkcs11_key_label"],
            self.Backend.CSC: ["csc_url", "csc_credential_id"],
        }.get(self.backend, [])
        missing = {name: _("Required for this key store.") for name in required if not getattr(self, name)}
        if missing:
            raise ValidationError(missing)
        if self.certificate_pem.strip():
            _certificate_or_error(self.certificate_pem)


def _image_path(instance, filename):
    # The stored name is ours; the uploaded name is only the administrator's claim.
    return f"signing/images/{instance.kind}-{hashlib.sha256(filename.encode()).hexdigest()[:12]}.png"


class SignatureImage(models.Model):
    """What a signature looks like on the page (Decree 30, Appendix I): a signer's
    signature (blue, transparent PNG), an organisation's seal (red, transparent PNG, drawn
    at its real size)."""

    class Kind(models.TextChoices):
        SIGNATURE = "signature", _("Signer's signature")
        SEAL = "seal", _("Organisation's seal")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("signer"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signature_images",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signature_images",
    )
    image = models.FileField(_("image (transparent PNG)"), upload_to=_image_path)
    width_mm = models.DecimalField(_("real width (mm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    height_mm = models.DecimalField(_("real height (mm)"), max_digits=5, decimal_places=1, null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signature image")
        verbose_name_plural = _("signature images")
        constraints = [
            # A signature is a person's, a seal an organisation's.
            models.CheckConstraint(
                condition=Q(kind="signature", user__isnull=False, unit__isnull=True)
                | Q(kind="seal", unit__isnull=False, user__isnull=True),
                name="signatureimage_owner_matches_kind",
            ),
            # A seal is drawn at its real size, so its size is known.
            models.CheckConstraint(
                condition=~Q(kind="seal") | Q(width_mm__gt=0, height_mm__gt=0),
                name="signatureimage_seal_has_size",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(active=True, kind="signature"), name="signatureimage_one_active_signature"
            ),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(active=True, kind="seal"), name="signatureimage_one_active_seal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.user or self.unit}"

    def clean(self):
        if self.kind == self.Kind.SIGNATURE and (not self.user_id or self.unit_id):
            raise ValidationError(_("A signature image belongs to a signer."))
        if self.kind == self.Kind.SEAL and (not self.unit_id or self.user_id):
            raise ValidationError(_("A seal belongs to an organisation."))
        if self.kind == self.Kind.SEAL and not (self.width_mm and self.height_mm):
            raise ValidationError(_("Give the seal's real width and height in millimetres."))


class TrustAnchor(models.Model):
    """A root certificate whose signatures the portal trusts: the Government's specialised
    CA, a public CA, the demo CA. Added by the administrator."""

    name = models.CharField(_("name"), max_length=200)
    certificate_pem = models.TextField(_("certificate (PEM)"))
    fingerprint = models.CharField(_("SHA-256 fingerprint"), max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("trust anchor")
        verbose_name_plural = _("trust anchors")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.certificate_pem = self.certificate_pem.strip() + "\n"
        self.fingerprint = fingerprint(load_certificate(self.certificate_pem))
        super().save(*args, **kwargs)

    def clean(self):
        _certificate_or_error(self.certificate_pem)
