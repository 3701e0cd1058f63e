"""Running one queued scan on the worker: the sandboxed engine call and the stored result."""

from __future__ import annotations

import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .models import PROGRESS_DONE, PROGRESS_FAILED, PROGRESS_RUNNING, ErrorKind, Scan

log = logging.getLogger(__name__)


def one_line(text: str, limit: int = 300) -> str:
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def scan_run(scan_id: int) -> Scan | None:
    """Run one queued scan (called by the worker): running -> done / failed, the report stored. Idempotent."""
    from .engine.identity import Identity
    from .engine.limits import Limits
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
    try:
        path = Path(scan.package.file.path)
        report = scan_package_isolated(
            path,
            declarations=frozenset(scan.declarations),
            filing_number=scan.filing_number or None,
            limits=Limits(max_file_size=settings.GOVAPP_MAX_PACKAGE_BYTES),
            expect=Identity.from_dict(scan.expected_identity) if scan.expected_identity else None,
        )
    except Exception as exc:  # noqa: BLE001 - a scan never dies silently: the reason is stored for the reviewer
        log.exception("scan %s failed", scan_id)
        scan.status = Scan.Status.FAILED
        scan.error = one_line(f"{type(exc).__name__}: {exc}")
        scan.error_kind = ErrorKind.CRASH
        scan.progress = PROGRESS_FAILED
        scan.finished_at = timezone.now()
        scan.save(update_fields=["status", "error", "error_kind", "progress", "finished_at"])
        return scan
    scan.report = report.to_dict()
    scan.verdict = report.verdict
    scan.engine_version = report.engine_version
    scan.rules_version = report.rules_version
    scan.violation_count = len(report.violations)
    scan.finished_at = timezone.now()
    if report.verdict == "error":
        scan.status = Scan.Status.FAILED
        scan.error = one_line("; ".join(report.errors) or "the engine gave no reason")
        scan.error_kind = report.error_kind if report.error_kind in ErrorKind.values else ErrorKind.MALFORMED
        scan.progress = PROGRESS_FAILED
    else:
        from .drift import add_drift

        scan.status = Scan.Status.DONE
        scan.progress = PROGRESS_DONE
        add_drift(scan)  # a filed app's later package is compared with the facts at approval
    scan.save()
    return scan
