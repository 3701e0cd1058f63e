"""Scores of the detection benchmark: per category, micro and macro, errors listed, calibration.

Parts: ``dev`` (the shared corpus), ``tune`` and ``holdout`` (our additions), and ``low`` (entries
of any source whose labels are low confidence, kept out of the other three). Macro averages are
taken over the categories with at least one positive label in the part; a category with
positives and no detections has precision 0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corpus_tree import CATEGORIES, Entry

if TYPE_CHECKING:
    from detection import EntryResult

PARTS = ("dev", "tune", "holdout", "low")
PART_TITLES = {
    "dev": "shared dev corpus",
    "tune": "our additions, tuning part",
    "holdout": "our additions, holdout part",
    "low": "low-confidence entries (all sources)",
}
DETECTED = ("violation", "declared_exception")
BUCKET_WIDTH = 0.1
EVIDENCE_SHOWN = 3


def part_of(entry: Entry) -> str:
    if entry.confidence == "low":
        return "low"
    return entry.split


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def _prf(tp: int, fp: int, fn: int) -> dict[str, Any]:
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = None
    if precision is not None and recall is not None and precision + recall:
        f1 = 2 * precision * recall / (precision + recall)
    elif tp + fp + fn and not tp:
        f1 = 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "p": precision, "r": recall, "f1": f1}


def _evidence_of(finding: dict[str, Any]) -> list[str]:
    shown = []
    for item in finding.get("evidence", [])[:EVIDENCE_SHOWN]:
        location = str(item.get("location") or "").replace("line ", "")
        snippet = " ".join(str(item.get("snippet") or "").split())[:90]
        shown.append(f"{item.get('file')}:{location} `{snippet}`")
    return shown


def _best(findings: list[dict[str, Any]], category: str) -> dict[str, Any] | None:
    of_category = [f for f in findings if f["category"] == category]
    return max(of_category, key=lambda f: (f["status"] in DETECTED, f["confidence"]), default=None)


def score(results: list[EntryResult], *, part: str) -> dict[str, Any]:
    """Everything the tables show for one part, as JSON-ready data."""
    chosen = [r for r in results if part_of(r.entry) == part]
    counts = {category: {"tp": 0, "fp": 0, "fn": 0, "positives": 0} for category in CATEGORIES}
    false_positives: list[dict[str, Any]] = []
    false_negatives: list[dict[str, Any]] = []
    for result in chosen:
        entry = result.entry
        detected = result.detected
        for category in CATEGORIES:
            labelled = category in entry.positives
            found = category in detected
            counts[category]["positives"] += labelled
            best = _best(result.findings, category)
            if labelled and found:
                counts[category]["tp"] += 1
            elif found:
                counts[category]["fp"] += 1
                assert best is not None
                false_positives.append(
                    {
                        "entry": entry.key,
                        "category": category,
                        "rule": best["rule"],
                        "status": best["status"],
                        "confidence": best["confidence"],
                        "evidence": _evidence_of(best),
                        "counter_evidence": list(
                            (entry.raw.get("counter_evidence") or {}).get(_label(category), [])
                        ),
                    }
                )
            elif labelled:
                counts[category]["fn"] += 1
                false_negatives.append(
                    {
                        "entry": entry.key,
                        "category": category,
                        "label_evidence": entry.evidence.get(category, []),
                        "engine": _why_missed(result, best),
                    }
                )
    per_category = {
        category: {**_prf(c["tp"], c["fp"], c["fn"]), "positives": c["positives"]}
        for category, c in counts.items()
    }
    micro = _prf(*(sum(c[key] for c in counts.values()) for key in ("tp", "fp", "fn")))
    with_positives = [per_category[c] for c in CATEGORIES if counts[c]["positives"]]
    macro = {
        key: (
            sum(row[key] or 0.0 for row in with_positives) / len(with_positives) if with_positives else None
        )
        for key in ("p", "r", "f1")
    }
    return {
        "title": PART_TITLES[part],
        "entries": len(chosen),
        "entries_with_positives": sum(1 for r in chosen if r.entry.positives),
        "per_category": per_category,
        "micro": micro,
        "macro": macro,
        "false_positives": false_positives,
        "false_negatives": false_negatives,
        "not_analysed": [
            {"entry": r.entry.key, "platform": r.entry.platform, "why": r.crash or r.error}
            for r in chosen
            if r.crash or r.error
        ],
        "calibration": calibration(chosen),
    }


def _label(category: str) -> str:
    return "engagement_metrics_eval" if category == "engagement_metrics" else category


def _why_missed(result: EntryResult, best: dict[str, Any] | None) -> str:
    if result.crash:
        return f"engine crashed: {result.crash}"
    if result.error:
        return f"not analysed: {result.error[:160]}"
    if best is None:
        return "no finding in this category"
    evidence = "; ".join(_evidence_of(best)[:2])
    return f"{best['status']} at {best['confidence']:.2f} ({best['rule']}): {evidence}"


def calibration(results: list[EntryResult]) -> list[dict[str, Any]]:
    """Findings of every status bucketed by confidence; right = the entry is labelled so."""
    buckets: dict[int, dict[str, int]] = {}
    for result in results:
        for finding in result.findings:
            index = min(int(round(finding["confidence"], 2) / BUCKET_WIDTH + 1e-9), int(1 / BUCKET_WIDTH) - 1)
            bucket = buckets.setdefault(
                index, {"findings": 0, "right": 0, "detections": 0, "detections_right": 0}
            )
            right = finding["category"] in result.entry.positives
            bucket["findings"] += 1
            bucket["right"] += right
            if finding["status"] in DETECTED:
                bucket["detections"] += 1
                bucket["detections_right"] += right
    return [
        {
            "low": round(index * BUCKET_WIDTH, 1),
            "high": round((index + 1) * BUCKET_WIDTH, 1),
            **bucket,
            "share_right": _ratio(bucket["right"], bucket["findings"]),
        }
        for index, bucket in sorted(buckets.items())
    ]


def merged_calibration(scores: dict[str, dict[str, Any]], parts: tuple[str, ...]) -> list[dict[str, Any]]:
    """One calibration table over several parts."""
    merged: dict[float, dict[str, Any]] = {}
    for part in parts:
        for row in scores[part]["calibration"]:
            into = merged.setdefault(
                row["low"],
                {
                    "low": row["low"],
                    "high": row["high"],
                    "findings": 0,
                    "right": 0,
                    "detections": 0,
                    "detections_right": 0,
                },
            )
            for key in ("findings", "right", "detections", "detections_right"):
                into[key] += row[key]
    rows = [merged[key] for key in sorted(merged)]
    for row in rows:
        row["share_right"] = _ratio(row["right"], row["findings"])
    return rows
