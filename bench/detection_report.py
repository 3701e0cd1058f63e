"""The markdown of the detection benchmark, and its section at the end of docs/benchmarks.md."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from corpus_tree import CATEGORIES
from detection_score import PARTS, merged_calibration

if TYPE_CHECKING:
    from detection import EntryResult

SECTION = "## Detection on real code"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def _score_table(part: dict[str, Any]) -> list[str]:
    lines = [
        "| category | positives | TP | FP | FN | P | R | F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for category in CATEGORIES:
        row = part["per_category"][category]
        if not (row["positives"] or row["fp"]):
            continue
        lines.append(
            f"| {category} | {row['positives']} | {row['tp']} | {row['fp']} | {row['fn']} | "
            f"{_num(row['p'])} | {_num(row['r'])} | {_num(row['f1'])} |"
        )
    micro, macro = part["micro"], part["macro"]
    lines.append(
        f"| **micro** | {micro['tp'] + micro['fn']} | {micro['tp']} | {micro['fp']} | {micro['fn']} | "
        f"**{_num(micro['p'])}** | **{_num(micro['r'])}** | **{_num(micro['f1'])}** |"
    )
    lines.append(f"| macro | | | | | {_num(macro['p'])} | {_num(macro['r'])} | {_num(macro['f1'])} |")
    return lines


def _summary_table(scores: dict[str, dict[str, Any]]) -> list[str]:
    lines = [
        "| part | entries | with a positive | TP | FP | FN | micro P | micro R | micro F1 | macro F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in PARTS:
        part = scores[key]
        micro = part["micro"]
        lines.append(
            f"| {part['title']} | {part['entries']} | {part['entries_with_positives']} | {micro['tp']} | "
            f"{micro['fp']} | {micro['fn']} | {_num(micro['p'])} | {_num(micro['r'])} | {_num(micro['f1'])} | "
            f"{_num(part['macro']['f1'])} |"
        )
    return lines


def _calibration_table(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| confidence | findings | right | share right | of them detections | detections right |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        lines.append(
            f"| {row['low']:.1f}–{row['high']:.1f} | {row['findings']} | {row['right']} | "
            f"{_num(row['share_right'])} | {row['detections']} | {row['detections_right']} |"
        )
    return lines


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _error_lists(part: dict[str, Any], *, with_errors: bool) -> list[str]:
    lines: list[str] = []
    if with_errors and part["false_positives"]:
        lines += ["", "False positives (the finding's first evidence):", ""]
        for item in part["false_positives"]:
            evidence = "; ".join(item["evidence"]) or "no evidence"
            lines.append(
                f"- {item['entry']} **{item['category']}** ({item['rule']}, {item['status']} "
                f"{item['confidence']:.2f}): {_cell(evidence)}"
            )
    if with_errors and part["false_negatives"]:
        lines += ["", "False negatives (the label's evidence → what the engine said):", ""]
        for item in part["false_negatives"]:
            evidence = "; ".join(item["label_evidence"]) or "no evidence given"
            lines.append(
                f"- {item['entry']} **{item['category']}**: {_cell(evidence)} → {_cell(item['engine'])}"
            )
    if part["not_analysed"]:
        lines += ["", "Not analysed (counted as no detections):", ""]
        for item in part["not_analysed"]:
            lines.append(f"- {item['entry']} ({item['platform']}): {_cell(str(item['why'])[:200])}")
    return lines


def render_markdown(
    *,
    meta: dict[str, Any],
    scores: dict[str, dict[str, Any]],
    results: list[EntryResult],
    with_errors: bool = True,
) -> str:
    """The whole section, heading included; ``with_errors`` adds every false positive and miss."""
    lines = [
        SECTION,
        "",
        f"Engine at commit {meta['commit']}, measured {meta['date']} on {meta['entries']} labelled real projects: "
        f"`{meta['command']}` (= `.venv/bin/python bench/detection.py --write-docs`).",
        "",
        "The labels come from reading each project's code under `../shared/categories.md`: the shared dev "
        f"corpus (`../shared/corpus/miniprograms-dev.json`) and our additions (`{meta['additions_file']}`, "
        "see `bench/corpus/README.md`; the holdout part is never looked at while tuning, and is the figure "
        "to quote). The code is extracted outside the repository (`bench/fetch_corpus.md`).",
        "",
        "A detection is a finding with status `violation` or `declared_exception` in one of the eight "
        "formalism categories; an advisory is not. Macro averages are over the categories with at least "
        "one positive in the part. Low-confidence entries are scored apart.",
        *(
            []
            if with_errors
            else [
                "Every false positive (with the finding's evidence) and every miss (with the label's "
                "evidence and what the engine said) is printed by the command and kept in its `--json` output."
            ]
        ),
        "",
        "### Summary",
        "",
        *_summary_table(scores),
    ]
    for key in PARTS:
        part = scores[key]
        lines += ["", f"### {part['title'][0].upper()}{part['title'][1:]} ({part['entries']} entries)", ""]
        if not part["entries"]:
            lines.append("No entries.")
            continue
        lines += _score_table(part)
        lines += _error_lists(part, with_errors=with_errors)
    lines += [
        "",
        "### Calibration",
        "",
        "Every formalism finding (advisories too) of the entries that are not low confidence, by the "
        "engine's confidence; right = the entry is labelled positive for the finding's category.",
        "",
        *_calibration_table(merged_calibration(scores, ("dev", "tune", "holdout"))),
        "",
        "Holdout part only:",
        "",
        *_calibration_table(scores["holdout"]["calibration"]),
    ]
    slow = sorted(results, key=lambda r: -r.seconds)[:3]
    total = sum(r.seconds for r in results)
    lines += [
        "",
        f"Scan time: {total:.0f} s for all entries in one process; slowest "
        + ", ".join(f"{r.entry.key} {r.seconds:.1f} s" for r in slow)
        + ".",
        "",
    ]
    return "\n".join(lines)


def replace_docs_section(document: str, section: str) -> str:
    """``document`` with our section replaced (up to the next ``## `` heading) or appended at the end."""
    lines = document.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip() == SECTION), None)
    if start is None:
        return document.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section.rstrip("\n") + "\n" + ("\n" + tail if tail else "")
