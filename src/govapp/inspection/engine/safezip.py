"""Reading untrusted zip archives (APK, HAP, RPK, bundles) without trusting them.

Refuses path-traversal names, overlapping entries, zip bombs (per-entry ratio and the
archive's total inflated size) and too many entries, each with one readable sentence.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO

from .errors import EncryptedPackage, LimitExceeded, PackageError, UnsafePackage
from .limits import Limits

_STORED = 0
_DEFLATED = 8


def _unsafe_name(name: str) -> bool:
    if not name or "\x00" in name:
        return True
    normal = name.replace("\\", "/")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        return True
    return ".." in PurePosixPath(normal).parts


class SafeZip:
    """A zip archive whose directory has been checked; entries are read with size caps."""

    def __init__(self, source: Path | bytes, limits: Limits, label: str | None = None) -> None:
        self.limits = limits
        self.label = label or (source.name if isinstance(source, Path) else "archive")
        # Kept open for the archive's lifetime (closed by close()/__exit__), so no ``with`` here.
        fileobj: IO[bytes] = open(source, "rb") if isinstance(source, Path) else io.BytesIO(source)  # noqa: SIM115
        self._fileobj = fileobj
        try:
            self._zip = zipfile.ZipFile(fileobj)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError) as exc:
            fileobj.close()
            raise PackageError(f"{self.label}: not a readable zip archive ({exc})") from None
        except RuntimeError as exc:  # e.g. encrypted central directory
            fileobj.close()
            raise PackageError(f"{self.label}: zip archive cannot be opened ({exc})") from None
        try:
            self._infos = self._check_directory()
        except PackageError:
            self.close()
            raise
        self._inflated = 0

    def _check_directory(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise LimitExceeded(
                f"{self.label}: {len(infos)} entries, more than the limit of {self.limits.max_entries}"
            )
        by_name: dict[str, zipfile.ZipInfo] = {}
        spans: list[tuple[int, int, str]] = []
        total = 0
        for info in infos:
            name = info.filename
            if _unsafe_name(name):
                raise UnsafePackage(f"{self.label}: entry name {name!r} points outside the package")
            if info.flag_bits & 0x1:
                raise EncryptedPackage(
                    f"{self.label}: entry {name!r} is encrypted; submit an unencrypted package"
                )
            if info.compress_type not in (_STORED, _DEFLATED):
                raise PackageError(
                    f"{self.label}: entry {name!r} uses compression method {info.compress_type}, "
                    "which packages may not use (only stored and deflate)"
                )
            if info.file_size > self.limits.max_entry_size:
                raise LimitExceeded(
                    f"{self.label}: entry {name!r} inflates to {info.file_size} bytes, "
                    f"more than the limit of {self.limits.max_entry_size}"
                )
            if info.file_size > self.limits.ratio_floor and info.file_size > self.limits.max_ratio * max(
                info.compress_size, 1
            ):
                raise LimitExceeded(
                    f"{self.label}: entry {name!r} has a compression ratio above "
                    f"{self.limits.max_ratio}:1 (zip bomb)"
                )
            total += info.file_size
            if name in by_name and not name.endswith("/"):
                # Duplicate names are a classic signature-bypass trick (Janus, master key).
                raise UnsafePackage(f"{self.label}: entry {name!r} appears twice in the archive")
            by_name[name] = info
            spans.append((info.header_offset, info.header_offset + 30 + len(name) + info.compress_size, name))
        if total > self.limits.max_total_uncompressed:
            raise LimitExceeded(
                f"{self.label}: entries inflate to {total} bytes in all, "
                f"more than the limit of {self.limits.max_total_uncompressed}"
            )
        spans.sort()
        for (start_a, end_a, name_a), (start_b, _end_b, name_b) in zip(spans, spans[1:], strict=False):
            if start_b < end_a and start_a != start_b:
                raise UnsafePackage(
                    f"{self.label}: entries {name_a!r} and {name_b!r} overlap (crafted archive)"
                )
            if start_a == start_b:
                raise UnsafePackage(
                    f"{self.label}: entries {name_a!r} and {name_b!r} share their data (crafted archive)"
                )
        return by_name

    def raw_file(self) -> IO[bytes]:
        """The archive's own bytes (seekable), for structures outside every entry: APK/HAP signing blocks."""
        return self._fileobj

    def names(self) -> list[str]:
        return [n for n in self._infos if not n.endswith("/")]

    def info(self, name: str) -> zipfile.ZipInfo:
        return self._infos[name]

    def __contains__(self, name: object) -> bool:
        return name in self._infos

    def read(self, name: str, max_size: int | None = None) -> bytes:
        """Inflate one entry, refusing more than ``max_size`` (default: the entry limit)."""
        info = self._infos.get(name)
        if info is None:
            raise PackageError(f"{self.label}: entry {name!r} is missing")
        cap = min(max_size or self.limits.max_entry_size, self.limits.max_entry_size)
        chunks: list[bytes] = []
        size = 0
        for chunk in self.iter_chunks(name):
            size += len(chunk)
            if size > cap:
                raise LimitExceeded(f"{self.label}: entry {name!r} inflates beyond {cap} bytes")
            chunks.append(chunk)
        return b"".join(chunks)

    def read_buffer(self, name: str, max_size: int | None = None) -> bytearray:
        """Inflate one entry into a single buffer sized from its directory entry (no second copy, as
        ``read`` makes when it joins its chunks): for entries of hundreds of megabytes."""
        info = self._infos.get(name)
        if info is None:
            raise PackageError(f"{self.label}: entry {name!r} is missing")
        cap = min(max_size or self.limits.max_entry_size, self.limits.max_entry_size)
        if info.file_size > cap:
            raise LimitExceeded(f"{self.label}: entry {name!r} inflates beyond {cap} bytes")
        buffer = bytearray(info.file_size)
        size = 0
        # zipfile never inflates past the directory's file size, and a shorter entry fails its CRC.
        for chunk in self.iter_chunks(name):
            buffer[size : size + len(chunk)] = chunk
            size += len(chunk)
        if size != info.file_size:
            raise PackageError(f"{self.label}: entry {name!r} is corrupted (shorter than its declared size)")
        return buffer

    def iter_chunks(self, name: str, chunk_size: int = 1024 * 1024) -> Iterator[bytes]:
        """Stream one entry; the real inflated size is counted against the archive's total."""
        info = self._infos.get(name)
        if info is None:
            raise PackageError(f"{self.label}: entry {name!r} is missing")
        try:
            with self._zip.open(info) as handle:
                while True:
                    chunk = handle.read(chunk_size)
                    if not chunk:
                        return
                    self._inflated += len(chunk)
                    if self._inflated > self.limits.max_total_uncompressed:
                        raise LimitExceeded(
                            f"{self.label}: inflating the archive exceeds {self.limits.max_total_uncompressed} bytes"
                        )
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise PackageError(f"{self.label}: entry {name!r} is corrupted ({exc})") from None

    def close(self) -> None:
        try:
            self._zip.close()
        finally:
            self._fileobj.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")
