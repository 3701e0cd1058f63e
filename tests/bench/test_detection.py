"""The detection benchmark's scoring, its docs section and the corpus extraction (bench/)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from corpus_tree import extract_commit, how_to_bring, missing_entries, parse_entry  # noqa: E402
from detection import EntryResult  # noqa: E402
from detection_report import SECTION, replace_docs_section  # noqa: E402
from detection_score import score  # noqa: E402

LABELS = (
    "checkin",
    "ranking",
    "online_time",
    "engagement_metrics_eval",
    "forced_upload",
    "location_tracking",
    "forced_login",
    "forced_download",
)


def entry(repo: str, positives: set[str], *, confidence: str = "high", split: str | None = None) -> Any:
    raw: dict[str, Any] = {
        "repo": repo,
        "commit": "a" * 40,
        "subdir": "",
        "labels": {label: label in positives for label in LABELS},
        "evidence": {label: [f"pages/{label}.js: it is there"] for label in positives},
        "confidence": confidence,
    }
    if split:
        raw["split"] = split
    return parse_entry(raw, source="additions" if split else "shared")


def finding(category: str, status: str, confidence: float) -> dict[str, Any]:
    return {
        "rule": f"R-{category}",
        "category": category,
        "status": status,
        "confidence": confidence,
        "evidence": [{"file": "pages/a.js", "location": "line 3", "snippet": "wx.getLocation()"}],
    }


def test_score_counts_detections_only_and_maps_the_engagement_label() -> None:
    first = EntryResult(
        entry=entry("o/first", {"checkin", "engagement_metrics_eval"}),
        findings=[
            finding("checkin", "violation", 0.9),
            finding("engagement_metrics", "declared_exception", 0.8),
            finding("ranking", "advisory", 0.55),  # advisories are not detections
        ],
    )
    second = EntryResult(
        entry=entry("o/second", {"ranking"}),
        findings=[finding("location_tracking", "violation", 0.7)],
    )
    part = score([first, second], part="dev")
    rows = part["per_category"]
    assert (rows["checkin"]["tp"], rows["engagement_metrics"]["tp"]) == (1, 1)
    assert (rows["ranking"]["tp"], rows["ranking"]["fn"], rows["ranking"]["fp"]) == (0, 1, 0)
    assert rows["location_tracking"]["fp"] == 1
    assert (part["micro"]["tp"], part["micro"]["fp"], part["micro"]["fn"]) == (2, 1, 1)
    # Macro over the three categories with a positive: checkin 1, engagement 1, ranking 0.
    assert part["macro"]["f1"] == pytest.approx(2 / 3)
    [miss] = part["false_negatives"]
    assert miss["category"] == "ranking" and miss["engine"] == "no finding in this category"
    [false_alarm] = part["false_positives"]
    assert false_alarm["evidence"] == ["pages/a.js:3 `wx.getLocation()`"]


def test_low_confidence_entries_are_scored_apart_and_errors_are_no_detections() -> None:
    low = EntryResult(entry=entry("o/low", {"checkin"}, confidence="low", split="tune"))
    refused = EntryResult(entry=entry("o/h5", {"ranking"}, split="holdout"), error="not mini-program source")
    results = [low, refused]
    assert score(results, part="tune")["entries"] == 0
    assert score(results, part="low")["micro"]["fn"] == 1
    holdout = score(results, part="holdout")
    assert holdout["micro"]["fn"] == 1
    assert holdout["not_analysed"][0]["entry"] == "o/h5@aaaaaaaaaaaa"
    assert holdout["false_negatives"][0]["engine"].startswith("not analysed")


def test_calibration_buckets_by_confidence_with_the_share_right() -> None:
    result = EntryResult(
        entry=entry("o/cal", {"checkin"}),
        findings=[finding("checkin", "violation", 0.95), finding("ranking", "advisory", 0.5)],
    )
    rows = {row["low"]: row for row in score([result], part="dev")["calibration"]}
    assert rows[0.9]["share_right"] == 1.0 and rows[0.9]["detections_right"] == 1
    assert rows[0.5]["share_right"] == 0.0 and rows[0.5]["detections"] == 0


def test_docs_section_is_replaced_in_place_or_appended_at_the_end() -> None:
    other = "# Benchmarks\n\n## Large APK\n\nnumbers\n"
    appended = replace_docs_section(other, f"{SECTION}\n\nfirst\n")
    assert appended == other + f"\n{SECTION}\n\nfirst\n"
    replaced = replace_docs_section(appended + "\n## Later\n\nkept\n", f"{SECTION}\n\nsecond\n")
    assert "first" not in replaced and "second" in replaced
    assert replaced.startswith(other) and replaced.endswith("## Later\n\nkept\n")


def test_missing_folders_are_named_with_how_to_bring_them(tmp_path: Path) -> None:
    present, absent = entry("o/present", set()), entry("o/absent", set())
    (tmp_path / present.folder_name).mkdir()
    missing = missing_entries([present, absent], tmp_path)
    assert missing == [absent]
    message = how_to_bring(missing, tmp_path)
    assert "o/absent @ " + "a" * 40 in message and "corpus_tree.py extract" in message


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_extraction_falls_back_to_blobs_when_the_snapshot_lacks_one(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "pages").mkdir(parents=True)
    (repo / "app.json").write_text('{"pages": ["pages/index"]}')
    (repo / "pages" / "big.bin").write_bytes(b"\0" * 64)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "x")
    commit = git(repo, "rev-parse", "HEAD")
    whole = tmp_path / "whole"
    assert extract_commit(repo / ".git", commit, whole) == []
    assert (whole / "pages" / "big.bin").read_bytes() == b"\0" * 64
    # A snapshot without its largest files: the blob's loose object is gone.
    blob = git(repo, "rev-parse", f"{commit}:pages/big.bin")
    (repo / ".git" / "objects" / blob[:2] / blob[2:]).unlink()
    partial = tmp_path / "partial"
    assert extract_commit(repo / ".git", commit, partial) == ["pages/big.bin"]
    assert (partial / "app.json").read_text() == '{"pages": ["pages/index"]}'
    assert not (partial / "pages" / "big.bin").exists()
