"""``POST /api/v1/public/packages/check``: does this package file match a valid filing, and if not, why.

For app stores and testing bodies, no login. The upload is capped while it is read (a huge file is
refused before it fills the disk), rate-limited per client address, analysed in the engine's
sandbox and deleted when the answer is ready: the register never keeps a checked package.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Router, Schema
from pydantic import Field

from govapp.core.ratelimit import check_rate, count_in_window
from govapp.inspection.register_check import PackageRefused, check_against_register
from govapp.public import queries

from .public import ApiError, filing_out
from .schemas import ErrorOut, PublicFilingOut

router = Router(tags=["public"])
_CHUNK = 1024 * 1024

Reason = Literal["unknown_identity", "other_certificate", "revoked", "deregistered", "superseded"]


class PackageIdentityOut(Schema):
    platform: str = Field(description="android, harmonyos, miniprogram or quickapp.")
    identifier: str = Field(description="The package name, bundle name or appid read from the package.")
    certificates: list[str] = Field(description="SHA-256 of every signing certificate of the package.")


class PackageCheckOut(Schema):
    """The register's answer for one package file."""

    matches: bool = Field(description="true: the package is the app of a valid filing.")
    reason: Reason | None = Field(None, description="Why it does not match (null when it matches).")
    explanation: str = Field("", description="The reason as a sentence in the request's language.")
    package: PackageIdentityOut
    filing: PublicFilingOut | None = Field(
        None, description="The filing of the app with this identity (also when revoked or deregistered)."
    )


class _SizeCap(FileUploadHandler):
    """Stops reading the body as soon as the package passes the cap."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.exceeded = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


_REFUSALS: dict[str, tuple[int, Any]] = {
    "unsupported": (
        415,
        gettext_lazy(
            "The file is not an app package the technical test reads (APK, APKS/XAPK, HAP/APP, IPA, wxapkg, "
            "RPK, or mini-program or H5 source as a zip)."
        ),
    ),
    "unreadable": (422, gettext_lazy("The package cannot be analysed: %(detail)s")),
    "too_large": (413, gettext_lazy("The package exceeds a safety limit of the technical test: %(detail)s")),
    "no_identifier": (
        422,
        gettext_lazy("The package names no package name, bundle name or appid, so it cannot be matched."),
    ),
    "unsigned": (
        422,
        gettext_lazy("The package is not signed, so its signing certificate cannot be matched."),
    ),
    "unreadable_certificate": (
        422,
        gettext_lazy("The package's signing certificate cannot be read, so it cannot be matched."),
    ),
}


def _too_big(limit: int) -> ApiError:
    from govapp.inspection.engine.sandbox import format_bytes

    return ApiError(
        413,
        gettext_lazy("The package is larger than the limit of %(limit)s for a check."),
        {"limit": format_bytes(limit)},
        parameter="package",
    )


@router.post(
    "/packages/check",
    response={
        200: PackageCheckOut,
        400: ErrorOut,
        413: ErrorOut,
        415: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    summary="Check a package file against the register",
    operation_id="public_package_check",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["package"],
                        "properties": {"package": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
def package_check(request: HttpRequest) -> PackageCheckOut:
    """Upload the package as the multipart field `package`. The answer says whether it is the app of a valid
    filing (number, status) and, if not, why: `unknown_identity`, `other_certificate`, `revoked`, `deregistered`.
    The file is analysed and deleted; nothing is stored."""
    check_rate(request)
    count_in_window(request, scope="package_check", limit=settings.GOVAPP_PACKAGE_CHECK_RATE_LIMIT, window=60)
    limit = settings.GOVAPP_PACKAGE_CHECK_MAX_BYTES
    declared = int(request.META.get("CONTENT_LENGTH") or 0)
    if declared > limit + 64 * 1024:  # the multipart envelope adds a little
        raise _too_big(limit)
    cap = _SizeCap(request, limit)
    request.upload_handlers.insert(0, cap)
    uploaded = request.FILES.get("package")
    if cap.exceeded:
        raise _too_big(limit)
    if uploaded is None:
        raise ApiError(
            400, gettext_lazy("Send the package file as the multipart field “package”."), parameter="package"
        )
    if not uploaded.size:
        raise ApiError(400, gettext_lazy("The package file is empty."), parameter="package")
    report = _scan_and_delete(uploaded, limit)
    try:
        answer = check_against_register(report)
    except PackageRefused as exc:
        status, template = _REFUSALS[exc.code]
        params: dict[str, object] | None = None
        if "%(detail)s" in str(template):
            params = {"detail": exc.detail[:300] or exc.code}
        raise ApiError(status, template, params, parameter="package") from exc
    filing = None
    if answer.app is not None and answer.app.current_number is not None:
        filing = filing_out(request, queries.list_record(answer.app))
    return PackageCheckOut(
        matches=answer.matches,
        reason=answer.reason,  # type: ignore[arg-type]
        explanation=answer.reason_text,
        package=PackageIdentityOut(
            platform=answer.platform, identifier=answer.identifier, certificates=answer.certificates
        ),
        filing=filing,
    )


def _scan_and_delete(uploaded: Any, limit: int) -> dict[str, Any]:
    """The engine's report on the upload, analysed in the sandbox from a temporary file that is then removed."""
    from govapp.inspection.engine.limits import Limits
    from govapp.inspection.engine.sandbox import scan_package_isolated

    directory = Path(settings.MEDIA_ROOT) / "packages" / "check"
    directory.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix="check-", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    try:
        with handle:
            for chunk in uploaded.chunks(_CHUNK):
                handle.write(chunk)
        limits = Limits(max_file_size=limit, timeout_seconds=settings.GOVAPP_PACKAGE_CHECK_TIMEOUT)
        return scan_package_isolated(path, limits=limits).to_dict()
    finally:
        path.unlink(missing_ok=True)
