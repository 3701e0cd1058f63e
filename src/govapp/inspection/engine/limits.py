"""Safety limits for untrusted packages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    max_file_size: int = 2 * 1024**3  # the package file itself
    max_entries: int = 100_000
    max_entry_size: int = 512 * 1024**2  # one inflated entry
    max_total_uncompressed: int = 4 * 1024**3  # everything we may inflate from one archive
    max_ratio: int = 200  # inflated / compressed, per entry, above a small-entry floor
    ratio_floor: int = 1024**2  # entries smaller than this inflated are never called bombs
    max_depth: int = 3  # bundles inside bundles
    max_texts: int = 50_000  # text hits kept per package (evidence, not every string)
    timeout_seconds: int = 300  # child process wall clock
    memory_bytes: int = 2 * 1024**3  # child process address-space cap
