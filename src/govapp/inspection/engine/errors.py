"""Errors the engine raises for input it cannot analyse (exit code 2 of ``govapp scan``)."""


class PackageError(Exception):
    """The package cannot be analysed; ``str(exc)`` is one line a user can act on."""


class UnsupportedFormat(PackageError):
    """The file is not any package format we know."""


class LimitExceeded(PackageError):
    """The package exceeds a safety limit (size, ratio, depth, entry count)."""
