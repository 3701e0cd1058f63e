"""The rule set a scan applies: its rules and signatures, the readers' Interest, the evaluation."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..facts import Interest, PackageFacts
from ..sdk import SignatureIndex
from .caseless import compile_union
from .endpoints import IPV4_TEXT, IPV6_API, IPV6_TEXT, URL_TEXT
from .evaluate import Analysis, Finding, analyse
from .schema import Rule, read_rules

RULES_DIR = Path(__file__).parent  # the YAML files live beside the code that reads them


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

    def interest_patterns(self, filing_number: str | None = None) -> tuple[list[str], list[str]]:
        """The text and API patterns the readers must find: every rule's, the endpoints', the number."""
        text_parts = [URL_TEXT, IPV4_TEXT, IPV6_TEXT]
        api_parts = [IPV6_API]
        for rule in self.rules:
            text_parts.extend(sig.pattern.pattern for sig in rule.text)
            api_parts.extend(sig.pattern.pattern for sig in rule.api)
            for key in ("pattern", "ipv6_hints"):
                if key in rule.params:
                    text_parts.append(rule.params[key].pattern)
        if filing_number and filing_number.strip():
            text_parts.append(re.escape(filing_number.strip()))
        return text_parts, api_parts

    def compile_interest(self, filing_number: str | None = None) -> Interest:
        """One Interest for the readers covering every rule, signature and endpoint pattern."""
        text_parts, api_parts = self.interest_patterns(filing_number)
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
        return analyse(
            self.rules, self.signatures, facts, declarations=declarations, filing_number=filing_number
        )

    def evaluate(
        self,
        facts: PackageFacts,
        *,
        declarations: frozenset[str] = frozenset(),
        filing_number: str | None = None,
    ) -> list[Finding]:
        return self.analyse(facts, declarations=declarations, filing_number=filing_number).findings


def load_ruleset(directory: Path = RULES_DIR) -> RuleSet:
    """Load and validate every rule and signature file named by ``ruleset.yaml`` in ``directory``."""
    loaded = read_rules(directory)
    return RuleSet(loaded.version, loaded.rules, loaded.signatures)


@functools.cache
def default_ruleset() -> RuleSet:
    return load_ruleset(RULES_DIR)


def evaluate(
    facts: PackageFacts, *, declarations: frozenset[str], filing_number: str | None
) -> list[Finding]:
    """Findings of the default rule set for ``facts``."""
    return default_ruleset().evaluate(facts, declarations=declarations, filing_number=filing_number)
