"""Every page of every role (issue #17): 0 axe-core violations of WCAG 2.1 A and AA at
1366×900 and on a phone (390×844), nothing spilling sideways on the phone, the monitoring
tables fitting 1366 px without squeezing an action, and each page ≤ 60 KB on a cold cache.

The demo is built and served as ``make demo`` does (bench/ux.py: DEBUG off, hashed and
compressed static files), in a temporary directory. Each role logs in and crawls
breadth-first from the landing page along same-origin GET links, at most two pages per
URL name (the second checked at the desk only), so the crawl stays bounded while new pages
are found without listing them here. A route no crawl reaches must be on ``NOT_CRAWLED``
with the reason. Every page is weighed as it is crawled (bench/ux.py's meter, cache off).

axe-core is vendored in tests/browser/vendor (MPL-2.0) and given to each page as an init
script; nothing is fetched from a CDN.
"""

import collections
import concurrent.futures
import dataclasses
import json
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from playwright.sync_api import sync_playwright

from bench import ux
from portal.demo.organisation import DEMO_PASSWORD
from tests.browser.conftest import launch
from tests.crawl import NOT_FOLLOWED, page_route, url_name

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_RUN = """() => axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations'],
  })
  .then(result => result.violations.map(v => ({
    rule: v.id, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
  })))"""
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
BUDGET = 60 * 1024  # bytes on the wire, cold cache (issue #17)
PER_NAME = 2  # pages crawled per URL name and role
CRAWLERS = 2  # roles crawled at once

# The demo's people (portal/demo/organisation.py); the password is the demo's.
ROLES = [
    "vanthu",  # records clerk of the district
    "chuyenvien",  # drafter
    "lanhdao",  # signer
    "vhtt",  # monitor
    "admin",
    "xa-bac-phong",  # unit clerks: communes and a department
    "xa-cong-hai",
    "phong-tu-phap",
    "xa-bac-son-truong",  # head of a commune
    "anonymous",
]
# The pages monitors read at a desk: their tables must fit 1366 px.
MONITORING = {"dashboard", "dashboard-units", "dashboard-incoming", "circular-deliveries"}

# Routes the crawl does not reach, and why (the test below keeps this list honest).
NOT_CRAWLED = {
    **dict.fromkeys(NOT_FOLLOWED, "not a page"),
    # POST-only actions: each answers with a redirect to a page that is crawled.
    "circular-submit": "POST only",
    "circular-approve": "POST only",
    "circular-return": "POST only",
    "circular-issue": "POST only",
    "circular-withdraw": "POST only",
    "circular-recall": "POST only",
    "circular-distribute": "POST only",
    "circular-chase": "POST only",
    "delivery-acknowledge": "POST only",
    "delivery-refuse": "POST only",
    "report-accept": "POST only",
    "report-return": "POST only",
    "notifications-read": "POST only",
    "incoming-present": "POST only",
    "incoming-assign": "POST only",
    "assignment-note": "POST only",
    "assignment-complete": "POST only",
    "register-restart": "POST only",
}


@dataclasses.dataclass
class Visit:
    role: str
    url: str
    name: str
    problems: list[str]
    bytes: int  # on the wire, cache disabled: the page and all it loads


@dataclasses.dataclass
class Crawl:
    visits: list[Visit]
    # every URL name reached, also those that redirect to another page (``landing``)
    names: set[str]


def _followed(url: str, origin: str) -> bool:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" == origin and page_route(parts.path) is not None


def _admin_quota(name: str, seen: collections.Counter) -> bool:
    """The admin site is Django's: its index and one changelist are enough."""
    if name == "admin:index":
        return seen[name] < 1
    if name.endswith("_changelist"):
        return not any(seen[other] for other in seen if other.endswith("_changelist"))
    return False


def _axe(page, where: str, url: str) -> list[str]:
    return [
        f"{url} ({where}): {violation['rule']} – {violation['help']}: {node['target']} – {node['summary']}"
        for violation in page.evaluate(AXE_RUN)
        for node in violation["nodes"]
    ]


# The monitoring tables at 1366 px: none wider than its box (a scroll region would hide
# columns, and actions, to the right), no action in a row narrower than 24 px or cut off.
TABLES_FIT = """() => {
  const problems = [];
  for (const table of document.querySelectorAll('main table')) {
    const box = table.parentElement;
    if (table.offsetWidth > box.clientWidth + 1) {
      problems.push(`table ${table.className || table.id} is ${table.offsetWidth}px in a ${box.clientWidth}px box`);
    }
    for (const action of table.querySelectorAll('tbody a, tbody button')) {
      const own = action.getBoundingClientRect();
      const cell = action.closest('td, th').getBoundingClientRect();
      const label = action.textContent.trim().replace(/\\s+/g, ' ');
      if (own.width < 24 && label.length > 2) problems.push(`"${label}" is ${Math.round(own.width)}px wide`);
      if (own.right > cell.right + 1 || own.right > window.innerWidth) problems.push(`"${label}" is cut off`);
    }
  }
  return problems;
}"""


def _check(page, url: str, name: str, *, phone: bool) -> list[str]:
    problems = _axe(page, "1366×900", url)
    if name in MONITORING:
        problems += [f"{url} (1366×900): {problem}" for problem in page.evaluate(TABLES_FIT)]
    if not phone:
        return problems
    page.set_viewport_size(PHONE)
    try:
        problems += _axe(page, "phone 390×844", url)
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width[0] > width[1]:
            problems.append(f"{url} (phone 390×844): the page is {width[0]}px wide in a {width[1]}px screen")
    finally:
        page.set_viewport_size(DESKTOP)
    return problems


def crawl(browser, base_url: str, role: str, start: list[str]) -> Crawl:
    """``role``'s pages from ``start``, each checked and weighed: bench/ux.py's meter with the
    cache disabled and no network emulation, on a desk's screen."""
    meter = ux.Meter(browser, base_url, network=None, viewport=DESKTOP, is_mobile=False, has_touch=False)
    meter.context.set_default_timeout(15_000)
    # axe comes with every page as an init script: sent to the browser once, outside the
    # page's Content-Security-Policy (which allows only the portal's own scripts), and no
    # byte of it crosses the network the meter counts.
    meter.context.add_init_script(path=AXE)
    page = meter.page
    if role != "anonymous":
        page.goto("/login/")
        page.locator('input[name="username"]').fill(role)
        page.locator('input[name="password"]').fill(DEMO_PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state("load")
        assert "/login/" not in page.url, f"{role} could not log in"
    queue = collections.deque(base_url + path for path in start)
    queued = set(queue)
    seen = collections.Counter()
    visits = []
    names = set()
    while queue:
        url = queue.popleft()
        name = url_name(urlsplit(url).path)
        if name.startswith("admin:") and not _admin_quota(name, seen):
            continue
        if seen[name] >= PER_NAME:
            continue
        meter.bytes = 0
        response = page.goto(url)  # waits for the load event: the page and all it loads
        weight = meter.bytes
        if not response or "text/html" not in response.headers.get("content-type", ""):
            continue
        queued.add(page.url)
        final_name = url_name(urlsplit(page.url).path) or name
        names |= {name, final_name}
        seen[name] += 1
        if final_name != name:
            if seen[final_name] >= PER_NAME:
                continue
            seen[final_name] += 1
        problems = [] if response.ok else [f"{url}: HTTP {response.status}"]
        # A page's second instance is checked at the desk only, to keep the crawl short.
        problems += _check(page, page.url, final_name, phone=seen[final_name] == 1)
        visits.append(Visit(role, page.url, final_name, problems, weight))
        for link in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            link = urldefrag(link).url
            if link not in queued and _followed(link, base_url):
                queued.add(link)
                queue.append(link)
    meter.close()
    return Crawl(visits, names)


DEMO_LINKS = """
import json
from bench import ux
from circulars.models import Circular
from django.urls import reverse
issued = Circular.objects.exclude(verification_code=None).order_by("pk").first()
print(json.dumps({
    "ack": ux.ack_link_path(ux.waiting_delivery(unit=ux.UNIT)),
    "verify": reverse("verify", args=[issued.verification_code]) if issued else None,
}))
"""


@pytest.fixture(scope="module")
def demo(browser, tmp_path_factory):
    """A fresh demo served like ``make demo``: (base URL, public links made from its data)."""
    env = ux.demo_env(tmp_path_factory.mktemp("demo"))
    ux.build_demo(env)
    links = json.loads(ux.manage("shell", "-c", DEMO_LINKS, env=env).strip().splitlines()[-1])
    port = ux.free_port()
    server = ux.serve(port, env)
    try:
        yield f"http://127.0.0.1:{port}", links
    finally:
        server.terminate()
        server.wait(timeout=10)


def _crawl_in_a_thread(base_url: str, role: str, start: list[str]) -> Crawl:
    """Playwright's sync API belongs to the thread that started it: each crawl has its own."""
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            return crawl(browser, base_url, role, start)
        finally:
            browser.close()


@pytest.fixture(scope="module")
def crawls(browser, demo) -> dict[str, Crawl]:
    """The roles crawl two at a time (the browser's work is most of it), each in its thread."""
    base_url, links = demo
    public = ["/login/", "/verify/", links["ack"], *([links["verify"]] if links["verify"] else [])]
    with concurrent.futures.ThreadPoolExecutor(max_workers=CRAWLERS) as pool:
        started = {
            role: pool.submit(
                _crawl_in_a_thread, base_url, role, public if role == "anonymous" else ["/start/", "/password/done/"]
            )
            for role in ROLES
        }
        return {role: future.result() for role, future in started.items()}


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_is_accessible_on_a_desk_and_a_phone(crawls, role):
    visits = crawls[role].visits
    assert visits, f"{role} reached no page"
    problems = [problem for visit in visits for problem in visit.problems]
    assert not problems, f"{len(problems)} problems on {len(visits)} pages of {role}:\n" + "\n".join(problems)


def _html_routes(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin:index"  # Django's own site: its index and one changelist
                continue
            yield from _html_routes(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name and not pattern.name.startswith("api-"):
            yield pattern.name


def test_every_html_route_is_crawled_or_excluded_with_a_reason(crawls):
    crawled = set().union(*(crawl.names for crawl in crawls.values()))
    missing = sorted(set(_html_routes(get_resolver().url_patterns)) - crawled - set(NOT_CRAWLED))
    assert not missing, f"no role's crawl reached {missing}: link them, or add them to NOT_CRAWLED with the reason"


def test_every_page_weighs_at_most_60_kb_on_a_cold_cache(crawls):
    heaviest = {}
    for crawl in crawls.values():
        for visit in crawl.visits:
            if visit.bytes > heaviest.get(visit.name, (0, ""))[0]:
                heaviest[visit.name] = (visit.bytes, visit.url)
    print("\n".join(f"{size:>7,} B  {name}  {url}" for name, (size, url) in sorted(heaviest.items())))
    heavy = {name: weight for name, weight in heaviest.items() if weight[0] > BUDGET}
    assert not heavy, f"pages over {BUDGET:,} bytes on a cold cache: {heavy}"
