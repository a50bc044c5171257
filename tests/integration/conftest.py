"""The integration harness: a private redis-server and real Celery workers.

Each test gets its own ``redis-server`` on a free loopback port (never the machine's Redis
on 6379), which it may stop and start again on the same port to play a broker outage.
Workers are ``celery -A portal worker`` subprocesses that use the test database, that
private broker and the file email backend, one directory per worker, so that the test
reads what each worker sent. In the test process ``portal.celery.app`` publishes to the
private broker instead of running tasks eagerly, as it does in the unit tests.

The tests run only where CI runs them: on PostgreSQL with ``redis-server`` installed.
Elsewhere they are skipped with the reason; on CI (``CI`` set) a missing piece is an error.
"""

import email
import email.policy
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from kombu import pools

from portal.celery import app

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
# What the file email backend writes after each message.
MESSAGE_END = b"\n" + b"-" * 79 + b"\n"


@pytest.fixture(autouse=True)
def _real_services():
    missing = []
    if connection.vendor != "postgresql":
        missing.append(f"PostgreSQL (the test database is {connection.vendor}; set DATABASE_URL=postgres://…)")
    if REDIS_SERVER is None:
        missing.append("redis-server on PATH (apt-get install redis-server)")
    if missing:
        reason = "the Celery worker tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"CI must run them: {reason}")
        pytest.skip(reason)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test shows the log of every worker it started."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for worker in getattr(item, "celery_workers", []):
            report.sections.append((f"celery worker {worker.name} ({report.when})", worker.log()))


def wait_for(condition, *, timeout: float, what: str, logs=(), interval: float = 0.1):
    """Poll ``condition`` until it returns something true; fail with the workers' logs
    when ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {w.name} ---\n{w.log()[-4000:]}" for w in logs)
            pytest.fail(f"gave up after {timeout:.0f} s waiting for {what}\n{tails}", pytrace=False)
        time.sleep(interval)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A throw-away redis-server: no persistence, loopback only."""

    def __init__(self, directory: Path):
        self.port = _free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def client(self):
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5, socket_connect_timeout=2)

    def _answers(self) -> bool:
        try:
            return self.client().ping()
        except redis.ConnectionError:
            return False

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        log = self.directory / "redis.log"
        self.process = subprocess.Popen(
            [
                *(REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory), "--logfile", str(log)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(
            lambda: self.process.poll() is not None or self._answers(),
            timeout=10,
            what=f"redis-server on port {self.port}",
        )
        if self.process.poll() is not None:
            pytest.fail(f"redis-server on port {self.port} exited:\n{log.read_text(errors='replace')}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def queued(self, queue: str = "celery") -> tuple[int, int]:
        """Messages waiting in the queue, and messages taken by a worker but not acked
        (tasks ack late): zero for both means no task is waiting or running."""
        client = self.client()
        return client.llen(queue), client.hlen("unacked")


@pytest.fixture
def broker(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def celery_app(broker, settings, monkeypatch):
    """portal.celery.app publishing to the private broker, tasks no longer eager."""

    def drop_connections():
        # The app caches its connection and producer pools, keyed by the broker URL it
        # had; drop them so that the next publish connects to the current URL.
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    # Celery reads these variables before its configuration: CI's CELERY_BROKER_URL would
    # send the test's tasks to the machine's Redis.
    monkeypatch.setenv("CELERY_BROKER_URL", broker.url())
    monkeypatch.delenv("CELERY_BROKER_READ_URL", raising=False)
    monkeypatch.delenv("CELERY_BROKER_WRITE_URL", raising=False)
    settings.CELERY_BROKER_URL = broker.url()
    app.conf.broker_url = broker.url()
    app.conf.task_always_eager = False
    drop_connections()
    with app.connection_for_write() as conn:
        if (conn.hostname, conn.port) != ("127.0.0.1", broker.port):
            pytest.fail(f"the test process would publish to {conn.as_uri()}, not to the private broker")
    yield app
    drop_connections()
    app.conf.update(saved)


class Worker:
    def __init__(self, name: str, process: subprocess.Popen, log_path: Path, mail_dir: Path):
        self.name = name
        self.process = process
        self.log_path = log_path
        self.mail_dir = mail_dir

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout: float = 45) -> "Worker":
        def ready():
            if self.process.poll() is not None:
                pytest.fail(f"worker {self.name} exited with {self.process.returncode}:\n{self.log()}", pytrace=False)
            return re.search(rf"{re.escape(self.name)}@\S+ ready\.", self.log())

        wait_for(ready, timeout=timeout, what=f"worker {self.name} to be ready", logs=[self])
        return self

    def has_finished(self, task_id: str) -> bool:
        return f"[{task_id}] succeeded" in self.log()

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no ack, no cleanup, like a node that loses power."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _test_database_url() -> str:
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{quote(db['NAME'], safe='')}"


@pytest.fixture
def start_worker(request, transactional_db, broker, celery_app, tmp_path):
    """Start a worker subprocess: ``start_worker("w1", CHASE_BATCH_SIZE="200")``. It is not
    waited for; call ``.wait_ready()``. Every worker is stopped when the test ends, before
    the database is flushed."""
    workers: list[Worker] = []
    request.node.celery_workers = workers

    def start(name: str, **env) -> Worker:
        mail_dir = tmp_path / "mail" / name
        mail_dir.mkdir(parents=True)
        log_path = tmp_path / f"worker-{name}.log"
        # Celery prefers these variables to its configuration; none may lead elsewhere.
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_BROKER_", "CELERY_RESULT_"))}
        environment = {
            **inherited,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": _test_database_url(),
            # Names the workers' database sessions, so a test can wait for exactly theirs
            # (the live server of the browser journeys keeps sessions of its own open).
            "PGAPPNAME": "portal-celery-worker",
            "CELERY_BROKER_URL": broker.url(0),
            "REDIS_URL": broker.url(1),
            # Four slashes: django-environ drops the first slash of the path.
            "EMAIL_URL": f"filemail:///{mail_dir}",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        command = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool", "solo"]
        command += ["--concurrency", "1", "-n", f"{name}@%h", "--without-mingle", "--without-gossip"]
        command += ["-Q", "celery", "--loglevel", "INFO"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
        worker = Worker(name, process, log_path, mail_dir)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def sent_messages(workers) -> Counter:
    """(recipient, subject) of every message the workers' file backends wrote, counted."""
    found = Counter()
    for worker in workers:
        for path in sorted(worker.mail_dir.glob("*.log")):
            for chunk in path.read_bytes().split(MESSAGE_END):
                if not chunk.strip():
                    continue
                message = email.message_from_bytes(chunk, policy=email.policy.default)
                # Long encoded subjects are folded; compare them unfolded, as the outbox keeps them.
                found[(str(message["To"]), " ".join(str(message["Subject"]).split()))] += 1
    return found


def wait_until_idle(broker, workers, *, timeout: float = 60, unacked: int = 0, extra=lambda: True, what="") -> None:
    """Until no task is queued or running (seen twice in a row, a moment apart) and
    ``extra()`` holds. ``unacked`` tolerates messages held by a worker that was killed."""

    def idle():
        if broker.queued() != (0, unacked) or not extra():
            return False
        time.sleep(0.3)
        return broker.queued() == (0, unacked) and extra()

    wait_for(idle, timeout=timeout, what=what or "the workers to finish every task", logs=workers)
