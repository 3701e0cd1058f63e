"""What the technical test could not see: a package whose own code was not read at all.

An iOS App Store build is FairPlay-encrypted, so its executable says nothing; an IPA may also lack
its executable or carry one past the size limit. The rest of the package is still scanned, but a
clean result then says little: the report carries the advisory finding ``code_not_analysed`` (the
reviewer sees it beside the approval checks) and not only a note among many.
"""

from __future__ import annotations

from typing import Any

from .facts import UNANALYSED_CODE_KEY, PackageFacts

CODE_NOT_ANALYSED = "code_not_analysed"
REASONS: dict[str, tuple[str, str]] = {
    "encrypted": ("已加密（应用商店版本）", "encrypted App Store build"),
    "missing": ("缺失", "missing"),
    "too_large": ("过大", "too large"),
    "no_name": ("未在 Info.plist 中写明", "not named by Info.plist"),
}


def coverage_findings(facts: PackageFacts) -> list[dict[str, Any]]:
    """An advisory ``code_not_analysed`` finding for each package (or nested one) whose code was not read."""
    findings = []
    for node in facts.walk():
        gap = node.extra.get(UNANALYSED_CODE_KEY)
        if not isinstance(gap, dict) or gap.get("reason") not in REASONS:
            continue
        file, reason = str(gap.get("file") or node.path), str(gap["reason"])
        zh, en = REASONS[reason]
        findings.append(
            {
                "rule": "COVERAGE-CODE-001",
                "rule_version": 1,
                "category": CODE_NOT_ANALYSED,
                "article": "第十七条",
                "article_en": "Art. 17",
                "severity": "medium",
                "status": "advisory",
                "confidence": 1.0,
                "invoked": False,
                "title": {"zh": "应用的可执行文件未经检测", "en": "The app's executable was not analysed"},
                "description": {
                    "zh": f"{file}：可执行文件{zh}，未经检测；技术检测只覆盖了资源文件，代码中的字符串和接口未检测。"
                    "请提交开发版本或临时分发版本的安装包复测。",
                    "en": f"{file}: the executable was not analysed ({en}); the test covered the resources only, "
                    "not the code's strings and APIs. Submit a development or ad-hoc build to re-test.",
                },
                "evidence": [
                    {"file": file, "location": reason, "snippet": en, "caller": None, "invoked": False}
                ],
                "evidence_count": 1,
                "coverage": {"file": file, "reason": reason},
            }
        )
    return findings
