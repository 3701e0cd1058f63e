"""Why a match matches, in the reader's language (the index gives codes and evidence only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from govapp.accounts.divisions import BY_CODE
from govapp.accounts.models import UnitLevel
from govapp.registry.choices import AppKind, FilingState

from .index import Match, Reason

# A match this strong is very likely a duplicate: the reviewer is told when the unit declared "none".
STRONG_SCORE = 0.6


def _province(code: str) -> str:
    return str(BY_CODE[code].name) if code in BY_CODE else str(_("Central"))


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def reason_text(reason: Reason) -> str:
    detail = "、".join(reason.detail)
    code = reason.code
    if code == "shared_functions":
        return _("Shared functions: %(words)s") % {"words": detail}
    if code == "same_name_stem":
        return _("Same name once place and suffix are left out: %(stem)s") % {"stem": detail}
    if code == "similar_name":
        return _("Similar name: %(name)s") % {"name": detail}
    if code == "same_kind":
        return _("Same kind: %(kind)s") % {"kind": _label(AppKind, detail)}
    if code == "same_region":
        return _("Same province: %(province)s") % {"province": _province(detail)}
    if code == "same_level":
        return _("Same unit level: %(level)s") % {"level": _label(UnitLevel, detail)}
    if code == "same_sdks":
        return _("Same third-party SDKs: %(sdks)s") % {"sdks": detail}
    if code == "same_domains":
        return _("Same server domains: %(domains)s") % {"domains": detail}
    if code == "same_routes":
        return _("Same page names: %(pages)s") % {"pages": detail}
    if code == "same_categories":
        return _("Same formalism findings: %(categories)s") % {"categories": detail}
    return code


def state_label(state: str) -> str:
    if state == "legacy":
        return str(_("Legacy app, not yet filed"))
    if state == "unfiled":
        return str(_("Reported in use without filing"))
    return _label(FilingState, state)


# The kind as the stable interface spells it (``--kind app|miniprogram|quickapp``).
KIND_NAMES = {AppKind.APP: "app", AppKind.MINI_PROGRAM: "miniprogram", AppKind.QUICK_APP: "quickapp"}


def match_row(match: Match) -> dict[str, Any]:
    """The stable JSON form of a match (``govapp similar --json`` and the API)."""
    doc = match.document
    return {
        "key": doc.key,
        "name": doc.name,
        "kind": KIND_NAMES.get(doc.kind, doc.kind),  # type: ignore[call-overload]
        "unit": doc.unit,
        "province": doc.province,
        "state": doc.state,
        "score": match.score,
        "reasons": [
            {"code": r.code, "text": reason_text(r), "detail": list(r.detail)} for r in match.reasons
        ],
    }


def display_row(match: Match) -> dict[str, Any]:
    """A match for a page: the JSON form plus labels and a link to the app where there is one."""
    row = match_row(match)
    row.update(
        kind_label=_label(AppKind, match.document.kind) if match.document.kind else "",
        province_label=_province(match.document.province),
        state_label=state_label(match.document.state),
        strong=match.score >= STRONG_SCORE,
        app_id=int(match.document.key.split(":")[1]) if match.document.key.startswith("app:") else None,
        percent=round(match.score * 100),
    )
    return row
