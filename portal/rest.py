"""API plumbing that settings name (pagination, error shape). Kept free of view code so
that DRF can import it while it is itself being imported."""

from django.utils.translation import gettext as _
from rest_framework.pagination import PageNumberPagination
from rest_framework.views import exception_handler as drf_exception_handler


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def exception_handler(exc, context):
    """DRF's handler, with every error carrying a ``detail`` a person can read."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and "detail" not in response.data:
        response.data = {"detail": _("The request is not valid."), "errors": response.data}
    return response
