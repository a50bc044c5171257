"""What a clerk meets in the demo: Vietnamese whatever the browser asks, compressed pages,
links on the demo's own address, the portal's own error pages (DEBUG off)."""

import gzip
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_an_english_browser_gets_vietnamese_until_the_user_picks_english(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.headers["Content-Language"] == "vi"
    assert '<html lang="vi">' in page.content.decode()
    assert "Đăng nhập" in page.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="vi")
    assert page.headers["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()


@pytest.mark.django_db
def test_pages_are_compressed_for_a_client_that_accepts_it(client):
    page = client.get(reverse("login"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert page.headers["Content-Encoding"] == "gzip"
    assert "Đăng nhập" in gzip.decompress(page.content).decode()
    assert "Content-Encoding" not in client.get(reverse("login")).headers


def run_demo_target(tmp_path, **variables) -> dict:
    """``make demo`` with a stand-in interpreter that prints the environment it is given
    (the real targets are run by the seed and browser tests)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL DEBUG=$DEBUG STATIC_MANIFEST=$STATIC_MANIFEST"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    (venv / ".installed").touch()
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "DEBUG", "STATIC_MANIFEST"}}
    args = ["make", "-s", "--no-print-directory", "demo", f"VENV={venv}"]
    args += [f"{name}={value}" for name, value in variables.items()]
    output = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    lines = [line for line in output.splitlines() if line.startswith("SITE_URL=")]
    return dict(pair.split("=", 1) for pair in lines[-1].split())


def test_the_demo_links_to_the_port_it_serves_and_runs_without_debug(tmp_path):
    assert run_demo_target(tmp_path, PORT="8801") == {
        "SITE_URL": "http://127.0.0.1:8801",
        "DEBUG": "false",
        "STATIC_MANIFEST": "true",
    }


def test_an_explicit_site_url_or_debug_wins(tmp_path):
    assert run_demo_target(tmp_path, PORT="8801", SITE_URL="https://congvan.example.vn", DEBUG="true") == {
        "SITE_URL": "https://congvan.example.vn",
        "DEBUG": "true",
        "STATIC_MANIFEST": "true",
    }


@pytest.mark.django_db
def test_the_admin_names_its_sections_in_vietnamese(client, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    page = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in (
        "Văn bản và sổ đăng ký",
        "Gửi nhận, báo cáo và đôn đốc",
        "Chữ ký số",
        "Đơn vị và người dùng",
        "Đăng nhập sai và khóa tài khoản",
    ):
        assert name in page
    for english in (
        ">Circulars<",
        ">Acknowledgements<",
        ">Signing<",
        ">Units<",
        ">Notifications<",
        ">Tokens<",
        ">Axes<",
    ):
        assert english not in page


def test_with_collected_static_files_they_are_hashed_compressed_and_cached_for_a_year(tmp_path):
    """What ``make demo`` (and production) serves: collectstatic, then whitenoise."""
    env = {**os.environ, "STATIC_MANIFEST": "true", "STATIC_ROOT": str(tmp_path / "static"), "DEBUG": "false"}
    env.pop("DJANGO_ENV", None)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    code = (
        "from django.templatetags.static import static; from django.test import Client;"
        "url = static('css/portal.css'); r = Client(HTTP_HOST='127.0.0.1').get(url, HTTP_ACCEPT_ENCODING='gzip');"
        "print(url, r.status_code, r.headers.get('Content-Encoding'), r.headers['Cache-Control'])"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split(maxsplit=3)
    url, status, encoding, cache = out
    assert url.startswith("/static/css/portal.") and url.endswith(".css") and url != "/static/css/portal.css"
    assert (status, encoding) == ("200", "gzip")
    assert "max-age=315360000" in cache and "immutable" in cache


@pytest.mark.django_db
def test_admin_pages_leave_out_the_slug_scripts_the_portal_does_not_use(client, admin_user):
    """XRegExp alone would put a change list over 60 KB on the wire (issue #17)."""
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    for name in ("admin:units_user_changelist", "admin:axes_accessattempt_changelist", "admin:units_unit_add"):
        page = client.get(reverse(name)).content.decode()
        assert "xregexp" not in page and "urlify" not in page and "prepopulate.js" not in page, name
        # jQuery only where a related-object lookup needs it: forms, and lists opened as popups.
        assert ("jquery" in page) == name.endswith("_add"), name
        assert "actions.js" in page or name.endswith("_add"), name
    popup = client.get(reverse("admin:units_unit_changelist") + "?_popup=1&_to_field=id").content.decode()
    assert "jquery" in popup and "RelatedObjectLookups.js" in popup
