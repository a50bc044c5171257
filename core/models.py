"""Abstract bases of the twin models the apps keep: an append-only event of a state
change, and a stored file checked on upload. No tables of their own."""

from django.core.files.base import ContentFile
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.uploads import CheckedFile


class Event(models.Model):
    """One transition of an object: which step, from which state to which. Subclasses add
    the object, the actor, the time and the append-only trigger (written in the same
    transaction as the change it records)."""

    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class StoredFile(models.Model):
    """A file checked by ``core.uploads.check_upload``, stored under MEDIA_ROOT with a
    generated name and served only through a view that checks access
    (``core.uploads.download_response``). Subclasses add ``file`` with its folder."""

    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def store(cls, checked: CheckedFile, **fields):
        """Save the checked file and its row (call inside the caller's transaction)."""
        stored = cls(
            original_name=checked.original_name,
            content_type=checked.kind.content_type,
            size=checked.size,
            sha256=checked.sha256,
            **fields,
        )
        stored.file.save(checked.storage_name, ContentFile(checked.data), save=False)
        stored.save()
        return stored
