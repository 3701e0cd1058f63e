"""The categories a finding can have: the eight formalism ids of Art. 13 and the technical ones.

The formalism ids are a stable interface (reports, complaints, filings' declarations and
supervision use them); this tuple is their one source and their canonical order. The rule
loader refuses a rule of any other category. Plain data only: the engine imports nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

FORMALISM_CATEGORIES: tuple[str, ...] = (
    "checkin",
    "ranking",
    "online_time",
    "engagement_metrics",
    "forced_upload",
    "location_tracking",
    "forced_login",
    "forced_download",
)

# The item of Art. 13 (五个不得) each formalism category falls under, as a reference ("13.2" = article 13,
# item 2; rendered 第十三条第二项 / Art. 13(2) by ``articles.article_label``): item 2 names check-in, points
# ranking and online-time statistics; item 3 forced download and periodic login; item 4 likes/votes/study
# time as criteria and compulsory photo/track uploads.
FORMALISM_ARTICLES: Mapping[str, str] = MappingProxyType(
    {
        "checkin": "13.2",
        "ranking": "13.2",
        "online_time": "13.2",
        "engagement_metrics": "13.4",
        "forced_upload": "13.4",
        "location_tracking": "13.4",
        "forced_login": "13.3",
        "forced_download": "13.3",
    }
)

TECHNICAL_CATEGORIES: tuple[str, ...] = (
    "cleartext",
    "debuggable",
    "excessive_permission",
    "tracker",
    "ipv4_only",
    "complaint_function_missing",
    "packer",
    "filing_number_missing",
)

CATEGORIES: tuple[str, ...] = FORMALISM_CATEGORIES + TECHNICAL_CATEGORIES

# Findings beside the rules (no rule has these categories): the package is not the filed app, its signer
# cannot be known, it changed since approval without a change filing, or its own code was not read at
# all (an encrypted App Store build: the test saw its resources only).
BINDING_CATEGORIES: tuple[str, ...] = (
    "identity_mismatch",
    "identity_unverifiable",
    "unreported_change",
    "code_not_analysed",
)
FINDING_CATEGORIES: tuple[str, ...] = CATEGORIES + BINDING_CATEGORIES
