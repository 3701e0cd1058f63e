"""Errors the engine raises for input it cannot analyse (exit code 2 of ``govapp scan``).

Each carries a ``kind`` (one of ``ERROR_KINDS``), reported beside the English message as the
report's ``error_kind`` so that the web side can say in the user's language what went wrong.
"""

# Why a package could not be analysed. The last three come from the sandbox, not from a reader.
ERROR_KINDS = (
    "unreadable",
    "unsupported",
    "malformed",
    "unsafe",
    "encrypted",
    "limit",
    "timeout",
    "memory",
    "crash",
)


class PackageError(Exception):
    """The package cannot be analysed; ``str(exc)`` is one line a user can act on."""

    kind = "malformed"  # truncated, corrupted or inconsistent structures


class Unreadable(PackageError):
    """The file cannot be read at all (missing, permissions, not a regular file)."""

    kind = "unreadable"


class UnsupportedFormat(PackageError):
    """The file is not any package format we know."""

    kind = "unsupported"


class UnsafePackage(PackageError):
    """Entries crafted against unpackers or signature checks: names leaving the package, duplicate
    names, overlapping or shared entry data."""

    kind = "unsafe"


class EncryptedPackage(PackageError):
    """Encrypted content (a WeChat PC-cache wxapkg, encrypted zip entries): the original is needed."""

    kind = "encrypted"


class LimitExceeded(PackageError):
    """The package exceeds a safety limit (size, ratio, depth, entry count)."""

    kind = "limit"
