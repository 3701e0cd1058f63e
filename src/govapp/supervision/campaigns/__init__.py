"""Spot-check and self-inspection campaigns and their sampling."""

# Migration 0003 names the upload path of self-inspection attachments as
# ``govapp.supervision.campaigns.selfcheck_attachment_path``, from when the models were this module.
from .models import selfcheck_attachment_path  # noqa: F401
