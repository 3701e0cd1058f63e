"""An in-memory index of apps for "which apps already do this?" (立项审核, filing review, 瘦身).

Pure Python with numpy, no Django: documents are added, replaced and removed one at a time (every
filing change updates one document), and a query is a cosine over TF-IDF weights accumulated from
the inverted index with ``numpy.bincount``; the best candidates are then re-ranked with what a reviewer
weighs: the same function words, the same name stem, the same kind, region and level, the same SDKs,
endpoints and pages. Every match says why.

Costs (docs/benchmarks.md, "Similar apps"): postings are compact ``array`` columns (8 bytes a posting)
frozen into numpy on first use; a document keeps its term ids and weights, its name stem and nothing
else, so that re-ranking needs no tokeniser; document norms are cached and recomputed over the whole
index only when the number of documents changed by more than ``NORM_REFRESH_SHARE`` since.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from . import text
from .terms import Analysed, analyse

CANDIDATES = 50  # re-ranked per query: five pages of results, a tiny share of the index
# A term in more than this share of the documents says nothing a query can rank by (for example a
# province's name in every app of that province); it is skipped unless it is all the query has.
MAX_DF_SHARE = 0.2
NORM_REFRESH_SHARE = 0.1  # recompute every norm when the index grew or shrank by 10 % since
COMPACT_SHARE = 0.25  # rebuild the postings when a quarter of the slots are removed documents
# idf as if the index held at least this many apps: in a small register (a new province, a test) every
# shared word would otherwise count for almost nothing, and scores would depend on the register's size.
IDF_FLOOR_DOCS = 1000
IDF_UNSEEN = math.log1p(IDF_FLOOR_DOCS)  # a query word no app has
# The re-ranked score: lexical cosine, overlap of the function words, then name and context bonuses.
LEXICAL_WEIGHT = 0.35
FUNCTIONS_WEIGHT = 0.4


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
    unit_id: int | None = None
    public: bool = False  # in the public register: anyone signed in may be shown it


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
    categories: frozenset[str] = frozenset()
    exclude: frozenset[str] = frozenset()  # keys not to return (the app being filed itself)


@dataclass(frozen=True)
class Reason:
    """One reason a candidate matches: a machine code and the evidence, for any language to render."""

    code: str  # shared_functions | same_name_stem | similar_name | same_kind | same_region | same_level
    #            | same_sdks | same_domains | same_routes | same_categories
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    document: AppDocument
    score: float  # 0..1
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Stored:
    """A document with what re-ranking needs precomputed at add time."""

    doc: AppDocument
    term_ids: np.ndarray  # int32, sorted
    weights: np.ndarray  # float32, aligned with term_ids
    function_ids: tuple[int, ...]  # term ids of the function words (a tuple: a tenth of a set's memory)
    stem: str
    name: str  # normalised


@dataclass(frozen=True)
class _QueryWords:
    weights: dict[str, tuple[int, float]]  # word -> (term id or -1, idf)
    total: float


class SimilarityIndex:
    """Inverted index over term ids with tombstones for removed documents."""

    def __init__(self) -> None:
        self._slots: list[_Stored | None] = []
        self._by_key: dict[str, int] = {}
        self._term_ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._post_slots: list[array] = []  # per term: slots ('i')
        self._post_weights: list[array] = []  # per term: raw weights ('f')
        self._frozen: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._df = np.zeros(1024, dtype=np.int32)
        self._live = 0
        self._norms = np.zeros(0, dtype=np.float32)
        self._norms_at = -1  # the live count the whole norm column was computed for

    def __len__(self) -> int:
        return self._live

    def __contains__(self, key: str) -> bool:
        return key in self._by_key

    def get(self, key: str) -> AppDocument | None:
        slot = self._by_key.get(key)
        stored = None if slot is None else self._slots[slot]
        return None if stored is None else stored.doc

    def keys(self) -> list[str]:
        return list(self._by_key)

    # ------------------------------------------------------------------ writes

    def _term_id(self, term: str) -> int:
        term_id = self._term_ids.get(term)
        if term_id is None:
            term_id = self._term_ids[term] = len(self._terms)
            self._terms.append(term)
            self._post_slots.append(array("i"))
            self._post_weights.append(array("f"))
            if term_id >= len(self._df):
                self._df = np.concatenate([self._df, np.zeros(len(self._df), dtype=np.int32)])
        return term_id

    def add(self, doc: AppDocument, analysed: Analysed | None = None) -> None:
        """Add ``doc``, replacing the document with the same key."""
        self.remove(doc.key)
        analysed = analysed or analyse(doc)
        slot = len(self._slots)
        ids = np.fromiter((self._term_id(t) for t in analysed.weights), dtype=np.int32)
        weights = np.fromiter(analysed.weights.values(), dtype=np.float32, count=len(ids))
        order = np.argsort(ids)
        ids, weights = ids[order], weights[order]
        for term_id, weight in zip(ids.tolist(), weights.tolist(), strict=True):
            self._post_slots[term_id].append(slot)
            self._post_weights[term_id].append(weight)
            self._frozen.pop(term_id, None)
        self._df[ids] += 1
        function_ids = tuple(self._term_ids["fw:" + w] for w in analysed.function_words)
        self._slots.append(_Stored(doc, ids, weights, function_ids, analysed.stem, analysed.name))
        self._by_key[doc.key] = slot
        self._live += 1

    def add_many(self, docs: Iterable[AppDocument]) -> None:
        for doc in docs:
            self.add(doc)

    def remove(self, key: str) -> None:
        """Forget ``key``: a tombstone whose postings score nothing until the next compaction."""
        slot = self._by_key.pop(key, None)
        if slot is None:
            return
        stored = self._slots[slot]
        assert stored is not None
        self._df[stored.term_ids] -= 1
        self._slots[slot] = None
        self._live -= 1
        if slot < len(self._norms):
            self._norms[slot] = np.inf
        dead = len(self._slots) - self._live
        if dead > 1000 and dead > COMPACT_SHARE * len(self._slots):
            self._compact()

    def _compact(self) -> None:
        """Rebuild the postings over the live documents (their terms are kept: no tokenising again)."""
        live = [s for s in self._slots if s is not None]
        self._slots, self._by_key, self._frozen = [], {}, {}
        self._post_slots = [array("i") for _ in self._terms]
        self._post_weights = [array("f") for _ in self._terms]
        for slot, stored in enumerate(live):
            for term_id, weight in zip(stored.term_ids.tolist(), stored.weights.tolist(), strict=True):
                self._post_slots[term_id].append(slot)
                self._post_weights[term_id].append(weight)
            self._slots.append(stored)
            self._by_key[stored.doc.key] = slot
        self._norms, self._norms_at = np.zeros(0, dtype=np.float32), -1

    # ------------------------------------------------------------------ reads

    def _idf(self, ids: np.ndarray) -> np.ndarray:
        return np.log1p(max(self._live, IDF_FLOOR_DOCS) / (1.0 + self._df[ids].astype(np.float64)))

    def _arrays(self, term_id: int) -> tuple[np.ndarray, np.ndarray]:
        frozen = self._frozen.get(term_id)
        if frozen is None:
            slots = np.frombuffer(self._post_slots[term_id], dtype=np.int32).copy()
            weights = np.frombuffer(self._post_weights[term_id], dtype=np.float32).copy()
            frozen = self._frozen[term_id] = (slots, weights)
        return frozen

    def _refresh_norms(self) -> np.ndarray:
        """Document norms under the current idf; the whole column only after a large change."""
        total = len(self._slots)
        if self._norms_at < 0 or abs(self._live - self._norms_at) > NORM_REFRESH_SHARE * max(
            self._norms_at, 1
        ):
            idf = self._idf(np.arange(len(self._terms), dtype=np.int64))
            parts = [self._arrays(term_id) for term_id in range(len(self._terms))]
            lengths = np.fromiter((len(p[0]) for p in parts), dtype=np.int64, count=len(parts))
            slots = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, dtype=np.int32)
            weights = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, dtype=np.float32)
            sq = np.bincount(slots, weights=(weights * np.repeat(idf, lengths)) ** 2, minlength=total)
            norms = np.sqrt(sq).astype(np.float32)
            norms[norms == 0] = 1.0
            for slot, stored in enumerate(self._slots):
                if stored is None:
                    norms[slot] = np.inf
            self._norms, self._norms_at = norms, self._live
        elif len(self._norms) < total:
            extra = np.empty(total - len(self._norms), dtype=np.float32)
            for i, slot in enumerate(range(len(self._norms), total)):
                stored = self._slots[slot]
                if stored is None:
                    extra[i] = np.inf
                else:
                    value = float(np.sqrt(np.sum((stored.weights * self._idf(stored.term_ids)) ** 2)))
                    extra[i] = value or 1.0
            self._norms = np.concatenate([self._norms, extra])
        return self._norms

    def search(self, query: Query, *, limit: int = 10, min_score: float = 0.05) -> list[Match]:
        """The ``limit`` documents most like ``query``, best first, each with its score and reasons."""
        if not self._live:
            return []
        analysed = analyse(query)
        known = [(self._term_ids[t], w) for t, w in analysed.weights.items() if t in self._term_ids]
        if not known:
            return []
        ids = np.fromiter((t for t, _w in known), dtype=np.int64, count=len(known))
        q_weights = np.fromiter((w for _t, w in known), dtype=np.float64, count=len(known))
        df = self._df[ids]
        alive = df > 0
        keep = alive & (df <= MAX_DF_SHARE * max(self._live, IDF_FLOOR_DOCS))
        if not keep.any():
            keep = alive
        if not keep.any():
            return []
        idf = self._idf(ids)
        q_vector = q_weights * idf
        q_norm = float(np.sqrt(np.sum(q_vector[alive] ** 2))) or 1.0
        total = len(self._slots)
        slot_parts, weight_parts = [], []
        for term_id, q_weight, term_idf in zip(
            ids[keep].tolist(), q_vector[keep].tolist(), idf[keep].tolist(), strict=True
        ):
            slots, weights = self._arrays(term_id)
            slot_parts.append(slots)
            weight_parts.append(weights * np.float32(q_weight * term_idf))
        scores: np.ndarray = np.bincount(
            np.concatenate(slot_parts), weights=np.concatenate(weight_parts), minlength=total
        )
        scores = scores / (self._refresh_norms()[:total] * q_norm)
        top = min(CANDIDATES, int(np.count_nonzero(scores)))
        if top == 0:
            return []
        candidates = np.argpartition(-scores, top - 1)[:top]
        query_words = self._query_words(analysed.function_words)
        matches: list[Match] = []
        for slot in candidates.tolist():
            stored = self._slots[slot]
            if stored is None or stored.doc.key in query.exclude:
                continue
            match = self._rerank(query, analysed, query_words, stored, float(scores[slot]))
            if match.score >= min_score:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.document.key))
        return matches[:limit]

    def _query_words(self, words: tuple[str, ...]) -> _QueryWords:
        ids = [self._term_ids.get("fw:" + w, -1) for w in words]
        known = np.array([i for i in ids if i >= 0], dtype=np.int64)
        idf = dict(zip(known.tolist(), self._idf(known).tolist(), strict=True)) if len(known) else {}
        weights = {w: (i, idf.get(i, IDF_UNSEEN)) for w, i in zip(words, ids, strict=True)}
        return _QueryWords(weights, sum(v for _i, v in weights.values()))

    def _rerank(
        self, query: Query, analysed: Analysed, query_words: _QueryWords, stored: _Stored, lexical: float
    ) -> Match:
        """The reviewer's view of a candidate: lexical similarity plus the facts that make a duplicate."""
        doc = stored.doc
        reasons: list[Reason] = []
        score = LEXICAL_WEIGHT * min(lexical, 1.0)
        if query_words.weights and stored.function_ids:
            # How much of the smaller description the other one covers, word by idf-weighted word: an app
            # that is a module of another shares most of its own functions, however long the other's list.
            shared = [w for w, (i, _idf) in query_words.weights.items() if i in stored.function_ids]
            if shared:
                theirs = float(np.sum(self._idf(np.array(stored.function_ids, dtype=np.int64))))
                common = sum(query_words.weights[w][1] for w in shared)
                overlap = common / max(min(query_words.total, theirs), 1e-9)
                score += FUNCTIONS_WEIGHT * min(overlap, 1.0)
                reasons.append(Reason("shared_functions", tuple(shared[:6])))
        if query.name and analysed.stem and analysed.stem == stored.stem:
            score += 0.15
            reasons.append(Reason("same_name_stem", (stored.stem,)))
        elif query.name:
            ratio = fuzz.ratio(analysed.stem, stored.stem) / 100
            if ratio >= 0.6:
                score += 0.12 * ratio
                reasons.append(Reason("similar_name", (doc.name,)))
        if query.kind and query.kind == doc.kind:
            score += 0.03
            reasons.append(Reason("same_kind", (doc.kind,)))
        if query.province and query.province == doc.province:
            score += 0.04
            reasons.append(Reason("same_region", (doc.province,)))
        if query.level and query.level == doc.level:
            score += 0.02
            reasons.append(Reason("same_level", (doc.level,)))
        for code, mine, other, bonus in (
            ("same_sdks", query.sdks, doc.sdks, 0.04),
            ("same_domains", query.domains, doc.domains, 0.1),
            ("same_routes", query.routes, doc.routes, 0.05),
            ("same_categories", query.categories, doc.categories, 0.02),
        ):
            same = sorted(mine & other)
            if same:
                score += bonus * len(same) / max(len(mine), 1)
                reasons.append(Reason(code, tuple(same[:5])))
        return Match(document=doc, score=round(min(score, 1.0), 4), reasons=tuple(reasons))


__all__ = ["AppDocument", "Match", "Query", "Reason", "SimilarityIndex", "text"]
