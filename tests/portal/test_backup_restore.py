"""`manage.py backup` and `manage.py restore`: a round trip and the refusals.

The suite's database is the one in settings (SQLite in memory, or ``test_<name>`` on
PostgreSQL, where pg_dump and pg_restore do the work), so every test commits for real:
``transaction=True``.
"""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from portal import backup as backup_module
from tests.conftest import PASSWORD, make_user
from units.models import Membership, Unit, UnitGroup, User
from units.roles import PortalRole

pytestmark = pytest.mark.django_db(transaction=True)

FILES = {
    "circulars/2024/123-UBND-TH.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 40,
    "evidence/2024/xa-mot/ảnh hiện trường.jpg": b"\xff\xd8\xff\xe0" + b"\x00\x01" * 5000,
    "incoming/empty.txt": b"",
}


@pytest.fixture
def media(media_root):
    """The test's media folder, with a file of each kind (one empty)."""
    for rel, data in FILES.items():
        (media_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (media_root / rel).write_bytes(data)
    return media_root


@pytest.fixture
def backup_dir(tmp_path, monkeypatch):
    path = tmp_path / "backups"
    monkeypatch.setenv("BACKUP_DIR", str(path))
    return path


@pytest.fixture
def data(media):
    district = Unit.objects.create(code="ubnd-huyen", name="Ủy ban nhân dân huyện", kind=Unit.Kind.PEOPLES_COMMITTEE)
    communes = [
        Unit.objects.create(code=f"xa-{n}", name=f"Ủy ban nhân dân xã {n}", kind=Unit.Kind.COMMUNE, parent=district)
        for n in ("mot", "hai", "ba")
    ]
    group = UnitGroup.objects.create(code="cac-xa", name="Ủy ban nhân dân các xã")
    group.units.set(communes)
    make_user("clerk", unit=communes[0], full_name="Nguyễn Văn Thư")
    make_user("head", unit=communes[0], unit_role=Membership.Role.HEAD)
    make_user("signer", role=PortalRole.SIGNER, full_name="Nguyễn Hùng")
    make_user("monitor", role=PortalRole.MONITOR, unit=district)


def table_counts() -> dict[str, int]:
    """Rows of every model table, counted through the ORM (not through the code under test)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.proxy:
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def checksums(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run_backup() -> Path:
    out, err = StringIO(), StringIO()
    call_command("backup", stdout=out, stderr=err)
    return Path(out.getvalue().strip())


def rewrite(archive: Path, dest: Path, change) -> Path:
    """A copy of the archive with change(name, bytes) applied to every member."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(dest, "w:gz") as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return dest


def edit_manifest(edit):
    def change(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


def test_round_trip_restores_every_row_and_file(data, media, backup_dir):
    counts, files = table_counts(), checksums(media)
    assert counts["units_unit"] == 4 and counts["units_user"] == 4 and counts["units_unitgroup_units"] == 3
    assert len(files) == len(FILES)
    highest_unit = Unit.objects.order_by("-pk").first().pk

    archive = run_backup()

    assert archive.parent == backup_dir
    assert re.fullmatch(r"portal-\d{8}-\d{6}\.tar\.gz", archive.name)
    assert [p.name for p in backup_dir.iterdir()] == [archive.name]  # no partial or scratch files left
    dump = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
    assert sorted(names) == sorted([dump, "manifest.json", *(f"media/{rel}" for rel in FILES)])
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["database"]["name"] == str(connection.settings_dict["NAME"])
    assert manifest["created"]
    assert manifest["tables"] == counts
    assert manifest["media"] == files

    # Empty the database and the media directory. flush's post_migrate puts the content
    # types, permissions and role groups back, so the database still holds some rows.
    call_command("flush", interactive=False)
    shutil.rmtree(media)
    assert not Unit.objects.exists() and not User.objects.exists()
    assert Group.objects.filter(name=PortalRole.SIGNER).exists()

    out = StringIO()
    call_command("restore", str(archive), yes=True, stdout=out)

    assert "all equal to the manifest" in out.getvalue()
    assert table_counts() == counts
    assert checksums(media) == files
    signer = User.objects.get(username="signer")
    assert signer.check_password(PASSWORD) and signer.groups.filter(name=PortalRole.SIGNER).exists()
    assert ContentType.objects.get_for_model(Unit).pk == ContentType.objects.get(app_label="units", model="unit").pk
    # The sequences came back with the rows: new rows do not collide with restored ones.
    assert Unit.objects.create(code="xa-moi", name="Xã Mới", kind=Unit.Kind.COMMUNE).pk > highest_unit
    make_user("after-restore", unit=Unit.objects.get(code="xa-mot"))


def test_restore_refuses_a_database_with_rows_without_yes(data, backup_dir):
    archive = run_backup()
    Unit.objects.create(code="sau-sao-luu", name="Sau sao lưu", kind=Unit.Kind.COMMUNE)

    with pytest.raises(CommandError, match=r"is not empty: \d+ rows .*--yes"):
        call_command("restore", str(archive))

    assert Unit.objects.filter(code="sau-sao-luu").exists()


def test_a_tampered_media_file_stops_restore_before_anything_changes(data, media, backup_dir, tmp_path):
    archive = run_backup()
    target = "media/evidence/2024/xa-mot/ảnh hiện trường.jpg"
    tampered = rewrite(
        archive, tmp_path / "tampered.tar.gz", lambda name, data: data + b"!" if name == target else data
    )
    Unit.objects.create(code="sau-sao-luu", name="Sau sao lưu", kind=Unit.Kind.COMMUNE)

    with pytest.raises(CommandError, match="damaged or was altered") as excinfo:
        call_command("restore", str(tampered), yes=True)

    assert target in str(excinfo.value)
    assert "123-UBND-TH.pdf" not in str(excinfo.value)
    assert Unit.objects.filter(code="sau-sao-luu").exists()  # the database was not touched


def test_restore_names_the_table_whose_rows_differ_from_the_manifest(data, backup_dir, tmp_path):
    archive = run_backup()
    wrong = rewrite(archive, tmp_path / "wrong.tar.gz", edit_manifest(lambda m: m["tables"].update(units_unit=99)))

    with pytest.raises(CommandError, match="table units_unit: 4 rows, the archive had 99"):
        call_command("restore", str(wrong), yes=True)


def test_restore_refuses_an_archive_of_the_other_database_vendor(data, backup_dir, tmp_path):
    other = "sqlite" if connection.vendor == "postgresql" else "postgresql"

    def edit(manifest):
        manifest["database"]["vendor"] = other

    wrong = rewrite(run_backup(), tmp_path / "other.tar.gz", edit_manifest(edit))

    with pytest.raises(CommandError, match=f"holds a {other} database.*runs on {connection.vendor}"):
        call_command("restore", str(wrong), yes=True)


def test_restore_refuses_what_is_not_an_archive(tmp_path):
    junk = tmp_path / "portal-20240101-000000.tar.gz"
    junk.write_bytes(b"not a tar file")

    with pytest.raises(CommandError, match="Cannot read the archive"):
        call_command("restore", str(junk), yes=True)
    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore", str(tmp_path / "missing.tar.gz"), yes=True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is used on PostgreSQL only")
def test_backup_without_pg_dump_says_so(media, backup_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))

    with pytest.raises(CommandError, match="pg_dump was not found on PATH"):
        call_command("backup")
    assert not backup_dir.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump is used on PostgreSQL only")
def test_pg_dump_gets_the_password_in_its_environment_only(media, backup_dir, monkeypatch):
    # Any password does on a trust connection; a configured one is kept.
    password = connection.settings_dict["PASSWORD"] or "s3cret-pass"
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", password)
    calls = []
    real_run = subprocess.run

    def spy(cmd, **kwargs):
        calls.append((cmd, kwargs["env"]))
        return real_run(cmd, **kwargs)

    monkeypatch.setattr(backup_module.subprocess, "run", spy)
    run_backup()

    (cmd, env), *_ = calls
    assert Path(cmd[0]).name == "pg_dump"
    assert {"--format=custom", "--no-owner", "--no-privileges"} <= set(cmd)
    assert f"--dbname={connection.settings_dict['NAME']}" in cmd
    assert any(arg.startswith("--snapshot=") for arg in cmd)
    assert not any(password in arg for arg in cmd)
    assert env["PGPASSWORD"] == password


@pytest.mark.skipif(not shutil.which("make"), reason="make is not installed")
def test_make_restore_passes_yes_only_with_confirm():
    root = Path(__file__).resolve().parents[2]
    # Not the variables of an enclosing `make test`.
    env = {k: v for k, v in os.environ.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL", "CONFIRM", "ARCHIVE"}}

    def recipe(*args):
        return subprocess.run(
            ["make", "-n", "-C", str(root), "restore", "ARCHIVE=a.tar.gz", *args],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        ).stdout

    assert 'manage.py restore "a.tar.gz" --yes' in recipe("CONFIRM=yes")
    assert "--yes" not in recipe()
    assert "--yes" not in recipe("CONFIRM=no")
