"""Rule files: the YAML format's data model, its validation and loading (see README.md here).

Every error names the file, the rule id and the field, so that whoever edits a rule file is told
exactly what to fix; a rule set that does not validate is never used.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..articles import article_label
from ..categories import CATEGORIES, FORMALISM_ARTICLES
from ..facts import SURFACES, ApiHit, Certificate, Evidence, PackageFacts, TextHit
from ..sdk import SignatureError, SignatureIndex, parse_signatures

SEVERITIES = ("high", "medium", "low", "info")
DEFAULT_STATUSES = ("violation", "advisory")
DETECTORS = (
    "match",
    "debuggable",
    "cleartext",
    "permissions",
    "tracker",
    "packer",
    "ipv4_only",
    "missing_text",
    "filing_number",
)
DEFAULT_THRESHOLD = 0.6  # confidence from which a ``match`` finding is a violation


class RuleError(ValueError):
    """A rule file is malformed; the message names the file, the rule id and the field."""


@dataclass(frozen=True, slots=True)
class Localized:
    zh: str
    en: str

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


@dataclass(frozen=True, slots=True)
class Signal:
    pattern: re.Pattern[str]
    weight: float
    surfaces: frozenset[str] | None = None
    part: str | None = None  # the part of a feature this signal shows (see Together)


@dataclass(frozen=True, slots=True)
class Together:
    """Parts of one feature found together: on one page (a directory) they add ``bonus``, apart ``apart``."""

    parts: frozenset[str]
    bonus: float
    apart: float


@dataclass(frozen=True)
class Rule:
    id: str
    version: int
    category: str
    article: Localized
    severity: str
    status: str
    title: Localized
    description: Localized
    detector: str
    source: str
    threshold: float = DEFAULT_THRESHOLD
    text: tuple[Signal, ...] = ()
    api: tuple[Signal, ...] = ()
    permissions: tuple[tuple[str, float], ...] = ()
    negative_text: re.Pattern[str] | None = None
    negative_window: int = 24
    negative_prefixes: tuple[str, ...] = ()
    negative_files: re.Pattern[str] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    positive_examples: tuple[dict[str, Any], ...] = ()
    negative_examples: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class LoadedRules:
    """What a rule directory holds, validated: its version (with a digest of its files), rules, signatures."""

    version: str
    rules: tuple[Rule, ...]
    signatures: SignatureIndex


class _Check:
    """Validation helpers that name file, rule and field in every error."""

    def __init__(self, source: str, rule_id: str) -> None:
        self.where = f"{source}: rule {rule_id}"

    def fail(self, field_name: str, problem: str) -> RuleError:
        return RuleError(f"{self.where}: field {field_name!r} {problem}")

    def text(self, raw: dict[str, Any], key: str) -> str:
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "must be a non-empty string")
        return value.strip()

    def localized(self, raw: dict[str, Any], key: str) -> Localized:
        value = raw.get(key)
        if not isinstance(value, dict) or set(value) != {"zh", "en"}:
            raise self.fail(key, "must be a mapping with exactly 'zh' and 'en'")
        return Localized(self.text(value, "zh"), self.text(value, "en"))

    def choice(
        self, raw: dict[str, Any], key: str, allowed: Iterable[str], default: str | None = None
    ) -> str:
        value = raw.get(key, default)
        allowed = tuple(allowed)
        if value not in allowed:
            raise self.fail(key, f"is {value!r}; expected one of {', '.join(allowed)}")
        return str(value)

    def weight(self, value: Any, key: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise self.fail(key, f"must be a number from 0 to 1, not {value!r}")
        return float(value)

    def regex(self, value: Any, key: str) -> re.Pattern[str]:
        if not isinstance(value, str) or not value:
            raise self.fail(key, "must be a non-empty regular expression")
        try:
            pattern = re.compile(value, re.IGNORECASE)
            # Patterns are joined into one alternation for the readers: global flags would break it.
            re.compile(f"(?:{value})|x")
        except re.error as exc:
            raise self.fail(key, f"is not a valid regular expression ({exc})") from None
        if pattern.search(""):
            raise self.fail(key, "matches the empty string")
        return pattern

    def signals(self, raw: Any, key: str) -> tuple[Signal, ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(key, "must be a list of {pattern, weight}")
        out = []
        for index, item in enumerate(raw):
            name = f"{key}[{index}]"
            if not isinstance(item, dict) or not set(item) <= {"pattern", "weight", "surfaces", "part"}:
                raise self.fail(
                    name, "must be a mapping with 'pattern', 'weight' and optional 'surfaces', 'part'"
                )
            part = item.get("part")
            if part is not None and not (isinstance(part, str) and part.isidentifier()):
                raise self.fail(f"{name}.part", "must be a short name such as 'order'")
            surfaces = item.get("surfaces")
            if surfaces is not None and (
                not isinstance(surfaces, list) or not set(surfaces) <= set(SURFACES)
            ):
                raise self.fail(f"{name}.surfaces", f"must list surfaces from {', '.join(SURFACES)}")
            out.append(
                Signal(
                    self.regex(item.get("pattern"), f"{name}.pattern"),
                    self.weight(item.get("weight", 0.5), f"{name}.weight"),
                    frozenset(surfaces) if surfaces else None,
                    part,
                )
            )
        return tuple(out)


_RULE_KEYS = {
    "id", "version", "category", "article", "severity", "status", "title", "description", "detector",
    "threshold", "signals", "negative", "params", "examples",
}  # fmt: skip
_EXAMPLE_KEYS = {"texts", "apis", "permissions", "manifest", "certificates", "code_names", "files",
                 "filing_number", "declarations", "expect", "note"}  # fmt: skip
_ID_SYNTAX = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")


def _parse_rule(raw: Any, source: str, index: int) -> Rule:
    if not isinstance(raw, dict):
        raise RuleError(f"{source}: rules[{index}] must be a mapping")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_SYNTAX.match(rule_id):
        raise RuleError(
            f"{source}: rules[{index}]: field 'id' must look like FORM-CHECKIN-001, not {rule_id!r}"
        )
    check = _Check(source, rule_id)
    unknown = set(raw) - _RULE_KEYS
    if unknown:
        raise check.fail(sorted(unknown)[0], "is not a rule field")
    version = raw.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise check.fail("version", "must be a positive integer")
    detector = check.choice(raw, "detector", DETECTORS, default="match")
    signals = raw.get("signals") or {}
    if not isinstance(signals, dict) or not set(signals) <= {"text", "api", "permissions"}:
        raise check.fail("signals", "must be a mapping of 'text', 'api', 'permissions'")
    text = check.signals(signals.get("text"), "signals.text")
    if detector == "match" and not text:
        raise check.fail("signals.text", "is required by the 'match' detector")
    permissions: list[tuple[str, float]] = []
    for pos, item in enumerate(signals.get("permissions") or []):
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise check.fail(f"signals.permissions[{pos}]", "must be a mapping with 'name' and 'weight'")
        permissions.append(
            (item["name"], check.weight(item.get("weight", 0.1), f"signals.permissions[{pos}]"))
        )
    negative = raw.get("negative") or {}
    if not isinstance(negative, dict) or not set(negative) <= {"text", "window", "code_prefixes", "files"}:
        raise check.fail("negative", "must be a mapping of 'text', 'window', 'code_prefixes', 'files'")
    window = negative.get("window", 24)
    if isinstance(window, bool) or not isinstance(window, int) or not 0 <= window <= 200:
        raise check.fail("negative.window", "must be an integer from 0 to 200")
    prefixes = negative.get("code_prefixes") or []
    if not isinstance(prefixes, list) or not all(isinstance(p, str) and p for p in prefixes):
        raise check.fail("negative.code_prefixes", "must be a list of dotted package names")
    params = raw.get("params") or {}
    if not isinstance(params, dict):
        raise check.fail("params", "must be a mapping")
    examples = raw.get("examples")
    if not isinstance(examples, dict) or not examples.get("positive") or not examples.get("negative"):
        raise check.fail("examples", "needs non-empty 'positive' and 'negative' lists")
    if not isinstance(examples["positive"], list) or not isinstance(examples["negative"], list):
        raise check.fail("examples", "'positive' and 'negative' must be lists")
    category = check.choice(raw, "category", CATEGORIES)
    article = check.localized(raw, "article")
    ref = FORMALISM_ARTICLES.get(category)
    if ref is not None:
        cited = (article_label(ref, english=False), article_label(ref, english=True))
        if (article.zh, article.en) != cited:
            raise check.fail("article", f"must be {cited[0]} / {cited[1]}, the item of category {category!r}")
    return Rule(
        id=rule_id,
        version=version,
        category=category,
        article=article,
        severity=check.choice(raw, "severity", SEVERITIES),
        status=check.choice(raw, "status", DEFAULT_STATUSES),
        title=check.localized(raw, "title"),
        description=check.localized(raw, "description"),
        detector=detector,
        source=source,
        threshold=check.weight(raw.get("threshold", DEFAULT_THRESHOLD), "threshold"),
        text=text,
        api=check.signals(signals.get("api"), "signals.api"),
        permissions=tuple(permissions),
        negative_text=check.regex(negative["text"], "negative.text") if "text" in negative else None,
        negative_window=window,
        negative_prefixes=tuple(prefixes),
        negative_files=check.regex(negative["files"], "negative.files") if "files" in negative else None,
        params=_check_params(check, detector, params),
        positive_examples=tuple(
            _check_example(check, f"examples.positive[{i}]", ex) for i, ex in enumerate(examples["positive"])
        ),
        negative_examples=tuple(
            _check_example(check, f"examples.negative[{i}]", ex) for i, ex in enumerate(examples["negative"])
        ),
    )


def _check_params(check: _Check, detector: str, params: dict[str, Any]) -> dict[str, Any]:
    out = dict(params)
    if detector == "cleartext":
        hosts = params.get("ignore_hosts", [])
        if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
            raise check.fail("params.ignore_hosts", "must be a list of host names")
        out["ignore_hosts"] = frozenset(h.lower() for h in hosts)
    elif detector == "permissions":
        perms = params.get("permissions")
        if not isinstance(perms, dict) or not perms:
            raise check.fail("params.permissions", "must map permission names to {zh, en} reasons")
        out["permissions"] = {name: check.localized(perms, name) for name in perms}
    elif detector == "tracker":
        cats = params.get("categories")
        if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats):
            raise check.fail("params.categories", "must be a non-empty list of SDK categories")
        out["categories"] = frozenset(cats)
    elif detector == "ipv4_only":
        out["ipv6_hints"] = check.regex(params.get("ipv6_hints"), "params.ipv6_hints")
    elif detector == "missing_text":
        out["pattern"] = check.regex(params.get("pattern"), "params.pattern")
    elif detector == "match":
        out = {"together": _together(check, params)}
    elif params:
        raise check.fail("params", f"is not used by the {detector!r} detector")
    return out


def _together(check: _Check, params: dict[str, Any]) -> tuple[Together, ...]:
    if set(params) - {"together"}:
        raise check.fail("params", "the 'match' detector takes only 'together'")
    raw = params.get("together") or []
    if not isinstance(raw, list):
        raise check.fail("params.together", "must be a list of {parts, bonus}")
    out = []
    for index, item in enumerate(raw):
        name = f"params.together[{index}]"
        parts = item.get("parts") if isinstance(item, dict) else None
        if not isinstance(parts, list) or len(parts) < 2 or not all(isinstance(p, str) for p in parts):
            raise check.fail(name, "needs 'parts', a list of at least two part names, and 'bonus'")
        if set(item) - {"parts", "bonus", "apart"}:
            raise check.fail(name, "takes only 'parts', 'bonus' and 'apart'")
        bonus = check.weight(item.get("bonus"), f"{name}.bonus")
        apart = check.weight(item.get("apart", bonus / 2), f"{name}.apart")
        out.append(Together(frozenset(parts), bonus, apart))
    return tuple(out)


def _check_example(check: _Check, name: str, example: Any) -> dict[str, Any]:
    if not isinstance(example, dict) or not example:
        raise check.fail(name, "must be a non-empty mapping")
    unknown = set(example) - _EXAMPLE_KEYS
    if unknown:
        raise check.fail(f"{name}.{sorted(unknown)[0]}", "is not an example field")
    try:
        example_facts(example)
    except (TypeError, ValueError, KeyError) as exc:
        raise check.fail(name, f"does not describe facts ({exc})") from None
    expect = example.get("expect")
    if expect is not None and expect not in ("violation", "advisory", "declared_exception"):
        raise check.fail(f"{name}.expect", "must be violation, advisory or declared_exception")
    return example


def example_facts(example: dict[str, Any]) -> PackageFacts:
    """Build tiny PackageFacts from a rule example (used by the test suite and rule validation)."""
    manifest = example.get("manifest") or {}
    facts = PackageFacts(
        format=manifest.get("format", "apk"),
        platform=manifest.get("platform", "android"),
        path="example.apk",
        sha256="0" * 64,
        size=0,
        id=manifest.get("id", "cn.gov.example"),
        name=manifest.get("name", "Example"),
        debuggable=manifest.get("debuggable"),
        signing=dict(manifest.get("signing") or {}),
        extra=dict(manifest.get("extra") or {}),
        permissions=[str(p) for p in example.get("permissions") or []],
        code_names={str(n) for n in example.get("code_names") or []},
        files=[str(f) for f in example.get("files") or []],
    )
    for cert in example.get("certificates") or []:
        facts.certificates.append(
            Certificate(
                sha256=hashlib.sha256(str(cert.get("subject", "")).encode()).hexdigest(),
                subject=str(cert.get("subject", "")),
                issuer=str(cert.get("issuer", cert.get("subject", ""))),
                debug=bool(cert.get("debug", False)),
            )
        )
    for index, item in enumerate(example.get("texts") or []):
        surface = item.get("surface", "resource")
        if surface not in SURFACES:
            raise ValueError(f"surface {surface!r} is not one of {', '.join(SURFACES)}")
        text = str(item["text"])
        default_file = "classes.dex" if surface == "dex" else "res/values/strings.xml"
        evidence = Evidence(
            file=str(item.get("file", default_file)),
            location=str(item.get("location", f"string #{index}")),
            snippet=text[:160],
            caller=item.get("caller"),
            invoked=bool(item.get("invoked", False)),
        )
        facts.texts.append(TextHit(text=text, surface=surface, evidence=evidence))
    for item in example.get("apis") or []:
        api = str(item["api"])
        facts.apis.append(
            ApiHit(
                api=api,
                evidence=Evidence(
                    file=str(item.get("file", "classes.dex")),
                    location=str(item.get("location", "code")),
                    snippet=api,
                    caller=item.get("caller"),
                    invoked=bool(item.get("invoked", False)),
                ),
            )
        )
    return facts


_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(path: Path) -> Any:
    try:
        # libyaml's loader when PyYAML has it: the pure-Python one took a tenth of a large scan.
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 - a safe loader
    except OSError as exc:
        raise RuleError(f"{path}: cannot be read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise RuleError(f"{path}: is not valid YAML ({str(exc).splitlines()[0]})") from None


def read_rules(directory: Path) -> LoadedRules:
    """Load and validate every rule and signature file named by ``ruleset.yaml`` in ``directory``."""
    index_path = directory / "ruleset.yaml"
    index = _load_yaml(index_path)
    if not isinstance(index, dict) or not isinstance(index.get("version"), str):
        raise RuleError(f"{index_path}: needs a string 'version'")
    files = index.get("rule_files")
    if not isinstance(files, list) or not files or not all(isinstance(f, str) for f in files):
        raise RuleError(f"{index_path}: 'rule_files' must list rule files")
    digest = hashlib.sha256(index_path.read_bytes())
    rules: list[Rule] = []
    for name in files:
        path = directory / name
        data = _load_yaml(path)
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RuleError(f"{path}: expected a mapping with a list under 'rules'")
        digest.update(path.read_bytes())
        rules.extend(_parse_rule(raw, path.name, i) for i, raw in enumerate(data["rules"]))
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise RuleError(f"{rule.source}: rule {rule.id}: duplicate rule id")
        seen.add(rule.id)
    signature_sets = []
    for key, category in (("sdk_file", None), ("packer_file", "packer")):
        rel = index.get(key)
        if not isinstance(rel, str):
            raise RuleError(f"{index_path}: needs {key!r}")
        path = directory / rel
        digest.update(path.read_bytes() if path.is_file() else b"")
        try:
            signature_sets.append(
                parse_signatures(
                    _load_yaml(path),
                    source=rel,
                    key="sdks" if category is None else "packers",
                    category=category,
                )
            )
        except SignatureError as exc:
            raise RuleError(str(exc)) from None
    version = f"{index['version']}+{digest.hexdigest()[:12]}"
    return LoadedRules(version, tuple(rules), SignatureIndex(signature_sets[0], signature_sets[1]))
