"""Network endpoints: the domains and IPv4/IPv6 literals a package names in URLs or bare addresses.

Also the endpoint patterns of the readers' Interest, so that the strings holding them are reported
at all; the cleartext and IPv6 rules judge what is found here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..facts import Evidence, TextHit

MAX_ENDPOINTS = 500
MATCHES_PER_TEXT = 20  # matches looked at per text and pattern: bounds the work on one long text

_URL = re.compile(
    r"\b(https?|wss?)://(\[[0-9A-Fa-f:.]{2,45}\]|[^\s/:?#\"'<>\\,;()]{1,253})(?::(\d{1,5}))?", re.I
)
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}$"
)
_BARE_IPV4 = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){3})(:\d{1,5})?$")
_BARE_IPV6 = re.compile(r"^\[([0-9A-Fa-f:.]{2,45})\](?::\d{1,5})?$|^([0-9A-Fa-f:.]{2,45})$")
# Endpoint patterns for the Interest start by consuming a character (lookbehinds come second) so
# that the regex engine can reject a position with one C-level character test.
IPV4_TEXT = r"\d(?<![\d.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\d.])"
IPV6_TEXT = (
    r"\[[0-9a-f:.]{2,45}\]"
    r"|[0-9a-f](?<![\w:][0-9a-f])[0-9a-f]{0,3}:(?:[0-9a-f]{1,4}:){6}[0-9a-f]{1,4}(?![\w:])"
    r"|[0-9a-f](?<![\w:][0-9a-f])[0-9a-f]{0,3}:(?:[0-9a-f]{1,4}:){0,5}:(?:[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){0,5})?(?![\w:])"
)
URL_TEXT = r"(?:https?|wss?)://"
_VERSION_WORD = re.compile(r"version|\bver\b|版本", re.IGNORECASE)
IPV6_API = r"Inet6Address"


@dataclass(slots=True)
class Endpoint:
    host: str
    kind: str  # domain, ipv4, ipv6
    schemes: set[str]
    count: int
    evidence: Evidence
    third_party: bool

    @property
    def cleartext(self) -> bool:
        return bool(self.schemes & {"http", "ws"})

    def to_dict(self) -> dict[str, Any]:
        return {
            "host": self.host,
            "kind": self.kind,
            "schemes": sorted(self.schemes),
            "cleartext": self.cleartext,
            "count": self.count,
            "evidence": self.evidence.to_dict(),
        }


# XML namespace and schema identifiers look like URLs but are never contacted.
_NAMESPACE_HOSTS = frozenset(
    {
        "schemas.android.com",
        "www.w3.org",
        "w3.org",
        "schemas.microsoft.com",
        "schemas.xmlsoap.org",
        "ns.adobe.com",
        "xmlpull.org",
        "purl.org",
        "xml.org",
        "xml.apache.org",
        "java.sun.com",
        "xmlns.jcp.org",
    }
)


def _classify_host(host: str) -> str | None:
    if host.lower() in _NAMESPACE_HOSTS:
        return None
    bare = host.strip("[]")
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        return "domain" if _HOSTNAME.match(host) else None
    return "ipv4" if address.version == 4 else "ipv6"


def extract_endpoints(texts: Iterable[TextHit], third_party: Callable[[Evidence], bool]) -> list[Endpoint]:
    """Network endpoints (domains, IPv4/IPv6 literals) named by URLs or bare addresses in text hits."""
    found: dict[str, Endpoint] = {}

    def add(host: str, scheme: str | None, evidence: Evidence) -> None:
        key = host.lower().strip("[]")
        endpoint = found.get(key)
        if endpoint is None:
            kind = _classify_host(host)
            if kind is None or len(found) >= MAX_ENDPOINTS:
                return
            endpoint = found[key] = Endpoint(key, kind, set(), 0, evidence, third_party(evidence))
        endpoint.count += 1
        if scheme:
            endpoint.schemes.add(scheme)
        if endpoint.third_party and not third_party(evidence):
            endpoint.evidence, endpoint.third_party = evidence, False

    for hit in texts:
        text = hit.text
        if "://" in text:
            for number, match in enumerate(_URL.finditer(text)):
                if number >= MATCHES_PER_TEXT:
                    break
                add(match.group(2), match.group(1).lower(), hit.evidence)
        elif len(text) <= 60 and hit.surface not in ("manifest", "layout"):
            stripped = text.strip()
            v4 = _BARE_IPV4.match(stripped)
            if v4:
                if _classify_host(v4.group(1)) == "ipv4" and (
                    v4.group(2) or not _version_like(v4.group(1), hit)
                ):
                    add(v4.group(1), None, hit.evidence)
                continue
            v6 = _BARE_IPV6.match(stripped)
            if v6 and _classify_host(v6.group(1) or v6.group(2)) == "ipv6":
                add(v6.group(1) or v6.group(2), None, hit.evidence)
    return sorted(found.values(), key=lambda e: (e.kind, e.host))


def _version_like(address: str, hit: TextHit) -> bool:
    """A bare "6.0.0.47" is far more often a version than a server (with a port it is a server)."""
    if _VERSION_WORD.search(hit.evidence.snippet):
        return True
    octets = address.split(".")
    return len(octets) == 4 and all(len(octet) == 1 for octet in octets[:3])
