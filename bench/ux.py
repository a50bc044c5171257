"""``make ux``: a commune clerk's two journeys on a phone over slow 3G, replayed in Debian's
chromium against the demo served by ``runserver`` (DEBUG off, collected static files): from
the email's one-click link to a recorded acknowledgement, and from the login form to one.
Prints time, taps and bytes of each against the goals of issue #17.

The network is Chromium's own emulation (DevTools ``Network.emulateNetworkConditions``):
400 kbit/s each way, 400 ms latency, as measured in the field. Bytes are what crossed the
wire (compressed), counted per response by DevTools; the cache starts cold."""

import dataclasses
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import sync_playwright

from acknowledgements import links
from acknowledgements.models import Delivery
from portal.demo.organisation import DEMO_PASSWORD
from units.models import User

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400_000 / 8, "uploadThroughput": 400_000 / 8}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
UNIT = "xa-bac-phong"  # the demo's commune whose clerk follows the email link


@dataclasses.dataclass
class Journey:
    name: str
    seconds: float
    taps: int
    kilobytes: float
    goal: str
    met: bool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def demo_env(var_dir: Path) -> dict[str, str]:
    """The environment of Makefile's ``UX_ENV``: a demo kept in ``var_dir``, DEBUG off, hashed
    static files, no broker (Celery runs tasks in the process)."""
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{var_dir}/db.sqlite3",
        "MEDIA_ROOT": str(var_dir / "media"),
        "STATIC_ROOT": str(var_dir / "static"),
        "STATIC_MANIFEST": "true",
        "DEBUG": "false",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }


def manage(*args: str, env: dict[str, str] | None = None) -> str:
    """``manage.py`` with ``args`` in a subprocess; its standard output."""
    done = subprocess.run(  # noqa: S603 - our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return done.stdout


def build_demo(env: dict[str, str]) -> None:
    """A fresh demo as ``make demo`` builds it: migrated, static files collected, seeded.
    Collecting (and compressing) the static files needs no database: it runs meanwhile."""
    collecting = subprocess.Popen(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env
    )
    try:
        manage("migrate", "--noinput", "-v", "0", env=env)
        manage("seed_demo", env=env)
    finally:
        if collecting.wait() != 0:
            raise RuntimeError("collectstatic failed")


def serve(port: int, env: dict[str, str] | None = None) -> subprocess.Popen:
    """The demo as ``make demo`` serves it, on ``port`` (``env``: the process's own by default)."""
    env = {**(env or os.environ), "DEBUG": "false", "STATIC_MANIFEST": "true", "SITE_URL": f"http://127.0.0.1:{port}"}
    process = subprocess.Popen(  # noqa: S603 - our own runserver, fixed arguments
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError("the demo server did not start")


def waiting_delivery(*, unit: str | None = None, not_unit: str | None = None) -> Delivery:
    """A commune's delivery still waiting for acknowledgement (a commune's clerk has the
    unit's code as username in the demo)."""
    waiting = Delivery.objects.filter(status=Delivery.Status.SENT, unit__code__startswith="xa-")
    if unit:
        waiting = waiting.filter(unit__code=unit)
    if not_unit:
        waiting = waiting.exclude(unit__code=not_unit)
    delivery = waiting.select_related("unit").order_by("-sent_at", "unit__code").first()
    if delivery is None:
        raise RuntimeError("no commune has a circular waiting: run seed_demo on a fresh database first")
    return delivery


def ack_link_path(delivery: Delivery) -> str:
    """The path of the one-click link the email sends to the clerk of ``delivery``'s unit (a
    commune's clerk has the unit's code as username in the demo)."""
    token = links.make_ack_token(user_id=User.objects.get(username=delivery.unit.code).pk, delivery_id=delivery.pk)
    return reverse("ack-link", args=[token])


class Meter:
    """A phone with a cold cache, on slow 3G unless ``network`` says otherwise (None: no
    emulation), counting the bytes that cross the wire. ``options`` change the context's
    (a desk's screen instead of the phone's, say)."""

    def __init__(self, browser, base_url: str, *, network: dict | None = SLOW_3G, **options):
        self.context = browser.new_context(base_url=base_url, **{**PHONE, **options})
        self.page = self.context.new_page()
        self.cdp = self.context.new_cdp_session(self.page)
        self.cdp.send("Network.enable")
        self.cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        if network:
            self.cdp.send("Network.emulateNetworkConditions", network)
        self.bytes = 0
        self.cdp.on("Network.loadingFinished", self._count)

    def _count(self, event) -> None:
        self.bytes += event.get("encodedDataLength", 0)

    def close(self) -> None:
        self.context.close()


def link_journey(browser, base_url: str, delivery: Delivery, link: str) -> tuple:
    """Tap 1 opens the email's link, tap 2 confirms."""
    meter = Meter(browser, base_url)
    started = time.monotonic()
    meter.page.goto(link)  # tap 1
    meter.page.locator("#ack-submit").click()  # tap 2
    meter.page.wait_for_load_state("load")
    seconds = time.monotonic() - started
    meter.close()
    return ("email link → acknowledged", delivery, seconds, 2, meter.bytes, 3, "< 3 s in 2 taps")


def login_journey(browser, base_url: str, delivery: Delivery, username: str) -> tuple:
    """From the filled login form: tap 1 logs in (the clerk lands on the unit's inbox), tap 2
    acknowledges from the row."""
    meter = Meter(browser, base_url)
    meter.page.goto("/login/")
    meter.page.locator('input[name="username"]').fill(username)
    meter.page.locator('input[name="password"]').fill(DEMO_PASSWORD)
    started = time.monotonic()
    meter.page.locator("main form button[type=submit]").click()  # tap 1
    meter.page.locator(f"#acknowledge-{delivery.pk}").click()  # tap 2
    meter.page.wait_for_load_state("load")
    seconds = time.monotonic() - started
    meter.close()
    return ("login → acknowledged", delivery, seconds, 2, meter.bytes, 5, "< 5 s, ≤ 3 taps after the form")


def _journey(name, delivery, seconds, taps, transferred, limit, goal) -> Journey:
    """Judged after the browser has closed (the ORM does not run inside its event loop)."""
    delivery.refresh_from_db()
    done = delivery.status == Delivery.Status.ACKNOWLEDGED
    label = name if done else f"{name} (NOT acknowledged)"
    return Journey(label, seconds, taps, transferred / 1024, goal, done and seconds < limit)


def run(log=print) -> list[Journey]:
    by_link = waiting_delivery(unit=UNIT)
    link = ack_link_path(by_link)
    by_login = waiting_delivery(not_unit=UNIT)
    port = free_port()
    server = serve(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            try:
                measured = [
                    link_journey(browser, base_url, by_link, link),
                    login_journey(browser, base_url, by_login, by_login.unit.code),
                ]
            finally:
                browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    journeys = [_journey(*m) for m in measured]
    log("| journey (phone, slow 3G: 400 kbit/s, 400 ms) | time | taps | transferred | goal |")
    log("| --- | --- | --- | --- | --- |")
    for j in journeys:
        mark = "✓" if j.met else "✗"
        log(f"| {j.name} | {j.seconds:.2f} s | {j.taps} | {j.kilobytes:.1f} KB | {mark} {j.goal} |")
    return journeys
