"""What a format reader learns about a package: the contract between readers and rules.

Readers are fast because they do not collect every string of a package: the rule set
compiles what it is interested in (``Interest``) and a reader returns only the text and
API hits that match, each with its evidence. Identity, signing, permissions and
components are always collected in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Text surfaces, so that rules and reports can tell code from resources from scripts.
SURFACES = (
    "dex",  # a const-string in DEX bytecode (caller known)
    "manifest",  # AndroidManifest.xml / module.json / app.json / manifest.json
    "resource",  # resources.arsc, string resources, HarmonyOS resources.index
    "layout",  # compiled layouts, WXML/AXML/Vue templates
    "script",  # JS / ETS strings, hybrid bundles (uni-app, Cordova, React Native)
    "native",  # strings of native libraries (Flutter libapp.so)
    "asset",  # any other text file inside the package
)


# ``PackageFacts.extra`` key: {file: why it is not the app's own} for vendored files a reader saw
# (for modules of a bundle, the module's caller name instead of a file).
VENDORED_KEY = "vendored_files"
# ``PackageFacts.extra`` key: {"file": ..., "reason": ...} when the app's own code was not read at all
# (an iOS executable encrypted, missing or too large): the report's ``code_not_analysed`` finding.
UNANALYSED_CODE_KEY = "code_not_analysed"


@dataclass(frozen=True, slots=True)
class Evidence:
    """Where something was seen: file inside the package, offset or line, snippet, caller."""

    file: str
    location: str  # "offset 0x1a2b", "line 12", "string #345"
    snippet: str
    caller: str | None = None  # "Lcom/example/Foo;->bar(I)V" for DEX, a page path for scripts
    invoked: bool = False  # True when code actually uses it (a const-string / invoke in a method)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "location": self.location,
            "snippet": self.snippet,
            "caller": self.caller,
            "invoked": self.invoked,
        }


@dataclass(slots=True)
class TextHit:
    """A piece of text that matched ``Interest.text``."""

    text: str
    surface: str
    evidence: Evidence


@dataclass(slots=True)
class ApiHit:
    """A call of (or reference to) an API that matched ``Interest.api``.

    ``api`` is a method reference in DEX notation, ``Landroid/location/LocationManager;->requestLocationUpdates``,
    or for script platforms the call path, ``wx.getLocation``.
    """

    api: str
    evidence: Evidence


@dataclass(frozen=True, slots=True)
class Interest:
    """What the rule set wants readers to report.

    ``text`` is searched in every text surface; ``api`` is matched (``search``) against
    method references and script call paths; ``code_prefix`` against class/package names
    (tracker and packer signatures). Readers must not return what does not match.
    """

    text: re.Pattern[str]
    api: re.Pattern[str]
    code_prefix: re.Pattern[str]

    @classmethod
    def everything(cls) -> Interest:
        anything = re.compile(r"(?s).+")
        return cls(text=anything, api=anything, code_prefix=anything)


@dataclass(slots=True)
class Certificate:
    sha256: str  # lowercase hex of the DER certificate
    subject: str
    issuer: str
    serial: str = ""
    not_before: str = ""  # ISO 8601
    not_after: str = ""
    scheme: str = ""  # "v1", "v2", "v3", "v3.1", "hap"
    debug: bool = False  # Android debug key / HarmonyOS debug profile

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "scheme": self.scheme,
            "debug": self.debug,
        }


@dataclass(slots=True)
class Component:
    kind: str  # activity, service, receiver, provider, ability, extension, page
    name: str
    exported: bool | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "name": self.name, "exported": self.exported}


@dataclass
class PackageFacts:
    """Everything one reader learned about one package (a bundle has ``children``)."""

    format: str  # apk, apks, xapk, hap, app, ipa, wxapkg, rpk, rpks, miniprogram, h5
    platform: str  # android, harmonyos, ios, wechat, alipay, quickapp, uniapp, web
    path: str
    sha256: str
    size: int
    id: str | None = None  # package / bundle name / appid
    name: str | None = None  # label as the user sees it
    version: str | None = None
    version_code: str | None = None
    min_sdk: str | None = None
    target_sdk: str | None = None
    debuggable: bool | None = None
    certificates: list[Certificate] = field(default_factory=list)
    signing: dict[str, Any] = field(default_factory=dict)  # schemes, profile type, issuer, developer id
    permissions: list[str] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    code_names: set[str] = field(default_factory=set)  # class/package names matching code_prefix
    files: list[str] = field(default_factory=list)  # entry names (capped)
    texts: list[TextHit] = field(default_factory=list)
    apis: list[ApiHit] = field(default_factory=list)
    children: list[PackageFacts] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # limits of the analysis, readable sentences
    extra: dict[str, Any] = field(default_factory=dict)

    def walk(self) -> list[PackageFacts]:
        """This package and every nested one, depth first."""
        out = [self]
        for child in self.children:
            out.extend(child.walk())
        return out
