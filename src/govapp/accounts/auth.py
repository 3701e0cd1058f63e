"""The signed-in user of a request, typed as this project's User."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from .models import User


def signed_in_user(request: HttpRequest) -> User:
    """The user of a view behind ``@login_required``; an anonymous visitor who gets here anyway is refused."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
