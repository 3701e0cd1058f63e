"""Writes of the technical test (技术检测): storing packages, queuing and running scans, and the checks
the filing workflow asks before national approval.

Uploads are streamed to a private temporary file while hashed (never held whole in memory), then
stored through Django's storage API; the scan itself runs in the engine's sandboxed child process,
on the worker, never in a web request, on a temporary copy the worker fetched from the storage.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govapp.accounts.models import Role
from govapp.registry.choices import FilingState, FormalismCategory
from govapp.registry.materials import Deficiency
from govapp.registry.models import Filing
from govapp.registry.services import WorkflowError

from .models import (
    PLATFORM_OF_KIND,
    PROGRESS_QUEUED,
    PROGRESS_REUSED,
    ErrorKind,
    FilingPackage,
    Package,
    PackageKind,
    Scan,
    package_path,
)
from .tasks import run_scan

log = logging.getLogger(__name__)

# Filings whose materials the unit may still change: only then may it upload a package.
UPLOAD_STATES = (FilingState.DRAFT, FilingState.RETURNED, FilingState.AWAITING_SUPPLEMENT)
_CHUNK = 1024 * 1024
_HEAD = 64
_FORMALISM = frozenset(FormalismCategory.values)


def _package_error(message: str) -> WorkflowError:
    return WorkflowError(message, items=[Deficiency("package", _("app package"), message)])


# ---------------------------------------------------------------- storing packages


def _sanitise_name(name: str) -> str:
    """The uploaded name is shown to people, never used as a path: keep it printable and short."""
    flat = "".join(ch if ch.isprintable() else " " for ch in os.path.basename(name or "")).strip()
    return flat[:255] or "package"


def detect_kind(path: Path, label: str) -> str:
    """The package format by structure; WorkflowError with the engine's one-line reason otherwise."""
    from .engine.errors import PackageError
    from .engine.formats.detect import detect_archive, detect_bytes_kind
    from .engine.limits import Limits
    from .engine.safezip import SafeZip

    with path.open("rb") as handle:
        head = handle.read(_HEAD)
    try:
        kind = detect_bytes_kind(head, label)
        if kind == "zip":
            with SafeZip(path, Limits(max_file_size=settings.GOVAPP_MAX_PACKAGE_BYTES), label) as archive:
                kind = detect_archive(archive)
    except PackageError as exc:
        # In the reader's language first; the engine's English detail only after it, for the inspector.
        reason = ErrorKind(exc.kind).label if exc.kind in ErrorKind.values else ErrorKind.MALFORMED.label
        raise _package_error(
            _("%(name)s: %(reason)s. Technical detail: %(detail)s")
            % {"name": label, "reason": reason, "detail": " ".join(str(exc).split())}
        ) from None
    except Exception as exc:  # noqa: BLE001 - hostile input: any reader failure is a refusal, never a 500
        raise _package_error(
            _("%(name)s: the file could not be read as a package (%(error)s).")
            % {"name": label, "error": type(exc).__name__}
        ) from None
    if kind not in PackageKind.values:
        raise _package_error(
            _("%(name)s: the package format “%(kind)s” is not supported.") % {"name": label, "kind": kind}
        )
    return kind


def _stream_to_temp(uploaded_file: UploadedFile, label: str) -> tuple[Path, str, int]:
    """Copy the upload chunk by chunk into a private local temporary file while hashing it; refuse
    empty and oversized. The file is this process's scratch copy, never the stored package."""
    limit = settings.GOVAPP_MAX_PACKAGE_BYTES
    digest = hashlib.sha256()
    size = 0
    handle = tempfile.NamedTemporaryFile(prefix="govapp-upload-", delete=False)  # noqa: SIM115 - mode 0600
    temp = Path(handle.name)
    try:
        with handle:
            for chunk in uploaded_file.chunks(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise _package_error(too_big_message(label, limit))
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise _package_error(
                _("%(name)s: the file is empty; upload the package itself.") % {"name": label}
            )
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp, digest.hexdigest(), size


def too_big_message(label: str, limit: int) -> str:
    from .engine.sandbox import format_bytes

    return _("%(name)s: the file is larger than the limit of %(limit)s for app packages.") % {
        "name": label,
        "limit": format_bytes(limit),
    }


def package_store(*, uploaded_file: UploadedFile) -> Package:
    """Store an uploaded package under its SHA-256 in the default storage (local directory or S3);
    the same content uploaded again reuses the stored object."""
    label = _sanitise_name(uploaded_file.name or "")
    temp, sha256, size = _stream_to_temp(uploaded_file, label)
    try:
        existing = Package.objects.filter(sha256=sha256).first()
        if existing is not None and existing.file.name and default_storage.exists(existing.file.name):
            return existing
        kind = detect_kind(temp, label)
        relative = package_path(sha256)
        if not default_storage.exists(relative):
            with temp.open("rb") as handle:
                # Content-addressed: a concurrent upload of the same bytes stores identical content,
                # and the storage never overwrites (it would pick another name, which we then use).
                relative = default_storage.save(relative, File(handle, name=label))
    finally:
        temp.unlink(missing_ok=True)
    if existing is not None:  # the row survived but its object was lost: the new upload restores it
        if existing.file.name != relative:
            Package.objects.filter(pk=existing.pk).update(file=relative)
            existing.file.name = relative
        return existing
    try:
        with transaction.atomic():
            return Package.objects.create(
                sha256=sha256, size=size, file=relative, kind=kind, original_name=label
            )
    except IntegrityError:
        return Package.objects.get(sha256=sha256)


@transaction.atomic
def package_upload(*, filing: Filing, actor: Any, uploaded_file: UploadedFile) -> FilingPackage:
    """The unit attaches a package to its filing; it becomes the current one of its platform and is scanned."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    if not actor.has_perm("registry.edit_filing", filing):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can upload the app package."))
    if filing.state not in UPLOAD_STATES:
        raise WorkflowError(
            _(
                "A package can be uploaded only while the filing is a draft, returned or awaiting a supplement; "
                "this one is “%(state)s”."
            )
            % {"state": filing.get_state_display()}
        )
    package = package_store(uploaded_file=uploaded_file)
    platform = PLATFORM_OF_KIND[package.kind]
    FilingPackage.objects.filter(filing=filing, platform=platform, is_current=True).update(is_current=False)
    link = FilingPackage.objects.create(
        filing=filing,
        package=package,
        platform=platform,
        original_name=_sanitise_name(uploaded_file.name or package.original_name),
        uploaded_by=actor,
    )
    scan_create(package=package, filing=filing, actor=actor, reason=Scan.Reason.UPLOAD)
    return link


# ---------------------------------------------------------------- scans


def scan_declarations(filing: Filing) -> list[str]:
    """Categories the engine treats as declared exceptions: only under a declared security/emergency scenario."""
    if not filing.special_scenario:
        return []
    return sorted({str(c) for c in filing.declared_categories or [] if c in _FORMALISM})


def scan_filing_number(filing: Filing) -> str:
    """The number the app must display: the current one for filed apps (change filings, spot checks)."""
    number = filing.app.current_number
    return number.number if number is not None else ""


def current_versions() -> tuple[str, str]:
    """Engine and rule-set versions a scan started now would record."""
    from .engine.report import engine_version
    from .engine.rules.ruleset import default_ruleset

    return engine_version(), default_ruleset().version


def _reusable(
    package: Package, declarations: list[str], filing_number: str, expected: dict[str, Any]
) -> Scan | None:
    engine, rules = current_versions()
    return (
        Scan.objects.filter(
            package=package,
            status=Scan.Status.DONE,
            verdict__in=["pass", "violation"],
            engine_version=engine,
            rules_version=rules,
            declarations=declarations,
            filing_number=filing_number,
            reused_from__isnull=True,
        )
        .order_by("-finished_at")
        .filter(expected_identity=expected)
        .first()
    )


def scan_create(
    *,
    package: Package,
    filing: Filing | None,
    actor: Any,
    reason: str,
    allow_reuse: bool = True,
    declarations: list[str] | None = None,
    filing_number: str | None = None,
) -> Scan:
    """A scan of ``package`` for ``filing``: an identical finished result is reused, otherwise one is queued.

    With a filing, the package must be the filing's app: its declared identity, or the pinned one."""
    from .binding import expected_identity

    expected: dict[str, Any] = {}
    if filing is not None:
        declarations = scan_declarations(filing) if declarations is None else declarations
        filing_number = scan_filing_number(filing) if filing_number is None else filing_number
        expected = expected_identity(filing, PLATFORM_OF_KIND[package.kind]).to_dict()
    declarations = sorted(declarations or [])
    filing_number = filing_number or ""
    requested_by = actor if getattr(actor, "pk", None) else None
    source = _reusable(package, declarations, filing_number, expected) if allow_reuse else None
    if source is not None:
        now = timezone.now()
        return Scan.objects.create(
            package=package, filing=filing, requested_by=requested_by, reason=reason, status=Scan.Status.DONE,
            progress=PROGRESS_REUSED, engine_version=source.engine_version, rules_version=source.rules_version,
            declarations=declarations, filing_number=filing_number, expected_identity=expected,
            report=source.report, verdict=source.verdict,
            violation_count=source.violation_count, reused_from=source, started_at=now, finished_at=now,
        )  # fmt: skip
    scan = Scan.objects.create(
        package=package, filing=filing, requested_by=requested_by, reason=reason, status=Scan.Status.QUEUED,
        progress=PROGRESS_QUEUED, declarations=declarations, filing_number=filing_number,
        expected_identity=expected,
    )  # fmt: skip
    scan_enqueue(scan=scan)
    return scan


def scan_priority(scan: Scan) -> int:
    """Fair queueing: a unit's n-th scan waiting at once runs after every other unit's earlier ones.

    Workers take the highest priority first, then the oldest; each scan already waiting for the
    same unit lowers this one's priority by one, so one unit's batch of uploads cannot starve others.
    """
    if scan.filing_id is None:
        return 0
    waiting = (
        Scan.objects.filter(
            filing__app__unit_id=Filing.objects.filter(pk=scan.filing_id).values("app__unit_id")[:1],
            status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING],
        )
        .exclude(pk=scan.pk)
        .count()
    )
    return max(-100, -waiting)  # django-tasks' priority range is -100..100


def scan_enqueue(*, scan: Scan) -> None:
    """Hand the scan to the worker's "scans" queue once the row is committed (the worker must see it)."""
    scan_id = scan.pk
    priority = scan_priority(scan)
    transaction.on_commit(lambda: run_scan.using(priority=priority).enqueue(scan_id))


def can_request_rescan(user: Any) -> bool:
    return bool(user.is_authenticated and user.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR))


@transaction.atomic
def scan_request_rescan(*, filing: Filing, actor: Any) -> list[Scan]:
    """The national office or a testing body runs the technical test again on every current package."""
    filing = Filing.objects.select_for_update(of=("self",)).select_related("app__unit").get(pk=filing.pk)
    if not (can_request_rescan(actor) and actor.has_perm("registry.view_filing", filing)):
        raise PermissionDenied(_("Only the national office or a testing body can request a re-scan."))
    links = list(FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"))
    if not links:
        raise WorkflowError(_("There is no app package to scan: the unit has not uploaded one."))
    pending = [link for link in links if (scan := link.latest_scan()) is not None and scan.is_pending]
    if pending:
        raise WorkflowError(_("A scan of this filing is still queued or running; wait for it to finish."))
    return [
        scan_create(
            package=link.package, filing=filing, actor=actor, reason=Scan.Reason.RESCAN, allow_reuse=False
        )
        for link in links
    ]


def rescan_after_supplement(filing: Filing) -> None:
    """After a supplement both review and technical test run again (regulation §4): scan every current package."""
    from .binding import expected_identity

    with transaction.atomic():
        declarations = scan_declarations(filing)
        number = scan_filing_number(filing)
        for link in FilingPackage.objects.filter(filing=filing, is_current=True).select_related("package"):
            latest = link.latest_scan()
            if (
                latest is not None
                and latest.is_pending
                and latest.declarations == declarations
                and latest.filing_number == number
                and latest.expected_identity == expected_identity(filing, link.platform).to_dict()
            ):
                continue  # a package uploaded with the supplement is already being scanned with these inputs
            scan_create(package=link.package, filing=filing, actor=None, reason=Scan.Reason.SUPPLEMENT)
