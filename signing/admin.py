import io

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.admin import ModelAdmin
from core.uploads import PNG, check_upload
from signing.models import SignatureImage, SigningCredential, TrustAnchor

MAX_IMAGE_BYTES = 2 * 1024 * 1024


class SignatureImageForm(forms.ModelForm):
    class Meta:
        model = SignatureImage
        fields = ["kind", "user", "unit", "image", "width_mm", "height_mm", "active"]

    def clean_image(self):
        uploaded = self.cleaned_data["image"]
        if not hasattr(uploaded, "chunks") or getattr(uploaded, "_committed", False):
            return uploaded  # the stored image, unchanged
        checked = check_upload(uploaded, allowed=(PNG,), max_bytes=MAX_IMAGE_BYTES)
        try:
            image = Image.open(io.BytesIO(checked.data))
            image.load()
        except (OSError, ValueError):
            raise ValidationError(_("The image cannot be read.")) from None
        has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
        if not has_alpha:
            raise ValidationError(_("The image must be a PNG with a transparent background."))
        return ContentFile(checked.data, name=checked.storage_name)


@admin.register(SignatureImage)
class SignatureImageAdmin(ModelAdmin):
    form = SignatureImageForm
    list_display = ["__str__", "kind", "width_mm", "height_mm", "active", "uploaded_at"]
    list_filter = ["kind", "active"]
    autocomplete_fields = ["user", "unit"]


@admin.register(SigningCredential)
class SigningCredentialAdmin(ModelAdmin):
    list_display = ["label", "owner", "backend", "active", "created_at"]
    list_filter = ["backend", "active"]
    search_fields = ["label", "user__username", "user__full_name", "unit__name"]
    list_select_related = ["user", "unit"]
    autocomplete_fields = ["user", "unit"]
    fieldsets = (
        (None, {"fields": ("label", "user", "unit", "backend", "active", "certificate_pem")}),
        (_("PKCS#12 file"), {"fields": ("pkcs12_path",)}),
        (_("PKCS#11 token or HSM"), {"fields": ("pkcs11_module", "pkcs11_token_label", "pkcs11_key_label")}),
        (_("Remote signing service (CSC API)"), {"fields": ("csc_url", "csc_credential_id")}),
    )


@admin.register(TrustAnchor)
class TrustAnchorAdmin(ModelAdmin):
    list_display = ["name", "fingerprint", "active", "added_at"]
    list_filter = ["active"]
    search_fields = ["name", "fingerprint"]
    readonly_fields = ["fingerprint"]
