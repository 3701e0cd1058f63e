"""Detection quality on real code: scan every labelled corpus entry and score it (``make bench-detection``).

Reads the shared dev corpus (``../shared/corpus/miniprograms-dev.json``, or ``$GOVAPP_SHARED_CORPUS``)
and our additions (``bench/corpus/additions.json``), scans each entry's ``subdir`` in this process
with ``scan_package`` (what ``govapp scan --no-sandbox`` runs), and scores per category. A detection
is a finding with status ``violation`` or ``declared_exception``; advisories are not detections but
are shown beside the misses and in the calibration table.

    .venv/bin/python bench/detection.py [--json FILE] [--write-docs] [--missing] [--only REPO]

Exit 0 when measured, 2 when corpus folders are missing (the message says how to bring them),
1 with ``--missing`` when something is missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus_tree import (  # noqa: E402
    ADDITIONS,
    CATEGORIES,
    REPO_ROOT,
    Entry,
    corpus_dir,
    how_to_bring,
    load_entries,
    missing_entries,
    shared_file,
)
from detection_report import render_markdown, replace_docs_section  # noqa: E402
from detection_score import PARTS, part_of, score  # noqa: E402

DETECTED = ("violation", "declared_exception")
DOCS = REPO_ROOT / "docs" / "benchmarks.md"
SCAN_TIMEOUT_S = 300


@dataclass
class EntryResult:
    entry: Entry
    findings: list[dict[str, Any]] = field(default_factory=list)  # formalism categories only
    error: str | None = None  # the report's error (an H5 refused as unsupported lands here)
    error_kind: str | None = None
    crash: str | None = None  # the engine raised or ran out of time
    seconds: float = 0.0

    @property
    def detected(self) -> set[str]:
        return {f["category"] for f in self.findings if f["status"] in DETECTED}


class _ScanTimeout(BaseException):
    # BaseException, so that engine code catching Exception cannot swallow the alarm.
    pass


def _alarm(signum: int, frame: FrameType | None) -> None:
    raise _ScanTimeout


def scan_entry(entry: Entry, root: Path) -> EntryResult:
    """Scan one entry in-process; a crash or a timeout is recorded, not raised."""
    from govapp.inspection.engine.scan import scan_package

    path = root / entry.folder_name / entry.subdir
    result = EntryResult(entry=entry)
    started = time.monotonic()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(SCAN_TIMEOUT_S)
    try:
        report = scan_package(path).to_dict()
    except _ScanTimeout:
        result.crash = f"timeout after {SCAN_TIMEOUT_S} s"
        return result
    except Exception as exc:  # noqa: BLE001 - the benchmark records engine crashes and goes on
        result.crash = f"{type(exc).__name__}: {exc}"
        print(traceback.format_exc(), file=sys.stderr)
        return result
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
        result.seconds = time.monotonic() - started
    if report.get("errors"):
        result.error = " ".join(str(report["errors"][0]).split())
        result.error_kind = report.get("error_kind")
    result.findings = [f for f in report.get("findings", []) if f.get("category") in CATEGORIES]
    return result


def measured_commit() -> str:
    """The checkout's short commit and the last commit that changed src/ (the engine and its rules)."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(REPO_ROOT), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    engine = git("log", "-1", "--format=%h", "--", "src") or "unknown"
    described = head if engine == head else f"{head} (src/ as of {engine})"
    # Uncommitted engine or rule changes make the figures those of no commit at all.
    return (
        f"{described} with uncommitted changes in src/"
        if git("status", "--porcelain", "--", "src")
        else described
    )


def result_to_dict(result: EntryResult) -> dict[str, Any]:
    entry = result.entry
    return {
        "repo": entry.repo,
        "commit": entry.commit,
        "subdir": entry.subdir,
        "source": entry.source,
        "split": entry.split,
        "part": part_of(entry),
        "platform": entry.platform,
        "confidence": entry.confidence,
        "labels": sorted(entry.positives),
        "detected": sorted(result.detected),
        "error": result.error,
        "error_kind": result.error_kind,
        "crash": result.crash,
        "seconds": round(result.seconds, 2),
        "findings": [
            {
                "rule": f["rule"],
                "category": f["category"],
                "status": f["status"],
                "confidence": f["confidence"],
                "evidence": [
                    {"file": e.get("file"), "location": e.get("location"), "snippet": e.get("snippet")}
                    for e in f.get("evidence", [])
                ],
            }
            for f in result.findings
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every result and score as JSON")
    parser.add_argument("--write-docs", action="store_true", help=f"replace the section in {DOCS.name}")
    parser.add_argument("--missing", action="store_true", help="only list missing corpus folders")
    parser.add_argument("--only", action="append", default=[], metavar="REPO", help="scan only OWNER/NAME")
    parser.add_argument("--shared", type=Path, default=shared_file(), help="the shared corpus file")
    parser.add_argument("--additions", type=Path, default=ADDITIONS, help="our additions file")
    args = parser.parse_args(argv)

    if not args.shared.is_file():
        print(
            f"bench-detection: the shared corpus file {args.shared} does not exist (set GOVAPP_SHARED_CORPUS)",
            file=sys.stderr,
        )
        return 2
    entries = load_entries(shared=args.shared, additions=args.additions)
    if args.only:
        entries = [entry for entry in entries if entry.repo in args.only]
    root = corpus_dir()
    missing = missing_entries(entries, root)
    if args.missing:
        print(how_to_bring(missing, root) if missing else f"all {len(entries)} corpus folders are in {root}")
        return 1 if missing else 0
    if missing:
        print(f"bench-detection: {how_to_bring(missing, root)}", file=sys.stderr)
        return 2

    sys.path.insert(0, str(REPO_ROOT / "src"))
    results: list[EntryResult] = []
    for number, entry in enumerate(entries, 1):
        result = scan_entry(entry, root)
        results.append(result)
        state = result.crash or (
            f"error: {result.error[:80]}" if result.error else ", ".join(sorted(result.detected)) or "-"
        )
        print(
            f"[{number}/{len(entries)}] {entry.key} {result.seconds:.1f}s: {state}",
            file=sys.stderr,
            flush=True,
        )

    scores = {part: score(results, part=part) for part in PARTS}
    meta = {
        "commit": measured_commit(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": "make bench-detection DETECTION_ARGS=--write-docs",
        "entries": len(results),
        "shared_file": str(args.shared),
        "additions_file": str(args.additions.relative_to(REPO_ROOT))
        if args.additions.is_relative_to(REPO_ROOT)
        else str(args.additions),
    }
    markdown = render_markdown(meta=meta, scores=scores, results=results)
    print(markdown)
    tables = render_markdown(meta=meta, scores=scores, results=results, with_errors=False)
    if args.json:
        payload = {"meta": meta, "scores": scores, "results": [result_to_dict(r) for r in results]}
        args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.write_docs:
        DOCS.write_text(replace_docs_section(DOCS.read_text("utf-8"), tables), encoding="utf-8")
        print(f"bench-detection: wrote the section into {DOCS.relative_to(REPO_ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
