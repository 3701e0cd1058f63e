"""Evaluating a rule set on a package's facts: one detector per rule, scored into findings.

The generic ``match`` detector scores text signals (weighted regexes, with negative contexts)
and raises confidence with API and permission signals; the other detectors check one technical
fact each (debuggable, cleartext, permissions, tracker, packer, ipv4_only, missing_text,
filing_number). README.md in this directory describes the scoring.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..categories import CATEGORIES
from ..facts import VENDORED_KEY, ApiHit, Evidence, PackageFacts, TextHit
from ..sdk import Detection, SignatureIndex
from .caseless import union_candidates
from .endpoints import IPV6_API, MATCHES_PER_TEXT, Endpoint, extract_endpoints
from .schema import SEVERITIES, Localized, Rule

# Scoring of the ``match`` detector (README.md in this directory explains it).
THIRD_PARTY_FACTOR = 0.3
MIN_CONFIDENCE = 0.3
_DEX_INVOKED_BONUS = 0.1
_DEX_UNREFERENCED_MALUS = 0.15
_CORROBORATION_STEP = 0.05
_CORROBORATION_MAX = 0.15
_CORROBORATING_SCORE = 0.3
MAX_EVIDENCE = 20


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
class Analysis:
    """What the rule set concluded about one package (and its nested packages)."""

    findings: list[Finding]
    sdks: list[Detection]
    packers: list[Detection]
    endpoints: list[Endpoint]
    notes: list[str]


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


def _text_score(hit: TextHit, weight: float) -> float:
    if hit.surface == "dex":
        return weight + (_DEX_INVOKED_BONUS if hit.evidence.invoked else -_DEX_UNREFERENCED_MALUS)
    return weight


def analyse(
    rules: tuple[Rule, ...],
    signatures: SignatureIndex,
    facts: PackageFacts,
    *,
    declarations: frozenset[str],
    filing_number: str | None,
) -> Analysis:
    """Evaluate every rule on ``facts`` and its nested packages."""
    unknown = sorted(set(declarations) - set(CATEGORIES))
    if unknown:
        raise ValueError(f"unknown declared category {unknown[0]!r}; expected one of {', '.join(CATEGORIES)}")
    nodes = facts.walk()
    texts = _dedupe_texts(nodes)
    vendored = {file for node in nodes for file in node.extra.get(VENDORED_KEY, {})}

    def third_party(evidence: Evidence) -> bool:
        # A bundle's modules are listed by their caller (the module path a wxapkg's define() names).
        return (
            evidence.file in vendored
            or (evidence.caller is not None and evidence.caller in vendored)
            or signatures.is_third_party(evidence)
        )

    ctx = _Context(
        facts=facts,
        nodes=nodes,
        texts=texts,
        apis=_dedupe_apis(nodes),
        permissions={p for node in nodes for p in node.permissions},
        sdks=signatures.detect_sdks(nodes),
        packers=signatures.detect_packers(nodes),
        endpoints=extract_endpoints(texts, third_party),
        third_party=third_party,
        filing_number=filing_number.strip() if filing_number and filing_number.strip() else None,
    )
    findings: list[Finding] = []
    for rule in rules:
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


def _finding(
    rule: Rule,
    confidence: float,
    evidence: list[Evidence],
    *,
    certain: bool = True,
    reported: float | None = None,
) -> Finding:
    """``certain`` False caps the status at advisory (e.g. only third-party evidence).

    The status follows ``confidence`` (the score against the rule's threshold); ``reported``, when
    given, is the calibrated confidence shown instead.
    """
    score = round(min(max(confidence, 0.0), 0.99), 2)
    violation = rule.status == "violation" and certain and score >= rule.threshold
    confidence = score if reported is None else round(min(max(reported, 0.0), 0.99), 2)
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
    parts: dict[str, set[str]] = {}  # part of the feature -> pages (directories) where the app shows it
    # Through the literal prefilter of the rule's text signals: a package's texts can be long
    # (scripts, JSON), and each signal is searched below anyway.
    patterns = tuple(sig.pattern.pattern for sig in rule.text)
    for index in sorted(union_candidates(patterns, [hit.text for hit in ctx.texts])):
        hit = ctx.texts[index]
        best: float | None = None
        hit_parts: set[str] = set()
        for sig in rule.text:
            if sig.surfaces and hit.surface not in sig.surfaces:
                continue
            for number, match in enumerate(sig.pattern.finditer(hit.text)):
                if number >= MATCHES_PER_TEXT:
                    break
                if not _negated(rule, hit.text, match.start(), match.end()):
                    best = sig.weight if best is None else max(best, sig.weight)
                    if sig.part:
                        hit_parts.add(sig.part)
                    break
        if best is None or (rule.negative_files and rule.negative_files.search(hit.evidence.file)):
            continue
        third = ctx.third_party(hit.evidence) or _in_prefixes(hit.evidence, rule.negative_prefixes)
        score = _text_score(hit, best) * (THIRD_PARTY_FACTOR if third else 1.0)
        scored.append((score, third, hit))
        if not third:
            for part in hit_parts:
                parts.setdefault(part, set()).add(_page_of(hit.evidence))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    first_party = [item for item in scored if not item[1]]
    confidence = scored[0][0]
    evidence = [hit.evidence for _score, _third, hit in scored]
    if first_party:
        # Only wording corroborates: many timers or uploads in an app are no more evidence than one.
        distinct = len({hit.text for score, _t, hit in first_party if score >= _CORROBORATING_SCORE}) or 1
        confidence += min(_CORROBORATION_MAX, _CORROBORATION_STEP * (distinct - 1))
        api_best = 0.0
        api_evidence: list[Evidence] = []
        for api_hit in ctx.apis:
            for sig in rule.api:
                if sig.pattern.search(api_hit.api):
                    weight = sig.weight * (1.0 if api_hit.evidence.invoked else 0.5)
                    if ctx.third_party(api_hit.evidence):
                        weight *= THIRD_PARTY_FACTOR
                    elif sig.part and api_hit.evidence.invoked:
                        parts.setdefault(sig.part, set()).add(_page_of(api_hit.evidence))
                    api_best = max(api_best, weight)
                    api_evidence.append(api_hit.evidence)
                    break
        confidence += api_best
        confidence += max((w for name, w in rule.permissions if name in ctx.permissions), default=0.0)
        confidence += _together_bonus(rule, parts)
        evidence = (
            [hit.evidence for _s, _t, hit in first_party]
            + api_evidence[:5]
            + [hit.evidence for _s, third, hit in scored if third]
        )
    if confidence < MIN_CONFIDENCE:
        return None
    return _finding(
        rule,
        confidence,
        distinct_places(evidence),
        certain=bool(first_party),
        reported=calibrated(confidence, threshold=rule.threshold),
    )


# Score -> share of findings that were right on the labelled corpus (dev and tune parts, see
# docs/benchmarks.md "Calibration"): advisories below the threshold were right about a third of the
# time, violations just above it about 85 %, strong ones almost always. Linear between the knots;
# the score axis is relative to the rule's threshold.
_CALIBRATION_KNOTS = (
    (-0.6, 0.0),
    (-0.3, 0.15),
    (-0.2, 0.3),
    (-0.001, 0.45),
    (0.0, 0.8),
    (0.2, 0.9),
    (0.4, 0.99),
)


def calibrated(score: float, *, threshold: float) -> float:
    """The confidence to report for a ``match`` score: how often such findings are right."""
    relative = score - threshold
    knots = _CALIBRATION_KNOTS
    if relative <= knots[0][0]:
        return knots[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(knots):
        if relative <= x1:
            return y0 + (y1 - y0) * (relative - x0) / (x1 - x0)
    return knots[-1][1]


def _page_of(evidence: Evidence) -> str:
    # A page is its directory: pages/rank/rank.wxml and pages/rank/rank.js are one page. In a
    # bundle (a wxapkg's app-service.js) the caller names the source module, so it decides.
    caller = evidence.caller
    if caller and "/" in caller and not any(mark in caller for mark in (";", "(", " ", "$", ":")):
        return caller.rsplit("/", 1)[0]
    return evidence.file.rsplit("/", 1)[0] if "/" in evidence.file else ""


def _together_bonus(rule: Rule, parts: dict[str, set[str]]) -> float:
    """The best bonus of the rule's part groups: all parts on one page, or the smaller one apart."""
    best = 0.0
    for group in rule.params.get("together", ()):
        pages = [parts.get(part, set()) for part in group.parts]
        if not all(pages):
            continue
        same_page = set.intersection(*pages)
        best = max(best, group.bonus if same_page else group.apart)
    return best


def distinct_places(evidence: list[Evidence]) -> list[Evidence]:
    """One item per place (file and line; a DEX string per calling method), the first seen kept."""
    first: dict[tuple[str, str, str | None], int] = {}
    out: list[Evidence] = []
    for item in evidence:
        key = (item.file, item.location, None if item.location.startswith("line ") else item.caller)
        if key not in first:
            first[key] = len(out)
            out.append(item)
        elif item.invoked and not out[first[key]].invoked:
            # The wording and the call on one line are one place, and that place calls the API.
            out[first[key]] = dataclasses.replace(out[first[key]], invoked=True)
    return out


def _in_prefixes(evidence: Evidence, prefixes: tuple[str, ...]) -> bool:
    if not prefixes or not evidence.caller or not evidence.caller.startswith("L"):
        return False
    dotted = evidence.caller[1:].split(";", 1)[0].replace("/", ".")
    return any(dotted == p or dotted.startswith(p + ".") for p in prefixes)


def _manifest_file(node: PackageFacts) -> str:
    return {
        "android": "AndroidManifest.xml",
        "harmonyos": "module.json",
        "quickapp": "manifest.json",
        "ios": "Info.plist",
        "web": "package.json",
    }.get(node.platform, "app.json")


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
    if any(hints.search(hit.text) for hit in ctx.texts) or any(IPV6_API in hit.api for hit in ctx.apis):
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
