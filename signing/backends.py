"""One interface, three key stores: ``open_signer(credential, pin)`` gives a pyHanko
``Signer`` whatever holds the key (a PKCS#12 file, a PKCS#11 token or HSM, a remote CSC
service), and turns each store's failures into a domain error with a clear message."""

import asyncio
import datetime
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
from django.conf import settings
from django.utils.translation import gettext as _
from pkcs11 import exceptions as pkcs11_errors
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.sign import SimpleSigner
from pyhanko.sign.general import SigningError
from pyhanko.sign.pkcs11 import PKCS11Error, PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import csc_signer

from core.errors import Conflict, Invalid, Unavailable
from signing.models import SigningCredential


def run_sync(coroutine):
    """Run pyHanko's coroutine to its end from synchronous code. In a thread that already
    runs an event loop (an ASGI server, a test driving a browser), ``asyncio.run`` is
    refused: the coroutine then runs in a fresh loop on a short-lived thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def check_certificate_dates(certificate, *, at: datetime.datetime | None = None) -> None:
    """A certificate outside its validity period signs nothing (an asn1crypto certificate)."""
    at = at or datetime.datetime.now(datetime.UTC)
    validity = certificate["tbs_certificate"]["validity"]
    if at > validity["not_after"].native:
        raise Conflict(_("The signing certificate expired on %(date)s.") % {"date": _date(validity["not_after"])})
    if at < validity["not_before"].native:
        raise Conflict(
            _("The signing certificate is not valid before %(date)s.") % {"date": _date(validity["not_before"])}
        )


def _date(time) -> str:
    return time.native.strftime("%d/%m/%Y")


def _wrong_pin() -> Invalid:
    return Invalid(_("The PIN or password of the signing key is wrong."))


@asynccontextmanager
async def open_signer(credential: SigningCredential, pin: str):
    """The credential's key, unlocked with ``pin``, as a pyHanko signer (async: the CSC
    client runs in the event loop of the signing call)."""
    if not credential.active:
        raise Conflict(_("This signing credential is no longer active."))
    opener = {
        SigningCredential.Backend.PKCS12: _pkcs12,
        SigningCredential.Backend.PKCS11: _pkcs11,
        SigningCredential.Backend.CSC: _csc,
    }[credential.backend]
    async with opener(credential, pin or "") as signer:
        check_certificate_dates(signer.signing_cert)
        yield signer


@asynccontextmanager
async def _pkcs12(credential, pin):
    try:
        data = Path(credential.pkcs12_path).read_bytes()
    except OSError:
        raise Unavailable(_("The key file of this signing credential cannot be read.")) from None
    try:
        signer = SimpleSigner.load_pkcs12_data(data, other_certs=None, passphrase=pin.encode("utf-8"))
    except ValueError:
        # cryptography says only "could not deserialize": with a file that opened
        # before, that is the password.
        raise _wrong_pin() from None
    yield signer


@asynccontextmanager
async def _pkcs11(credential, pin):
    module = credential.pkcs11_module or settings.SIGNING_PKCS11_MODULE
    try:
        session = open_pkcs11_session(
            module, token_criteria=TokenCriteria(label=credential.pkcs11_token_label), user_pin=pin
        )
    except (pkcs11_errors.PinIncorrect, pkcs11_errors.PinLenRange, pkcs11_errors.ArgumentsBad):
        raise _wrong_pin() from None
    except pkcs11_errors.PinLocked:
        raise Conflict(_("The token is locked after too many wrong PINs.")) from None
    except (PKCS11Error, pkcs11_errors.PKCS11Error, OSError, RuntimeError):
        raise Unavailable(
            _("The signing token “%(token)s” does not answer; check that it is plugged in.")
            % {"token": credential.pkcs11_token_label}
        ) from None
    try:
        try:
            signer = PKCS11Signer(
                session, key_label=credential.pkcs11_key_label, cert_label=credential.pkcs11_key_label
            )
            signer.signing_cert  # noqa: B018 (pulls the certificate now, so a missing one fails here)
        except (PKCS11Error, pkcs11_errors.PKCS11Error) as error:
            raise Unavailable(
                _("The key “%(key)s” or its certificate is not on the token.") % {"key": credential.pkcs11_key_label}
            ) from error
        yield signer
    finally:
        session.close()


class PinAuthorization(csc_signer.CSCAuthorizationManager):
    """The CSC ``credentials/authorize`` call with the signer's PIN, once per signature,
    pinned to the hash being signed."""

    def __init__(self, session_info, credential_info, *, http, pin):
        super().__init__(session_info, credential_info)
        self.http = http
        self.pin = pin

    async def authorize_signature(self, hash_b64s):
        body = self.format_csc_auth_request(pin=self.pin, hash_b64s=hash_b64s)
        async with self.http.post(
            self.csc_session_info.endpoint_url("credentials/authorize"), headers=self.auth_headers, json=body
        ) as response:
            if response.status in (400, 401, 403):
                raise _wrong_pin()
            response.raise_for_status()
            return self.parse_csc_auth_response(await response.json())


@asynccontextmanager
async def _csc(credential, pin):
    session_info = csc_signer.CSCServiceSessionInfo(
        service_url=credential.csc_url.rstrip("/"), credential_id=credential.csc_credential_id
    )
    timeout = aiohttp.ClientTimeout(total=settings.SIGNING_TIMEOUT_SECONDS)
    unavailable = Unavailable(_("The remote signing service at %(url)s does not answer.") % {"url": credential.csc_url})
    async with aiohttp.ClientSession(timeout=timeout) as http:
        try:
            credential_info = await csc_signer.fetch_certs_in_csc_credential(http, session_info)
        except (SigningError, aiohttp.ClientError, TimeoutError):
            raise unavailable from None
        authorization = PinAuthorization(session_info, credential_info, http=http, pin=pin)
        try:
            yield csc_signer.CSCSigner(http, auth_manager=authorization)
        except (aiohttp.ClientError, TimeoutError):
            raise unavailable from None
