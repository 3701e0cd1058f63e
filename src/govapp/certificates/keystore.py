"""The installation's certificate keys: the signing key from a file or the environment, never the database.

``GOVAPP_CERT_KEY`` (PEM text) wins over ``GOVAPP_CERT_KEY_FILE``. The embedded mode generates the key
file under ./var/ on first use and says so in the log; production must name one. Retired public keys
stay in ``GOVAPP_CERT_RETIRED_KEYS_FILE`` so that certificates signed before a rotation still verify.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .keyset import CURRENT, RETIRED, PublishedKey, key_set_json, parse_key_set
from .signing import KeyFormatError, SigningKey, generate_key, load_private_key

log = logging.getLogger(__name__)


def _key_file() -> Path | None:
    return Path(settings.GOVAPP_CERT_KEY_FILE) if settings.GOVAPP_CERT_KEY_FILE else None


def _checked(key: SigningKey, source: str) -> SigningKey:
    if key.algorithm != settings.GOVAPP_CERT_ALGORITHM:
        raise ImproperlyConfigured(
            f"The certificate key in {source} is an {key.algorithm} key, but GOVAPP_CERT_ALGORITHM asks "
            f"for {settings.GOVAPP_CERT_ALGORITHM}; set the setting or generate a key with "
            "`govapp certificate keygen`."
        )
    return key


@functools.lru_cache(maxsize=8)
def _load(pem: bytes) -> SigningKey:
    # Deriving the SM2 public key is a scalar multiplication: do it once per key, not per certificate.
    return load_private_key(pem)


def _write_private(path: Path, key: SigningKey) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.pem())


def signing_key() -> SigningKey:
    """The national office's current signing key; generated once in the embedded mode.

    Raises ImproperlyConfigured naming the setting when no key is configured or it cannot be read.
    """
    if settings.GOVAPP_CERT_KEY:
        try:
            return _checked(_load(settings.GOVAPP_CERT_KEY.encode("ascii", "replace")), "GOVAPP_CERT_KEY")
        except KeyFormatError as exc:
            raise ImproperlyConfigured(f"GOVAPP_CERT_KEY is not a readable private key: {exc}") from None
    path = _key_file()
    if path is None:
        raise ImproperlyConfigured(
            "No certificate signing key: set GOVAPP_CERT_KEY_FILE (or GOVAPP_CERT_KEY) to the national "
            "office's private key; `govapp certificate keygen --out FILE` makes one."
        )
    if not path.exists():
        if not settings.GOVAPP_CERT_KEY_GENERATE:
            raise ImproperlyConfigured(
                f"The certificate key file {path} (GOVAPP_CERT_KEY_FILE) does not exist; "
                "`govapp certificate keygen --out FILE` makes one."
            )
        key = generate_key(settings.GOVAPP_CERT_ALGORITHM)
        try:
            _write_private(path, key)
            log.warning(
                "Generated the certificate signing key %s (%s, key id %s). Keep it secret and back it up; "
                "publish its public key with `govapp certificate publickeys`.",
                path, key.algorithm, key.key_id,
            )  # fmt: skip
        except FileExistsError:
            pass  # another process generated it at the same moment: use theirs
    try:
        return _checked(_load(path.read_bytes()), str(path))
    except (OSError, KeyFormatError) as exc:
        raise ImproperlyConfigured(f"The certificate key file {path} cannot be read: {exc}") from None


def _retired_file() -> Path | None:
    return Path(settings.GOVAPP_CERT_RETIRED_KEYS_FILE) if settings.GOVAPP_CERT_RETIRED_KEYS_FILE else None


def retired_keys() -> list[PublishedKey]:
    path = _retired_file()
    if path is None or not path.exists():
        return []
    try:
        return [PublishedKey(entry.key, RETIRED) for entry in parse_key_set(path.read_text(encoding="utf-8"))]
    except (OSError, KeyFormatError) as exc:
        raise ImproperlyConfigured(f"The retired certificate keys {path} cannot be read: {exc}") from None


def published_keys(*, current: bool = True) -> list[PublishedKey]:
    """Current key first, then the retired ones; without a current key when none exists yet."""
    keys: list[PublishedKey] = []
    if current:
        keys.append(PublishedKey(signing_key().public_key, CURRENT))
    seen = {entry.key_id for entry in keys}
    for entry in retired_keys():
        if entry.key_id not in seen:
            keys.append(entry)
            seen.add(entry.key_id)
    return keys


def current_key_exists() -> bool:
    path = _key_file()
    return bool(settings.GOVAPP_CERT_KEY) or (path is not None and path.exists())


def rotate(*, algorithm: str, out: Path | None = None) -> tuple[SigningKey, PublishedKey | None]:
    """Generate a new signing key; the old one's public key joins the retired keys.

    Without ``out`` the new key replaces the configured key file (the old private key is deleted:
    certificates only ever need its public key again). Returns the new key and the retired entry.
    """
    old = signing_key() if current_key_exists() else None
    new = generate_key(algorithm)
    retired = PublishedKey(old.public_key, RETIRED) if old and old.key_id != new.key_id else None
    if retired is not None:
        path = _retired_file()
        if path is None:
            raise ImproperlyConfigured(
                "Set GOVAPP_CERT_RETIRED_KEYS_FILE before a rotation: the old public key must stay published."
            )
        entries = [*retired_keys(), retired]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(key_set_json(entries), indent=2), encoding="utf-8")
    target = out or _key_file()
    if target is None:
        raise ImproperlyConfigured("Name the new key file with --out or GOVAPP_CERT_KEY_FILE.")
    if out is None and target.exists():
        # Written beside and renamed over: a crash leaves the old key or the new one, never neither.
        fresh = target.with_name(target.name + ".new")
        fresh.unlink(missing_ok=True)
        _write_private(fresh, new)
        os.replace(fresh, target)
    else:
        _write_private(target, new)
    return new, retired
