"""API plumbing that settings name (pagination, error shape). Kept free of view code so
that DRF can import it while it is itself being imported."""

import logging
import re

from django.core.exceptions import SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import parsers
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import DomainError
from core.parsing import UnreadableJSON, check_bounds, load_json


class JSONParser(parsers.JSONParser):
    """DRF's parser, within the bounds of ``core.parsing`` (depth, NUL, huge numbers)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return load_json(stream.read() if stream is not None else b"")
        except UnreadableJSON as error:
            raise ParseError(str(error)) from None


def _refuse_nul(fields) -> None:
    """A NUL in a form field's name or value is refused, as in JSON: a serializer's text
    field would refuse it, but a lookup by text (a signer's username) would take it to
    PostgreSQL, which fails on it."""
    try:
        for name in fields:
            check_bounds([name, *fields.getlist(name)])
    except UnreadableJSON as error:
        raise ParseError(str(error)) from None


class FormParser(parsers.FormParser):
    """DRF's, refusing a NUL in any field (``_refuse_nul``)."""

    def parse(self, stream, media_type=None, parser_context=None):
        fields = super().parse(stream, media_type, parser_context)
        _refuse_nul(fields)
        return fields


class MultiPartParser(parsers.MultiPartParser):
    """DRF's, refusing a NUL in any field (``_refuse_nul``); files are bytes, not text."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul(parsed.data)
        return parsed


class Pagination(PageNumberPagination):
    """Pages of 50 rows. ``page`` is a whole number from 1 (or ``last``), ``page_size`` a
    whole number from 1, each given at most once; anything else is a 400 naming the
    parameter (not a page 1 nobody asked for), a page past the end a 404. A page size
    above 500 gives 500 rows: a client asking for "everything" gets the most there is."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_page_message = gettext_lazy("There is no such page.")

    def paginate_queryset(self, queryset, request, view=None):
        self.check_query(request.query_params)
        return super().paginate_queryset(queryset, request, view)

    def check_query(self, params) -> None:
        errors = {}
        page = params.getlist(self.page_query_param)
        if page and (len(page) > 1 or not (page[0] in self.last_page_strings or _whole_number(page[0]))):
            errors[self.page_query_param] = [_("The page is a whole number from 1 (or “last”), given once.")]
        size = params.getlist(self.page_size_query_param)
        if size and (len(size) > 1 or not _whole_number(size[0])):
            errors[self.page_size_query_param] = [
                _("The page size is a whole number from 1, given once; above 500 gives 500 rows.")
            ]
        if errors:
            raise ValidationError(errors)

    def get_page_size(self, request) -> int:
        size = request.query_params.get(self.page_size_query_param)
        if size is None:
            return self.page_size
        digits = size.lstrip("0")  # checked: digits only, not all zeros; maybe too many for int()
        return min(int(digits), self.max_page_size) if len(digits) <= 3 else self.max_page_size

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page from 1, or `last`; past the last page: 404",
                "schema": {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": ["last"]}]},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page ({self.page_size} unless given); above {self.max_page_size} gives "
                f"{self.max_page_size}",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


def _whole_number(text: str) -> bool:
    """Digits only (not "+1", " 1" or another script's digits, which int() takes), from 1;
    read without int(), which refuses more than 4,300 digits with an error."""
    return re.fullmatch(r"[0-9]+", text) is not None and text.strip("0") != ""


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
