"""Concurrent HTTP load from a second process, on loopback only.

The portal runs under gunicorn (``portal.wsgi``, one sync worker per core, DEBUG off) on
the bench database; ``wrk`` (or, without it, a small ``http.client`` load generator in
threads) sends requests for a bounded time to ``/healthz``, the inbox and acknowledge, each
with the session cookies of logged-in users. Only 127.0.0.1 is ever addressed.
"""

import contextlib
import datetime
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import CharField
from django.db.models.functions import MD5, Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from acknowledgements.models import Delivery
from bench.measure import Row
from circulars.models import Circular
from units.models import Membership, User

HOST = "127.0.0.1"
CSRF_TOKEN = get_random_string(32)  # a CSRF secret sent as cookie and header alike
BACKEND = "django.contrib.auth.backends.ModelBackend"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def sessions_for(users: list[User], per_user: int = 1) -> dict[int, list[str]]:
    """Logged-in sessions (one bulk insert): user id → session keys."""
    expire = timezone.now() + datetime.timedelta(days=1)
    store = SessionStore()
    rows, keys = [], {}
    for user in users:
        data = {SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: BACKEND, HASH_SESSION_KEY: user.get_session_auth_hash()}
        for _n in range(per_user):
            key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
            rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expire))
            keys.setdefault(user.pk, []).append(key)
    Session.objects.bulk_create(rows, batch_size=1000)
    return keys


@contextlib.contextmanager
def gunicorn(database_url: str, workers: int, log):
    """The portal under gunicorn on a free loopback port, until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "DJANGO_ENV": os.environ.get("DJANGO_ENV", "development"),
        "LOG_LEVEL": "WARNING",
    }
    binary = Path(sys.executable).with_name("gunicorn")
    command = [
        str(binary if binary.exists() else "gunicorn"),
        "portal.wsgi",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
            command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=errors
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"http://{HOST}:{port}/healthz", timeout=5) as response:
                        if response.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    errors.seek(0)
                    raise RuntimeError(f"gunicorn did not start:\n{errors.read()[-3000:]}")
                time.sleep(0.3)
            log(f"  gunicorn portal.wsgi on {HOST}:{port}, {workers} sync workers, DEBUG=0")
            yield port
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- Load generators ----------------------------------------------------------------------------

WRK_SCRIPT = """
local items = {%(items)s}
local method = "%(method)s"
local csrf = "%(csrf)s"
local threads = %(threads)d
local counter = 0
local thread_number = 0

function setup(thread)
  thread:set("id", thread_number)
  thread_number = thread_number + 1
end

function request()
  local index = (counter * threads + id) %% #items + 1
  counter = counter + 1
  local item = items[index]
  local headers = {["Cookie"] = "sessionid=" .. item[1] .. "; csrftoken=" .. csrf}
  if method == "POST" then
    headers["X-CSRFToken"] = csrf
    headers["Content-Type"] = "application/x-www-form-urlencoded"
  end
  return wrk.format(method, item[2], headers, "")
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH-JSON {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"p50_us\\": %%d, \\"p95_us\\": %%d, " ..
    "\\"p99_us\\": %%d, \\"errors\\": %%d, \\"status_errors\\": %%d}\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def _lua_items(items: list[tuple[str, str]]) -> str:
    return ", ".join(f'{{"{key}", "{path}"}}' for key, path in items)


def run_wrk(port: int, method: str, items, *, seconds: float, threads: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            WRK_SCRIPT % {"items": _lua_items(items), "method": method, "csrf": CSRF_TOKEN, "threads": threads}
        )
    try:
        completed = subprocess.run(  # noqa: S603 - fixed arguments, loopback only
            [
                shutil.which("wrk"),
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                f"http://{HOST}:{port}/",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 120,
            check=True,
        )
    finally:
        os.unlink(script.name)
    line = next(line for line in completed.stdout.splitlines() if line.startswith("BENCH-JSON "))
    data = json.loads(line.removeprefix("BENCH-JSON "))
    return {
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50": data["p50_us"] / 1e6,
        "p95": data["p95_us"] / 1e6,
        "p99": data["p99_us"] / 1e6,
        "errors": data["errors"] + data["status_errors"],
    }


def run_python(port: int, method: str, items, *, seconds: float, threads: int, connections: int) -> dict:
    """The fallback load generator: ``connections`` threads, each one request at a time."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(start: int):
        index = start
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        mine, failed = [], 0
        while time.monotonic() < stop:
            key, path = items[index % len(items)]
            index += connections
            headers = {"Cookie": f"sessionid={key}; csrftoken={CSRF_TOKEN}"}
            if method == "POST":
                headers.update({"X-CSRFToken": CSRF_TOKEN, "Content-Type": "application/x-www-form-urlencoded"})
            started = time.perf_counter()
            try:
                conn.request(method, path, body="" if method == "POST" else None, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status >= 400:
                    failed += 1
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
                    conn = http.client.HTTPConnection(HOST, port, timeout=30)
            except (OSError, http.client.HTTPException):
                failed += 1
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
            mine.append(time.perf_counter() - started)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] if latencies else 0.0

    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": pct(50),
        "p95": pct(95),
        "p99": pct(99),
        "errors": errors[0],
    }


def measure_load(*, database_url: str, inbox_user: User, seconds: float, log) -> list[Row]:
    """Requests per second and latency of /healthz, the inbox and acknowledge under load."""
    workers = os.cpu_count() or 1
    threads, connections = 2, 2 * workers
    tool = "wrk" if shutil.which("wrk") else "python"
    run = run_wrk if tool == "wrk" else run_python
    # The inbox: the clerk and the head of the unit that received every circular.
    unit_ids = list(Membership.objects.filter(user=inbox_user).values_list("unit_id", flat=True))
    inbox_users = list(User.objects.filter(memberships__unit_id__in=unit_ids).distinct())
    # One session per connection (two people, each on several devices), so that the
    # session saved on every request is not one row all connections wait for.
    inbox_keys = [key for keys in sessions_for(inbox_users, per_user=connections).values() for key in keys]
    inbox_items = [(key, reverse("inbox")) for key in inbox_keys]
    # Acknowledge: deliveries still "sent" of live circulars, each POSTed by a clerk of its
    # unit, in a fixed shuffled order; each request is the first acknowledgement of its
    # delivery until the list runs out (then they repeat and are no-ops).
    sent = list(
        Delivery.objects.filter(status=Delivery.Status.SENT)
        .exclude(circular__status=Circular.Status.WITHDRAWN)
        .annotate(shuffle=MD5(Cast("id", CharField())))
        .order_by("shuffle")
        .values_list("pk", "unit_id")[:50_000]
    )
    clerks = dict(
        Membership.objects.filter(unit_id__in={u for _pk, u in sent}, role=Membership.Role.CLERK)
        .order_by("unit_id", "user_id")
        .values_list("unit_id", "user_id")
    )
    clerk_keys = sessions_for(list(User.objects.filter(pk__in=set(clerks.values()))))
    ack_items = [
        (clerk_keys[clerks[u]][0], reverse("delivery-acknowledge", args=[pk])) for pk, u in sent if u in clerks
    ]
    if not ack_items:
        raise RuntimeError("no delivery is waiting for an acknowledgement")
    connection.close()  # gunicorn's workers open their own
    results = {}
    with gunicorn(database_url, workers, log) as port:
        for name, method, items in (
            ("healthz", "GET", [(key, "/healthz") for key in inbox_keys]),
            ("inbox", "GET", inbox_items),
            ("acknowledge", "POST", ack_items),
        ):
            # A short warm-up, then the measured period.
            run(port, method, items[:1] if method == "POST" else items, seconds=1, threads=1, connections=1)
            measured_from = timezone.now()
            results[name] = run(port, method, items, seconds=seconds, threads=threads, connections=connections)
            results[name]["window"] = (measured_from, timezone.now())
            r = results[name]
            log(f"  {name}: {r['requests']:,} requests, {r['rps']:.0f}/s, p50 {r['p50'] * 1e3:.1f} ms, "
                f"p95 {r['p95'] * 1e3:.1f} ms, errors {r['errors']}")  # fmt: skip
    first_time = Delivery.objects.filter(
        acknowledged_at__range=results["acknowledge"]["window"], status=Delivery.Status.ACKNOWLEDGED
    ).count()
    how = f"{tool}, {threads} threads × {connections} connections, {seconds:g} s; gunicorn {workers} sync workers"
    health = results["healthz"]
    rows = [
        _row(f"HTTP GET /healthz under load ({how})", health, None, "the framework's floor"),
        _row(f"HTTP GET /inbox/ under load (the inbox above, {len(inbox_keys)} sessions)", results["inbox"], health),
        _row(
            "HTTP POST /deliveries/<id>/acknowledge under load",
            results["acknowledge"],
            health,
            f"{first_time:,} first acknowledgements (with the requests still in flight at the end) for "
            f"{results['acknowledge']['requests']:,} requests counted; the others acknowledge again: a no-op "
            f"that still reads and locks the row; "
            f"{len(ack_items):,} deliveries waiting",
        ),
    ]
    return rows


def _row(label: str, result: dict, floor: dict | None, note: str = "") -> Row:
    row = Row(label, goal="—")
    row.requests, row.rps, row.p50, row.p95 = result["requests"], result["rps"], result["p50"], result["p95"]
    row.floor_p50 = floor["p50"] if floor else None
    extra = f"p99 {result['p99'] * 1e3:.1f} ms; {result['errors']} errors"
    if floor:
        extra += f"; floor: p50 of /healthz under the same load ({floor['rps']:.0f}/s)"
    row.note = f"{note}; {extra}" if note else extra
    return row
