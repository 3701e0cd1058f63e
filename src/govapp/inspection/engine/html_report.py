"""One self-contained HTML page per scan report, for a reviewer to open offline.

Everything from the package (names, snippets, hosts, even SDK web sites) is hostile text: it is
escaped and never turned into a link, and the page loads nothing from anywhere.
"""

from __future__ import annotations

from collections import defaultdict
from html import escape
from typing import Any

from .notes import Note, render_note
from .report import ScanReport

_CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:72rem;
color:#1b1b1b;line-height:1.5;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.2rem;border-bottom:2px solid #ddd;padding-bottom:.2rem;
margin-top:2rem}h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
.verdict{display:inline-block;padding:.3rem .8rem;border-radius:.3rem;font-weight:bold;color:#fff}
.v-violation{background:#b3261e}.v-pass{background:#2e7d32}.v-error{background:#6d4c41}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}td.snippet{font-family:monospace;white-space:pre-wrap;word-break:break-all}
.tag{display:inline-block;border-radius:.2rem;padding:0 .4rem;font-size:.8rem;margin-right:.3rem;border:1px solid #999}
.s-violation{background:#fde7e9;border-color:#b3261e}.s-declared_exception{background:#fff4d6;border-color:#a67c00}
.s-advisory{background:#e8f0fe;border-color:#1a56c4}
.muted{color:#666}.mono{font-family:monospace;word-break:break-all}
@media print{body{margin:0}h2{page-break-after:avoid}}
"""

_LABEL = {
    "violation": "违规 violation",
    "pass": "通过 pass",
    "error": "无法检测 could not analyse",
    "declared_exception": "已申报例外 declared exception",
    "advisory": "提示 advisory",
    "high": "高 high",
    "medium": "中 medium",
    "low": "低 low",
    "info": "信息 info",
}


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _label(value: str) -> str:
    return _e(_LABEL.get(value, value))


def _rows(pairs: list[tuple[str, Any]]) -> str:
    return "".join(f"<tr><th>{_e(key)}</th><td class=mono>{_e(value)}</td></tr>" for key, value in pairs)


def _identity(report: ScanReport) -> str:
    pkg = report.package
    pairs: list[tuple[str, Any]] = [
        ("文件 File", pkg.get("path")),
        ("类型 Kind", " / ".join(str(x) for x in (pkg.get("kind"), pkg.get("platform")) if x)),
        ("标识 Package / bundle / appid", pkg.get("id")),
        ("名称 Name", pkg.get("name")),
        (
            "版本 Version",
            " ".join(
                str(x)
                for x in (pkg.get("version"), pkg.get("version_code") and f"({pkg['version_code']})")
                if x
            ),
        ),
        ("SHA-256", pkg.get("sha256")),
        ("大小 Size (bytes)", pkg.get("size")),
        ("可调试 Debuggable", pkg.get("debuggable")),
    ]
    html = f"<table>{_rows(pairs)}</table>"
    certs = pkg.get("certificates") or []
    if certs:
        html += (
            "<h3>签名证书 Signing certificates</h3><table><tr><th>Subject</th><th>Issuer</th><th>SHA-256</th>"
        )
        html += "<th>Scheme</th><th>Debug</th></tr>"
        for cert in certs:
            html += (
                f"<tr><td>{_e(cert.get('subject'))}</td><td>{_e(cert.get('issuer'))}</td>"
                f"<td class=mono>{_e(cert.get('sha256'))}</td><td>{_e(cert.get('scheme'))}</td>"
                f"<td>{_e(cert.get('debug'))}</td></tr>"
            )
        html += "</table>"
    perms = pkg.get("permissions") or []
    if perms:
        html += (
            f"<h3>权限 Permissions ({len(perms)})</h3><p class=mono>{'<br>'.join(_e(p) for p in perms)}</p>"
        )
    if report.children:
        html += "<h3>内含安装包 Nested packages</h3><table><tr><th>Kind</th><th>ID</th><th>Version</th><th>SHA-256</th></tr>"
        for child in report.children:
            html += (
                f"<tr><td>{_e(child.get('kind'))}</td><td>{_e(child.get('id'))}</td>"
                f"<td>{_e(child.get('version'))}</td><td class=mono>{_e(child.get('sha256'))}</td></tr>"
            )
        html += "</table>"
    return html


def _findings(report: ScanReport) -> str:
    if not report.findings:
        return "<p>未发现问题 No findings.</p>" if report.verdict != "error" else ""
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for finding in report.findings:
        groups[finding["category"]].append(finding)
    html = ""
    for category, findings in groups.items():
        html += f"<h3>{_e(category)}</h3>"
        for finding in findings:
            title = finding.get("title") or {}
            description = finding.get("description") or {}
            html += (
                f"<p><span class='tag s-{_e(finding['status'])}'>{_label(finding['status'])}</span>"
                f"<span class=tag>{_label(finding['severity'])}</span>"
                f"<strong>{_e(title.get('zh'))}</strong> ({_e(title.get('en'))}) — "
                f"{_e(finding['article'])} ({_e(finding.get('article_en'))}) · {_e(finding['rule'])} "
                f"v{_e(finding.get('rule_version'))} · 置信度 confidence {float(finding['confidence']):.2f}</p>"
                f"<p class=muted>{_e(description.get('zh'))}<br>{_e(description.get('en'))}</p>"
            )
            evidence = finding.get("evidence") or []
            if evidence:
                html += (
                    "<table><tr><th>文件 File</th><th>位置 Location</th><th>调用方 Caller</th>"
                    "<th>片段 Snippet</th><th>调用 Invoked</th></tr>"
                )
                for item in evidence:
                    html += (
                        f"<tr><td class=mono>{_e(item.get('file'))}</td><td>{_e(item.get('location'))}</td>"
                        f"<td class=mono>{_e(item.get('caller'))}</td><td class=snippet>{_e(item.get('snippet'))}</td>"
                        f"<td>{'是 yes' if item.get('invoked') else '否 no'}</td></tr>"
                    )
                html += "</table>"
                hidden = int(finding.get("evidence_count") or len(evidence)) - len(evidence)
                if hidden > 0:
                    html += f"<p class=muted>另有 {hidden} 条证据未列出 ({hidden} more evidence items not shown)</p>"
    return html


def _sdks(report: ScanReport) -> str:
    if not report.sdks:
        return "<p>未发现 None found.</p>"
    html = (
        "<table><tr><th>名称 Name</th><th>类别 Category</th><th>网站 Website</th><th>依据 Evidence</th></tr>"
    )
    for sdk in report.sdks:
        evidence = "; ".join(
            f"{item.get('file')} {item.get('snippet')}" for item in sdk.get("evidence") or []
        )
        html += (
            f"<tr><td>{_e(sdk.get('name'))}</td><td>{_e(sdk.get('category'))}</td>"
            f"<td class=mono>{_e(sdk.get('website'))}</td><td class=snippet>{_e(evidence)}</td></tr>"
        )
    return html + "</table>"


def _endpoints(report: ScanReport) -> str:
    if not report.endpoints:
        return "<p>未发现 None found.</p>"
    html = "<table><tr><th>主机 Host</th><th>类型 Kind</th><th>协议 Schemes</th><th>明文 Cleartext</th>"
    html += "<th>次数 Count</th><th>首次出现 First seen</th></tr>"
    for endpoint in report.endpoints:
        seen = endpoint.get("evidence") or {}
        html += (
            f"<tr><td class=mono>{_e(endpoint.get('host'))}</td><td>{_e(endpoint.get('kind'))}</td>"
            f"<td>{_e(', '.join(endpoint.get('schemes') or []))}</td>"
            f"<td>{'是 yes' if endpoint.get('cleartext') else '否 no'}</td><td>{_e(endpoint.get('count'))}</td>"
            f"<td class=mono>{_e(seen.get('file'))} {_e(seen.get('location'))}</td></tr>"
        )
    return html + "</table>"


def render_html(report: ScanReport) -> str:
    """The whole report as one HTML document (inline CSS, no scripts, no external references)."""
    pkg = report.package
    heading = pkg.get("name") or pkg.get("id") or pkg.get("path") or "package"
    violations = len(report.violations)
    errors = "".join(f"<li>{_e(error)}</li>" for error in report.errors)
    notes = "".join(
        f"<li>{_e(render_note(note, 'zh'))}"
        + (f' <span lang="en">({_e(note)})</span>' if isinstance(note, Note) else "")
        + "</li>"
        for note in report.notes
    )
    declarations = ", ".join(report.declarations)
    return (
        "<!DOCTYPE html>\n<html lang=zh-Hans><head><meta charset=utf-8>"
        "<meta http-equiv=Content-Security-Policy content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        "<meta name=viewport content='width=device-width, initial-scale=1'>"
        f"<title>技术检测报告 Technical test report — {_e(heading)}</title><style>{_CSS}</style></head><body>"
        f"<h1>技术检测报告 Technical test report: {_e(heading)}</h1>"
        f"<p><span class='verdict v-{_e(report.verdict)}'>{_label(report.verdict)}</span> "
        f"违规 {violations} violation(s) · {len(report.findings)} finding(s)</p>"
        + (f"<h2>错误 Errors</h2><ul>{errors}</ul>" if errors else "")
        + f"<h2>应用信息 Identity</h2>{_identity(report)}"
        + f"<h2>检测发现 Findings</h2>{_findings(report)}"
        + f"<h2>第三方 SDK Third-party SDKs</h2>{_sdks(report)}"
        + f"<h2>网络地址 Endpoints</h2>{_endpoints(report)}"
        + (f"<h2>说明 Notes</h2><ul>{notes}</ul>" if notes else "")
        + "<h2>检测参数 Scan parameters</h2><table>"
        + _rows(
            [
                ("报告格式 Schema", report.schema),
                ("引擎版本 Engine version", report.engine_version),
                ("规则版本 Rules version", report.rules_version),
                ("申报例外 Declared exceptions", declarations or "-"),
                ("备案编号 Filing number", report.filing_number or "-"),
                ("耗时 Duration (ms)", report.duration_ms),
            ]
        )
        + "</table></body></html>\n"
    )
