"""API plumbing that settings name (pagination, error shape). Kept free of view code so
that DRF can import it while it is itself being imported."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.errors import DomainError


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
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _("The request is not valid."), "errors": response.data}
    return response
