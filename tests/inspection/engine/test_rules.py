"""The rule set: every YAML example, loading errors, scoring, signatures, endpoints."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.articles import article_label
from govapp.inspection.engine.categories import CATEGORIES, FORMALISM_ARTICLES, FORMALISM_CATEGORIES
from govapp.inspection.engine.facts import SURFACES, Evidence, PackageFacts, TextHit
from govapp.inspection.engine.rules.endpoints import extract_endpoints
from govapp.inspection.engine.rules.ruleset import RULES_DIR, default_ruleset, evaluate, load_ruleset
from govapp.inspection.engine.rules.schema import Rule, RuleError, example_facts

RULESET = default_ruleset()


def _cases(kind: str) -> list[Any]:
    cases = []
    for rule in RULESET.rules:
        examples = rule.positive_examples if kind == "positive" else rule.negative_examples
        for index, example in enumerate(examples):
            cases.append(pytest.param(rule, example, id=f"{rule.id}-{kind}{index}"))
    return cases


def _findings_of(rule: Rule, example: dict[str, Any]) -> list[Any]:
    facts = example_facts(example)
    findings = RULESET.evaluate(
        facts,
        declarations=frozenset(example.get("declarations") or []),
        filing_number=example.get("filing_number"),
    )
    return [finding for finding in findings if finding.rule == rule.id]


@pytest.mark.parametrize(("rule", "example"), _cases("positive"))
def test_positive_example_is_found(rule: Rule, example: dict[str, Any]) -> None:
    found = _findings_of(rule, example)
    assert len(found) == 1, f"{rule.id} did not fire on {example}"
    assert found[0].status == example.get("expect", rule.status)
    assert 0 < found[0].confidence <= 1


@pytest.mark.parametrize(("rule", "example"), _cases("negative"))
def test_negative_example_is_not_a_violation(rule: Rule, example: dict[str, Any]) -> None:
    found = _findings_of(rule, example)
    expected = example.get("expect")
    if expected is None:
        assert found == [], f"{rule.id} fired on a negative example: {[f.evidence for f in found]}"
    else:
        assert [finding.status for finding in found] == [expected]


@pytest.mark.parametrize(("rule", "example"), _cases("positive"))
def test_readers_would_report_what_positive_examples_need(rule: Rule, example: dict[str, Any]) -> None:
    """Readers only return hits matching the Interest: an example the Interest misses can never fire."""
    interest = RULESET.compile_interest(example.get("filing_number"))
    for item in example.get("texts") or []:
        if rule.detector in ("match", "cleartext", "ipv4_only"):
            assert interest.text.search(item["text"]), item["text"]
    for item in example.get("apis") or []:
        assert interest.api.search(item["api"]), item["api"]
    for name in example.get("code_names") or []:
        if rule.detector in ("tracker", "packer") and not name.startswith("cn.gov"):
            assert interest.code_prefix.match(name), name


def test_every_category_has_a_rule() -> None:
    assert {rule.category for rule in RULESET.rules} == set(CATEGORIES)


def test_formalism_rules_cite_the_item_of_article_13_of_their_category() -> None:
    item_2, item_3, item_4 = "13.2", "13.3", "13.4"
    assert dict(FORMALISM_ARTICLES) == {
        "checkin": item_2,
        "ranking": item_2,
        "online_time": item_2,
        "engagement_metrics": item_4,
        "forced_upload": item_4,
        "location_tracking": item_4,
        "forced_login": item_3,
        "forced_download": item_3,
    }
    cited = {rule.category: (rule.article.zh, rule.article.en) for rule in RULESET.rules}
    rendered = {
        c: (article_label(r, english=False), article_label(r, english=True))
        for c, r in FORMALISM_ARTICLES.items()
    }
    assert {category: cited[category] for category in FORMALISM_CATEGORIES} == rendered
    assert rendered["checkin"] == ("第十三条第二项", "Art. 13(2)")


def _dex_hit(text: str, *, invoked: bool, caller: str = "Lcn/gov/app/Main;->run()V") -> TextHit:
    return TextHit(text, "dex", Evidence("classes.dex", "string #1", text, caller=caller, invoked=invoked))


def _facts(*texts: TextHit, permissions: list[str] | None = None) -> PackageFacts:
    facts = PackageFacts(
        format="apk", platform="android", path="t.apk", sha256="0" * 64, size=1, id="cn.gov.app"
    )
    facts.texts.extend(texts)
    facts.permissions.extend(permissions or [])
    return facts


def _only(findings: list[Any], category: str) -> Any:
    matching = [finding for finding in findings if finding.category == category]
    assert len(matching) == 1, [finding.category for finding in findings]
    return matching[0]


def test_confidence_is_higher_when_the_code_invokes_it() -> None:
    present = _only(
        evaluate(_facts(_dex_hit("积分排名", invoked=False)), declarations=frozenset(), filing_number=None),
        "ranking",
    )
    invoked = _only(
        evaluate(_facts(_dex_hit("积分排名", invoked=True)), declarations=frozenset(), filing_number=None),
        "ranking",
    )
    assert invoked.confidence > present.confidence
    assert invoked.invoked and not present.invoked


def test_third_party_sdk_wording_is_never_a_violation() -> None:
    facts = _facts(_dex_hit("积分排名", invoked=True, caller="Lcom/umeng/game/Rank;->show()V"))
    assert [
        f for f in evaluate(facts, declarations=frozenset(), filing_number=None) if f.category == "ranking"
    ] == []


def test_first_party_evidence_counts_more_and_is_listed_first() -> None:
    facts = _facts(
        _dex_hit("排行榜", invoked=True, caller="Lcom/google/android/gms/games/Board;->a()V"),
        _dex_hit("积分排名", invoked=True),
    )
    finding = _only(evaluate(facts, declarations=frozenset(), filing_number=None), "ranking")
    assert finding.status == "violation"
    assert finding.evidence[0].caller == "Lcn/gov/app/Main;->run()V"


def test_api_and_permission_raise_a_weak_text_to_a_violation() -> None:
    weak = _facts(TextHit("轨迹", "layout", Evidence("res/layout/a.xml", "line 3", "轨迹")))
    found = _only(evaluate(weak, declarations=frozenset(), filing_number=None), "location_tracking")
    assert found.status == "advisory"
    strong = _facts(
        TextHit("轨迹", "layout", Evidence("res/layout/a.xml", "line 3", "轨迹")),
        permissions=["android.permission.ACCESS_BACKGROUND_LOCATION"],
    )
    from govapp.inspection.engine.facts import ApiHit

    strong.apis.append(
        ApiHit(
            "Landroid/location/LocationManager;->requestLocationUpdates",
            Evidence("classes.dex", "code", "requestLocationUpdates", "Lcn/gov/app/T;->a()V", True),
        )
    )
    raised = _only(evaluate(strong, declarations=frozenset(), filing_number=None), "location_tracking")
    assert raised.status == "violation" and raised.confidence > found.confidence
    assert any(item.snippet == "requestLocationUpdates" for item in raised.evidence)


def test_declared_exception_replaces_the_violation() -> None:
    facts = _facts(_dex_hit("考勤打卡", invoked=True), _dex_hit("积分排名", invoked=True))
    findings = evaluate(facts, declarations=frozenset({"checkin"}), filing_number=None)
    assert _only(findings, "checkin").status == "declared_exception"
    assert _only(findings, "ranking").status == "violation"


def test_unknown_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown declared category 'nap_time'"):
        evaluate(_facts(), declarations=frozenset({"nap_time"}), filing_number=None)


def test_filing_number_missing_and_present() -> None:
    shown = _facts(TextHit("备案号：GA2026 -0001", "layout", Evidence("a.xml", "line 1", "备案号")))
    assert not [
        f
        for f in evaluate(shown, declarations=frozenset(), filing_number="GA2026-0001")
        if f.category == "filing_number_missing"
    ]
    missing = _only(
        evaluate(_facts(), declarations=frozenset(), filing_number="GA2026-0001"), "filing_number_missing"
    )
    assert missing.status == "violation" and missing.article.zh == "第八条"
    assert not [
        f
        for f in evaluate(_facts(), declarations=frozenset(), filing_number=None)
        if f.category == "filing_number_missing"
    ]


def test_filing_number_is_part_of_the_interest() -> None:
    interest = RULESET.compile_interest("ZW(2026)-42")
    assert interest.text.search("本应用备案编号 ZW(2026)-42")
    assert not RULESET.compile_interest(None).text.search("ZW(2026)-42")


def test_packed_app_lowers_filing_confidence_and_adds_a_note() -> None:
    facts = _facts()
    facts.files.append("lib/arm64-v8a/libjiagu.so")
    analysis = RULESET.analyse(facts, filing_number="GA2026-0001")
    assert _only(analysis.findings, "filing_number_missing").status == "advisory"
    assert [det.name for det in analysis.packers] == ["360 Jiagu (360加固保)"]
    assert any("code evidence is limited" in note for note in analysis.notes)


def test_endpoints_from_urls_and_bare_addresses() -> None:
    hits = [
        TextHit(
            "http://api.example.gov.cn:8080/x?y=1", "dex", Evidence("classes.dex", "s1", "", "Lcn/a;->b()V")
        ),
        TextHit(
            "see https://API.example.gov.cn/v2 and wss://push.example.gov.cn",
            "script",
            Evidence("a.js", "l1", ""),
        ),
        TextHit("10.0.0.8", "resource", Evidence("r", "s2", "")),
        TextHit("http://[2001:db8::1]/x", "dex", Evidence("classes.dex", "s3", "")),
        TextHit("http://${host}/api", "script", Evidence("b.js", "l2", "")),
        TextHit("version 1.2.3.4 build", "resource", Evidence("r", "s4", "")),
        TextHit("6.0.0.47", "resource", Evidence("r", "s5", "6.0.0.47")),
        TextHit("10.9.8.7", "manifest", Evidence("module.json", "line 1", '"compileSdkVersion":"10.9.8.7"')),
        TextHit("8.8.8.8:53", "dex", Evidence("classes.dex", "s6", "8.8.8.8:53")),
    ]
    endpoints = {e.host: e for e in extract_endpoints(hits, lambda evidence: False)}
    assert set(endpoints) == {
        "api.example.gov.cn",
        "push.example.gov.cn",
        "10.0.0.8",
        "2001:db8::1",
        "8.8.8.8",
    }
    assert (
        endpoints["api.example.gov.cn"].schemes == {"http", "https"}
        and endpoints["api.example.gov.cn"].cleartext
    )
    assert endpoints["api.example.gov.cn"].count == 2
    assert endpoints["10.0.0.8"].kind == "ipv4" and endpoints["2001:db8::1"].kind == "ipv6"
    assert not endpoints["push.example.gov.cn"].cleartext


def test_sdk_detection_and_third_party_callers() -> None:
    facts = _facts()
    facts.code_names.update({"com.umeng.analytics", "com.amap.api.location", "cn.gov.app"})
    facts.files.append("lib/arm64-v8a/libBaiduMapSDK_map_v7.so")
    names = {det.name for det in RULESET.signatures.detect_sdks([facts])}
    assert names == {"Umeng (友盟+)", "AMap (高德地图/定位)", "Baidu LBS (百度地图/定位)"}
    third = RULESET.signatures.is_third_party
    assert third(Evidence("classes.dex", "s", "", caller="Lcom/umeng/analytics/A;->b()V"))
    assert not third(Evidence("classes.dex", "s", "", caller="Lcn/gov/app/A;->b()V"))
    assert third(Evidence("miniprogram_npm/vant/index.js", "line 1", ""))
    code = RULESET.compile_interest().code_prefix
    assert code.match("com.umeng.analytics") and code.match("com.stub") and not code.match("cn.gov.app")


# ---------------------------------------------------------------- loading errors


def _broken_ruleset(tmp_path: Path, mutate: Any) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    path = target / "formalism.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    mutate(data["rules"][0])
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(category="nap_time"), r"rule FORM-CHECKIN-001: field 'category' is 'nap_time'"),
        (
            lambda r: r["article"].update(zh="第十三条第三项", en="Art. 13(3)"),
            r"field 'article' must be 第十三条第二项 / Art. 13\(2\), the item of category 'checkin'",
        ),
        (
            lambda r: r["article"].pop("en"),
            r"rule FORM-CHECKIN-001: field 'article' must be a mapping with exactly",
        ),
        (
            lambda r: r["signals"]["text"][0].update(pattern="(unclosed"),
            r"signals.text\[0\].pattern' is not a valid",
        ),
        (
            lambda r: r["signals"]["text"][0].update(pattern="(?i)x"),
            r"signals.text\[0\].pattern' is not a valid",
        ),
        (lambda r: r["signals"]["text"][0].update(weight=3), r"signals.text\[0\].weight' must be a number"),
        (lambda r: r.update(colour="red"), r"field 'colour' is not a rule field"),
        (lambda r: r.update(severity="extreme"), r"field 'severity' is 'extreme'"),
        (lambda r: r["examples"].update(negative=[]), r"field 'examples' needs non-empty"),
        (
            lambda r: r["examples"]["positive"][0]["texts"][0].update(surface="screen"),
            r"examples.positive\[0\]' does not describe facts \(surface 'screen'",
        ),
        (lambda r: r.update(id="checkin"), r"rules\[0\]: field 'id' must look like"),
        (lambda r: r.update(version=0), r"field 'version' must be a positive integer"),
        (lambda r: r["signals"]["text"][0].update(pattern="x?"), r"matches the empty string"),
    ],
)
def test_rule_errors_name_file_rule_and_field(tmp_path: Path, mutate: Any, message: str) -> None:
    directory = _broken_ruleset(tmp_path, mutate)
    with pytest.raises(RuleError, match=r"^formalism\.yaml: .*" + message):
        load_ruleset(directory)


def test_duplicate_rule_id_and_bad_yaml(tmp_path: Path) -> None:
    directory = _broken_ruleset(tmp_path, lambda rule: rule.update(id="FORM-RANKING-001"))
    with pytest.raises(RuleError, match="rule FORM-RANKING-001: duplicate rule id"):
        load_ruleset(directory)
    (directory / "technical.yaml").write_text("rules: [\n", encoding="utf-8")
    with pytest.raises(RuleError, match=r"technical\.yaml: is not valid YAML"):
        load_ruleset(directory)


def test_signature_errors_are_rule_errors(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    (target / "signatures" / "sdks.yaml").write_text(
        "sdks:\n  - {name: X, category: analytics, prefixes: ['a b']}\n"
    )
    with pytest.raises(RuleError, match=r"signatures/sdks\.yaml: X: prefix 'a b' is not a dotted Java name"):
        load_ruleset(target)


def test_rules_version_changes_with_the_files(tmp_path: Path) -> None:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    before = load_ruleset(target).version
    with (target / "technical.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    after = load_ruleset(target).version
    assert before.startswith("2026.1+") and after.startswith("2026.1+") and before != after


# ---------------------------------------------------------------- robustness

_texts = st.lists(
    st.tuples(st.text(max_size=200), st.sampled_from(SURFACES), st.booleans(), st.text(max_size=40)),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(items=_texts, filing=st.none() | st.text(max_size=20))
def test_evaluation_never_fails_on_arbitrary_text(
    items: list[tuple[str, str, bool, str]], filing: str | None
) -> None:
    facts = _facts(
        *(
            TextHit(text, surface, Evidence("f", "l", text[:160], caller, invoked))
            for text, surface, invoked, caller in items
        )
    )
    findings = RULESET.evaluate(facts, filing_number=filing)
    for finding in findings:
        assert 0 <= finding.confidence <= 1 and finding.status in ("violation", "advisory")


def test_interest_patterns_are_case_insensitive() -> None:
    interest = RULESET.compile_interest()
    assert interest.text.search("DAILY CHECK-IN") and interest.text.search("HTTP://x.cn")
    assert not interest.text.search("办事指南")
