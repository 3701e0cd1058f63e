"""``govapp certificate keygen | publickeys | verify | issue``: keys and checks of filing certificates (备案证明).

``verify TEXT|FILE [--keys FILE] [--json]`` needs no network and no database: exit 0 authentic,
1 not authentic, 2 unreadable (also for an unreadable key file).
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.certificates import compact, keystore, messages
from govapp.certificates.keyset import key_set_json, parse_key_set
from govapp.certificates.signing import ED25519, SM2, KeyFormatError, PublicKey
from govapp.registry.choices import AppKind
from govapp.registry.models import FilingNumber
from govapp.registry.numbers import normalise_number
from govapp.registry.workflow import WorkflowError

ALGORITHM_NAMES = {"sm2": SM2, "ed25519": ED25519}
CLAIM_LABELS = (
    ("num", gettext_lazy("Filing number")),
    ("name", gettext_lazy("App name")),
    ("unit", gettext_lazy("Sponsoring unit")),
    ("kind", gettext_lazy("App kind")),
    ("st", gettext_lazy("Status when issued")),
    ("date", gettext_lazy("Issued on")),
)
IDENTITY_LABELS = {
    "android_package": gettext_lazy("Android package name"),
    "android_cert_sha256": gettext_lazy("Android signing certificate SHA-256"),
    "harmony_bundle": gettext_lazy("HarmonyOS bundle name"),
    "ios_bundle": gettext_lazy("iOS bundle ID"),
    "miniprogram_appid": gettext_lazy("mini-program appid"),
    "quickapp_package": gettext_lazy("quick app package name"),
}


def claim_text(claim: str, value: object) -> str:
    """A claim as a reader expects it: the app kind and the status in words, the rest as signed."""
    if claim == "kind" and value in AppKind.values:
        return str(AppKind(value).label)
    if claim == "st" and value == "valid":
        return str(FilingNumber.Status.ACTIVE.label)
    return str(value)


def read_certificate_argument(value: str) -> str:
    """TEXT itself, ``-`` for standard input, or the content of the file FILE."""
    if value == "-":
        return sys.stdin.read(compact.MAX_LENGTH + 1)
    path = Path(value)
    if len(value) < 4096 and not value.startswith(compact.PREFIX) and path.is_file():
        with path.open("rb") as handle:
            return handle.read(compact.MAX_LENGTH + 1).decode("utf-8", "replace")
    return value


class Command(BaseCommand):
    help = str(
        gettext_lazy("Filing certificates: generate keys, publish public keys, verify offline, re-issue.")
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="action", required=True)
        keygen = commands.add_parser(
            "keygen", help="Generate a new signing key; the old public key is retired."
        )
        keygen.add_argument("--algorithm", choices=sorted(ALGORITHM_NAMES), default=None)
        keygen.add_argument("--out", type=Path, default=None, help="Write the new private key here.")
        publickeys = commands.add_parser("publickeys", help="Print the published public keys.")
        publickeys.add_argument("--format", choices=["json", "pem"], default="json")
        verify = commands.add_parser("verify", help="Verify a certificate offline (exit 0/1/2).")
        verify.add_argument("certificate", help="The certificate text, a file holding it, or - for stdin.")
        verify.add_argument("--keys", type=Path, default=None, help="Published keys (JSON or PEM).")
        verify.add_argument("--json", action="store_true", help="Print the result as JSON.")
        issue = commands.add_parser("issue", help="Re-issue the certificate of a valid filing number.")
        issue.add_argument("number", nargs="?", default=None)
        issue.add_argument(
            "--all-missing", action="store_true", help="Every valid number that has no certificate yet."
        )
        issue.add_argument("--by", required=True, help="Username of the national reviewer.")
        issue.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "keygen":
                self.keygen(options["algorithm"], options["out"])
            elif action == "publickeys":
                self.publickeys(options["format"])
            elif action == "verify":
                self.verify(options["certificate"], options["keys"], options["json"])
            elif options["all_missing"]:
                self.issue_missing(options["by"], options["reason"])
            elif options["number"]:
                self.issue(options["number"], options["by"], options["reason"])
            else:
                raise CommandError(_("Name a filing number or --all-missing."), returncode=2)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc), returncode=2) from None

    def keygen(self, algorithm: str | None, out: Path | None) -> None:
        from django.conf import settings

        chosen = ALGORITHM_NAMES[algorithm] if algorithm else settings.GOVAPP_CERT_ALGORITHM
        if out is not None and out.exists():
            raise CommandError(_("%(path)s exists; choose a new file.") % {"path": out}, returncode=2)
        key, retired = keystore.rotate(algorithm=chosen, out=out)
        self.stdout.write(
            _("New %(alg)s signing key %(kid)s written to %(path)s.")
            % {"alg": key.algorithm, "kid": key.key_id, "path": out or settings.GOVAPP_CERT_KEY_FILE}
        )
        if retired is not None:
            self.stdout.write(
                _("Key %(kid)s is retired: its public key stays published so earlier certificates verify.")
                % {"kid": retired.key_id}
            )
        if chosen != settings.GOVAPP_CERT_ALGORITHM:
            self.stdout.write(_("Set GOVAPP_CERT_ALGORITHM=%(alg)s to sign with it.") % {"alg": algorithm})

    def publickeys(self, output: str) -> None:
        keys = keystore.published_keys()
        if output == "pem":
            for entry in keys:
                self.stdout.write(
                    f"# {entry.key_id} {entry.key.algorithm} {entry.status}\n{entry.key.pem()}", ending=""
                )
            return
        self.stdout.write(json.dumps(key_set_json(keys), indent=2))

    def _keys(self, path: Path | None) -> list[PublicKey]:
        if path is None:
            return [entry.key for entry in keystore.published_keys(current=keystore.current_key_exists())]
        try:
            return [entry.key for entry in parse_key_set(path.read_text(encoding="utf-8"))]
        except (OSError, UnicodeDecodeError, KeyFormatError) as exc:
            raise CommandError(
                _("The key file %(path)s cannot be read: %(error)s") % {"path": path, "error": exc},
                returncode=2,
            ) from None

    def verify(self, value: str, keys_path: Path | None, as_json: bool) -> None:
        keys = self._keys(keys_path)
        result = compact.verify(read_certificate_argument(value), keys)
        identity = compact.identities(result.claims)
        if as_json:
            document = {
                "outcome": result.outcome,
                "authentic": result.authentic,
                "reason": messages.reason(result),
                "key_id": result.claims.get("kid"),
                "algorithm": result.claims.get("alg"),
                "claims": {
                    "number": result.claims.get("num"),
                    "app_name": result.claims.get("name"),
                    "unit": result.claims.get("unit"),
                    "kind": result.claims.get("kind"),
                    "identity": identity,
                    "status_when_issued": result.claims.get("st"),
                    "issued_on": result.claims.get("date"),
                }
                if result.claims
                else None,
                "note": str(messages.STATUS_IS_ONLINE),
            }
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(messages.outcome(result))
            self.stdout.write(messages.reason(result))
            if result.claims:
                for claim, label in CLAIM_LABELS:
                    self.stdout.write(f"{label}: {claim_text(claim, result.claims.get(claim, ''))}")
                for name, value in identity.items():
                    self.stdout.write(f"{IDENTITY_LABELS[name]}: {value}")
            if result.authentic:
                self.stdout.write(str(messages.STATUS_IS_ONLINE))
        if result.exit_code:
            sys.exit(result.exit_code)

    def _actor(self, username: str) -> Any:
        actor = get_user_model().objects.filter(username=username).first()
        if actor is None:
            raise CommandError(_("There is no user %(name)s.") % {"name": username}, returncode=2)
        return actor

    def issue_missing(self, username: str, reason: str) -> None:
        """Numbers approved before certificates existed get theirs (one run after the upgrade)."""
        from govapp.certificates.services import certificate_reissue

        actor = self._actor(username)
        missing = FilingNumber.objects.filter(status=FilingNumber.Status.ACTIVE, certificates__isnull=True)
        issued = 0
        for number in missing.select_related("app").order_by("pk"):
            if number.app.current_number_id != number.pk:
                continue
            try:
                certificate_reissue(number=number, actor=actor, reason=reason)
            except (WorkflowError, PermissionDenied) as exc:
                raise CommandError(str(exc), returncode=1) from None
            issued += 1
        self.stdout.write(_("%(count)d certificates issued.") % {"count": issued})

    def issue(self, raw_number: str, username: str, reason: str) -> None:
        from govapp.certificates.services import certificate_reissue

        number = FilingNumber.objects.filter(number=normalise_number(raw_number)).first()
        if number is None:
            raise CommandError(
                _("There is no filing number %(number)s.") % {"number": raw_number}, returncode=2
            )
        actor = self._actor(username)
        try:
            certificate = certificate_reissue(number=number, actor=actor, reason=reason)
        except (WorkflowError, PermissionDenied) as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(certificate.text)
