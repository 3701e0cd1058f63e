"""Enumerations of the filing registry, with the regulation's own Chinese terms as translations."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

from govapp.inspection.engine.categories import FORMALISM_CATEGORIES


class AppKind(models.TextChoices):
    APP = "app", _("Native app")
    MINI_PROGRAM = "mini_program", _("Mini-program")
    QUICK_APP = "quick_app", _("Quick app")


# The letter that ends a filing number (docs/filing-numbers.md).
KIND_LETTER: dict[str, str] = {AppKind.APP: "A", AppKind.MINI_PROGRAM: "X", AppKind.QUICK_APP: "K"}


class Platform(models.TextChoices):
    ANDROID = "android", _("Android")
    IOS = "ios", _("iOS")
    HARMONYOS = "harmonyos", _("HarmonyOS")
    WECHAT = "wechat", _("WeChat")
    ALIPAY = "alipay", _("Alipay")
    BAIDU = "baidu", _("Baidu")
    DOUYIN = "douyin", _("Douyin")
    QUICKAPP = "quickapp", _("Quick app platform")
    H5 = "h5", _("H5 web app")
    OTHER = "other", _("Other")


class FilingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROVINCIAL_REVIEW = "provincial_review", _("Provincial completeness review")
    RETURNED = "returned", _("Returned for completion")
    NATIONAL_REVIEW = "national_review", _("National review")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Awaiting supplement")
    FILED = "filed", _("Filed")
    CHANGE_REVIEW = "change_review", _("Change under review")
    RECTIFYING = "rectifying", _("Rectifying")
    REVOKED = "revoked", _("Filing revoked")
    SHUTDOWN_NOTICED = "shutdown_noticed", _("Shutdown announced")
    DEREGISTERED = "deregistered", _("Deregistered")
    ABANDONED = "abandoned", _("Deemed abandoned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# States in which the app holds a valid filing that the public can rely on.
PUBLICLY_FILED = (
    FilingState.FILED,
    FilingState.CHANGE_REVIEW,
    FilingState.RECTIFYING,
    FilingState.SHUTDOWN_NOTICED,
)
# Before the first approval: the unit may still withdraw.
PRE_FILING = (
    FilingState.DRAFT,
    FilingState.PROVINCIAL_REVIEW,
    FilingState.RETURNED,
    FilingState.NATIONAL_REVIEW,
    FilingState.AWAITING_SUPPLEMENT,
)
TERMINAL = (FilingState.DEREGISTERED, FilingState.ABANDONED, FilingState.WITHDRAWN)


class ProcedureKind(models.TextChoices):
    NEW = "new", _("New filing")
    CHANGE = "change", _("Change filing")
    REFILING = "refiling", _("Re-filing after revocation")


class RevocationBasis(models.TextChoices):
    """Why a filing is revoked. The procedure of the Measures (regulation §6, §7) revokes after a
    rectification that failed; a revocation straight from the register needs one of the other bases."""

    NOT_RECTIFIED = "not_rectified", _("Violations not rectified in time or adequately")
    FALSE_MATERIALS = "false_materials", _("The filing was obtained with false materials")
    ORDERED_BY_AUTHORITY = (
        "ordered_by_authority",
        _("A competent authority ordered the app to stop under the law"),
    )
    SERIOUS_INCIDENT = (
        "serious_incident",
        _("A serious network, data or personal-information security incident"),
    )


# Bases for revoking a filed app without a rectification first.
DIRECT_REVOCATION_BASES = (
    RevocationBasis.FALSE_MATERIALS,
    RevocationBasis.ORDERED_BY_AUTHORITY,
    RevocationBasis.SERIOUS_INCIDENT,
)


class SpecialScenario(models.TextChoices):
    NONE = "", _("None")
    SECURITY = "security", _("Security (安保)")
    EMERGENCY = "emergency", _("Emergency (应急)")


class FormalismCategory(models.TextChoices):
    """The prohibited-feature categories (architecture.md: exact ids)."""

    CHECKIN = "checkin", _("Compulsory check-in")
    RANKING = "ranking", _("Points ranking")
    ONLINE_TIME = "online_time", _("Online-time statistics")
    ENGAGEMENT_METRICS = "engagement_metrics", _("Likes, votes, shares or study time as evaluation")
    FORCED_UPLOAD = "forced_upload", _("Forced upload of work photos or videos")
    LOCATION_TRACKING = "location_tracking", _("Forced location tracks")
    FORCED_LOGIN = "forced_login", _("Forced periodic login")
    FORCED_DOWNLOAD = "forced_download", _("Forced promotion or download")


def require_formalism_ids(owner: str, values: Iterable[str]) -> None:
    """The engine's categories (inspection/engine/categories.py) are the one list of formalism ids;
    every enumeration that names them must give exactly those, in that order, or the app refuses to load."""
    found = tuple(values)
    if found != FORMALISM_CATEGORIES:
        raise ImproperlyConfigured(
            f"{owner} lists the formalism categories {found}; the engine's are {FORMALISM_CATEGORIES}"
        )


require_formalism_ids("registry.choices.FormalismCategory", FormalismCategory.values)


class AttachmentKind(models.TextChoices):
    APPROVAL = "approval", _("Project approval document")
    OM_RULES = "om_rules", _("O&M and security rules")
    SECURITY_TEST = "security_test", _("Security test report")
    MLPS = "mlps", _("MLPS assessment report")
    ACCEPTANCE = "acceptance", _("Acceptance report")
    COMMITMENT = "commitment", _("Signed commitment (with seal)")
    SHUTDOWN_NOTICE = "shutdown_notice", _("Shutdown notice")
    SUPPLEMENT = "supplement", _("Supplement or rectification statement")
    OTHER = "other", _("Other")


class EventAction(models.TextChoices):
    CREATE = "create", _("Draft created")
    SUBMIT = "submit", _("Submitted")
    RETURN_INCOMPLETE = "return_incomplete", _("Returned: materials incomplete")
    FORWARD = "forward", _("Forwarded to the national office")
    REQUEST_SUPPLEMENT = "request_supplement", _("Supplement requested")
    SUPPLEMENT = "supplement", _("Supplement submitted")
    EXTEND = "extend", _("Review period extended")
    APPROVE = "approve", _("Filed and numbered")
    CHANGE_EFFECTIVE = "change_effective", _("Change in effect")
    ABANDON = "abandon", _("Deemed abandoned")
    WITHDRAW = "withdraw", _("Withdrawn")
    START_CHANGE = "start_change", _("Change filing started")
    ANNOUNCE_SHUTDOWN = "announce_shutdown", _("Shutdown announced")
    DEREGISTER = "deregister", _("Deregistered")
    ORDER_RECTIFICATION = "order_rectification", _("Rectification ordered")
    RECTIFIED = "rectified", _("Rectification accepted")
    REVOKE = "revoke", _("Filing revoked")
    START_REFILING = "start_refiling", _("Re-filing started")
    START_AGAIN = "start_again", _("Filing started again")
    # The technical test decides (docs/inspection.md "How the test decides").
    IDENTITY_PINNED = "identity_pinned", _("App identity pinned")
    KEY_CHANGE = "key_change", _("Signing key change accepted")
    FALSE_POSITIVE = "false_positive", _("Finding decided: false positive")
    EXCEPTION_ACCEPTED = "exception_accepted", _("Finding decided: special-scenario exception accepted")
    TRANSFER = "transfer", _("App transferred to another unit")
    DOCUMENT_WITHDRAWN = "document_withdrawn", _("Document withdrawn")
    ASSIGN = "assign", _("Case assigned")
