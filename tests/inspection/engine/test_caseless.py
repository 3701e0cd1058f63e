"""The caseless unions: same matches as re.IGNORECASE, and the rewrite really happens.

The rewriter reads CPython's private regex parser (``re._parser``, ``re._constants``, ``_sre``).
If an upgrade changes them, every pattern silently falls back to re.IGNORECASE: still correct,
but the large APK's scan takes ~4x the CPU (docs/benchmarks.md). These tests fail then.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.prefilter import prefilter_for
from govapp.inspection.engine.rules import caseless
from govapp.inspection.engine.rules.caseless import compile_union
from govapp.inspection.engine.rules.ruleset import default_ruleset

RULESET = default_ruleset()
TEXT_PATTERNS, API_PATTERNS = RULESET.interest_patterns("GA-7")
# Patterns of the real rule set that the rewriter cannot handle and compiles with re.IGNORECASE.
KNOWN_FALLBACKS = 0


def _fell_back(pattern: re.Pattern[str]) -> bool:
    return bool(pattern.flags & re.IGNORECASE)


def test_every_pattern_of_the_real_rule_set_is_rewritten() -> None:
    patterns = TEXT_PATTERNS + API_PATTERNS
    assert len(patterns) > 30
    fell_back = [p for p in patterns if _fell_back(compile_union([p]))]
    assert len(fell_back) == KNOWN_FALLBACKS, fell_back
    interest = RULESET.compile_interest("GA-7")
    assert not _fell_back(interest.text) and not _fell_back(interest.api)


def test_the_rewrite_spells_out_every_case_variant() -> None:
    # The Kelvin sign, the long s and the dotted/dotless i are what re.IGNORECASE also accepts.
    assert compile_union(["ok"]).pattern == "[Oo][Kk\u212a]"
    assert compile_union(["打卡|sign-?in"]).pattern == (
        "打卡|[Ss\u017f][Ii\u0130\u0131][Gg][Nn](?:\\-){0,1}[Ii\u0130\u0131][Nn]"
    )


def test_the_real_unions_and_every_match_rule_get_a_literal_prefilter() -> None:
    interest = RULESET.compile_interest()
    assert prefilter_for(interest.text) is not None and prefilter_for(interest.api) is not None
    match_rules = [rule for rule in RULESET.rules if rule.detector == "match"]
    assert len(match_rules) == 8
    unfiltered = [
        rule.id
        for rule in match_rules
        if caseless._candidate_prefilter(tuple(sig.pattern.pattern for sig in rule.text)) is None
    ]
    assert unfiltered == []


def _reference_union(filing_number: str | None) -> re.Pattern[str]:
    """The obvious, slow form of the Interest: every pattern joined, re.IGNORECASE."""
    parts, _apis = RULESET.interest_patterns(filing_number)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


_ALPHABET = (
    "abcdefgiklnoprstuwxyzABCDEFGIKLNOPRSTUWXYZ0123456789 .:/-[]_ſKİı"
    "打卡签到考勤积分排名在线时长点赞考核上传照片轨迹定位登录下载率投诉建议领券热销客服地图"
)
FAST = RULESET.compile_interest("GA-7")
SLOW = _reference_union("GA-7")


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=_ALPHABET, max_size=60)
    | st.sampled_from(
        [
            "DAILY CHECK-IN",
            "Clocked-In",
            "HTTP://10.0.0.1:80",
            "[::1]",
            "fe80::1",
            "1.2.3.4.5",
            "x10.1.1.1",
            "AAAA",
            "xAAAA",
            "ipV6",
            "Study Hours count toward assessment",
            "GA-7",
            "ga-7",
        ]
    )
)
def test_fast_interest_matches_exactly_where_the_reference_does(text: str) -> None:
    fast, slow = FAST.text.search(text), SLOW.search(text)
    assert (fast is None) == (slow is None), text
    if fast is not None and slow is not None:
        assert fast.start() == slow.start()


def test_fast_interest_is_flagless_and_falls_back_when_it_cannot_rewrite() -> None:
    assert not FAST.text.flags & re.IGNORECASE and not FAST.api.flags & re.IGNORECASE
    fallback = compile_union([r"(a)\1", "Xy"])
    assert fallback.flags & re.IGNORECASE and fallback.search("AA") and fallback.search("xY")
