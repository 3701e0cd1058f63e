"""Entry points of the package readers: detect the format, then hand over to its reader.

``read_package`` is what ``govapp scan`` and the web review call; bundle readers call
``read_package_bytes`` for nested packages with ``depth + 1``. Whatever goes wrong inside
a reader reaches the caller as ``PackageError`` naming the file, never as another type.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..errors import LimitExceeded, PackageError, Unreadable
from ..facts import Interest, PackageFacts
from ..limits import Limits
from ..safezip import SafeZip
from .detect import detect_archive, detect_bytes_kind, detect_directory

__all__ = ["read_package", "read_package_bytes"]

_HEAD_SIZE = 64
_HASH_CHUNK = 1024 * 1024


def read_package(path: Path, interest: Interest, limits: Limits, *, depth: int = 0) -> PackageFacts:
    """Read a package file, or mini-program or H5 source as a directory."""
    label = path.name or str(path)
    _check_depth(depth, label, limits)
    try:
        if path.is_dir():
            kind = detect_directory(path)
            from .miniprogram import read_miniprogram

            return read_miniprogram(
                path, path=str(path), sha256="", size=0, interest=interest, limits=limits, web=kind == "h5"
            )
        size, sha256, head = _hash_file(path, label, limits)
        kind = detect_bytes_kind(head, label)
        if kind == "wxapkg":
            from .wxapkg import read_wxapkg

            data = path.read_bytes()
            return read_wxapkg(
                data, path=str(path), sha256=sha256, size=size, interest=interest, limits=limits
            )
        with SafeZip(path, limits, label) as archive:
            return _read_archive(
                archive,
                path=str(path),
                sha256=sha256,
                size=size,
                interest=interest,
                limits=limits,
                depth=depth,
            )
    except PackageError:
        raise
    except Exception as exc:  # noqa: BLE001 - defence in depth: readers must never leak other types
        raise _unexpected(label, exc) from None


def read_package_bytes(
    data: bytes, label: str, interest: Interest, limits: Limits, *, depth: int
) -> PackageFacts:
    """Read a package held in memory (an entry of a bundle); ``label`` names it in errors and evidence."""
    _check_depth(depth, label, limits)
    try:
        if len(data) > limits.max_file_size:
            raise LimitExceeded(f"{label}: {len(data)} bytes, more than the limit of {limits.max_file_size}")
        sha256 = hashlib.sha256(data).hexdigest()
        kind = detect_bytes_kind(data[:_HEAD_SIZE], label)
        if kind == "wxapkg":
            from .wxapkg import read_wxapkg

            return read_wxapkg(
                data, path=label, sha256=sha256, size=len(data), interest=interest, limits=limits
            )
        with SafeZip(data, limits, label) as archive:
            return _read_archive(
                archive,
                path=label,
                sha256=sha256,
                size=len(data),
                interest=interest,
                limits=limits,
                depth=depth,
            )
    except PackageError:
        raise
    except Exception as exc:  # noqa: BLE001 - defence in depth, as above
        raise _unexpected(label, exc) from None


def _read_archive(
    archive: SafeZip, *, path: str, sha256: str, size: int, interest: Interest, limits: Limits, depth: int
) -> PackageFacts:
    kind = detect_archive(archive)
    # Readers are imported on use: each pulls in its own parsers, and a scan needs one or two.
    if kind == "apk":
        from .apk import read_apk

        return read_apk(archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits)
    if kind in ("apks", "xapk"):
        from .bundle import read_bundle

        return read_bundle(
            archive,
            kind=kind,
            path=path,
            sha256=sha256,
            size=size,
            interest=interest,
            limits=limits,
            depth=depth,
        )
    if kind in ("hap", "app"):
        from .hap import read_hap

        return read_hap(
            archive,
            kind=kind,
            path=path,
            sha256=sha256,
            size=size,
            interest=interest,
            limits=limits,
            depth=depth,
        )
    if kind == "ipa":
        from .ipa import read_ipa

        return read_ipa(archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits)
    if kind in ("rpk", "rpks"):
        from .rpk import read_rpk

        return read_rpk(
            archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits, depth=depth
        )
    from .miniprogram import read_miniprogram

    return read_miniprogram(
        archive, path=path, sha256=sha256, size=size, interest=interest, limits=limits, web=kind == "h5"
    )


def _check_depth(depth: int, label: str, limits: Limits) -> None:
    if depth > limits.max_depth:
        raise LimitExceeded(
            f"{label}: packages nested {depth} deep, more than the limit of {limits.max_depth}"
        )


def _hash_file(path: Path, label: str, limits: Limits) -> tuple[int, str, bytes]:
    """Size, streamed SHA-256 and the first bytes of a file, refusing oversized files first."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise Unreadable(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if not path.is_file():
        raise Unreadable(f"{label}: not a regular file")
    if size > limits.max_file_size:
        raise LimitExceeded(f"{label}: {size} bytes, more than the limit of {limits.max_file_size}")
    digest = hashlib.sha256()
    head = b""
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                if not head:
                    head = chunk[:_HEAD_SIZE]
                digest.update(chunk)
    except OSError as exc:
        raise Unreadable(f"{label}: cannot be read ({exc.strerror or exc})") from None
    if not head:
        raise PackageError(f"{label}: the file is empty")
    return size, digest.hexdigest(), head


def _unexpected(label: str, exc: BaseException) -> PackageError:
    if isinstance(exc, RecursionError):
        return PackageError(f"{label}: structure nested too deeply to analyse")
    if isinstance(exc, MemoryError):
        return LimitExceeded(f"{label}: analysing it needs more memory than allowed")
    detail = " ".join(str(exc).split())[:200]
    return PackageError(f"{label}: malformed package, the reader failed ({type(exc).__name__}: {detail})")
