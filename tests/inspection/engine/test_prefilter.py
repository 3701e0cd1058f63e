"""The literal prefilter gives exactly the matches of the plain Interest unions, never fewer, never more."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats.dex import _all_method_refs, _all_strings, open_dex
from govapp.inspection.engine.prefilter import Prefilter, matching, prefilter_for
from govapp.inspection.engine.rules.caseless import compile_union, union_candidates
from govapp.inspection.engine.rules.ruleset import default_ruleset

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "var/cache/androguard/usr/share/doc/androguard/examples"
INTEREST = default_ruleset().compile_interest("浙ICP备2024001234号-5A")


def _plain(pattern: re.Pattern[str], texts: Sequence[str]) -> set[int]:
    return {i for i, text in enumerate(texts) if pattern.search(text) is not None}


def _prefilter(pattern: re.Pattern[str]) -> Prefilter:
    found = prefilter_for(pattern)
    assert found is not None
    return found


def _pieces() -> list[str]:
    """Fragments the rule set cares about, cut and recombined by hypothesis, plus case troublemakers."""
    text, api = _prefilter(INTEREST.text), _prefilter(INTEREST.api)
    literals = [*text.narrow, *text.wide, *api.narrow, *api.wide]
    cuts = [s[: len(s) // 2] for s in literals] + [s[len(s) // 2 :] for s in literals]
    whole = [
        "http://",
        "wx.getLocation",
        "Landroid/location/LocationManager;->requestLocationUpdates",
        "位置上报",
    ]
    tricky = whole + ["ſ", "İ", "ı", "\u212a", "Σ", "ς", "σ", "ß", "ﬀ", "\u0130net6", "HTTP", "Ws", "\n", " "]
    return (
        literals + [s.upper() for s in literals] + cuts + tricky + ["1.2.3.4", "fe80::1", "[::1]", "。", "，"]
    )


_TEXTS = st.lists(
    st.lists(st.sampled_from(_pieces()) | st.text(max_size=4), max_size=6).map("".join), max_size=40
)


def test_the_real_rule_set_is_prefiltered() -> None:
    text, api = _prefilter(INTEREST.text), _prefilter(INTEREST.api)
    assert "打卡" in text.wide and text.narrow and api.narrow
    # Shared anchors: one search for "location" serves every location API literal.
    assert "location" in api.narrow and not any("getlocation" in s for s in api.narrow)
    # The IP address alternatives have no literal worth a union search; they still gate their own.
    assert {group.gate for group in text.rest} == {(".",), ("[",), (":",)}


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_text_union_same_matches(texts: list[str]) -> None:
    assert matching(INTEREST.text, texts) == _plain(INTEREST.text, texts)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_api_union_same_matches(texts: list[str]) -> None:
    assert matching(INTEREST.api, texts) == _plain(INTEREST.api, texts)


@pytest.mark.parametrize(
    "text",
    [
        "wſs://host",
        "HTTPſ://x",
        "\u0130net6Address",
        "Lfoo;->\u0131net6address",
        "WATERMAR\u212a CAMERA",
        "打卡",
    ],
)
def test_case_variants_outside_lowercasing_still_match(text: str) -> None:
    pattern = INTEREST.api if "net6" in text else INTEREST.text
    assert pattern.search(text) is not None
    assert matching(pattern, ["nothing here", text]) == {1}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="abAB.:[]0123456789 打卡ſİ", min_size=1, max_size=6), min_size=1, max_size=4),
    st.lists(st.text(alphabet="abAB.:[]0123456789 打卡ſİ", max_size=12), max_size=30),
)
def test_any_literal_union_same_matches(words: list[str], texts: list[str]) -> None:
    union = compile_union([re.escape(w) for w in words] + [r"\d+\.\d+"])
    assert matching(union, texts) == _plain(union, texts)


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_rule_candidates_hold_every_match(texts: list[str]) -> None:
    # The match detector takes candidates from the literal prefilter alone, then searches each
    # signal itself: the candidates must include every text one of the rule's signals matches.
    for rule in default_ruleset().rules:
        if not rule.text:
            continue
        patterns = tuple(sig.pattern.pattern for sig in rule.text)
        found = {i for i, text in enumerate(texts) if any(sig.pattern.search(text) for sig in rule.text)}
        assert found <= union_candidates(patterns, texts), rule.id


def test_pattern_without_literals_is_searched_plainly() -> None:
    everything = Interest.everything().text
    assert prefilter_for(everything) is None
    assert matching(everything, ["", "a", "打"]) == {1, 2}


@pytest.mark.slow
def test_androguard_corpus_strings_same_matches() -> None:
    dex_paths = sorted(EXAMPLES.rglob("*.apk"))[:120] if EXAMPLES.is_dir() else []
    if not dex_paths:
        pytest.skip("the androguard examples are not fetched (make samples)")
    texts: set[str] = set()
    apis: set[str] = set()
    for path in dex_paths:
        try:
            with zipfile.ZipFile(path) as archive:
                data = archive.read("classes.dex")
            dex = open_dex(data, path.name)
            strings = _all_strings(dex)
        except (KeyError, zipfile.BadZipFile, PackageError):
            continue
        texts.update(strings)
        apis.update(_all_method_refs(dex, strings))
    text_list, api_list = sorted(texts), sorted(apis)
    assert len(text_list) > 10_000
    assert matching(INTEREST.text, text_list) == _plain(INTEREST.text, text_list)
    assert matching(INTEREST.api, api_list) == _plain(INTEREST.api, api_list)
