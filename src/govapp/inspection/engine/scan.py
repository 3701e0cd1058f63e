"""``scan_package``: read a package, apply the rule set, return a ScanReport.

This is the one function behind ``govapp scan`` and the web review's technical test (the web
side runs it through ``sandbox.scan_package_isolated``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import time
from pathlib import Path
from typing import Any

from .categories import CATEGORIES
from .coverage import coverage_findings
from .errors import PackageError
from .facts import PackageFacts
from .identity import Identity, identity_findings, package_identity
from .limits import Limits
from .notes import Note
from .report import ScanReport, error_report, package_summary
from .rules.ruleset import RuleSet, default_ruleset

_HASH_CHUNK = 1024 * 1024


def evaluate_facts(
    facts: PackageFacts,
    *,
    declarations: frozenset[str] = frozenset(),
    filing_number: str | None = None,
    ruleset: RuleSet | None = None,
    duration_ms: int = 0,
    expect: Identity | None = None,
) -> ScanReport:
    """Turn what a reader learned into a report (no file access)."""
    rules = ruleset or default_ruleset()
    analysis = rules.analyse(facts, declarations=declarations, filing_number=filing_number)
    identity = package_identity(facts)
    findings: list[dict[str, Any]] = []
    identity_notes: list[str] = []
    if expect is not None and not expect.is_empty():
        # First in the list: a package of another app makes every other finding beside the point.
        findings, identity_notes = identity_findings(identity, expect)
    findings.extend(finding.to_dict() for finding in analysis.findings)
    findings.extend(coverage_findings(facts))
    verdict = "violation" if any(f["status"] == "violation" for f in findings) else "pass"
    notes: list[str] = []
    for node in facts.walk():
        for note in node.notes:
            if node is facts:
                line = note
            elif isinstance(note, Note):
                line = note.under(node.path)
            else:
                line = f"{node.path}: {note}"
            if line not in notes:
                notes.append(line)
    notes.extend(analysis.notes)
    notes.extend(identity_notes)
    return ScanReport(
        package=package_summary(facts),
        verdict=verdict,
        rules_version=rules.version,
        findings=findings,
        sdks=[detection.to_dict() for detection in analysis.sdks],
        endpoints=[endpoint.to_dict() for endpoint in analysis.endpoints],
        notes=notes,
        children=[package_summary(child) for child in facts.children],
        declarations=sorted(declarations),
        filing_number=filing_number,
        duration_ms=duration_ms,
        identity=identity,
        expect=expect.to_dict() if expect is not None and not expect.is_empty() else None,
    )


def check_declarations(declarations: frozenset[str]) -> None:
    """ValueError with one line when a declared category is not a rule category."""
    unknown = sorted(set(declarations) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown declared category {unknown[0]!r}; expected one of {', '.join(CATEGORIES)}")


def file_identity(path: Path) -> tuple[str | None, int | None]:
    """sha256 and size of a regular file, (None, None) when it cannot be read."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return None, None
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
        return digest.hexdigest(), info.st_size
    except OSError:
        return None, None


def preflight(path: Path) -> str | None:
    """Why ``path`` cannot be scanned at all, or None; never blocks (FIFOs, devices refused)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return f"{path}: no such file or directory"
    except PermissionError:
        return f"{path}: permission denied"
    except OSError as exc:
        return f"{path}: cannot be read ({exc.strerror})"
    if stat.S_ISDIR(info.st_mode):
        return None if os.access(path, os.R_OK | os.X_OK) else f"{path}: permission denied"
    if not stat.S_ISREG(info.st_mode):
        return f"{path}: not a regular file or directory"
    if not os.access(path, os.R_OK):
        return f"{path}: permission denied"
    return None


def scan_package(
    path: Path,
    *,
    declarations: frozenset[str] = frozenset(),
    filing_number: str | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
    expect: Identity | None = None,
) -> ScanReport:
    """Scan one package file or mini-program directory; unreadable input gives verdict "error".

    With ``expect``, a package that is not that app gets the blocking finding ``identity_mismatch``."""
    from .formats import read_package

    check_declarations(declarations)
    started = time.monotonic()
    rules = default_ruleset()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    problem = preflight(path)
    if problem:
        return error_report(
            str(path), problem, rules_version=rules.version, duration_ms=elapsed(), kind="unreadable"
        )
    try:
        facts = read_package(path, rules.compile_interest(filing_number), limits)
    except PackageError as exc:
        sha256, size = file_identity(path)
        message = " ".join(str(exc).split()) or type(exc).__name__
        return error_report(
            str(path),
            message,
            rules_version=rules.version,
            sha256=sha256,
            size=size,
            duration_ms=elapsed(),
            kind=exc.kind,
        )
    report = evaluate_facts(
        facts, declarations=declarations, filing_number=filing_number, ruleset=rules, expect=expect
    )
    report.duration_ms = elapsed()
    return report
