"""`govapp backup` then `govapp restore` into a fresh database: the same verification answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ANSWERS = """
import hashlib, json
from django.core.files.storage import default_storage
from django.test import Client
from govapp.inspection.models import Package
from govapp.registry.models import FilingNumber
client = Client()
answers = {}
for number in FilingNumber.objects.order_by("number").values_list("number", flat=True):
    response = client.get(f"/api/v1/public/filings/{number}")
    answers[number] = [response.status_code, response.json()]
files = {p.sha256: hashlib.sha256(default_storage.open(p.file.name).read()).hexdigest() for p in Package.objects.all()}
print(json.dumps({"answers": answers, "files": files}, ensure_ascii=False, sort_keys=True))
"""


def _govapp(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_") and k != "DATABASE_URL"}
    env.update(
        GOVAPP_VAR_DIR=str(directory / "var"), GOVAPP_ALLOWED_HOSTS="testserver", GOVAPP_PUBLIC_RATE_LIMIT="0"
    )
    return subprocess.run(
        [sys.executable, "-m", "govapp", *args], env=env, cwd=directory, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_restore_into_a_fresh_database_answers_every_verification_the_same(tmp_path: Path) -> None:
    source, target = tmp_path / "source", tmp_path / "target"
    source.mkdir()
    target.mkdir()
    _ok(_govapp(source, "migrate", "-v0"))
    _ok(_govapp(source, "seed_demo"))
    archive = tmp_path / "govapp.tar"
    assert "Backup written" in _ok(_govapp(source, "backup", str(archive)))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    restored = _ok(_govapp(target, "restore", str(archive)))
    assert "Restored" in restored
    before = json.loads(_ok(_govapp(source, "shell", "-c", ANSWERS)).strip().splitlines()[-1])
    after = json.loads(_ok(_govapp(target, "shell", "-c", ANSWERS)).strip().splitlines()[-1])
    assert len(before["answers"]) >= 10 and before["files"]
    assert after == before
    statuses = {answer[1].get("status") for answer in after["answers"].values() if answer[0] == 200}
    assert "valid" in statuses  # the register really answers, not only errors

    again = _govapp(target, "restore", str(archive))
    assert again.returncode != 0 and "restore only into a new, empty database" in again.stderr
    guard = _govapp(target, "shell", "-c", "from django.db import connection\n"
                    "connection.cursor().execute('DELETE FROM registry_filingevent')")  # fmt: skip
    assert guard.returncode != 0 and "append-only" in guard.stderr  # the restored rows are guarded too


def test_a_damaged_or_foreign_archive_is_refused_with_a_reason(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.tar"
    bogus.write_bytes(b"not a tar archive at all")
    result = _govapp(tmp_path, "restore", str(bogus))
    assert result.returncode != 0 and "is not a backup archive" in result.stderr
    missing = _govapp(tmp_path, "restore", str(tmp_path / "none.tar"))
    assert missing.returncode != 0 and "no such backup file" in missing.stderr
