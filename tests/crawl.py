"""What the tests' page crawls follow: tests/portal/test_valid_html.py with Django's test
client, tests/browser/test_every_page.py in chromium. One rule for both: a same-site link
to a route that answers a GET with a page, not a file, the API or a static file."""

from django.conf import settings
from django.urls import Resolver404, resolve

# Routes that answer a GET with a page, but that no crawl follows or that are no page.
NOT_FOLLOWED = {
    "logout",  # POST only; following it would end the crawl
    "set_language",  # POST (the footer's buttons)
    "healthz",  # JSON for the load balancer
    # Files: PDFs, spreadsheets, attachments and evidence, calendars
    "circular-pdf",
    "circular-approved-draft",
    "circular-signed-draft",
    "attachment-download",
    "evidence-download",
    "incoming-export",
    "incoming-print",
    "outgoing-export",
    "outgoing-print",
    "unit-register-export",
    "unit-register-print",
    "dashboard-units-xlsx",
    "dashboard-units-csv",
    "dashboard-incoming-xlsx",
    "circular-export-xlsx",
    "circular-export-csv",
    "circular-report-pdf",
    "calendar-no-swaps",
    # A fragment htmx swaps into the monitoring page (its link opens the delivery's page
    # without JavaScript); checked as part of that page, not alone.
    "circular-report-panel",
}
FILE_SUFFIXES = (".pdf", ".xlsx", ".csv", ".zip", ".ics")


def url_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def page_route(path: str) -> str | None:
    """The route name of ``path`` when it is a page to follow, else None."""
    if path.endswith(FILE_SUFFIXES) or path.startswith(("/api/", settings.STATIC_URL)):
        return None
    name = url_name(path)
    if name is None or name in NOT_FOLLOWED or name.startswith("api-"):
        return None
    return name
