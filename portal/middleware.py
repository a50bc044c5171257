from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.core.exceptions import SuspiciousOperation
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _


class PortalLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every page needs a login, except those marked ``@login_not_required``.

    The JSON API is left to Django REST Framework, which authenticates tokens as well as
    sessions and answers 401/403 in JSON rather than redirecting to the login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PortalLocaleMiddleware:
    """Vietnamese whatever the browser asks for: a clerk's phone set to English still gets
    the portal in Vietnamese. Another language only when the user picks it (the language
    cookie that ``set_language`` writes remembers it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: a Content Security Policy with no inline
    scripts or styles anywhere, and a Permissions-Policy that turns off what the portal
    never uses. Pages the portal embeds in itself (the PDF viewer) answer with
    X-Frame-Options SAMEORIGIN; they get ``frame-ancestors 'self'``, every other page
    ``'none'``. Every answer to a signed-in user is ``Cache-Control: private, no-store``."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        "object-src 'self'; frame-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
        "frame-ancestors {ancestors}"
    )
    PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        embeddable = response.get("X-Frame-Options", "").upper() == "SAMEORIGIN"
        response.setdefault(
            "Content-Security-Policy", self.POLICY.format(ancestors="'self'" if embeddable else "'none'")
        )
        response.setdefault("Permissions-Policy", self.PERMISSIONS)
        user = getattr(request, "user", None)  # DRF sets it here too for a token
        if user is not None and user.is_authenticated:
            # Whatever a signed-in person sees (pages, reports, evidence files, exports)
            # stays out of shared caches and off the disk of a shared office computer.
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefuseNulMiddleware:
    """A NUL character in a query parameter or a form field is refused with a 400 before
    any view runs: no text the portal keeps may hold one, and PostgreSQL refuses it with
    an error (an admin list's ``?kind=%00`` was a 500). API bodies, JSON or forms, are
    checked by the API's parsers (``core.rest``), which answer in JSON; uploaded files
    are binary and not looked at."""

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = _("The request holds a NUL character, which no text may contain.")
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return render(request, "400.html", {"message": message}, status=400)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        if "\x00" in request.path_info or self._any_nul(request.GET):
            return True
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            if request.path_info.startswith("/api/"):
                return False  # the API's parsers (core.rest) check its bodies
            try:
                return self._any_nul(request.POST)
            except (SuspiciousOperation, ValueError):
                return False  # too many fields, a broken body: Django answers 400 itself
        return False

    @staticmethod
    def _any_nul(data) -> bool:
        return any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data)
