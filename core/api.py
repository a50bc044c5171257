"""The views every API endpoint is built on, with the error answers they document."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, renderers, serializers, views
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.dates import check_plausible, plausible_pattern
from core.parsing import UnreadableJSON, check_bounds, load_json

# --- Documented errors ------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """Every error answer, as ``core.rest.exception_handler`` shapes it."""

    detail = serializers.CharField(help_text="Why, in words for a person")
    errors = serializers.JSONField(required=False, help_text="Per field, when the input was refused")
    existing_id = serializers.IntegerField(required=False, help_text="The record this one duplicates (409)")


ERRORS = {
    400: "The input is refused (fields, or a rule of the domain)",
    401: "No valid token or session",
    403: "The caller's role does not allow this",
    404: "No such object, or not one the caller may know of",
    409: "The object's state does not allow this step now",
    415: "The body is in a media type the endpoint does not read (or has none)",
    429: "Too many requests: try again later",
}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema plus the error answers a view can give: 400 when it reads
    a body or query parameters, 401/403 unless it is public, 404 when it works on one
    object (or a page past the end of a list), 409 for a step the state may refuse (every
    non-public POST), 415 when it reads a body, 429 when it is throttled, and the codes a
    view names in ``error_codes`` (a 404 for a whole book some users have no part of).
    Responses a view declares itself win."""

    def _error_codes(self) -> list[int]:
        public = any(issubclass(p, AllowAny) for p in self.view.permission_classes)
        query = any(p.get("in") == "query" for p in self._get_parameters())
        codes = []
        if self.method == "POST" or query:
            codes.append(400)
        if not public:
            codes += [401, 403]
        if "{" in self.path or (self.method == "GET" and self._is_list_view() and self._get_paginator()):
            codes.append(404)
        if self.method == "POST" and not public:
            codes.append(409)
        if self.method == "POST" and self.get_request_serializer() is not None:
            codes.append(415)
        if self.view.throttle_classes:
            codes.append(429)
        codes += [code for code in getattr(self.view, "error_codes", ()) if code not in codes]
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        content = self._get_response_for_code(ErrorSerializer, "400", direction=direction)["content"]
        # Errors are JSON on every endpoint, file endpoints included (FileAPIView).
        error = {"application/json": next(iter(content.values()))}
        for code in self._error_codes():
            responses.setdefault(str(code), {"description": ERRORS[code], "content": error})
        return responses


# What str.strip() removes (str.isspace()), spelled out: "\s" means other characters in
# Python than in the ECMA regular expressions of an OpenAPI schema (U+001C to U+001F and
# U+0085 are spaces to Python only, U+FEFF to ECMA only).
SPACES = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


class TextField(serializers.CharField):
    """Text in a request: a number or a boolean where text is expected is refused, not
    turned into text (1e999999 would otherwise become the reason "inf").

    Text that may not be blank says so in the schema: at least one character
    (``minLength``), and, as spaces around it are trimmed, one that is not a space
    (``pattern``); the blank check refuses both before these validators run."""

    default_error_messages = {"not_text": _("Expected text.")}

    def __init__(self, *, required_message=None, **kwargs):
        if required_message is not None:
            # The service's own words for text it requires, whether missing, blank or null.
            kwargs["error_messages"] = dict.fromkeys(("required", "blank", "null"), required_message)
        if not kwargs.get("allow_blank", False) and not kwargs.get("read_only", False):
            kwargs.setdefault("min_length", 1)
        super().__init__(**kwargs)
        if not self.allow_blank and not self.read_only and self.trim_whitespace:
            self.validators.append(RegexValidator(f"[^{SPACES}]"))

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)


class JSONField(serializers.JSONField):
    """A JSON value in a request (as JSON, or as a JSON string in a form field), within
    the bounds of ``core.parsing``."""

    def to_internal_value(self, data):
        try:
            if self.binary or getattr(data, "is_json_string", False):
                if isinstance(data, bytes):
                    data = data.decode()
                return load_json(data)
            check_bounds(data)
        except UnreadableJSON as error:
            raise serializers.ValidationError(str(error)) from None
        return data


class DateField(serializers.DateField):
    """An API date (ISO 8601), refused outside the plausible range (``core.dates``)."""

    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        try:
            check_plausible(date)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None
        return date


class ChoiceField(serializers.ChoiceField):
    """A choice whose refusal lists the values allowed, so a client learns them from the 400."""

    def __init__(self, choices, **kwargs):
        super().__init__(choices, **kwargs)
        allowed = ", ".join(str(value) for value in self.choices)
        # Lazy: the field is built once at import, the message is read in the request's language.
        self.error_messages["invalid_choice"] = lazy(
            lambda: gettext("“{input}” is not allowed; the allowed values are: %(allowed)s.") % {"allowed": allowed},
            str,
        )()


@extend_schema_field(OpenApiTypes.BINARY)
class UploadField(serializers.FileField):
    """A file in a multipart request, for the schema (``format: binary``, not the URL a
    FileField shows in an answer); the views read ``request.FILES`` and check each file
    with ``core.uploads``."""


class QueryDateField(DateField):
    """An optional date in a query string, where an empty value (``?from=``, as a web
    form sends an empty box) means not given: DRF reads a query string as a form."""

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


class DateFieldSchema(OpenApiSerializerFieldExtension):
    """A date the API reads states its plausible range in the schema, as a pattern (the
    range moves with today: the schema is built on each request)."""

    target_class = DateField
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = {"type": "string", "format": "date"}
        if direction != "request":
            return schema
        schema["pattern"] = plausible_pattern()
        if isinstance(self.target, QueryDateField):
            return {"oneOf": [schema, {"type": "string", "maxLength": 0}]}
        return schema


class APIView(views.APIView):
    schema = AutoSchema()


class FileRenderer(renderers.BaseRenderer):
    """Names the media type a file endpoint serves, for content negotiation; the view
    builds the file itself (an HttpResponse), so nothing is ever rendered here."""

    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        raise NotImplementedError("a file endpoint answers with the file itself")


class FileAPIView(APIView):
    """An endpoint that answers with a file of ``media_type``: 200 to a client that accepts
    that type or ``*/*``, 406 to one that accepts only something else (JSON, say). Its
    errors (403, 404, 406, 429) are JSON whatever the client accepts."""

    media_type = "application/octet-stream"
    file_format = "bin"  # the renderer's short name (DRF's ?format= and the schema)

    def get_renderers(self):
        return [type("Renderer", (FileRenderer,), {"media_type": self.media_type, "format": self.file_format})()]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response):
            # An error answer: JSON, not the file type the client asked for.
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


class GenericAPIView(generics.GenericAPIView):
    schema = AutoSchema()


class ListAPIView(generics.ListAPIView):
    schema = AutoSchema()


def read_query(serializer_class, request) -> dict:
    """The query parameters, checked: a bad one is a 400, not an empty list or a 500."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data
