"""Every page is valid HTML: 0 errors from the Nu Html Checker (issue #17).

The world is the demo itself (``seed_demo``). For each demo account, the test logs in and
crawls breadth-first from the landing page, following the same-origin links of each page
(at most ``PER_ROUTE`` pages per route, so a list of 40 deliveries costs two); then the
public pages (login, verification, the one-click acknowledgement link in each of its
states), the error pages and the dashboard's htmx fragments, each fragment wrapped in a
minimal document. One Java process checks them all.

vnu.jar comes from ``make vnu`` (var/vnu, from the npm package vnu-jar) and needs Java.
Without them the test is skipped with a reason; on CI (CI=true) it fails, because .ci/run
installs them.
"""

import io
import json
import os
import re
import shutil
import subprocess
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.db import transaction
from django.template import loader
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from acknowledgements import links
from acknowledgements.models import Delivery, ImplementationReport
from circulars.models import Circular
from tests.crawl import page_route
from units.models import Membership, User

ROLES = (
    "vanthu",
    "chuyenvien",
    "lanhdao",
    "vhtt",
    "admin",
    "xa-bac-phong",
    "xa-cong-hai",
    "phong-tu-phap",
    "xa-bac-son-truong",
)
PER_ROUTE = 2
# The crawl must reach at least these: if a link it follows disappears, it says so
# rather than checking fewer pages in silence.
EXPECTED_ROUTES = {
    "home",
    "inbox",
    "delivery-detail",
    "delivery-report",
    "circular-list",
    "circular-detail",
    "circular-deliveries",
    "dashboard",
    "dashboard-units",
    "dashboard-incoming",
    "incoming-list",
    "incoming-detail",
    "outgoing-list",
    "notifications",
    "my-unit-register",
    "unit-register",
    "registers",
    "admin:index",
}
# Pages whose form, sent empty, comes back with its errors: checked that way too.
FORM_ROUTES = {"circular-new", "circular-edit", "incoming-new", "delivery-report", "password_change"}
# The admin's index is checked; the admin's own pages are Django's, not ours.
ADMIN_INDEX = "/admin/"


def _vnu_jar() -> Path | None:
    """$VNU_JAR, else the one ``make vnu`` keeps in var/vnu (named for its version)."""
    if os.environ.get("VNU_JAR"):
        return Path(os.environ["VNU_JAR"])
    return next((Path(settings.BASE_DIR) / "var" / "vnu").glob("vnu-*.jar"), None)


@pytest.fixture
def vnu():
    """The command that runs the checker, or a skip (a failure on CI) saying what is missing."""
    jar, java = _vnu_jar(), shutil.which("java")
    missing = []
    if java is None:
        missing.append("Java (apt-get install default-jre-headless)")
    if jar is None or not jar.exists():
        missing.append("vnu.jar (make vnu)")
    if missing:
        reason = "the HTML check needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI must check the HTML, but {reason}; .ci/run installs them.")
        pytest.skip(reason)
    return [java, "-Xss8m", "-jar", str(jar), "--errors-only", "--format", "json", "--exit-zero-always"]


@dataclass
class Page:
    url: str
    who: str
    status: int
    html: str


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.hrefs.append(href)


def links_of(page_url: str, html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        url, _fragment = urldefrag(urljoin("http://testserver" + page_url, href))
        parts = urlsplit(url)
        if parts.netloc != "testserver" or parts.scheme not in ("http", "https"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def route_of(url: str) -> str | None:
    """The URL's route name, or None for an address not to follow (tests/crawl.py)."""
    path = urlsplit(url).path
    if path.startswith(ADMIN_INDEX):
        return "admin:index" if path == ADMIN_INDEX else None
    return page_route(path)


def crawl(client: Client, who: str, start: list[str]) -> list[Page]:
    pages, seen, per_route = [], set(), Counter()
    queue = deque(start)
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        route = route_of(url)
        if route is None or per_route[route] >= PER_ROUTE:
            continue
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            queue.appendleft(urljoin(url, response["Location"]))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        per_route[route] += 1
        html = response.content.decode()
        pages.append(Page(url, who, response.status_code, html))
        queue.extend(links_of(url, html))
        if route in FORM_ROUTES:
            pages += sent_empty(client, url, who)
    return pages


def sent_empty(client: Client, url: str, who: str) -> list[Page]:
    """The page again after its form is sent empty, in a transaction rolled back."""
    with transaction.atomic():
        response = client.post(url, {})
        transaction.set_rollback(True)
    if response.status_code >= 300 and response.status_code < 400:
        return []
    return [Page(url, f"{who} (form sent empty)", response.status_code, response.content.decode())]


def fragment_document(fragment: str) -> str:
    """An htmx fragment in the smallest valid document around it; table rows (a reviewed
    unit's row) go in a table."""
    rows = re.match(r"\s*(<tr\b.*?</tr>)(.*)", fragment, re.DOTALL)
    body = f"<table><tbody>{rows[1]}</tbody></table>{rows[2]}" if rows else fragment
    return f'<!doctype html><html lang="vi"><head><title>htmx</title></head><body>{body}</body></html>'


def public_pages() -> list[Page]:
    """What a visitor without an account sees: login, verification, the one-click link in
    each of its states and the 404 page."""
    client = Client()
    pages = []

    def get(url, who="anonymous"):
        response = client.get(url)
        pages.append(Page(url, who, response.status_code, response.content.decode()))

    get(reverse("login"))
    response = client.post(reverse("login"), {"username": "vanthu", "password": "not-the-password"})
    pages.append(Page(reverse("login"), "anonymous (wrong password)", response.status_code, response.content.decode()))
    get(reverse("verify-lookup"))
    get(reverse("verify-lookup") + "?code=%3F%3F", "anonymous (malformed code)")
    circular = Circular.objects.exclude(verification_code=None).exclude(verification_code="").first()
    assert circular is not None, "the demo has an issued circular to verify"
    get(reverse("verify", args=[circular.verification_code]))
    get(reverse("verify", args=["KHONG-CO-MA"]))
    get("/khong-co-trang-nay/", "anonymous (404)")

    def ack_link(user_id, delivery, who):
        get(reverse("ack-link", args=[links.make_ack_token(user_id=user_id, delivery_id=delivery.pk)]), who)

    clerk_deliveries = Delivery.objects.filter(unit__memberships__role=Membership.Role.CLERK)
    states = {
        "confirm": clerk_deliveries.filter(acknowledged_at=None).exclude(status=Delivery.Status.REFUSED).first(),
        "done": clerk_deliveries.exclude(acknowledged_at=None).first(),
        "closed": clerk_deliveries.filter(status=Delivery.Status.REFUSED).first(),
    }
    for state, delivery in states.items():
        if delivery is not None:
            member = Membership.objects.filter(unit=delivery.unit).first()
            ack_link(member.user_id, delivery, f"anonymous (ack link, {state})")
    if (delivery := states["confirm"]) is not None:
        outsider = User.objects.exclude(memberships__unit=delivery.unit).first()
        ack_link(outsider.pk, delivery, "anonymous (ack link, forbidden)")
        member = Membership.objects.filter(unit=delivery.unit).first()
        with override_settings(ACK_LINK_MAX_AGE=-1):
            ack_link(member.user_id, delivery, "anonymous (ack link, expired)")
    get(reverse("ack-link", args=["not-a-token"]), "anonymous (ack link, bad)")
    return pages


def error_pages() -> list[Page]:
    """The error templates as Django renders them: 400/403/404/429 with the request (they
    extend base.html), 500/503 without a context."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    pages = [
        Page(name, "error page", 0, loader.render_to_string(name, request=request))
        for name in ("400.html", "403.html", "404.html", "429.html")
    ]
    pages += [Page(name, "error page", 0, loader.get_template(name).render()) for name in ("500.html", "503.html")]
    return pages


def htmx_fragments() -> list[Page]:
    """The dashboard's report panel and, in a transaction rolled back, the row a review
    sends back."""
    client = Client()
    client.force_login(User.objects.get(username="vhtt"))
    pages = []
    reports = ImplementationReport.objects.filter(status=ImplementationReport.Status.SUBMITTED).select_related(
        "delivery"
    )
    for report in reports[:PER_ROUTE]:
        delivery = report.delivery
        url = reverse("circular-report-panel", args=[delivery.circular_id, delivery.pk])
        response = client.get(url, headers={"HX-Request": "true"})
        pages.append(Page(url, "vhtt (htmx)", response.status_code, fragment_document(response.content.decode())))
    report = reports.first()
    if report is not None:
        url = reverse("report-accept", args=[report.pk])
        with transaction.atomic():
            response = client.post(url, {"comment": ""}, headers={"HX-Request": "true"})
            transaction.set_rollback(True)
        pages.append(Page(url, "vhtt (htmx)", response.status_code, fragment_document(response.content.decode())))
    return pages


def check(command: list[str], pages: list[Page], folder: Path) -> list[str]:
    """vnu's errors, one readable line each: page, who, status, line, message."""
    files = {}
    for number, page in enumerate(pages):
        name = f"{number:04}.html"  # vnu checks files by their suffix
        (folder / name).write_text(page.html, encoding="utf-8")
        files[name] = page
    result = subprocess.run([*command, *(str(folder / name) for name in files)], capture_output=True, text=True)
    errors = []
    for message in json.loads(result.stderr)["messages"]:
        page = files.get(Path(urlsplit(message.get("url", "")).path).name)
        where = f"{page.url} [{page.who}, {page.status}]" if page else message.get("url", "vnu")
        errors.append(f"{where} line {message.get('lastLine', '?')}: {message['message']}")
    return errors


@pytest.mark.django_db
def test_every_page_is_valid_html(vnu, tmp_path):
    call_command("seed_demo", stdout=io.StringIO())
    pages = []
    for username in ROLES:
        client = Client()
        client.force_login(User.objects.get(username=username))
        # The page after a password change is reached only by changing it.
        pages += crawl(client, username, [reverse("landing"), reverse("password_change_done")])
    pages += public_pages() + error_pages() + htmx_fragments()
    assert {page.who for page in pages} >= set(ROLES)
    unreached = EXPECTED_ROUTES - {route_of(page.url) for page in pages}
    assert not unreached, f"the crawl no longer reaches {sorted(unreached)}"

    errors = check(vnu, pages, tmp_path)

    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages:\n" + "\n".join(errors)
