"""Enumerations of complaints (投诉举报): what is complained about, where a case stands, what happened."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from govapp.registry.choices import require_formalism_ids


class ComplaintCategory(models.TextChoices):
    """The eight formalism ids of architecture.md, plus an app in use without filing, plus anything else."""

    CHECKIN = "checkin", _("Compulsory check-in")
    RANKING = "ranking", _("Points ranking")
    ONLINE_TIME = "online_time", _("Online-time statistics")
    ENGAGEMENT_METRICS = "engagement_metrics", _("Likes, votes, shares or study time as evaluation")
    FORCED_UPLOAD = "forced_upload", _("Forced upload of work photos or videos")
    LOCATION_TRACKING = "location_tracking", _("Forced location tracks")
    FORCED_LOGIN = "forced_login", _("Forced periodic login")
    FORCED_DOWNLOAD = "forced_download", _("Forced promotion or download")
    UNFILED_APP = "unfiled_app", _("App used without filing")
    OTHER = "other", _("Other")


# The first eight are the engine's formalism ids; the complaint form offers two more.
require_formalism_ids("complaints.choices.ComplaintCategory", ComplaintCategory.values[:-2])


# One line each, in the regulation's own wording (Art. 5, 13), shown under each choice of the public form.
CATEGORY_EXAMPLES: dict[str, object] = {
    ComplaintCategory.CHECKIN: _(
        "e.g. staff must clock in in the app every morning, outside any emergency duty."
    ),
    ComplaintCategory.RANKING: _(
        "e.g. the app ranks staff or townships by points and the list is circulated."
    ),
    ComplaintCategory.ONLINE_TIME: _(
        "e.g. the app records how long each person stays online and reports it."
    ),
    ComplaintCategory.ENGAGEMENT_METRICS: _(
        "e.g. likes, online votes, shares or study time in the app count in performance assessment."
    ),
    ComplaintCategory.FORCED_UPLOAD: _(
        "e.g. grassroots staff must upload photos or videos of their daily work."
    ),
    ComplaintCategory.LOCATION_TRACKING: _("e.g. staff must upload their location track while on duty."),
    ComplaintCategory.FORCED_LOGIN: _("e.g. everyone must log in every day or is named as inactive."),
    ComplaintCategory.FORCED_DOWNLOAD: _(
        "e.g. units must have every employee install the app, or install rates are assessed."
    ),
    ComplaintCategory.UNFILED_APP: _(
        "e.g. you are required to download or use an app that shows no filing number (Art. 5)."
    ),
    ComplaintCategory.OTHER: _("e.g. repeated data reporting through several apps, or other forced use."),
}


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    IN_HANDLING = "in_handling", _("In handling")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected as out of scope")


OPEN_STATUSES = (ComplaintStatus.RECEIVED, ComplaintStatus.ASSIGNED, ComplaintStatus.IN_HANDLING)


class AppMatch(models.TextChoices):
    """How the complaint was linked to an app of the register."""

    FILING_NUMBER = "filing_number", _("By filing number")
    EXACT_NAME = "exact_name", _("By exact app name")
    SIMILAR_NAME = "similar_name", _("By similar app name")
    AMBIGUOUS = "ambiguous", _("Several apps match the name")
    NONE = "none", _("No app in the register matches")


class ComplaintAction(models.TextChoices):
    RECEIVE = "receive", _("Complaint received")
    ASSIGN = "assign", _("Assigned")
    NOTE = "note", _("Internal note")
    START = "start", _("Handling started")
    ORDER_RECTIFICATION = "order_rectification", _("Rectification ordered")
    CLOSE = "close", _("Closed with outcome")
    REJECT = "reject", _("Rejected as out of scope")
    OVERDUE = "overdue", _("Handling overdue")
