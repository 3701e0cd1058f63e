"""Issued filing certificates (备案证明): one row per issuance, kept for good."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from govapp.core.append_only import AppendOnlyModel
from govapp.registry.models import Filing, FilingNumber


class FilingCertificate(AppendOnlyModel):
    """A signed certificate of one filing number; the newest row is the one the number shows.

    Re-issuing (a change filing, a new key) adds a row: earlier certificates stay authentic proofs of
    what was issued when. The private key is never here, only what it signed.
    """

    number = models.ForeignKey(
        FilingNumber, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("filing number")
    )
    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="+", verbose_name=_("filing"))
    text = models.TextField(_("certificate"))
    algorithm = models.CharField(_("signature algorithm"), max_length=10)
    key_id = models.CharField(_("key id"), max_length=16, db_index=True)
    claims = models.JSONField(_("claims"))
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("filing certificate")
        verbose_name_plural = _("filing certificates")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.number} {self.issued_at:%Y-%m-%d}"
