"""The scan report: one JSON document per package (schema ``govapp.scan/1``) and its terminal summary.

The report is plain JSON-ready data so that it crosses the sandbox's process boundary and the
database unchanged; ``schema/scan-report.schema.json`` describes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .errors import ERROR_KINDS
from .facts import PackageFacts
from .notes import Note, note_from_dict, render_note

SCHEMA = "govapp.scan/1"
VERDICTS = ("violation", "pass", "error")
EXIT_CODES = {"pass": 0, "violation": 1, "error": 2}
_MAX_PERMISSIONS = 500
_MAX_COMPONENTS = 500


def engine_version() -> str:
    # importlib.metadata costs ~50 ms to import; a scan process never asks for the version.
    from importlib import metadata  # noqa: PLC0415

    try:
        return metadata.version("govapp-registry")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def package_summary(facts: PackageFacts) -> dict[str, Any]:
    """Identity, signing and declared capabilities of one package (no texts)."""
    return {
        "kind": facts.format,
        "id": facts.id,
        "name": facts.name,
        "version": facts.version,
        "version_code": facts.version_code,
        "sha256": facts.sha256,
        "size": facts.size,
        "platform": facts.platform,
        "path": facts.path,
        "min_sdk": facts.min_sdk,
        "target_sdk": facts.target_sdk,
        "debuggable": facts.debuggable,
        "certificates": [cert.to_dict() for cert in facts.certificates],
        "signing": _json_safe(facts.signing),
        "permissions": sorted(set(facts.permissions))[:_MAX_PERMISSIONS],
        "components": [component.to_dict() for component in facts.components[:_MAX_COMPONENTS]],
    }


def unknown_package(path: str, *, sha256: str | None = None, size: int | None = None) -> dict[str, Any]:
    """The package block of a report about a file that could not be read."""
    return {
        "kind": None,
        "id": None,
        "name": None,
        "version": None,
        "version_code": None,
        "sha256": sha256,
        "size": size,
        "platform": None,
        "path": path,
        "min_sdk": None,
        "target_sdk": None,
        "debuggable": None,
        "certificates": [],
        "signing": {},
        "permissions": [],
        "components": [],
    }


def _json_safe(value: Any) -> Any:
    """Reader ``signing`` dicts may hold bytes or tuples; reports hold JSON only."""
    if isinstance(value, dict):
        return {str(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_safe(item) for item in value]
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def stored_notes(data: dict[str, Any]) -> list[str]:
    """The notes of a stored report, each a ``Note`` again where ``note_codes`` gives its code (reports
    stored before notes had codes keep their text)."""
    texts = [str(note) for note in data.get("notes") or []]
    codes = data.get("note_codes")
    if not isinstance(codes, list) or len(codes) != len(texts):
        return texts
    return [note_from_dict(text, code) for text, code in zip(texts, codes, strict=True)]


@dataclass
class ScanReport:
    """Everything ``govapp scan`` says about one package."""

    package: dict[str, Any]
    verdict: str
    engine_version: str = field(default_factory=engine_version)
    rules_version: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)
    sdks: list[dict[str, Any]] = field(default_factory=list)
    endpoints: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    error_kind: str | None = None  # with verdict "error": one of errors.ERROR_KINDS
    declarations: list[str] = field(default_factory=list)
    filing_number: str | None = None
    duration_ms: int = 0
    schema: str = SCHEMA
    identity: dict[str, Any] | None = None  # identity.package_identity of the package
    expect: dict[str, Any] | None = None  # the expected identity this scan compared with

    @property
    def exit_code(self) -> int:
        return EXIT_CODES[self.verdict]

    @property
    def violations(self) -> list[dict[str, Any]]:
        return [finding for finding in self.findings if finding["status"] == "violation"]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "engine_version": self.engine_version,
            "rules_version": self.rules_version,
            "package": self.package,
            "verdict": self.verdict,
            "findings": self.findings,
            "sdks": self.sdks,
            "endpoints": self.endpoints,
            "notes": self.notes,
            # Beside each note its code and parameters (null for a note without one): the web side
            # renders the note in the reader's language.
            "note_codes": [note.to_dict() if isinstance(note, Note) else None for note in self.notes],
            "children": self.children,
            "errors": self.errors,
            "error_kind": self.error_kind,
            "declarations": self.declarations,
            "filing_number": self.filing_number,
            "duration_ms": self.duration_ms,
            "identity": self.identity,
            "expect": self.expect,
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanReport:
        """Rebuild a report from its JSON form; ValueError names the first missing or wrong key."""
        if not isinstance(data, dict):
            raise ValueError("a scan report must be a JSON object")
        if data.get("schema") != SCHEMA:
            raise ValueError(f"unsupported report schema {data.get('schema')!r}; expected {SCHEMA!r}")
        for key, kind in (("package", dict), ("verdict", str), ("findings", list), ("errors", list)):
            if not isinstance(data.get(key), kind):
                raise ValueError(f"scan report key {key!r} is missing or not a {kind.__name__}")
        if data["verdict"] not in VERDICTS:
            raise ValueError(f"scan report verdict {data['verdict']!r} is not one of {', '.join(VERDICTS)}")
        for key in ("sdks", "endpoints", "notes", "children", "declarations"):
            if not isinstance(data.get(key) or [], list):
                raise ValueError(f"scan report key {key!r} is not a list")
        duration = data.get("duration_ms") or 0
        if isinstance(duration, bool) or not isinstance(duration, int | float):
            raise ValueError("scan report key 'duration_ms' is not a number")
        error_kind = data.get("error_kind")
        if error_kind is not None and error_kind not in ERROR_KINDS:
            raise ValueError(f"scan report error_kind {error_kind!r} is not one of {', '.join(ERROR_KINDS)}")
        filing_number = data.get("filing_number")
        if filing_number is not None and not isinstance(filing_number, str):
            raise ValueError("scan report key 'filing_number' is not a string")
        for finding in data["findings"]:
            if not isinstance(finding, dict) or not isinstance(finding.get("status"), str):
                raise ValueError("scan report findings must be objects with a 'status'")
        for key in ("identity", "expect"):
            if data.get(key) is not None and not isinstance(data[key], dict):
                raise ValueError(f"scan report key {key!r} is not an object")
        return cls(
            package=data["package"],
            verdict=data["verdict"],
            engine_version=str(data.get("engine_version", "")),
            rules_version=str(data.get("rules_version", "")),
            findings=list(data["findings"]),
            sdks=list(data.get("sdks") or []),
            endpoints=list(data.get("endpoints") or []),
            notes=stored_notes(data),
            children=list(data.get("children") or []),
            errors=[str(error) for error in data["errors"]],
            error_kind=error_kind,
            declarations=[str(item) for item in data.get("declarations") or []],
            filing_number=filing_number,
            duration_ms=int(duration),
            identity=data.get("identity"),
            expect=data.get("expect"),
        )


def error_report(
    path: str,
    message: str,
    *,
    rules_version: str = "",
    sha256: str | None = None,
    size: int | None = None,
    duration_ms: int = 0,
    kind: str = "malformed",
) -> ScanReport:
    """The report of a package that could not be analysed; ``kind`` is one of ``ERROR_KINDS``."""
    return ScanReport(
        package=unknown_package(path, sha256=sha256, size=size),
        verdict="error",
        rules_version=rules_version,
        errors=[message],
        error_kind=kind,
        duration_ms=duration_ms,
    )


# ---------------------------------------------------------------- terminal summary

_WORDS: dict[str, tuple[str, str]] = {
    "violation": ("违规", "violation"),
    "pass": ("通过", "pass"),
    "error": ("无法检测", "could not analyse"),
    "declared_exception": ("已申报例外", "declared exception"),
    "advisory": ("提示", "advisory"),
    "high": ("高", "high"),
    "medium": ("中", "medium"),
    "low": ("低", "low"),
    "info": ("信息", "info"),
    "verdict": ("检测结论", "Verdict"),
    "package": ("安装包", "Package"),
    "certificates": ("签名证书", "Certificates"),
    "findings": ("检测发现", "Findings"),
    "none": ("无", "none"),
    "confidence": ("置信度", "confidence"),
    "invoked": ("代码调用", "invoked"),
    "present": ("存在", "present"),
    "sdks": ("第三方 SDK", "Third-party SDKs"),
    "endpoints": ("网络地址", "Endpoints"),
    "notes": ("说明", "Notes"),
    "errors": ("错误", "Errors"),
    "more": ("另有 {n} 条证据", "{n} more evidence items"),
}


def _word(key: str, lang: str) -> str:
    zh, en = _WORDS.get(key, (key, key))
    return en if lang == "en" else f"{zh} ({en})"


def _pick(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get("en")) if lang == "en" else f"{value.get('zh')} ({value.get('en')})"
    return str(value)


def _one_line(text: Any, limit: int = 120) -> str:
    # Snippets come from hostile packages: no terminal control sequences get through.
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_summary(report: ScanReport, *, lang: str = "zh", evidence_per_finding: int = 3) -> str:
    """A readable summary for the terminal: Chinese with English in brackets, or English only."""
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}; expected zh or en")
    pkg = report.package
    lines = [f"{_word('verdict', lang)}: {_word(report.verdict, lang)}"]
    identity = " ".join(str(part) for part in (pkg.get("id"), pkg.get("version")) if part) or "-"
    kind = ", ".join(str(part) for part in (pkg.get("kind"), pkg.get("platform")) if part)
    lines.append(
        f"{_word('package', lang)}: {identity}" + (f" [{kind}]" if kind else "") + f"  {pkg.get('path')}"
    )
    if pkg.get("name"):
        lines.append(f"  {pkg['name']}")
    if pkg.get("sha256"):
        lines.append(f"  sha256 {pkg['sha256']}")
    for cert in pkg.get("certificates") or []:
        lines.append(
            f"  {_word('certificates', lang)}: {_one_line(cert.get('subject'))} sha256 {cert.get('sha256')}"
        )
    for error in report.errors:
        lines.append(f"{_word('errors', lang)}: {_one_line(error, 300)}")
    if report.verdict != "error":
        lines.append(f"{_word('findings', lang)}: {len(report.findings) or _word('none', lang)}")
    for finding in report.findings:
        article = finding["article_en"] if lang == "en" else f"{finding['article']} ({finding['article_en']})"
        lines.append(
            f"  [{_word(finding['severity'], lang)}] {_word(finding['status'], lang)}  {finding['category']}  "
            f"{article}  {finding['rule']}"
        )
        lines.append(
            f"    {_pick(finding['title'], lang)}  {_word('confidence', lang)} {finding['confidence']:.2f}"
        )
        for item in finding["evidence"][:evidence_per_finding]:
            where = " ".join(
                str(part) for part in (item.get("file"), item.get("location"), item.get("caller")) if part
            )
            mark = _word("invoked" if item.get("invoked") else "present", lang)
            lines.append(f'    - {_one_line(where, 100)}: "{_one_line(item.get("snippet"), 80)}" [{mark}]')
        hidden = finding.get("evidence_count", len(finding["evidence"])) - min(
            evidence_per_finding, len(finding["evidence"])
        )
        if hidden > 0:
            zh, en = _WORDS["more"]
            lines.append("    … " + (en if lang == "en" else f"{zh} ({en})").format(n=hidden))
    if report.sdks:
        lines.append(
            f"{_word('sdks', lang)}: "
            + ", ".join(f"{sdk['name']} [{sdk['category']}]" for sdk in report.sdks)
        )
    if report.endpoints:
        shown = ", ".join(
            ("http " if endpoint.get("cleartext") else "") + str(endpoint["host"])
            for endpoint in report.endpoints[:15]
        )
        more = f" (+{len(report.endpoints) - 15})" if len(report.endpoints) > 15 else ""
        lines.append(f"{_word('endpoints', lang)}: {shown}{more}")
    for note in report.notes:
        lines.append(
            f"{_word('notes', lang)}: {_one_line(render_note(note, 'en' if lang == 'en' else 'zh'), 300)}"
        )
    return "\n".join(lines)
