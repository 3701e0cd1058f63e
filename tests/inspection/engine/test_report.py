"""Report JSON against its published schema, the terminal summary and the HTML page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from govapp.inspection.engine.facts import ApiHit, Certificate, Evidence, PackageFacts, TextHit
from govapp.inspection.engine.html_report import render_html
from govapp.inspection.engine.report import SCHEMA, ScanReport, error_report, format_summary
from govapp.inspection.engine.scan import evaluate_facts

SCHEMA_PATH = (
    Path(__file__).resolve().parents[3] / "src/govapp/inspection/engine/schema/scan-report.schema.json"
)
_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "null": type(None),
    "integer": int,
    "number": (int, float),
}


def _type_ok(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def validate(value: Any, schema: dict[str, Any], root: dict[str, Any], where: str = "$") -> None:
    """The subset of JSON Schema the report schema uses (jsonschema is not a dependency)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        validate(value, root["$defs"][name], root, where)
        return
    kinds = schema.get("type")
    if kinds is not None:
        names = kinds if isinstance(kinds, list) else [kinds]
        assert any(_type_ok(value, n) for n in names), f"{where}: {value!r} is not {names}"
    if "const" in schema:
        assert value == schema["const"], f"{where}: {value!r} != {schema['const']!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} not in {schema['enum']}"
    if isinstance(value, str) and "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} !~ {schema['pattern']}"
    if isinstance(value, int | float) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value), f"{where}: below minimum"
        assert value <= schema.get("maximum", value), f"{where}: above maximum"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{where}: missing required key {key!r}"
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                validate(value[key], sub, root, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], root, f"{where}[{index}]")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>\x1b[31mRED'


@pytest.fixture
def facts() -> PackageFacts:
    facts = PackageFacts(
        format="apk",
        platform="android",
        path="duty.apk",
        sha256="a" * 64,
        size=1234,
        id="org.gov.duty",
        name="值班通 <b>",
        version="1.2",
        version_code="12",
        debuggable=False,
        permissions=["android.permission.READ_SMS", "android.permission.INTERNET"],
    )
    facts.certificates.append(Certificate(sha256="b" * 64, subject="CN=Gov", issuer="CN=Gov", scheme="v2"))
    caller = "Lorg/gov/duty/Rank;->show()V"
    facts.texts += [
        TextHit(
            "部门积分排名",
            "dex",
            Evidence("classes.dex", "string #4", "部门积分排名 " + HOSTILE, caller, True),
        ),
        TextHit(
            "http://10.1.2.3/api",
            "dex",
            Evidence("classes.dex", "string #5", "http://10.1.2.3/api", caller, True),
        ),
    ]
    facts.apis.append(ApiHit("Ljava/net/URL;-><init>", Evidence("classes.dex", "code", "URL", caller, True)))
    facts.code_names.add("com.umeng.analytics")
    facts.notes.append("2 DEX files")
    child = PackageFacts(format="apk", platform="android", path="split.apk", sha256="c" * 64, size=10)
    facts.children.append(child)
    return facts


def test_report_has_the_stable_keys_and_matches_the_schema(
    facts: PackageFacts, schema: dict[str, Any]
) -> None:
    report = evaluate_facts(facts, filing_number="GA-1")
    data = json.loads(report.to_json())
    validate(data, schema, schema)
    assert data["schema"] == SCHEMA == "govapp.scan/1"
    assert {"kind", "id", "name", "version", "sha256"} <= set(data["package"])
    assert data["verdict"] == "violation" and data["errors"] == []
    finding = next(f for f in data["findings"] if f["category"] == "ranking")
    assert {"rule", "category", "article", "severity", "status", "evidence"} <= set(finding)
    assert set(finding["evidence"][0]) >= {"file", "location", "snippet", "caller", "invoked"}
    assert finding["evidence"][0]["caller"] == "Lorg/gov/duty/Rank;->show()V"
    assert [sdk["name"] for sdk in data["sdks"]] == ["Umeng (友盟+)"]
    assert data["endpoints"][0]["host"] == "10.1.2.3" and data["endpoints"][0]["cleartext"]
    assert data["children"][0]["sha256"] == "c" * 64
    assert "2 DEX files" in data["notes"]
    assert {f["category"] for f in data["findings"]} >= {
        "tracker",
        "excessive_permission",
        "filing_number_missing",
    }


def test_error_report_matches_the_schema(schema: dict[str, Any]) -> None:
    report = error_report("x.apk", "x.apk: not a readable zip archive", sha256="d" * 64, size=3)
    data = report.to_dict()
    validate(data, schema, schema)
    assert data["verdict"] == "error" and data["errors"] == ["x.apk: not a readable zip archive"]
    assert report.exit_code == 2


def test_report_round_trips_through_json(facts: PackageFacts) -> None:
    report = evaluate_facts(facts)
    again = ScanReport.from_dict(json.loads(report.to_json()))
    assert again.to_dict() == report.to_dict()
    assert again.exit_code == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a JSON object"),
        ({"schema": "other/9"}, "unsupported report schema 'other/9'"),
        ({"schema": SCHEMA, "package": {}, "verdict": "ok", "findings": [], "errors": []}, "verdict 'ok'"),
        ({"schema": SCHEMA, "package": {}, "verdict": "pass", "errors": []}, "key 'findings' is missing"),
    ],
)
def test_from_dict_refuses_bad_reports(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        ScanReport.from_dict(data)


def test_summary_is_chinese_with_english_and_can_be_english(facts: PackageFacts) -> None:
    report = evaluate_facts(facts)
    zh = format_summary(report)
    assert "检测结论 (Verdict): 违规 (violation)" in zh
    assert "第十三条第二项 (Art. 13(2))" in zh and "积分排名功能 (Points ranking)" in zh
    en = format_summary(report, lang="en")
    assert "Verdict: violation" in en and "Points ranking" in en and "积分排名功能" not in en
    assert "\x1b" not in zh and "\x1b" not in en  # no terminal escape from a hostile snippet
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        format_summary(report, lang="fr")


def test_summary_of_an_error_names_the_error() -> None:
    text = format_summary(error_report("a.bin", "a.bin: not a package format we recognise"))
    assert "无法检测 (could not analyse)" in text and "a.bin: not a package format we recognise" in text


def test_html_is_self_contained_and_escapes_hostile_text(facts: PackageFacts) -> None:
    page = render_html(evaluate_facts(facts))
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert not re.search(r"<[^>]*\b(?:src|href)\s*=", page), "the page must not load or link anything"
    assert "http://10.1.2.3/api" in page  # endpoints are shown as text
    assert "Umeng" in page and "第十三条第二项" in page and "org.gov.duty" in page


def test_html_of_an_error_report() -> None:
    page = render_html(error_report("<x>.apk", "<x>.apk: broken"))
    assert "&lt;x&gt;.apk: broken" in page and "无法检测" in page


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=20,
)
_keys = st.sampled_from(["schema", "package", "verdict", "findings", "errors", "sdks", "notes", "duration_ms",
                         "filing_number", "declarations", "children", "endpoints"])  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    data=st.dictionaries(_keys, _json, max_size=12).map(lambda d: {"schema": SCHEMA, **d})
    | st.fixed_dictionaries(
        {
            "schema": st.just(SCHEMA),
            "package": st.just({}),
            "verdict": st.sampled_from(["pass", "error"]),
            "findings": _json,
            "errors": st.lists(st.text(max_size=5)),
            "duration_ms": _json,
        }  # fmt: skip
    )
)
def test_from_dict_only_ever_raises_value_error(data: dict[str, Any]) -> None:
    """A child's stdout is untrusted: whatever JSON it prints is a report or a ValueError."""
    try:
        report = ScanReport.from_dict(data)
    except ValueError:
        return
    assert report.verdict in ("pass", "error", "violation")
    json.dumps(report.to_dict())
