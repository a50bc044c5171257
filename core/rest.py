"""API plumbing that settings name (pagination, error shape). Kept free of view code so
that DRF can import it while it is itself being imported."""

import logging

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.parsing import UnreadableJSON, load_json


class JSONParser(parsers.JSONParser):
    """DRF's parser, within the bounds of ``core.parsing`` (depth, NUL, huge numbers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return load_json(stream.read() if stream is not None else b"")
        except UnreadableJSON as error:
            raise ParseError(str(error)) from None


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, with every error carrying a ``detail`` a person can read, and the
    services' domain errors mapped to their status (409 wrong state, 403 wrong role)."""
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), **exc.extra}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response({"detail": " ".join(str(m) for m in exc.messages)}, status=400)
    if isinstance(exc, Http404):
        # get_object_or_404's message names the model, in English: say "not found" instead.
        exc = NotFound()
    if isinstance(exc, SuspiciousOperation):
        # Raised while DRF parses the body (too many fields, say): a 400 in JSON, not
        # Django's HTML page; still logged where Django logs it.
        logging.getLogger(f"django.security.{exc.__class__.__name__}").error(str(exc))
        return Response({"detail": _("The request is not valid.")}, status=400)
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, list):
        if all(isinstance(m, str) for m in response.data):
            # ValidationError("…") raised by a view rather than by a serializer.
            response.data = {"detail": " ".join(response.data)}
        else:
            # A list serializer's errors, one entry per item.
            response.data = {"detail": _("The request is not valid."), "errors": response.data}
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _("The request is not valid."), "errors": response.data}
    return response
