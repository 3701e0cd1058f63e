"""Quality of the similar-apps service on the labelled set ``bench/similar_quality.txt``.

    PYTHONPATH=src python bench/similar_quality.py [--verbose]

Every app of the set is indexed; each app that has a duplicate in the set is a query (itself excluded).
Every app outside a query's group is, by construction, not its duplicate. Printed: the labelled pairs by
type, recall@10 (duplicates found in the top 10), precision@5 (duplicates in the top 5 over the number a
perfect ranking could place there, min(5, duplicates of the query)), the precision of the "likely
duplicate" flag (score >= STRONG_SCORE), how often a decoy or hard negative reaches the top 5, and the misses.
"""

from __future__ import annotations

import argparse
import itertools
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from govapp.consolidation.index import AppDocument, Query, SimilarityIndex

STRONG_SCORE = 0.6  # govapp.consolidation.reasons.STRONG_SCORE (no Django here)
KINDS = {"app": "app", "miniprogram": "mini_program", "quickapp": "quick_app"}
SET = Path(__file__).with_name("similar_quality.txt")


@dataclass(frozen=True)
class Labelled:
    docs: dict[str, AppDocument]
    groups: dict[str, list[str]]  # group -> duplicate members
    group_type: dict[str, str]
    duplicates: list[tuple[str, str, str]]  # (a, b, type)
    distinct: list[tuple[str, str, str]]


def load(path: Path = SET) -> Labelled:
    docs: dict[str, AppDocument] = {}
    groups: dict[str, list[str]] = {}
    group_type: dict[str, str] = {}
    decoys: dict[str, list[str]] = {}
    distinct: list[tuple[str, str, str]] = []
    group = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("="):
            group, kind = line[1:].split()
            group_type[group] = kind
            groups.setdefault(group, [])
            continue
        if line.startswith("~"):
            a, b = line[1:].split()
            distinct.append((a, b, "related_domain"))
            continue
        decoy = line.startswith("!")
        key, level, province, kind, name, functions = (part.strip() for part in line.lstrip("!").split("|"))
        docs[key] = AppDocument(key, name, functions, KINDS[kind], province, level)
        if decoy:
            decoys.setdefault(group, []).append(key)
        elif group_type[group] != "singles":
            groups[group].append(key)
    duplicates = [
        (a, b, group_type[g]) for g, members in groups.items() for a, b in itertools.combinations(members, 2)
    ]
    for g, keys in decoys.items():
        distinct.extend((member, key, "same_name_different_function") for key in keys for member in groups[g])
    return Labelled(docs, groups, group_type, duplicates, distinct)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--distractors", type=int, default=0, help="generated apps added to the index")
    args = parser.parse_args()
    data = load()
    index = SimilarityIndex()
    index.add_many(data.docs.values())
    if args.distractors:
        import random

        from similar_perf import generate

        index.add_many(generate(random.Random(7), args.distractors))
    group_of = {key: g for g, members in data.groups.items() for key in members}
    counts = Counter(t for *_p, t in data.duplicates) + Counter(t for *_p, t in data.distinct)
    print(
        f"apps {len(data.docs)}; labelled pairs {len(data.duplicates) + len(data.distinct)}: "
        + ", ".join(f"{t} {n}" for t, n in sorted(counts.items()))
    )
    found = total = 0
    p5_sum = 0.0
    queries = 0
    flagged = flagged_right = 0
    misses: list[str] = []
    top5: dict[str, list[str]] = {}
    dup_scores: list[float] = []
    other_best: list[float] = []
    for key, doc in data.docs.items():
        group = group_of.get(key)
        dups = set(data.groups[group]) - {key} if group else set()
        query = Query(name=doc.name, functions=doc.functions, kind=doc.kind, province=doc.province,
                      level=doc.level, exclude=frozenset([key]))  # fmt: skip
        matches = index.search(query, limit=10)
        ranked = [m.document.key for m in matches]
        top5[key] = ranked[:5]
        for m in matches:
            if m.score >= STRONG_SCORE:
                flagged += 1
                flagged_right += m.document.key in dups
                if m.document.key not in dups and args.verbose:
                    print(f"  flagged wrongly: {doc.name} -> {m.document.name} {m.score}")
        if not dups:
            continue
        dup_scores.extend(m.score for m in matches if m.document.key in dups)
        other_best.append(max((m.score for m in matches if m.document.key not in dups), default=0.0))
        queries += 1
        total += len(dups)
        hits = dups & set(ranked)
        found += len(hits)
        p5_sum += len(dups & set(ranked[:5])) / min(5, len(dups))
        for miss in sorted(dups - hits):
            misses.append(f"{doc.name} -> {data.docs[miss].name} ({data.group_type[group]})")  # type: ignore[index]

    def above_a_duplicate(a: str, b: str) -> bool:
        """b ranks in a's top 5 above one of a's duplicates (or a has none there)."""
        ranked = top5.get(a, [])
        if b not in ranked:
            return False
        dups = set(data.groups.get(group_of.get(a, ""), [])) - {a}
        first_dup = min((ranked.index(d) for d in dups if d in ranked), default=5)
        return ranked.index(b) < first_dup

    intruders = [(a, b, t) for a, b, t in data.distinct if above_a_duplicate(a, b) or above_a_duplicate(b, a)]
    print(
        f"queries {queries}; recall@10 {found / total:.3f} ({found}/{total}); precision@5 {p5_sum / queries:.3f}"
    )
    print(
        f"likely-duplicate flag (score >= {STRONG_SCORE}): {flagged} shown, precision "
        f"{flagged_right / max(flagged, 1):.3f}"
    )
    dup_scores.sort()
    other_best.sort()

    def q(values: list[float], share: float) -> float:
        return values[min(int(share * len(values)), len(values) - 1)] if values else 0.0

    print(
        f"scores of found duplicates: p10 {q(dup_scores, 0.1):.2f} median {q(dup_scores, 0.5):.2f}; best "
        f"non-duplicate per query: median {q(other_best, 0.5):.2f} p90 {q(other_best, 0.9):.2f}"
    )
    print(
        f"distinct pairs ranked in the top 5 above the query's duplicates: {len(intruders)}/{len(data.distinct)}"
    )
    for a, b, t in intruders:
        print(f"  top-5 intruder: {data.docs[a].name} / {data.docs[b].name} ({t})")
    print(f"misses (not in the top 10): {len(misses)}")
    for line in misses:
        print("  " + line)


if __name__ == "__main__":
    main()
