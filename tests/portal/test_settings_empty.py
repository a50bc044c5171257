"""An empty variable (`DATABASE_URL=`, as compose and .env files write "not set") is the
same as no variable: start-up takes the default instead of failing with a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = (
    "from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'], s.DEBUG)"
)


def shell(**env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", CODE],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("blank", ["", "  "])
def test_empty_variables_take_their_defaults(blank):
    names = ["DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "EMAIL_URL", "DEBUG", "SESSION_COOKIE_AGE", "SITE_URL"]
    result = shell(**dict.fromkeys(names, blank))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
        "True",
    ]
