"""A description of an app as weighted index terms, computed once per document (tokenising is the
expensive part: jieba runs here and nowhere else)."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from . import text

# How much each part of a description counts in the lexical pass: name, functions, SDKs, domains,
# routes (pages), formalism categories.
FIELD_WEIGHTS = {"n": 0.8, "f": 1.0, "s": 0.6, "d": 0.8, "r": 0.5, "c": 0.3}


class Describable(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def functions(self) -> str: ...
    @property
    def sdks(self) -> frozenset[str]: ...
    @property
    def domains(self) -> frozenset[str]: ...
    @property
    def routes(self) -> frozenset[str]: ...
    @property
    def categories(self) -> frozenset[str]: ...


@dataclass(frozen=True)
class Analysed:
    weights: dict[str, float]  # term -> weight before idf
    stem: str  # the name without place and suffix
    name: str  # the name, normalised
    function_words: tuple[str, ...]  # distinct function words in order, for "shared functions"


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


# Every app must offer a complaint and suggestion function (regulation §5): naming it says nothing about
# whether two apps duplicate each other.
_MANDATORY = re.compile(r"(投诉|意见)(与|和|及)?(建议|反馈)(功能|渠道|入口)?")


def analyse(doc: Describable) -> Analysed:
    counts: Counter[str] = Counter()
    for term, n in text.terms(doc.name).items():
        counts["n" + term] += n
    functions = _MANDATORY.sub(" ", doc.functions)
    function_words = text.words(functions)
    for word in function_words:
        counts["fw:" + word] += 2
    for gram in text.bigrams(functions):
        if gram not in text.STOPWORDS:
            counts["fb:" + gram] += 1
    counts.update(text.tokens_of(doc.sdks, "s:"))
    counts.update(text.tokens_of(doc.domains, "d:"))
    counts.update(text.tokens_of(doc.routes, "r:"))
    counts.update(text.tokens_of(doc.categories, "c:"))
    weights = {term: FIELD_WEIGHTS[term[0]] * (1.0 + math.log(n)) for term, n in counts.items()}
    return Analysed(
        weights=weights,
        stem=text.name_stem(doc.name),
        name=text.normalise(doc.name),
        function_words=_distinct(function_words),
    )
