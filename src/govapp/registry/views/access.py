"""Deny by default: objects the user may not see are 404, actions the user may not take are 403."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from ..choices import FilingState
from ..models import App, Attachment, Filing

# A unit may change its materials while the filing is with it, not while a reviewer decides.
EDITABLE_STATES = (FilingState.DRAFT, FilingState.RETURNED, FilingState.AWAITING_SUPPLEMENT)


def visible_filing(request: HttpRequest, pk: int) -> Filing:
    filing = get_object_or_404(Filing.objects.select_related("app__unit", "created_by"), pk=pk)
    if not request.user.has_perm("registry.view_filing", filing):
        raise Http404(_("No such filing."))
    return filing


def visible_app(request: HttpRequest, pk: int) -> App:
    app = get_object_or_404(App.objects.select_related("unit", "current_number", "approved_filing"), pk=pk)
    if not request.user.has_perm("registry.view_app", app):
        raise Http404(_("No such app."))
    return app


def visible_attachment(request: HttpRequest, pk: int) -> Attachment:
    attachment = get_object_or_404(Attachment.objects.select_related("filing__app__unit"), pk=pk)
    if not request.user.has_perm("registry.view_filing", attachment.filing):
        raise Http404(_("No such document."))
    return attachment


def can_edit(user: Any, filing: Filing) -> bool:
    return filing.state in EDITABLE_STATES and user.has_perm("registry.edit_filing", filing)


def require_editable(user: Any, filing: Filing) -> None:
    if not user.has_perm("registry.edit_filing", filing):
        raise PermissionDenied(_("Only a filer of the sponsoring unit can change this filing."))
    if filing.state not in EDITABLE_STATES:
        raise PermissionDenied(
            _(
                "This filing is “%(state)s”: the materials can be changed only while it is a draft, returned or "
                "awaiting supplement."
            )
            % {"state": filing.get_state_display()}
        )


def explain_denials(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Render refusals with their reason (the project-wide 403 handler shows no message)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            return render(request, "errors/403.html", {"reason": str(exc)}, status=403)

    return wrapper
