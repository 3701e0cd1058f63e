"""Running one queued scan on the worker: the sandboxed engine call and the stored result.

The worker may be on any machine: it copies the package from the storage (local directory or S3)
into a private temporary file, scans that copy, and deletes it. The copy's path never reaches the
stored report: every occurrence is replaced by the package's uploaded name.

The analysis runs in the process-wide long-lived sandbox (``scan_pool``: pre-started capped
children, created on the first scan and stopped at exit), or, with ``GOVAPP_SCAN_POOL_SIZE=0``, in
a fresh child per scan; both give the same report and the same caps.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PROGRESS_DONE, PROGRESS_FAILED, PROGRESS_REQUEUED, PROGRESS_RUNNING, ErrorKind, Scan

if TYPE_CHECKING:
    from .engine.pool import SandboxPool

log = logging.getLogger(__name__)


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


_COPY_CHUNK = 1024 * 1024


@contextmanager
def local_copy(name: str) -> Iterator[Path]:
    """The stored object ``name`` as a private local file (mode 0600, in a 0700 directory), removed after."""
    from django.core.files.storage import default_storage

    with tempfile.TemporaryDirectory(prefix="govapp-scan-") as directory:
        path = Path(directory) / "package"
        with default_storage.open(name, "rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, _COPY_CHUNK)
        yield path


def scrub_paths(value: Any, path: str, label: str) -> Any:
    """``value`` (a report's JSON) with the worker's temporary path replaced by the uploaded name."""
    if isinstance(value, str):
        return value.replace(path, label) if path in value else value
    if isinstance(value, list):
        return [scrub_paths(item, path, label) for item in value]
    if isinstance(value, dict):
        return {key: scrub_paths(item, path, label) for key, item in value.items()}
    return value


def scan_limits() -> Any:
    """The engine's limits for a queued scan, from the settings (docs/operations.md)."""
    from .engine.limits import Limits

    return Limits(
        max_file_size=settings.GOVAPP_MAX_PACKAGE_BYTES,
        max_entries=settings.GOVAPP_SCAN_MAX_ENTRIES,
        max_total_uncompressed=settings.GOVAPP_SCAN_MAX_INFLATED_BYTES,
        timeout_seconds=settings.GOVAPP_SCAN_TIMEOUT_SECONDS,
        memory_bytes=settings.GOVAPP_SCAN_MEMORY_BYTES,
    )


_pool: SandboxPool | None = None
_pool_lock = threading.Lock()


def scan_pool() -> SandboxPool | None:
    """This process's long-lived sandbox, started on first use (None with GOVAPP_SCAN_POOL_SIZE=0).

    A forked process gets a pool of its own: the children of the old one belong to its parent."""
    global _pool
    size = settings.GOVAPP_SCAN_POOL_SIZE
    if size < 1:
        return None
    with _pool_lock:
        if _pool is None or _pool.owner_pid != os.getpid() or _pool.size != size:
            from .engine.pool import SandboxPool

            if _pool is not None:
                _pool.close()
            _pool = SandboxPool(
                size,
                memory_bytes=settings.GOVAPP_SCAN_MEMORY_BYTES,
                recycle_after=settings.GOVAPP_SCAN_POOL_RECYCLE,
            )
            atexit.register(_pool.close)
        return _pool


def scan_run(scan_id: int) -> Scan | None:
    """Run one queued scan (called by the worker): running -> done / failed, the report stored. Idempotent."""
    from .engine.identity import Identity
    from .engine.sandbox import scan_package_isolated

    with transaction.atomic():
        scan = (
            Scan.objects.select_for_update(of=("self",)).select_related("package").filter(pk=scan_id).first()
        )
        if scan is None:
            log.warning("scan %s no longer exists; nothing to run", scan_id)
            return None
        if scan.status != Scan.Status.QUEUED:
            return scan  # a duplicate delivery of the task: the first run owns the scan
        scan.status = Scan.Status.RUNNING
        scan.started_at = timezone.now()
        scan.progress = PROGRESS_RUNNING
        scan.save(update_fields=["status", "started_at", "progress"])
    label = scan.package.original_name
    try:
        pool = scan_pool()
        scan_isolated = pool.scan_package if pool is not None else scan_package_isolated
        with local_copy(scan.package.file.name or "") as path:
            report = scan_isolated(
                path,
                declarations=frozenset(scan.declarations),
                filing_number=scan.filing_number or None,
                limits=scan_limits(),
                expect=Identity.from_dict(scan.expected_identity) if scan.expected_identity else None,
            )
            data = scrub_paths(report.to_dict(), str(path), label)
            errors = [scrub_paths(error, str(path), label) for error in report.errors]
    except Exception as exc:  # noqa: BLE001 - a scan never dies silently: the reason is stored for the reviewer
        log.exception("scan %s failed", scan_id)
        scan.status = Scan.Status.FAILED
        scan.error = one_line(scrub_paths(f"{type(exc).__name__}: {exc}", tempfile.gettempdir(), "…"))
        scan.error_kind = ErrorKind.CRASH
        scan.progress = PROGRESS_FAILED
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "error", "error_kind", "progress", "finished_at"])
        return scan
    scan.report = data
    scan.verdict = report.verdict
    scan.engine_version = report.engine_version
    scan.rules_version = report.rules_version
    scan.violation_count = len(report.violations)
    scan.finished_at = timezone.now()
    if report.verdict == "error":
        scan.status = Scan.Status.FAILED
        scan.error = one_line("; ".join(errors) or "the engine gave no reason")
        scan.error_kind = report.error_kind if report.error_kind in ErrorKind.values else ErrorKind.MALFORMED
        scan.progress = PROGRESS_FAILED
    else:
        from .drift import add_drift

        scan.status = Scan.Status.DONE
        scan.progress = PROGRESS_DONE
        add_drift(scan)  # a filed app's later package is compared with the facts at approval
    scan.save()
    return scan


def scan_abandoned(*, task_path: str, args: list[Any], final: bool, **kwargs: Any) -> None:
    """The worker running a scan was lost (core/leases.py): queue the scan again for the next worker,
    or, after the last attempt, end it as a failed result the reviewer can run again."""
    if not task_path.endswith(".run_scan") or not args:
        return
    scan = Scan.objects.select_for_update(of=("self",)).filter(pk=args[0], status=Scan.Status.RUNNING).first()
    if scan is None:
        return  # the scan never started, or finished before its worker was lost
    if final:
        scan.status = Scan.Status.FAILED
        scan.error_kind = ErrorKind.CRASH
        scan.error = "the worker running the analysis stopped before it finished, on every attempt"
        scan.progress = PROGRESS_FAILED
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "error_kind", "error", "progress", "finished_at"])
    else:
        scan.status = Scan.Status.QUEUED
        scan.progress = PROGRESS_REQUEUED
        scan.started_at = None
        scan.save(update_fields=["status", "progress", "started_at"])
