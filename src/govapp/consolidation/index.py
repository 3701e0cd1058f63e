"""An in-memory index of apps for "which apps already do this?" (立项审核, filing review, 瘦身).

Pure Python with numpy, no Django: documents are added, replaced and removed one at a time (every
filing change updates one document), and a query is a TF-IDF dot product over the inverted index,
accumulated with ``numpy.bincount``, then the best candidates are re-ranked with what a reviewer
weighs: the same function words, the same name stem, the same kind, region and level, the same SDKs,
endpoints and pages. Every match says why.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from . import text

# How much each part of a description counts in the first, lexical pass.
FIELD_WEIGHTS = {"n": 1.5, "f": 1.0, "s": 0.6, "d": 0.8, "r": 0.5, "c": 0.3}
CANDIDATES = 200  # re-ranked per query: far more than a page of results, far fewer than the index


@dataclass(frozen=True)
class AppDocument:
    """What the index knows about one app; ``key`` is unique ("app:12", "legacy:7", "complaint:3")."""

    key: str
    name: str
    functions: str = ""
    kind: str = ""
    province: str = ""
    level: str = ""
    unit: str = ""
    state: str = ""
    sdks: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    routes: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Query:
    name: str = ""
    functions: str = ""
    kind: str = ""
    province: str = ""
    level: str = ""
    sdks: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    routes: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()  # keys not to return (the app being filed itself)


@dataclass(frozen=True)
class Reason:
    """One reason a candidate matches: a machine code and the evidence, for any language to render."""

    code: str  # shared_functions | same_name_stem | similar_name | same_kind | same_region | same_level
    #            | same_sdks | same_domains | same_routes
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    document: AppDocument
    score: float  # 0..1
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def _weighted_terms(doc: AppDocument | Query) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for term, n in text.terms(doc.name).items():
        counts["n" + term] += n
    for term, n in text.terms(doc.functions).items():
        counts["f" + term] += n
    counts.update(text.tokens_of(doc.sdks, "s:"))
    counts.update(text.tokens_of(doc.domains, "d:"))
    counts.update(text.tokens_of(doc.routes, "r:"))
    counts.update(text.tokens_of(getattr(doc, "categories", ()), "c:"))
    return {term: FIELD_WEIGHTS[term[0]] * (1.0 + math.log(n)) for term, n in counts.items()}


class SimilarityIndex:
    """Inverted index over term ids; postings are Python lists, frozen into numpy arrays on demand."""

    def __init__(self) -> None:
        self._docs: list[AppDocument | None] = []
        self._doc_terms: list[dict[int, float]] = []
        self._by_key: dict[str, int] = {}
        self._term_ids: dict[str, int] = {}
        self._postings: list[list[tuple[int, float]]] = []
        self._frozen: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._df: list[int] = []
        self._live = 0

    def __len__(self) -> int:
        return self._live

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def get(self, key: str) -> AppDocument | None:
        slot = self._by_key.get(key)
        return None if slot is None else self._docs[slot]

    # ------------------------------------------------------------------ writes

    def add(self, doc: AppDocument) -> None:
        """Add ``doc``, replacing the document with the same key."""
        self.remove(doc.key)
        slot = len(self._docs)
        weights: dict[int, float] = {}
        for term, weight in _weighted_terms(doc).items():
            term_id = self._term_ids.get(term)
            if term_id is None:
                term_id = self._term_ids[term] = len(self._postings)
                self._postings.append([])
                self._df.append(0)
            self._postings[term_id].append((slot, weight))
            self._df[term_id] += 1
            self._frozen.pop(term_id, None)
            weights[term_id] = weight
        self._docs.append(doc)
        self._doc_terms.append(weights)
        self._by_key[doc.key] = slot
        self._live += 1

    def add_many(self, docs: Iterable[AppDocument]) -> None:
        for doc in docs:
            self.add(doc)

    def remove(self, key: str) -> None:
        """Forget ``key`` (a tombstone: its postings are skipped, its document frequency no longer counts)."""
        slot = self._by_key.pop(key, None)
        if slot is None:
            return
        for term_id in self._doc_terms[slot]:
            self._df[term_id] -= 1
        self._docs[slot] = None
        self._doc_terms[slot] = {}
        self._live -= 1

    # ------------------------------------------------------------------ reads

    def _idf(self, term_id: int) -> float:
        return math.log(1.0 + self._live / (1.0 + self._df[term_id]))

    def _norm(self, slot: int) -> float:
        weights = self._doc_terms[slot]
        return math.sqrt(sum((w * self._idf(t)) ** 2 for t, w in weights.items())) or 1.0

    def _arrays(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        frozen = self._frozen.get(term_id)
        if frozen is None:
            postings = self._postings[term_id]
            slots = np.fromiter((s for s, _w in postings), dtype=np.int64, count=len(postings))
            weights = np.fromiter((w for _s, w in postings), dtype=np.float64, count=len(postings))
            frozen = self._frozen[term_id] = (slots, weights)
        return frozen

    def search(self, query: Query, *, limit: int = 10, min_score: float = 0.05) -> list[Match]:
        """The ``limit`` documents most like ``query``, best first, each with its score and reasons."""
        if not self._live:
            return []
        query_terms = [
            (term_id, weight * self._idf(term_id))
            for term, weight in _weighted_terms(query).items()
            if (term_id := self._term_ids.get(term)) is not None and self._df[term_id] > 0
        ]
        if not query_terms:
            return []
        slot_parts, weight_parts = [], []
        for term_id, q_weight in query_terms:
            slots, weights = self._arrays(term_id)
            slot_parts.append(slots)
            weight_parts.append(weights * (q_weight * self._idf(term_id)))
        scores = np.bincount(
            np.concatenate(slot_parts), weights=np.concatenate(weight_parts), minlength=len(self._docs)
        )
        top = min(CANDIDATES, int(np.count_nonzero(scores)))
        if top == 0:
            return []
        candidates = np.argpartition(-scores, top - 1)[:top]
        q_norm = math.sqrt(sum(w * w for _t, w in query_terms)) or 1.0
        matches: list[Match] = []
        for slot in candidates.tolist():
            doc = self._docs[slot]
            if doc is None or doc.key in query.exclude:
                continue
            lexical = float(scores[slot]) / (q_norm * self._norm(slot))
            match = _rerank(query, doc, lexical)
            if match.score >= min_score:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.document.key))
        return matches[:limit]


def _shared_words(a: str, b: str, limit: int = 6) -> tuple[str, ...]:
    other = set(text.words(b))
    seen: list[str] = []
    for word in text.words(a):
        if word in other and word not in seen:
            seen.append(word)
    return tuple(seen[:limit])


def _rerank(query: Query, doc: AppDocument, lexical: float) -> Match:
    """The reviewer's view of a candidate: lexical similarity plus the facts that make a duplicate."""
    reasons: list[Reason] = []
    score = 0.55 * min(lexical, 1.0)
    shared = _shared_words(query.functions, doc.functions) if query.functions else ()
    if shared:
        reasons.append(Reason("shared_functions", shared))
    stem_q, stem_d = text.name_stem(query.name), text.name_stem(doc.name)
    if query.name and stem_q and stem_q == stem_d:
        score += 0.15
        reasons.append(Reason("same_name_stem", (stem_d,)))
    elif query.name:
        ratio = fuzz.token_set_ratio(text.normalise(query.name), text.normalise(doc.name)) / 100
        if ratio >= 0.6:
            score += 0.15 * ratio
            reasons.append(Reason("similar_name", (doc.name,)))
    if query.kind and query.kind == doc.kind:
        score += 0.05
        reasons.append(Reason("same_kind", (doc.kind,)))
    if query.province and query.province == doc.province:
        score += 0.07
        reasons.append(Reason("same_region", (doc.province,)))
    if query.level and query.level == doc.level:
        score += 0.03
        reasons.append(Reason("same_level", (doc.level,)))
    for code, mine, theirs, bonus in (
        ("same_sdks", query.sdks, doc.sdks, 0.05),
        ("same_domains", query.domains, doc.domains, 0.1),
        ("same_routes", query.routes, doc.routes, 0.05),
    ):
        common = sorted(mine & theirs)
        if common:
            score += bonus * len(common) / max(len(mine), 1)
            reasons.append(Reason(code, tuple(common[:5])))
    return Match(document=doc, score=round(min(score, 1.0), 4), reasons=tuple(reasons))
