"""The demo PKI: a sample CA that nobody else trusts, the organisation's certificate and one
per signer, as PKCS#12 files under var/signing/ whose password is the demo accounts' password,
registered as credentials; the demo CA as a trust anchor; and drawn signature and seal
images marked "MẪU" (sample). Running it again reuses what is there."""

import datetime
import io
import math
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from signing import pki
from signing.models import SignatureImage, SigningCredential, TrustAnchor
from units.models import Unit, User
from units.roles import PortalRole

# The demo accounts' password (portal/demo/organisation.py): the demo keys' PIN too.
DEMO_PIN = "demo12345"
CA_NAME = "CA Cổng công văn DEMO – không tin cậy"
CA_ORGANISATION = "Dữ liệu mẫu – không dùng thật"
SEAL_MM = 36  # a district People's Committee's seal is about 36 mm across
FONT = settings.BASE_DIR / "static" / "fonts" / "LiberationSerif-Bold.ttf"
BLUE = (20, 40, 170, 255)
RED = (210, 20, 30, 255)


def _directory() -> Path:
    path = Path(settings.SIGNING_DEMO_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_private(path: Path, data: bytes) -> None:
    path.write_bytes(data)
    path.chmod(0o600)


def demo_ca(password: str = DEMO_PIN) -> pki.Issued:
    """The demo CA, made once and kept (key encrypted with the demo password)."""
    directory = _directory()
    key_path, cert_path = directory / "demo-ca.key.pem", directory / "demo-ca.pem"
    if key_path.exists() and cert_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), password.encode())
        return pki.Issued(key, x509.load_pem_x509_certificate(cert_path.read_bytes()))
    ca = pki.make_ca(CA_NAME, organisation=CA_ORGANISATION)
    _write_private(
        key_path,
        ca.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(password.encode()),
        ),
    )
    cert_path.write_text(ca.pem)
    return ca


def _key_file(ca: pki.Issued, path: Path, *, common_name: str, organisation: str, password: str) -> pki.Issued:
    """A PKCS#12 file issued by ``ca``: the one on disk while it opens with the password,
    was issued by this CA and is valid for another 30 days; a new one otherwise."""
    if path.exists():
        try:
            key, certificate, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), password.encode())
        except ValueError:
            key = certificate = None
        soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=30)
        if (
            certificate is not None
            and certificate.issuer == ca.certificate.subject
            and certificate.not_valid_after_utc > soon
        ):
            return pki.Issued(key, certificate)
    issued = pki.issue(ca, common_name, organisation=organisation)
    _write_private(path, pki.pkcs12_bytes(issued, chain=[ca.certificate], password=password, friendly_name=common_name))
    return issued


def _font(size: int):
    return ImageFont.truetype(str(FONT), size)


def signature_png(name: str) -> bytes:
    """A drawn blue signature (a flourish and the surname), marked MẪU."""
    width, height = 600, 240
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    points = [(40 + x, 130 - 45 * math.sin(x / 38) * math.exp(-x / 700)) for x in range(0, 520, 4)]
    draw.line(points, fill=BLUE, width=6, joint="curve")
    draw.line([(60, 190), (540, 160)], fill=BLUE, width=4)
    surname = name.split()[-1] if name.split() else name
    draw.text((200, 40), surname, font=_font(64), fill=BLUE)
    draw.text((width - 130, height - 60), "MẪU", font=_font(40), fill=BLUE)
    return _png(image)


def seal_png(name: str) -> bytes:
    """A drawn red seal (two rings, a star, the name), marked MẪU."""
    size = 600
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, size - 8, size - 8), outline=RED, width=14)
    draw.ellipse((90, 90, size - 90, size - 90), outline=RED, width=6)
    centre = size / 2
    star = [
        (centre + radius * math.sin(math.pi * k / 5), centre - 40 - radius * math.cos(math.pi * k / 5))
        for k, radius in zip(range(10), [60, 24] * 5, strict=True)
    ]
    draw.polygon(star, fill=RED)
    words = name.split()
    half = (len(words) + 1) // 2
    for row, line in enumerate((" ".join(words[:half]), " ".join(words[half:]))):
        font = _font(34)
        text_width = draw.textlength(line, font=font)
        draw.text((centre - text_width / 2, centre + 40 + row * 42), line, font=font, fill=RED)
    font = _font(56)
    draw.text((centre - draw.textlength("MẪU", font=font) / 2, 100), "MẪU", font=font, fill=RED)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _image(kind, *, owner_field, owner, data, width_mm=None, height_mm=None) -> None:
    if SignatureImage.objects.filter(kind=kind, active=True, **{owner_field: owner}).exists():
        return  # the administrator's (or an earlier run's) image stays
    record = SignatureImage(kind=kind, width_mm=width_mm, height_mm=height_mm, **{owner_field: owner})
    record.image.save(f"{kind}.png", ContentFile(data), save=False)
    record.save()


def _credential(*, owner_field, owner, label, path, issued) -> SigningCredential:
    credential, _created = SigningCredential.objects.update_or_create(
        active=True,
        **{owner_field: owner},
        defaults={
            "label": label,
            "backend": SigningCredential.Backend.PKCS12,
            "pkcs12_path": str(path),
            "certificate_pem": issued.pem,
        },
    )
    return credential


def signer_users():
    return User.objects.filter(groups__name=PortalRole.SIGNER.value, is_active=True).order_by("username")


@transaction.atomic
def seed_demo_pki(*, organisation: Unit, signers, password: str = DEMO_PIN) -> dict:
    """Key files, credentials, images and the trust anchor for ``organisation`` and each of
    ``signers``. Returns what was set up, for the command to print."""
    directory = _directory()
    ca = demo_ca(password)
    TrustAnchor.objects.get_or_create(
        fingerprint=pki.fingerprint(ca.certificate), defaults={"name": CA_NAME, "certificate_pem": ca.pem}
    )
    issued = _key_file(
        ca,
        directory / f"organisation-{organisation.code}.p12",
        common_name=organisation.name,
        organisation=organisation.name,
        password=password,
    )
    _credential(
        owner_field="unit",
        owner=organisation,
        label=f"{organisation.name} (DEMO)",
        path=directory / f"organisation-{organisation.code}.p12",
        issued=issued,
    )
    _image(
        SignatureImage.Kind.SEAL,
        owner_field="unit",
        owner=organisation,
        data=seal_png(organisation.short_name or organisation.name),
        width_mm=SEAL_MM,
        height_mm=SEAL_MM,
    )
    names = []
    for user in signers:
        path = directory / f"signer-{user.username}.p12"
        full_name = user.get_full_name()
        issued = _key_file(ca, path, common_name=full_name, organisation=organisation.name, password=password)
        _credential(owner_field="user", owner=user, label=f"{full_name} (DEMO)", path=path, issued=issued)
        _image(SignatureImage.Kind.SIGNATURE, owner_field="user", owner=user, data=signature_png(full_name))
        names.append(user.username)
    return {"ca": CA_NAME, "organisation": organisation.name, "signers": names, "directory": str(directory)}
