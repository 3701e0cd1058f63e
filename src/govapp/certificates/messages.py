"""What the installation says about a certificate, in the user's language (the codes of compact.REASONS)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .compact import AUTHENTIC, NOT_AUTHENTIC, UNREADABLE, Verification

OUTCOMES = {
    AUTHENTIC: _("Authentic: this filing certificate was issued by the national office."),
    NOT_AUTHENTIC: _("Not authentic: this filing certificate cannot be proven."),
    UNREADABLE: _("Unreadable: this is not a complete filing certificate."),
}
REASONS = {
    "too_long": _("The text is longer than %(max)d characters."),
    "not_found": _("No certificate found: a certificate starts with GAC1."),
    "damaged": _("The certificate is damaged or truncated: it cannot be decoded."),
    "missing": _("The certificate lacks %(names)s: it is damaged or truncated."),
    "version": _("Certificate format version %(version)s is not known."),
    "unknown_algorithm": _("Unknown signature algorithm %(alg)s: the certificate cannot be proven."),
    "unknown_key": _("Key %(kid)s is not among the published keys of the national office."),
    "wrong_algorithm": _("Key %(kid)s is an %(key_alg)s key, but the certificate says %(alg)s."),
    "altered": _("The signature does not match: the certificate was altered or not signed by this key."),
    "signed": _("Signed with key %(kid)s of the national office."),
}
# Status is online truth; the certificate proves issuance (shown on the page, the API and the CLI).
STATUS_IS_ONLINE = _(
    "The certificate proves that the number was issued; whether it is still valid is the register's "
    "online status: a revoked filing's certificate still verifies as authentic, and the register says "
    "“revoked”."
)


def outcome(verification: Verification) -> str:
    return str(OUTCOMES[verification.outcome])


def reason(verification: Verification) -> str:
    return str(REASONS[verification.code]) % verification.params
