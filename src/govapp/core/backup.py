"""`govapp backup` / `govapp restore`: the database and the stored files, consistent together.

A backup is one tar archive: ``manifest.json`` (format, time, mode, counts, SHA-256 of every file),
``database.json`` (Django's dumpdata, vendor-neutral: SQLite and PostgreSQL back up into each
other) and ``files/<name>`` for every file a row of that dump refers to, read through the storage
API (local directory or S3).

Consistency: the dump and the list of files come from one database snapshot (REPEATABLE READ on
PostgreSQL, one read transaction on SQLite). Files are content-addressed and never rewritten, and
nothing submitted is deleted, so every file the snapshot names is still there to copy after it;
only a never-submitted draft's document deleted meanwhile can be missing, and is reported.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection, models, transaction

FORMAT = "govapp-backup/1"
# Rebuilt by migrate, per process, or worthless after a restore.
EXCLUDED = ["contenttypes", "auth.permission", "sessions", "core.workerheartbeat"]
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The backup or restore cannot go on; the message is one line for the operator."""


@dataclass
class BackupResult:
    path: Path
    rows: int
    files: int
    bytes: int
    missing: list[str] = field(default_factory=list)


def _file_fields() -> Iterator[tuple[type[models.Model], str]]:
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if isinstance(model_field, models.FileField):
                yield model, model_field.name


def stored_names() -> list[str]:
    """Every file name a row refers to, sorted, without duplicates (content-addressed files repeat)."""
    names: set[str] = set()
    for model, name in _file_fields():
        names.update(value for value in model._base_manager.values_list(name, flat=True) if value)
    return sorted(names)


def _snapshot(dump: IO[str]) -> list[str]:
    """Write the dump and return the file names, both from one snapshot of the database."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if connection.vendor == "postgresql" and outermost:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        call_command(
            "dumpdata", exclude=EXCLUDED, natural_foreign=True, indent=None, stdout=dump, verbosity=0
        )
        return stored_names()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def backup_create(*, path: Path) -> BackupResult:
    """Write one backup archive to ``path`` (refuses to overwrite an existing file)."""
    if path.exists():
        raise BackupError(f"{path} already exists; choose a new file name for the backup.")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile("w+", encoding="utf-8") as dump:
        names = _snapshot(dump)
        dump.seek(0)
        database = dump.read().encode("utf-8")
    rows = len(json.loads(database))
    digests: dict[str, str] = {}
    missing: list[str] = []
    total = 0
    partial = path.with_name(path.name + ".partial")
    with tarfile.open(partial, "w") as archive:
        _add_bytes(archive, "database.json", database)
        for name in names:
            try:
                handle = default_storage.open(name, "rb")
            except (FileNotFoundError, OSError):
                missing.append(name)
                continue
            with handle, tempfile.TemporaryFile() as copy:
                digest = hashlib.sha256()
                for chunk in iter(lambda: handle.read(_CHUNK), b""):  # noqa: B023 - consumed in the loop
                    digest.update(chunk)
                    copy.write(chunk)
                info = tarfile.TarInfo(f"files/{name}")
                info.size = copy.tell()
                info.mode = 0o600
                copy.seek(0)
                archive.addfile(info, copy)
            digests[name] = digest.hexdigest()
            total += info.size
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "mode": settings.GOVAPP_MODE,
            "database_vendor": connection.vendor,
            "database_sha256": hashlib.sha256(database).hexdigest(),
            "rows": rows,
            "files": digests,
            "missing": missing,
        }
        _add_bytes(archive, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    partial.rename(path)
    path.chmod(0o600)
    return BackupResult(path=path, rows=rows, files=len(digests), bytes=total, missing=missing)


def _database_is_empty() -> bool:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return not user_model._base_manager.exists()


def backup_restore(*, path: Path) -> BackupResult:
    """Restore ``path`` into this installation's database (migrated here, must hold no users) and storage."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file.")
    try:
        archive = tarfile.open(path, "r")  # noqa: SIM115 - closed by the with-block right below
    except tarfile.TarError as exc:
        raise BackupError(f"{path} is not a backup archive ({exc}).") from None
    with archive:
        try:
            manifest = json.loads(_member(archive, "manifest.json"))
            database = _member(archive, "database.json")
        except (KeyError, ValueError) as exc:
            raise BackupError(f"{path} is not a GovApp backup ({exc}).") from None
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}; expected {FORMAT}.")
        if hashlib.sha256(database).hexdigest() != manifest.get("database_sha256"):
            raise BackupError(
                f"{path}: the database dump does not match its checksum; the archive is damaged."
            )
        call_command("migrate", interactive=False, verbosity=0)
        if not _database_is_empty():
            raise BackupError(
                "The database already has users: restore only into a new, empty database (nothing is overwritten)."
            )
        total = 0
        files: dict[str, str] = manifest.get("files", {})
        for name, expected in files.items():
            total += _restore_file(archive, name, expected)
    with tempfile.NamedTemporaryFile("wb", suffix=".json") as dump:
        dump.write(database)
        dump.flush()
        with transaction.atomic():
            call_command("loaddata", dump.name, verbosity=0)
    return BackupResult(
        path=path, rows=int(manifest.get("rows", 0)), files=len(files), bytes=total,
        missing=list(manifest.get("missing", [])),
    )  # fmt: skip


def _member(archive: tarfile.TarFile, name: str) -> bytes:
    handle = archive.extractfile(name)
    if handle is None:
        raise KeyError(name)
    return handle.read()


def _restore_file(archive: tarfile.TarFile, name: str, expected: str) -> int:
    """Put one file back under its own name, checking its SHA-256; an identical file already there stays."""
    member = archive.getmember(f"files/{name}")
    handle = archive.extractfile(member)
    if handle is None:
        raise BackupError(f"files/{name} in the backup is not a file.")
    with tempfile.TemporaryFile() as copy:
        digest = hashlib.sha256()
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
            copy.write(chunk)
        if digest.hexdigest() != expected:
            raise BackupError(f"files/{name} does not match its checksum; the archive is damaged.")
        if default_storage.exists(name):
            if _sha256_of_stored(name) == expected:
                return member.size
            raise BackupError(
                f"{name} already exists in the storage with other content; restore into empty storage."
            )
        copy.seek(0)
        saved = default_storage.save(name, File(copy, name=Path(name).name))
        if saved != name:
            raise BackupError(f"the storage stored {name} as {saved}; restore into empty storage.")
    return member.size


def _sha256_of_stored(name: str) -> str:
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def describe(result: BackupResult) -> str:
    return f"{result.path}: {result.rows} database rows, {result.files} files ({result.bytes} bytes)" + (
        f"; {len(result.missing)} file(s) deleted after the snapshot: {', '.join(result.missing)}"
        if result.missing
        else ""
    )


def manifest_of(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r") as archive:
        return dict(json.loads(_member(archive, "manifest.json")))
