"""The ``govapp`` console script: Django's management entry point with our settings."""

from __future__ import annotations

import os
import sys


def load_settings_or_exit() -> None:
    """Import the settings now: a misconfiguration ends the process with its one-line reason, exit 2."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018 - the attribute access is what loads the settings
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"govapp: {exc}\n")
        sys.exit(2)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    from django.core.management import execute_from_command_line

    load_settings_or_exit()
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
