"""Rules as data: load and validate the YAML rule set, compile the readers' Interest, evaluate facts.

A rule names a regulation article, a category and a detector. The generic ``match`` detector
scores text signals (weighted regexes, with negative contexts) and raises confidence with API
and permission signals; the other detectors check one technical fact each (debuggable,
cleartext, permissions, tracker, packer, ipv4_only, missing_text, filing_number).
See rules/README.md for the file format.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .facts import SURFACES, ApiHit, Certificate, Evidence, Interest, PackageFacts, TextHit
from .prefilter import Prefilter, build_prefilter, matching, register
from .sdk import Detection, SignatureError, SignatureIndex, parse_signatures

RULES_DIR = Path(__file__).with_name("rules")

FORMALISM_CATEGORIES = (
    "checkin",
    "ranking",
    "online_time",
    "engagement_metrics",
    "forced_upload",
    "location_tracking",
    "forced_login",
    "forced_download",
)
TECHNICAL_CATEGORIES = (
    "cleartext",
    "debuggable",
    "excessive_permission",
    "tracker",
    "ipv4_only",
    "complaint_function_missing",
    "packer",
    "filing_number_missing",
)
CATEGORIES = FORMALISM_CATEGORIES + TECHNICAL_CATEGORIES
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

# Scoring of the ``match`` detector (see rules/README.md "Confidence").
THIRD_PARTY_FACTOR = 0.3
MIN_CONFIDENCE = 0.3
DEFAULT_THRESHOLD = 0.6
_DEX_INVOKED_BONUS = 0.1
_DEX_UNREFERENCED_MALUS = 0.15
_CORROBORATION_STEP = 0.05
_CORROBORATION_MAX = 0.15
_MATCHES_PER_TEXT = 20
MAX_EVIDENCE = 20
MAX_ENDPOINTS = 500

_URL = re.compile(
    r"\b(https?|wss?)://(\[[0-9A-Fa-f:.]{2,45}\]|[^\s/:?#\"'<>\\,;()]{1,253})(?::(\d{1,5}))?", re.I
)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}$"
)
_BARE_IPV4 = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})(:\d{1,5})?$")
_BARE_IPV6 = re.compile(r"^\[([0-9A-Fa-f:.]{2,45})\](?::\d{1,5})?$|^([0-9A-Fa-f:.]{2,45})$")
# Endpoint patterns for the Interest start by consuming a character (lookbehinds come second) so
# that the regex engine can reject a position with one C-level character test.
_IPV4_TEXT = r"\d(?<![\d.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\d.])"
_IPV6_TEXT = (
    r"\[[0-9a-f:.]{2,45}\]"
    r"|[0-9a-f](?<![\w:][0-9a-f])[0-9a-f]{0,3}:(?:[0-9a-f]{1,4}:){6}[0-9a-f]{1,4}(?![\w:])"
    r"|[0-9a-f](?<![\w:][0-9a-f])[0-9a-f]{0,3}:(?:[0-9a-f]{1,4}:){0,5}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?(?![\w:])"
)
_URL_TEXT = r"(?:https?|wss?)://"
_VERSION_WORD = re.compile(r"version|\bver\b|版本", re.IGNORECASE)
_IPV6_API = r"Inet6Address"


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
    params: dict[str, Any] = field(default_factory=dict)
    positive_examples: tuple[dict[str, Any], ...] = ()
    negative_examples: tuple[dict[str, Any], ...] = ()


@dataclass(slots=True)
class Finding:
    rule: str
    rule_version: int
    category: str
    article: Localized
    severity: str
    status: str  # violation, declared_exception, advisory
    confidence: float
    title: Localized
    description: Localized
    evidence: list[Evidence] = field(default_factory=list)
    evidence_count: int = 0
    invoked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "rule_version": self.rule_version,
            "category": self.category,
            "article": self.article.zh,
            "article_en": self.article.en,
            "severity": self.severity,
            "status": self.status,
            "confidence": self.confidence,
            "invoked": self.invoked,
            "title": self.title.to_dict(),
            "description": self.description.to_dict(),
            "evidence": [item.to_dict() for item in self.evidence],
            "evidence_count": self.evidence_count,
        }


@dataclass(slots=True)
class Endpoint:
    host: str
    kind: str  # domain, ipv4, ipv6
    schemes: set[str]
    count: int
    evidence: Evidence
    third_party: bool

    @property
    def cleartext(self) -> bool:
        return bool(self.schemes & {"http", "ws"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "kind": self.kind,
            "schemes": sorted(self.schemes),
            "cleartext": self.cleartext,
            "count": self.count,
            "evidence": self.evidence.to_dict(),
        }


@dataclass(slots=True)
class Analysis:
    """What the rule set concluded about one package (and its nested packages)."""

    findings: list[Finding]
    sdks: list[Detection]
    packers: list[Detection]
    endpoints: list[Endpoint]
    notes: list[str]


# ---------------------------------------------------------------- loading and validation


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
            if not isinstance(item, dict) or not set(item) <= {"pattern", "weight", "surfaces"}:
                raise self.fail(name, "must be a mapping with 'pattern', 'weight' and optional 'surfaces'")
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
    if not isinstance(negative, dict) or not set(negative) <= {"text", "window", "code_prefixes"}:
        raise check.fail("negative", "must be a mapping of 'text', 'window', 'code_prefixes'")
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
    return Rule(
        id=rule_id,
        version=version,
        category=check.choice(raw, "category", CATEGORIES),
        article=check.localized(raw, "article"),
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
    elif params:
        raise check.fail("params", f"is not used by the {detector!r} detector")
    return out


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


def load_ruleset(directory: Path = RULES_DIR) -> RuleSet:
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
    return RuleSet(version, tuple(rules), SignatureIndex(signature_sets[0], signature_sets[1]))


@functools.cache
def default_ruleset() -> RuleSet:
    return load_ruleset(RULES_DIR)


# ---------------------------------------------------------------- evaluation


@dataclass(slots=True)
class _Context:
    facts: PackageFacts
    nodes: list[PackageFacts]
    texts: list[TextHit]
    apis: list[ApiHit]
    permissions: set[str]
    sdks: list[Detection]
    packers: list[Detection]
    endpoints: list[Endpoint]
    third_party: Callable[[Evidence], bool]
    filing_number: str | None


def _dedupe_texts(nodes: list[PackageFacts]) -> list[TextHit]:
    seen: set[tuple[str, str, str]] = set()
    out: list[TextHit] = []
    for node in nodes:
        for hit in node.texts:
            key = (hit.evidence.file, hit.evidence.location, hit.text)
            if key not in seen:
                seen.add(key)
                out.append(hit)
    return out


def _dedupe_apis(nodes: list[PackageFacts]) -> list[ApiHit]:
    seen: set[tuple[str, str, str | None, str]] = set()
    out: list[ApiHit] = []
    for node in nodes:
        for hit in node.apis:
            key = (hit.api, hit.evidence.file, hit.evidence.caller, hit.evidence.location)
            if key not in seen:
                seen.add(key)
                out.append(hit)
    return out


# XML namespace and schema identifiers look like URLs but are never contacted.
_NAMESPACE_HOSTS = frozenset(
    {
        "schemas.android.com",
        "www.w3.org",
        "w3.org",
        "schemas.microsoft.com",
        "schemas.xmlsoap.org",
        "ns.adobe.com",
        "xmlpull.org",
        "purl.org",
        "xml.org",
        "xml.apache.org",
        "java.sun.com",
        "xmlns.jcp.org",
    }
)


def _classify_host(host: str) -> str | None:
    if host.lower() in _NAMESPACE_HOSTS:
        return None
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "domain" if _HOSTNAME.match(host) else None
    return "ipv4" if address.version == 4 else "ipv6"


def extract_endpoints(texts: Iterable[TextHit], third_party: Callable[[Evidence], bool]) -> list[Endpoint]:
    """Network endpoints (domains, IPv4/IPv6 literals) named by URLs or bare addresses in text hits."""
    found: dict[str, Endpoint] = {}

    def add(host: str, scheme: str | None, evidence: Evidence) -> None:
        key = host.lower().strip("[]")
        endpoint = found.get(key)
        if endpoint is None:
            kind = _classify_host(host)
            if kind is None or len(found) >= MAX_ENDPOINTS:
                return
            endpoint = found[key] = Endpoint(key, kind, set(), 0, evidence, third_party(evidence))
        endpoint.count += 1
        if scheme:
            endpoint.schemes.add(scheme)
        if endpoint.third_party and not third_party(evidence):
            endpoint.evidence, endpoint.third_party = evidence, False

    for hit in texts:
        text = hit.text
        if "://" in text:
            for number, match in enumerate(_URL.finditer(text)):
                if number >= _MATCHES_PER_TEXT:
                    break
                add(match.group(2), match.group(1).lower(), hit.evidence)
        elif len(text) <= 60 and hit.surface not in ("manifest", "layout"):
            stripped = text.strip()
            v4 = _BARE_IPV4.match(stripped)
            if v4:
                if _classify_host(v4.group(1)) == "ipv4" and (
                    v4.group(2) or not _version_like(v4.group(1), hit)
                ):
                    add(v4.group(1), None, hit.evidence)
                continue
            v6 = _BARE_IPV6.match(stripped)
            if v6 and _classify_host(v6.group(1) or v6.group(2)) == "ipv6":
                add(v6.group(1) or v6.group(2), None, hit.evidence)
    return sorted(found.values(), key=lambda e: (e.kind, e.host))


def _version_like(address: str, hit: TextHit) -> bool:
    """A bare "6.0.0.47" is far more often a version than a server (with a port it is a server)."""
    if _VERSION_WORD.search(hit.evidence.snippet):
        return True
    octets = address.split(".")
    return len(octets) == 4 and all(len(octet) == 1 for octet in octets[:3])


def _text_score(hit: TextHit, weight: float) -> float:
    if hit.surface == "dex":
        return weight + (_DEX_INVOKED_BONUS if hit.evidence.invoked else -_DEX_UNREFERENCED_MALUS)
    return weight


class RuleSet:
    """The loaded rules plus SDK/packer signatures."""

    def __init__(self, version: str, rules: tuple[Rule, ...], signatures: SignatureIndex) -> None:
        self.version = version
        self.rules = rules
        self.signatures = signatures

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def compile_interest(self, filing_number: str | None = None) -> Interest:
        """One Interest for the readers covering every rule, signature and endpoint pattern."""
        text_parts = [_URL_TEXT, _IPV4_TEXT, _IPV6_TEXT]
        api_parts = [_IPV6_API]
        for rule in self.rules:
            text_parts.extend(sig.pattern.pattern for sig in rule.text)
            api_parts.extend(sig.pattern.pattern for sig in rule.api)
            for key in ("pattern", "ipv6_hints"):
                if key in rule.params:
                    text_parts.append(rule.params[key].pattern)
        if filing_number and filing_number.strip():
            text_parts.append(re.escape(filing_number.strip()))
        return Interest(
            text=compile_union(text_parts),
            api=compile_union(api_parts),
            code_prefix=re.compile(self.signatures.code_prefix_pattern()),
        )

    def analyse(
        self,
        facts: PackageFacts,
        *,
        declarations: frozenset[str] = frozenset(),
        filing_number: str | None = None,
    ) -> Analysis:
        """Evaluate every rule on ``facts`` and its nested packages."""
        unknown = sorted(set(declarations) - set(CATEGORIES))
        if unknown:
            raise ValueError(
                f"unknown declared category {unknown[0]!r}; expected one of {', '.join(CATEGORIES)}"
            )
        nodes = facts.walk()
        texts = _dedupe_texts(nodes)
        third_party = self.signatures.is_third_party
        ctx = _Context(
            facts=facts,
            nodes=nodes,
            texts=texts,
            apis=_dedupe_apis(nodes),
            permissions={p for node in nodes for p in node.permissions},
            sdks=self.signatures.detect_sdks(nodes),
            packers=self.signatures.detect_packers(nodes),
            endpoints=extract_endpoints(texts, third_party),
            third_party=third_party,
            filing_number=filing_number.strip() if filing_number and filing_number.strip() else None,
        )
        findings: list[Finding] = []
        for rule in self.rules:
            finding = _DETECTOR_FUNCTIONS[rule.detector](rule, ctx)
            if finding is None:
                continue
            if rule.category in declarations:
                finding.status = "declared_exception"
            findings.append(finding)
        findings.sort(
            key=lambda f: (SEVERITIES.index(f.severity), f.status != "violation", -f.confidence, f.rule)
        )
        notes = []
        if ctx.packers:
            names = ", ".join(det.name for det in ctx.packers)
            notes.append(
                f"The code is packed by {names}: only the packer's stub is visible, so code evidence is limited."
            )
        return Analysis(findings, ctx.sdks, ctx.packers, ctx.endpoints, notes)

    def evaluate(
        self,
        facts: PackageFacts,
        *,
        declarations: frozenset[str] = frozenset(),
        filing_number: str | None = None,
    ) -> list[Finding]:
        return self.analyse(facts, declarations=declarations, filing_number=filing_number).findings


# ---------------------------------------------------------------- the readers' Interest
#
# Readers run Interest.text over every string of a package (hundreds of thousands for a big DEX),
# so its speed matters. Compiled with re.IGNORECASE, an alternation of ~50 English and Chinese
# phrases costs ~80 µs per string: the engine enters every case-insensitive branch at every
# position. Rewriting each pattern with explicit case classes ("[dD]aily") and no flag lets the
# engine reject a branch on its first character in C, with identical matches. The rewrite walks
# the stdlib's parsed form of the pattern; anything it does not know falls back to re.IGNORECASE
# (correct, only slower).


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
    except (_NotRewritable, RecursionError, re.error):
        return None


def evaluate(
    facts: PackageFacts, *, declarations: frozenset[str], filing_number: str | None
) -> list[Finding]:
    """Findings of the default rule set for ``facts``."""
    return default_ruleset().evaluate(facts, declarations=declarations, filing_number=filing_number)


def _finding(rule: Rule, confidence: float, evidence: list[Evidence], *, certain: bool = True) -> Finding:
    """``certain`` False caps the status at advisory (e.g. only third-party evidence)."""
    confidence = round(min(max(confidence, 0.0), 0.99), 2)
    violation = rule.status == "violation" and certain and confidence >= rule.threshold
    return Finding(
        rule=rule.id,
        rule_version=rule.version,
        category=rule.category,
        article=rule.article,
        severity=rule.severity,
        status="violation" if violation else "advisory",
        confidence=confidence,
        title=rule.title,
        description=rule.description,
        evidence=evidence[:MAX_EVIDENCE],
        evidence_count=len(evidence),
        invoked=any(item.invoked for item in evidence),
    )


def _negated(rule: Rule, text: str, start: int, end: int) -> bool:
    if rule.negative_text is None:
        return False
    window = text[max(0, start - rule.negative_window) : end + rule.negative_window]
    return bool(rule.negative_text.search(window))


def _detect_match(rule: Rule, ctx: _Context) -> Finding | None:
    scored: list[tuple[float, bool, TextHit]] = []
    # Through the literal prefilter of the rule's text signals: a package's texts can be long
    # (scripts, JSON), and each signal is searched below anyway.
    patterns = tuple(sig.pattern.pattern for sig in rule.text)
    for index in sorted(union_candidates(patterns, [hit.text for hit in ctx.texts])):
        hit = ctx.texts[index]
        best: float | None = None
        for sig in rule.text:
            if sig.surfaces and hit.surface not in sig.surfaces:
                continue
            for number, match in enumerate(sig.pattern.finditer(hit.text)):
                if number >= _MATCHES_PER_TEXT:
                    break
                if not _negated(rule, hit.text, match.start(), match.end()):
                    best = sig.weight if best is None else max(best, sig.weight)
                    break
        if best is None:
            continue
        third = ctx.third_party(hit.evidence) or _in_prefixes(hit.evidence, rule.negative_prefixes)
        score = _text_score(hit, best) * (THIRD_PARTY_FACTOR if third else 1.0)
        scored.append((score, third, hit))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    first_party = [item for item in scored if not item[1]]
    confidence = scored[0][0]
    evidence = [hit.evidence for _score, _third, hit in scored]
    if first_party:
        distinct = len({hit.text for _s, _t, hit in first_party})
        confidence += min(_CORROBORATION_MAX, _CORROBORATION_STEP * (distinct - 1))
        api_best = 0.0
        api_evidence: list[Evidence] = []
        for api_hit in ctx.apis:
            for sig in rule.api:
                if sig.pattern.search(api_hit.api):
                    weight = sig.weight * (1.0 if api_hit.evidence.invoked else 0.5)
                    if ctx.third_party(api_hit.evidence):
                        weight *= THIRD_PARTY_FACTOR
                    api_best = max(api_best, weight)
                    api_evidence.append(api_hit.evidence)
                    break
        confidence += api_best
        confidence += max((w for name, w in rule.permissions if name in ctx.permissions), default=0.0)
        evidence = (
            [hit.evidence for _s, _t, hit in first_party]
            + api_evidence[:5]
            + [hit.evidence for _s, third, hit in scored if third]
        )
    if confidence < MIN_CONFIDENCE:
        return None
    return _finding(rule, confidence, evidence, certain=bool(first_party))


def _in_prefixes(evidence: Evidence, prefixes: tuple[str, ...]) -> bool:
    if not prefixes or not evidence.caller or not evidence.caller.startswith("L"):
        return False
    dotted = evidence.caller[1:].split(";", 1)[0].replace("/", ".")
    return any(dotted == p or dotted.startswith(p + ".") for p in prefixes)


def _manifest_file(node: PackageFacts) -> str:
    return {"android": "AndroidManifest.xml", "harmonyos": "module.json", "quickapp": "manifest.json"}.get(
        node.platform, "app.json"
    )


def _detect_debuggable(rule: Rule, ctx: _Context) -> Finding | None:
    evidence: list[Evidence] = []
    confidence = 0.0
    for node in ctx.nodes:
        if node.debuggable:
            evidence.append(
                Evidence(_manifest_file(node), "debuggable", f"{node.id or node.path}: debuggable=true")
            )
            confidence = max(confidence, 0.95)
        # Readers flag every certificate of a debug profile; the first one is evidence enough.
        for cert in [cert for cert in node.certificates if cert.debug][:1]:
            evidence.append(
                Evidence("signature", cert.scheme or "certificate", f"{cert.subject} ({cert.sha256[:16]})")
            )
            confidence = max(confidence, 0.9)
        profile = node.signing.get("profile_type") or node.signing.get("type")
        if isinstance(profile, str) and profile.lower() == "debug":
            evidence.append(Evidence("signature", "profile", f"{node.id or node.path}: profile type debug"))
            confidence = max(confidence, 0.9)
    return _finding(rule, confidence, evidence) if evidence else None


def _detect_cleartext(rule: Rule, ctx: _Context) -> Finding | None:
    ignore: frozenset[str] = rule.params.get("ignore_hosts", frozenset())
    evidence: list[Evidence] = []
    confidence = 0.0
    for node in ctx.nodes:
        flag = node.extra.get("uses_cleartext_traffic", node.extra.get("usesCleartextTraffic"))
        if flag is True:
            evidence.append(
                Evidence(_manifest_file(node), "usesCleartextTraffic", "usesCleartextTraffic=true")
            )
            confidence = max(confidence, 0.8)
        config = node.extra.get("network_security_config")
        if isinstance(config, dict):
            where = str(config.get("file") or "network_security_config")
            if config.get("base_cleartext_permitted") is True:
                evidence.append(Evidence(where, "base-config", 'cleartextTrafficPermitted="true"'))
                confidence = max(confidence, 0.8)
            domains = config.get("cleartext_domains")
            if isinstance(domains, list) and domains:
                snippet = "cleartext permitted for " + ", ".join(str(d) for d in domains[:10])
                evidence.append(Evidence(where, "domain-config", snippet[:160]))
                confidence = max(confidence, 0.7)
    for endpoint in ctx.endpoints:
        if not endpoint.cleartext or endpoint.host in ignore or endpoint.host.startswith("127."):
            continue
        evidence.append(endpoint.evidence)
        if endpoint.third_party:
            confidence = max(confidence, 0.35)
        else:
            confidence = max(confidence, 0.8 if endpoint.evidence.invoked else 0.65)
    return _finding(rule, confidence, evidence) if evidence else None


def _detect_permissions(rule: Rule, ctx: _Context) -> Finding | None:
    sensitive: dict[str, Localized] = rule.params["permissions"]
    evidence: list[Evidence] = []
    for node in ctx.nodes:
        for name in node.permissions:
            reason = sensitive.get(name)
            if reason and all(item.snippet.split(" ")[0] != name for item in evidence):
                evidence.append(
                    Evidence(_manifest_file(node), "permission", f"{name} ({reason.zh} / {reason.en})")
                )
    return _finding(rule, 0.9, evidence) if evidence else None


def _detect_tracker(rule: Rule, ctx: _Context) -> Finding | None:
    categories: frozenset[str] = rule.params["categories"]
    evidence = []
    for det in ctx.sdks:
        if det.category in categories and det.evidence:
            first = det.evidence[0]
            evidence.append(
                Evidence(first.file, first.location, f"{det.name} [{det.category}]: {first.snippet}")
            )
    return _finding(rule, 0.9, evidence) if evidence else None


def _detect_packer(rule: Rule, ctx: _Context) -> Finding | None:
    evidence: list[Evidence] = []
    for det in ctx.packers:
        evidence.extend(
            Evidence(item.file, item.location, f"{det.name}: {item.snippet}") for item in det.evidence
        )
    return _finding(rule, 0.9, evidence) if evidence else None


def _detect_ipv4_only(rule: Rule, ctx: _Context) -> Finding | None:
    hints: re.Pattern[str] = rule.params["ipv6_hints"]
    if any(endpoint.kind == "ipv6" for endpoint in ctx.endpoints):
        return None
    if any(hints.search(hit.text) for hit in ctx.texts) or any(_IPV6_API in hit.api for hit in ctx.apis):
        return None
    evidence = []
    for endpoint in ctx.endpoints:
        if endpoint.kind != "ipv4":
            continue
        address = ipaddress.ip_address(endpoint.host)
        if (
            address.is_loopback
            or address.is_unspecified
            or address.is_multicast
            or address == ipaddress.IPv4Address("255.255.255.255")
        ):
            continue
        evidence.append(endpoint.evidence)
    return _finding(rule, 0.5, evidence) if evidence else None


def _detect_missing_text(rule: Rule, ctx: _Context) -> Finding | None:
    pattern: re.Pattern[str] = rule.params["pattern"]
    # Only the app's own wording counts: an SDK's "feedback" string is not the app's complaint entry,
    # and a DEX string that no code loads is not shown to anyone.
    for hit in ctx.texts:
        if hit.surface == "dex" and not hit.evidence.caller:
            continue
        if pattern.search(hit.text) and not ctx.third_party(hit.evidence):
            return None
    return _finding(rule, 0.3 if ctx.packers else 0.5, [])


def _detect_filing_number(rule: Rule, ctx: _Context) -> Finding | None:
    number = ctx.filing_number
    if number is None:
        return None
    squeezed = re.sub(r"\s+", "", number)
    for hit in ctx.texts:
        if number in hit.text or squeezed in re.sub(r"\s+", "", hit.text):
            return None
    return _finding(rule, 0.4 if ctx.packers else 0.7, [])


_DETECTOR_FUNCTIONS: dict[str, Callable[[Rule, _Context], Finding | None]] = {
    "match": _detect_match,
    "debuggable": _detect_debuggable,
    "cleartext": _detect_cleartext,
    "permissions": _detect_permissions,
    "tracker": _detect_tracker,
    "packer": _detect_packer,
    "ipv4_only": _detect_ipv4_only,
    "missing_text": _detect_missing_text,
    "filing_number": _detect_filing_number,
}
