"""A literal prefilter for the Interest unions (the idea of RE2's and Hyperscan's prefilters).

Python's ``re`` tests the union's first-character classes at every position of every string
(~0.2 µs per character); a package's DEX tables hold millions of characters. Almost every
alternative of the rule set contains a literal that any match must contain ("打卡", "http",
"location"). Finding which strings contain one of those literals is done with ``str.find``
(C speed) over all strings lowered and joined; the full union then runs only on those
candidates, and the few alternatives without a usable literal run over every string. So the
prefiltered result is exactly the union's: a string the union matches contains a required
literal of the matching alternative, or is matched by the ``rest``.

Case-insensitivity: the candidate text is lowered with ``str.lower``. A literal position
accepts a set of characters (a case class of the rewritten union); its key is their common
lower-case form. Characters whose ``lower()`` is not that key ("ſ" for s, "İ" and "ı" for i) or
is not one context-free character ("Σ") cannot be keyed: a string containing any of them is
always a candidate.
"""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_EXACT_MAX = 64  # distinct strings tracked for one sequence before it falls back to "required"
_ANCHOR_MIN = 6  # characters of a literal shared by several others, to search once
_RANGE_MAX = 32  # a character range wider than this is not expanded into literals
_REPEAT_MAX = 4  # bounded repeats up to this are expanded into exact strings
_CAPITAL_SIGMA = "\u03a3"  # str.lower() maps it by context (final sigma)

Variants = Callable[[int], tuple[int, ...]]
_Info = tuple["frozenset[str] | None", "frozenset[str] | None"]  # (exact strings, required literals)


@dataclass(frozen=True, slots=True)
class RestGroup:
    """Alternatives without a literal worth a union search, run on the strings holding one of ``gate``."""

    pattern: re.Pattern[str]
    gate: tuple[str, ...] | None  # None: on every string


@dataclass(frozen=True, slots=True)
class Prefilter:
    """Which of many strings a union matches, searching the union only where a literal occurs."""

    union: re.Pattern[str] | None  # None: built for ``candidates`` only
    narrow: tuple[str, ...]  # ASCII literals, searched in every string
    wide: tuple[str, ...]  # literals with a non-ASCII character, searched in non-ASCII strings only
    unkeyed: re.Pattern[str] | None  # characters that make a string a candidate whatever it contains
    rest: tuple[RestGroup, ...]

    def matching(self, texts: Sequence[str]) -> set[int]:
        """Indices of ``texts`` that ``union.search`` finds something in."""
        assert self.union is not None, "a candidates-only prefilter"
        return self._select(texts, self.union.search)

    def candidates(self, texts: Sequence[str]) -> set[int]:
        """A superset of ``matching``: texts holding a required literal are not confirmed with the
        union (for callers that search each alternative themselves anyway)."""
        return self._select(texts, None)

    def _select(self, texts: Sequence[str], search: Callable[[str], object] | None) -> set[int]:
        ascii_flags = list(map(str.isascii, texts))
        narrow_idx = list(itertools.compress(range(len(texts)), ascii_flags))
        narrow_texts = list(itertools.compress(texts, ascii_flags))
        # ASCII lowering keeps every length, so offsets in the lowered blob are the originals'.
        narrow_blob = "\n".join(narrow_texts).lower()
        narrow_starts = _starts(narrow_texts)
        wide_idx: list[int] = []
        wide_blob = ""
        wide_starts = [0]
        unkeyed: set[int] = set()
        if len(narrow_idx) < len(texts):
            wide_idx = list(itertools.compress(range(len(texts)), map(operator.not_, ascii_flags)))
            wide_lowered = [texts[i].lower() for i in wide_idx]
            wide_blob = "\n".join(wide_lowered)
            wide_starts = _starts(wide_lowered)
            if self.unkeyed is not None:
                unkeyed = {i for i in wide_idx if self.unkeyed.search(texts[i])}

        def containing(literals: tuple[str, ...]) -> set[int]:
            narrow = tuple(s for s in literals if s.isascii())
            found = {narrow_idx[k] for k in _containing(narrow_blob, narrow_starts, narrow)}
            if wide_idx:
                found.update(wide_idx[k] for k in _containing(wide_blob, wide_starts, literals))
            return found | unkeyed

        result = containing(self.narrow + self.wide)
        if search is not None:
            result = {i for i in result if search(texts[i]) is not None}
        for group in self.rest:
            rest = group.pattern.search
            candidates: Iterable[int] = range(len(texts)) if group.gate is None else containing(group.gate)
            result.update(i for i in candidates if i not in result and rest(texts[i]) is not None)
        return result


def _starts(texts: Sequence[str]) -> list[int]:
    """Offset of each text in the "\\n"-joined blob, plus one past the end."""
    lengths = itertools.accumulate(map(len, texts), initial=0)
    return list(map(operator.add, lengths, range(len(texts) + 1)))


def _containing(blob: str, starts: list[int], literals: Iterable[str]) -> set[int]:
    """Indices of the joined texts in which any literal occurs (one that spans a separator may add a few)."""
    found: set[int] = set()
    find = blob.find
    last = len(starts) - 1
    for literal in literals:
        pos = find(literal)
        while pos >= 0:
            index = bisect.bisect_right(starts, pos) - 1
            if index >= last:
                break
            found.add(index)
            # One hit per text is enough: continue at the next text.
            pos = find(literal, starts[index + 1])
    return found


_REGISTRY_MAX = 1024  # more than rules.caseless.compile_union keeps compiled (256)
_REGISTRY: dict[re.Pattern[str], Callable[[], Prefilter | None]] = {}


def register(pattern: re.Pattern[str], build: Callable[[], Prefilter | None]) -> None:
    """Remember how to build the prefilter of a compiled union (equal patterns share it).

    Built on first use: the rule set compiles a union per rule that only ever sees a few hits.
    """
    if pattern not in _REGISTRY and len(_REGISTRY) >= _REGISTRY_MAX:
        del _REGISTRY[next(iter(_REGISTRY))]
    _REGISTRY[pattern] = functools.cache(build)


def prefilter_for(pattern: re.Pattern[str]) -> Prefilter | None:
    build = _REGISTRY.get(pattern)
    return build() if build is not None else None


def matching(pattern: re.Pattern[str], texts: Sequence[str]) -> set[int]:
    """Indices of ``texts`` that ``pattern.search`` finds something in, prefiltered when possible."""
    prefilter = prefilter_for(pattern)
    if prefilter is not None:
        return prefilter.matching(texts)
    search = pattern.search
    return {i for i, text in enumerate(texts) if search(text) is not None}


def build_prefilter(
    union: re.Pattern[str] | None,
    alternatives: list[list[Any]],
    variants: Variants,
    compile_rest: Callable[[list[list[Any]]], re.Pattern[str]],
) -> Prefilter | None:
    """The prefilter of ``union``, whose top-level ``alternatives`` (parsed, case-insensitive) are given
    (``union`` None: a prefilter for ``Prefilter.candidates`` only, the union never compiled).

    ``variants(code)`` lists every character the union accepts for literal ``code``;
    ``compile_rest`` compiles the alternatives without a usable literal into one pattern. None
    when no alternative has a usable literal (nothing to gain).
    """
    analysis = _Analysis(variants)
    literals: set[str] = set()
    rest: dict[frozenset[str] | None, list[list[Any]]] = {}
    for alt in alternatives:
        exact, required = analysis.sequence(alt)
        required = required if required is not None else _required(exact)
        if _usable(required):
            assert required is not None
            literals.update(required)
        else:
            # Too weak to send strings to the whole union ("." for an IP address), still worth
            # sparing this alternative's search where it cannot match.
            rest.setdefault(required, []).append(alt)
    if not literals:
        return None
    minimal = _minimal(literals)
    unkeyed = "".join(sorted(analysis.unkeyed))
    return Prefilter(
        union=union,
        narrow=tuple(_shared_anchors([s for s in minimal if s.isascii()])),
        wide=tuple(s for s in minimal if not s.isascii()),
        unkeyed=re.compile("[" + re.escape(unkeyed) + "]") if unkeyed else None,
        rest=tuple(
            RestGroup(compile_rest(alts), None if gate is None else tuple(_minimal(gate)))
            for gate, alts in rest.items()
        ),
    )


def _shared_anchors(literals: list[str]) -> list[str]:
    """Fewer strings to search for: a substring shared by several literals ("location" for
    "wx.getlocation" and "locationclient;->start") is required wherever any of them is.

    Each ``str.find`` pass costs ~1 ms per MB; a shorter anchor lets through a few more candidates,
    which the union then rejects. Anchors are kept at 6 characters or more to stay selective.
    """
    left = set(literals)
    anchors: list[str] = []
    while left:
        counts: collections.Counter[str] = collections.Counter()
        for literal in left:
            counts.update(
                {literal[a:b] for a in range(len(literal)) for b in range(a + _ANCHOR_MIN, len(literal) + 1)}
            )
        best = max(counts, key=lambda s: (counts[s], len(s), s)) if counts else ""
        if not best or counts[best] < 2:
            anchors.extend(sorted(left))
            break
        anchors.append(best)
        left = {literal for literal in left if best not in literal}
    return anchors


def _usable(required: frozenset[str] | None) -> bool:
    # One ASCII character occurs in too many strings to be worth it; one CJK character does not.
    return bool(required) and all(len(s) >= 2 or not s.isascii() for s in required or ())


def _weight(literals: frozenset[str]) -> tuple[int, int]:
    """How selective a required set is: its weakest literal's length (wide characters count 2), then size."""
    weakest = min(sum(1 if ch.isascii() else 2 for ch in s) for s in literals)
    return weakest, -len(literals)


def _better(first: frozenset[str] | None, second: frozenset[str] | None) -> frozenset[str] | None:
    if first is None:
        return second
    if second is None:
        return first
    return second if _weight(second) > _weight(first) else first


def _required(exact: frozenset[str] | None) -> frozenset[str] | None:
    if exact is None or not exact or "" in exact:
        return None
    return frozenset(_minimal(exact))


def _minimal(literals: Iterable[str]) -> list[str]:
    """Drop every literal that contains another: wherever it occurs, the shorter one does too."""
    kept: list[str] = []
    for literal in sorted(set(literals), key=len):
        if not any(short in literal for short in kept):
            kept.append(literal)
    return kept


class _Analysis:
    """Exact strings and required literals of parsed regex items (``re._parser`` form)."""

    def __init__(self, variants: Variants) -> None:
        import re._constants as c  # noqa: PLC0415  (the stdlib's parser internals, see rules/caseless.py)

        self.c: Any = c
        self.variants = variants
        self.unkeyed: set[str] = set()

    def sequence(self, items: Iterable[Any]) -> _Info:
        current: frozenset[str] | None = frozenset({""})
        whole = True
        best: frozenset[str] | None = None
        for op, av in items:
            exact, required = self.item(op, av)
            if exact is not None and current is not None and len(current) * len(exact) <= _EXACT_MAX:
                current = frozenset(a + b for a in current for b in exact)
                continue
            whole = False
            best = _better(best, _required(current))
            best = _better(best, required if required is not None else _required(exact))
            current = exact if exact is not None else frozenset({""})
        best = _better(best, _required(current))
        return (current if whole else None), best

    def item(self, op: Any, av: Any) -> _Info:
        c = self.c
        if op is c.LITERAL:
            return self.position(self.variants(av))
        if op is c.IN:
            codes = self.members(av)
            return self.position(codes) if codes is not None else (None, None)
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            return frozenset({""}), None  # zero-width: the characters around it stay adjacent
        if op is c.SUBPATTERN:
            return self.sequence(av[3])
        if op is c.ATOMIC_GROUP:
            return self.sequence(av)
        if op is c.BRANCH:
            return self.branch(av[1])
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            return self.repeat(*av)
        return None, None

    def members(self, items: Any) -> list[int] | None:
        c = self.c
        codes: list[int] = []
        for kind, value in items:
            if kind is c.LITERAL:
                codes.extend(self.variants(value))
            elif kind is c.RANGE and value[1] - value[0] <= _RANGE_MAX:
                for code in range(value[0], value[1] + 1):
                    codes.extend(self.variants(code))
            else:
                return None  # negated class, category or a wide range
        return codes

    def position(self, codes: Iterable[int]) -> _Info:
        chars = {chr(code) for code in codes}
        keyable = {ch for ch in chars if len(ch.lower()) == 1 and ch != _CAPITAL_SIGMA}
        keys = {ch.lower() for ch in keyable}
        ascii_keys = {k for k in keys if k.isascii()}
        if ascii_keys:
            keys = ascii_keys
        unkeyed = {ch for ch in chars if ch not in keyable or ch.lower() not in keys}
        if not keys or any(ch.isascii() for ch in unkeyed):
            return None, None
        self.unkeyed |= unkeyed
        exact = frozenset(keys)
        return exact, exact

    def branch(self, alternatives: list[Any]) -> _Info:
        infos = [self.sequence(alt) for alt in alternatives]
        exact: frozenset[str] | None = None
        if all(e is not None for e, _ in infos):
            union = frozenset(s for e, _ in infos for s in e or ())
            exact = union if len(union) <= _EXACT_MAX else None
        parts = [r if r is not None else _required(e) for e, r in infos]
        required = None
        if all(p is not None for p in parts):
            required = frozenset(_minimal(s for p in parts for s in p or ()))
        return exact, required

    def repeat(self, low: int, high: Any, sub: Any) -> _Info:
        exact, required = self.sequence(sub)
        required = required if required is not None else _required(exact)
        if high is self.c.MAXREPEAT or high > _REPEAT_MAX or exact is None:
            return None, (required if low >= 1 else None)
        strings: set[str] = set()
        power = frozenset({""})
        for count in range(high + 1):
            if count >= low:
                strings |= power
            if count < high:
                power = frozenset(a + b for a in power for b in exact)
                if len(power) > _EXACT_MAX:
                    return None, (required if low >= 1 else None)
        if len(strings) > _EXACT_MAX:
            return None, (required if low >= 1 else None)
        return frozenset(strings), (required if low >= 1 else _required(frozenset(strings)))
