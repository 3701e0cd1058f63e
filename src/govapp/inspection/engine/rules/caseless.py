"""Case-insensitive unions without re.IGNORECASE: the readers' Interest patterns, rewritten.

Readers run Interest.text over every string of a package (hundreds of thousands for a big DEX),
so its speed matters. Compiled with re.IGNORECASE, an alternation of ~50 English and Chinese
phrases costs ~80 µs per string: the engine enters every case-insensitive branch at every
position. Rewriting each pattern with explicit case classes ("[dD]aily") and no flag lets the
engine reject a branch on its first character in C, with identical matches (the large APK's
scan takes ~4x the CPU without it, see docs/benchmarks.md). The rewrite walks the stdlib's
parsed form of the pattern (``re._parser``, ``re._constants``: private, so
tests/inspection/engine/test_caseless.py fails when a Python upgrade stops the rewrite); anything
it does not know falls back to re.IGNORECASE (correct, only slower).
"""

from __future__ import annotations

import functools
import importlib
import re
from typing import Any

from ..prefilter import Prefilter, build_prefilter, matching, register


class _NotRewritable(Exception):
    pass


@functools.cache
def _re_internal(name: str) -> Any:
    """The stdlib's regex internals (``re._parser`` …); untyped, hence Any."""
    return importlib.import_module(name if name == "_sre" else f"re.{name}")


@functools.cache
def _uppercase_by_lower() -> dict[int, tuple[int, ...]]:
    sre = _re_internal("_sre")
    groups: dict[int, list[int]] = {}
    for code in range(0x10000):
        lower = sre.unicode_tolower(code)
        if lower != code:
            groups.setdefault(lower, []).append(code)
    return {lower: tuple(codes) for lower, codes in groups.items()}


@functools.cache
def _case_variants(code: int) -> tuple[int, ...]:
    """Every character that re.IGNORECASE treats as equal to ``code``."""
    sre = _re_internal("_sre")
    casefix = _re_internal("_casefix")

    lower = sre.unicode_tolower(code)
    out = {code}
    for item in (lower, *casefix._EXTRA_CASES.get(lower, ())):
        out.add(item)
        out.update(_uppercase_by_lower().get(item, ()))
    return tuple(sorted(out))


def _class_char(code: int) -> str:
    char = chr(code)
    if char.isalnum():
        return char
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _explicit_class(items: Any) -> str:
    c = _re_internal("_constants")

    negate = False
    parts: list[str] = []
    for op, av in items:
        if op is c.NEGATE:
            negate = True
        elif op is c.LITERAL:
            parts.extend(_class_char(code) for code in _case_variants(av))
        elif op is c.RANGE:
            low, high = av
            if high - low > 0x3000:
                raise _NotRewritable
            parts.append(f"{_class_char(low)}-{_class_char(high)}")
            for code in range(low, high + 1):
                parts.extend(_class_char(v) for v in _case_variants(code) if not low <= v <= high)
        elif op is c.CATEGORY and av in _CATEGORY_ESCAPES:
            parts.append(_CATEGORY_ESCAPES[av])
        else:
            raise _NotRewritable
    return "[" + ("^" if negate else "") + "".join(dict.fromkeys(parts)) + "]"


def _explicit(items: Any) -> str:
    c = _re_internal("_constants")

    out: list[str] = []
    for op, av in items:
        if op is c.LITERAL:
            single = len(_case_variants(av)) == 1
            out.append(re.escape(chr(av)) if single else _explicit_class([(c.LITERAL, av)]))
        elif op is c.NOT_LITERAL:
            out.append(_explicit_class([(c.NEGATE, None), (c.LITERAL, av)]))
        elif op is c.IN:
            out.append(_explicit_class(av))
        elif op is c.ANY:
            out.append(".")
        elif op is c.BRANCH:
            out.append("(?:" + "|".join(_explicit(alt) for alt in av[1]) + ")")
        elif op is c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if (add_flags & ~re.IGNORECASE) or del_flags:
                raise _NotRewritable
            out.append("(?:" + _explicit(sub) + ")")
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, high, sub = av
            bound = f"{{{low},}}" if high is c.MAXREPEAT else f"{{{low},{high}}}"
            suffix = {c.MIN_REPEAT: "?", c.POSSESSIVE_REPEAT: "+"}.get(op, "")
            out.append("(?:" + _explicit(sub) + ")" + bound + suffix)
        elif op is c.AT and av in _AT_ESCAPES:
            out.append(_AT_ESCAPES[av])
        elif op in (c.ASSERT, c.ASSERT_NOT):
            direction, sub = av
            kind = {(1, True): "=", (1, False): "!", (-1, True): "<=", (-1, False): "<!"}[
                (direction, op is c.ASSERT)
            ]
            out.append(f"(?{kind}" + _explicit(sub) + ")")
        elif op is c.ATOMIC_GROUP:
            out.append("(?>" + _explicit(av) + ")")
        else:
            raise _NotRewritable
    return "".join(out)


def _escape_tables() -> tuple[dict[Any, str], dict[Any, str]]:
    c = _re_internal("_constants")

    categories = {
        c.CATEGORY_DIGIT: r"\d",
        c.CATEGORY_NOT_DIGIT: r"\D",
        c.CATEGORY_SPACE: r"\s",
        c.CATEGORY_NOT_SPACE: r"\S",
        c.CATEGORY_WORD: r"\w",
        c.CATEGORY_NOT_WORD: r"\W",
    }
    anchors = {
        c.AT_BEGINNING: "^",
        c.AT_BEGINNING_STRING: r"\A",
        c.AT_END: "$",
        c.AT_END_STRING: r"\Z",
        c.AT_BOUNDARY: r"\b",
        c.AT_NON_BOUNDARY: r"\B",
    }
    return categories, anchors


_CATEGORY_ESCAPES, _AT_ESCAPES = _escape_tables()


_MAX_ALTERNATIVES = 5000


def _alternatives(items: list[Any]) -> list[list[Any]]:
    """Top-level alternatives of a parsed pattern, with leading groups and alternations distributed."""
    c = _re_internal("_constants")

    pending = [list(items)]
    out: list[list[Any]] = []
    while pending:
        alt = pending.pop(0)
        if alt and alt[0][0] is c.BRANCH:
            pending[:0] = [list(branch) + alt[1:] for branch in alt[0][1][1]]
        elif alt and _plain_group(alt[0]):
            pending.insert(0, list(alt[0][1][3]) + alt[1:])
        elif len(alt) > 1 and alt[0] == (c.AT, c.AT_BOUNDARY) and alt[1][0] is c.BRANCH:
            # \b stays in front of each branch, so that _trie can move it behind a first character.
            pending[:0] = [alt[:1] + list(branch) + alt[2:] for branch in alt[1][1][1]]
        elif len(alt) > 1 and alt[0] == (c.AT, c.AT_BOUNDARY) and _plain_group(alt[1]):
            pending.insert(0, alt[:1] + list(alt[1][1][3]) + alt[2:])
        else:
            out.append(alt)
        if len(out) + len(pending) > _MAX_ALTERNATIVES:
            raise _NotRewritable
    return out


def _plain_group(item: Any) -> bool:
    """A (non-)capturing group without flags other than IGNORECASE: its content can be inlined."""
    c = _re_internal("_constants")
    return bool(item[0] is c.SUBPATTERN and not (item[1][1] & ~re.IGNORECASE) and not item[1][2])


def _is_word(code: int) -> bool:
    return chr(code).isalnum() or code == 0x5F  # the engine's Unicode \w


def _word_chars_only(item: Any) -> bool:
    r"""Whether every character ``item`` (a LITERAL or IN, case variants included) matches is \w."""
    c = _re_internal("_constants")

    op, av = item
    if op is c.LITERAL:
        codes = [av]
    elif op is c.IN:
        codes = []
        for kind, value in av:
            if kind is c.LITERAL:
                codes.append(value)
            elif kind is c.RANGE and value[1] - value[0] <= 0x3000:
                codes.extend(range(value[0], value[1] + 1))
            else:
                return False
    else:
        return False
    return all(_is_word(variant) for code in codes for variant in _case_variants(code))


@functools.cache
def _not_after_word() -> tuple[Any, ...]:
    return tuple(_re_internal("_parser").parse(r"(?<!\w.)", 0))


def _trie(alternatives: list[list[Any]]) -> str:
    """Alternatives sharing a first character class are merged, so each position tests each class once."""
    c = _re_internal("_constants")

    groups: dict[str, list[list[Any]]] = {}
    others: list[str] = []
    for alt in alternatives:
        if alt and alt[0][0] in (c.LITERAL, c.IN):
            groups.setdefault(_explicit(alt[:1]), []).append(alt[1:])
        elif len(alt) > 1 and alt[0] == (c.AT, c.AT_BOUNDARY) and _word_chars_only(alt[1]):
            # Before a word character \b means "no word character before it". Testing that after
            # the character, "c(?<!\w.)", lets the engine reject the branch on its first character
            # in C; a branch opening with \b is entered at every position and costs ~4x the scan.
            groups.setdefault(_explicit(alt[1:2]), []).append([*_not_after_word(), *alt[2:]])
        else:
            others.append(_explicit(alt))
    parts = []
    for head, rests in groups.items():
        if len(rests) == 1:
            parts.append(head + _explicit(rests[0]))
        else:
            parts.append(head + "(?:" + _trie([alt for rest in rests for alt in _alternatives(rest)]) + ")")
    return "|".join(parts + others)


def compile_union(patterns: list[str]) -> re.Pattern[str]:
    """One pattern matching, case-insensitively, wherever any of ``patterns`` matches (see above)."""
    # Rewriting costs ~0.1 s and every scan asks again for the same rule set's interest: on the
    # 332-APK corpus that was four fifths of the time.
    return _compile_union(tuple(patterns))


def _parsed_alternatives(patterns: tuple[str, ...]) -> list[list[Any]]:
    """Top-level alternatives of the patterns, case classes explicit (raises _NotRewritable & co.)."""
    parser = _re_internal("_parser")
    return [alt for p in patterns for alt in _alternatives(list(parser.parse(p, 0)))]


def union_candidates(patterns: tuple[str, ...], texts: list[str]) -> set[int]:
    """Indices of a superset of the ``texts`` that one of ``patterns`` matches (case-insensitively).

    For callers that then search each pattern themselves: the union's literal prefilter selects
    the candidates and the union itself is never compiled (~10 ms per rule at start-up).
    """
    prefilter = _candidate_prefilter(patterns)
    if prefilter is None:
        return matching(compile_union(list(patterns)), texts)
    return prefilter.candidates(texts)


@functools.lru_cache(maxsize=256)
def _candidate_prefilter(patterns: tuple[str, ...]) -> Prefilter | None:
    try:
        alternatives = _parsed_alternatives(patterns)
    except (_NotRewritable, ImportError, AttributeError, RecursionError, re.error):
        return None
    return _union_prefilter(None, tuple(map(tuple, alternatives)))


@functools.lru_cache(maxsize=256)
def _compile_union(patterns: tuple[str, ...]) -> re.Pattern[str]:
    try:
        c = _re_internal("_constants")
        alternatives = _parsed_alternatives(patterns)
        # Most strings in a package are ASCII: one lookahead on the first characters of all the
        # non-ASCII (Chinese) phrases spares testing each of them at every ASCII position.
        wide = [alt for alt in alternatives if alt and alt[0][0] is c.LITERAL and alt[0][1] > 0x7F]
        rest = [alt for alt in alternatives if not (alt and alt[0][0] is c.LITERAL and alt[0][1] > 0x7F)]
        if len(wide) < 8:
            union = re.compile(_trie(alternatives))
        else:
            firsts = "".join(dict.fromkeys(_class_char(alt[0][1]) for alt in wide))
            union = re.compile(f"(?=[{firsts}])(?:{_trie(wide)})" + (f"|{_trie(rest)}" if rest else ""))
        register(union, functools.partial(_union_prefilter, union, tuple(map(tuple, alternatives))))
        return union
    except (_NotRewritable, ImportError, AttributeError, RecursionError, re.error):
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _union_prefilter(
    union: re.Pattern[str] | None, alternatives: tuple[tuple[Any, ...], ...]
) -> Prefilter | None:
    """The literal prefilter of a union built by ``_compile_union`` (None: search it plainly), or
    with ``union`` None of alternatives never compiled into one (``union_candidates``)."""
    try:
        return build_prefilter(
            union, [list(alt) for alt in alternatives], _case_variants, lambda alts: re.compile(_trie(alts))
        )
    # ImportError, AttributeError: the parser internals changed (a newer Python); the union is
    # then searched plainly, as _compile_union falls back, instead of failing the scan.
    except (_NotRewritable, ImportError, AttributeError, RecursionError, re.error):
        return None
