"""Finding interesting text and script API calls in text files (JS, WXML, Vue, JSON, HTML).

The small public API, shared with the Android reader for hybrid assets:

- ``scan_text(text, file=..., surface=..., interest=...)`` -> ``ScanResult`` with the
  ``TextHit``s (text matching ``interest.text``, with line number and a short snippet) and
  ``ApiHit``s (script call paths such as ``wx.getLocation`` or
  ``@system.geolocation.getLocation`` matching ``interest.api``) of one file.
- ``HitSink(facts, limits)`` appends results to a ``PackageFacts`` and stops at
  ``limits.max_texts`` with a note, so one huge bundle cannot exhaust memory.
- ``decode_text(data)`` turns file bytes into text without ever failing.

Everything works on the raw text with regular expressions: no JS parser, so minified,
broken or hostile scripts cost linear time and never raise.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ..facts import ApiHit, Evidence, Interest, PackageFacts, TextHit
from ..limits import Limits
from ..notes import Note

SNIPPET_RADIUS = 70
MAX_HITS_PER_FILE = 500

# Global objects through which mini-program and hybrid platforms expose their APIs.
SCRIPT_ROOTS = ("wx", "uni", "my", "swan", "tt", "qq", "plus", "dd", "jd", "ks")

# One pattern per root: a literal prefix lets the regex engine skip ahead quickly, which an
# alternation of all roots would not (a 40 MB bundle costs seconds that way).
_ROOT_CALLS = tuple(
    re.compile(
        re.escape(root)
        + r"\s*(?:\.\s*(?P<name>[A-Za-z_$][\w$]*)|\[\s*['\"](?P<qname>[A-Za-z_$][\w$]*)['\"]\s*\])"
    )
    for root in SCRIPT_ROOTS
)
_IDENT_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$.")
# Module imports whose members are platform APIs: quick app (@system/@service), HarmonyOS
# (@ohos, and @kit whose named exports are the @ohos modules), compiled quick-app bundles.
# The quoted module name is found first (cheap); the import or require around it is then
# parsed from the few hundred characters before it, so big bundles are not scanned per position.
_MODULE_LITERAL = re.compile(r"""['"](?:@app-module/)?(@?(?:system|service|ohos|kit)\.[\w.]{1,200})['"]""")
_REQUIRE_TAIL = re.compile(r"([A-Za-z_$][\w$]*)\s*=\s*(?:require|\$app_require\$)\s*\(\s*\Z")
_DEFAULT_TAIL = re.compile(r"\bimport\s+(?:\*\s+as\s+)?([A-Za-z_$][\w$]*)\s+from\s*\Z")
_NAMED_TAIL = re.compile(r"\bimport\s*\{([^{}]{1,2000})\}\s*from\s*\Z")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_QUOTES = "'\"`"


@dataclass(slots=True)
class ScanResult:
    texts: list[TextHit] = field(default_factory=list)
    apis: list[ApiHit] = field(default_factory=list)
    truncated: bool = False


def decode_text(data: bytes) -> str:
    """Bytes of a text file as str: UTF-8 (BOM tolerated), else GB18030, else UTF-8 with replacement."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


class _Lines:
    """Line numbers for offsets, computed once per file and only if something matched."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None
        self.caller_at: Callable[[int], str | None] | None = None

    def caller(self, offset: int, default: str | None) -> str | None:
        return self.caller_at(offset) if self.caller_at is not None else default

    def number(self, offset: int) -> int:
        if self._starts is None:
            self._starts = [0] + [m.end() for m in re.finditer("\n", self._text)]
        return bisect.bisect_right(self._starts, offset)

    def bounds(self, offset: int) -> tuple[int, int]:
        start = self._text.rfind("\n", 0, offset) + 1
        end = self._text.find("\n", offset)
        return start, len(self._text) if end < 0 else end


def snippet_around(text: str, start: int, end: int, radius: int = SNIPPET_RADIUS) -> str:
    """At most ~160 characters of the match's line around ``text[start:end]``, whitespace collapsed."""
    left = max(0, start - radius)
    newline = text.rfind("\n", left, start)
    if newline >= 0:
        left = newline + 1
    right = min(len(text), min(end, start + radius) + radius)
    newline = text.find("\n", start, right)
    if newline >= 0:
        right = newline
    piece = " ".join(text[left:right].split())
    return (
        ("…" if left > 0 and text[left - 1] != "\n" else "")
        + piece
        + ("…" if right < len(text) and text[right] != "\n" else "")
    )


def _unit(text: str, start: int, end: int, lines: _Lines) -> str:
    """The string literal or markup text around a match, else a window of its line."""
    line_start, line_end = lines.bounds(start)
    low = max(line_start, start - SNIPPET_RADIUS)
    high = min(line_end, max(end, start + 1) + SNIPPET_RADIUS)
    opener = max(text.rfind(q, low, start) for q in _QUOTES + ">")
    if opener >= 0:
        closer_char = text[opener] if text[opener] in _QUOTES else "<"
        closer = text.find(closer_char, end, high)
        if closer >= 0:
            inner = text[opener + 1 : closer].strip()
            if inner:
                return inner
    return " ".join(text[low:high].split())


def _line_window(text: str, start: int, end: int, lines: _Lines) -> str:
    line_start, line_end = lines.bounds(start)
    low = max(line_start, start - SNIPPET_RADIUS)
    high = min(max(line_end, end), end + SNIPPET_RADIUS)
    return " ".join(text[low:high].split())


def scan_text(
    text: str,
    *,
    file: str,
    surface: str,
    interest: Interest,
    caller: str | None = None,
    caller_at: Callable[[int], str | None] | None = None,
    max_hits: int = MAX_HITS_PER_FILE,
) -> ScanResult:
    """Text and API hits of one text file.

    ``caller`` is the page or component the file belongs to; ``caller_at(offset)``, when
    given, names it per offset instead (bundles that concatenate many modules).
    """
    result = ScanResult()
    lines = _Lines(text)
    if caller_at is not None:
        lines.caller_at = caller_at
    seen: set[tuple[int, str]] = set()
    for match in interest.text.finditer(text):
        if len(result.texts) >= max_hits:
            result.truncated = True
            break
        start, end = match.span()
        if end == start:
            continue
        line = lines.number(start)
        unit = _unit(text, start, end, lines)
        if text[start:end] not in unit:
            # Code matched across a literal's edge (``orderBy('score', 'desc')``): keep the line around it.
            unit = _line_window(text, start, end, lines)
        # Two words of one sentence ("打卡" and "签到" in "每日打卡签到") are one piece of evidence.
        if (line, unit) in seen:
            continue
        seen.add((line, unit))
        evidence = Evidence(
            file=file,
            location=f"line {line}",
            snippet=snippet_around(text, start, end),
            caller=lines.caller(start, caller),
        )
        result.texts.append(TextHit(text=unit, surface=surface, evidence=evidence))
    _scan_root_calls(text, file, caller, interest, lines, result, max_hits)
    _scan_module_calls(text, file, caller, interest, lines, result, max_hits)
    return result


def _add_api(
    result: ScanResult,
    api: str,
    text: str,
    span: tuple[int, int],
    file: str,
    caller: str | None,
    lines: _Lines,
    max_hits: int,
) -> bool:
    if len(result.apis) >= max_hits:
        result.truncated = True
        return False
    start, end = span
    invoked = _is_used(text, start, end)
    result.apis.append(
        ApiHit(
            api=api,
            evidence=Evidence(
                file=file,
                location=f"line {lines.number(start)}",
                snippet=snippet_around(text, start, end),
                caller=lines.caller(start, caller),
                invoked=invoked,
            ),
        )
    )
    return True


_PASSED_AS_ARGUMENT = re.compile(r"[(,]\s*\Z")
_CALLED_INDIRECTLY = re.compile(r"\s*\.\s*(?:call|apply|bind)\s*\(")


def _is_used(text: str, start: int, end: int) -> bool:
    """The API is called: ``wx.x(...)``, ``wx.x.call(...)``, or handed to a wrapper (``promisify(wx.x)``)."""
    if text[end : end + 64].lstrip().startswith("("):
        return True
    if _CALLED_INDIRECTLY.match(text, end):
        return True
    return bool(_PASSED_AS_ARGUMENT.search(text, max(0, start - 16), start))


def _scan_root_calls(
    text: str,
    file: str,
    caller: str | None,
    interest: Interest,
    lines: _Lines,
    result: ScanResult,
    max_hits: int,
) -> None:
    found: list[tuple[int, int, str]] = []
    for root, pattern in zip(SCRIPT_ROOTS, _ROOT_CALLS, strict=True):
        if root + "." not in text and root + "[" not in text:
            continue
        # findall runs in C; only the few names the rules want get a second, narrow pass
        # with positions (a bundle can hold hundreds of thousands of wx.request calls).
        names = {name or qname for name, qname in pattern.findall(text)}
        wanted = sorted(n for n in names if interest.api.search(f"{root}.{n}"))
        if not wanted:
            continue
        alternatives = "|".join(re.escape(n) for n in wanted)
        narrow = re.compile(
            re.escape(root) + r"\s*(?:\.\s*(?P<name>" + alternatives + r")(?![\w$])"
            r"|\[\s*['\"](?P<qname>" + alternatives + r")['\"]\s*\])"
        )
        kept_before = len(found)
        for match in narrow.finditer(text):
            if len(found) - kept_before > max_hits:
                break  # more than can be kept anyway; _add_api marks the result truncated
            start = match.start()
            if start > 0 and text[start - 1] in _IDENT_CHARS:
                continue  # part of a longer name: mywx.getLocation, a.wx.getLocation
            found.append((start, match.end(), f"{root}.{match.group('name') or match.group('qname')}"))
    for start, end, api in sorted(found):
        if not _add_api(result, api, text, (start, end), file, caller, lines, max_hits):
            return


def _module_aliases(text: str) -> dict[str, str]:
    aliases: dict[str, str] = {}
    if not any(scope in text for scope in ("system.", "service.", "ohos.", "kit.")):
        return aliases
    for match in _MODULE_LITERAL.finditer(text):
        module = match.group(1) if match.group(1).startswith("@") else "@" + match.group(1)
        short = text[max(0, match.start() - 200) : match.start()]
        if found := _REQUIRE_TAIL.search(short):
            aliases[found.group(1)] = module
        elif found := _DEFAULT_TAIL.search(short):
            if not module.startswith("@kit."):
                aliases[found.group(1)] = module
        elif found := _NAMED_TAIL.search(text[max(0, match.start() - 2100) : match.start()]):
            for part in found.group(1).split(","):
                pieces = part.split(" as ")
                exported, alias = pieces[0].strip(), pieces[-1].strip()
                if not _IDENT.fullmatch(exported) or not _IDENT.fullmatch(alias):
                    continue
                # A kit re-exports @ohos modules under their own names (LocationKit -> geoLocationManager).
                aliases[alias] = f"@ohos.{exported}" if module.startswith("@kit.") else f"{module}.{exported}"
    return aliases


def _scan_module_calls(
    text: str,
    file: str,
    caller: str | None,
    interest: Interest,
    lines: _Lines,
    result: ScanResult,
    max_hits: int,
) -> None:
    aliases = _module_aliases(text)
    if not aliases:
        return
    member = re.compile(
        r"(?<![\w$.])(?P<alias>"
        + "|".join(re.escape(a) for a in aliases)
        + r")\s*\.\s*(?P<name>[A-Za-z_$][\w$]*)"
    )
    for match in member.finditer(text):
        api = f"{aliases[match.group('alias')]}.{match.group('name')}"
        if interest.api.search(api) and not _add_api(
            result, api, text, match.span(), file, caller, lines, max_hits
        ):
            return


class HitSink:
    """Collects hits into one PackageFacts, keeping at most ``limits.max_texts`` of each kind."""

    def __init__(self, facts: PackageFacts, limits: Limits) -> None:
        self.facts = facts
        self.limit = limits.max_texts
        self._capped = False

    @property
    def full(self) -> bool:
        return len(self.facts.texts) >= self.limit and len(self.facts.apis) >= self.limit

    def add(self, result: ScanResult, file: str) -> None:
        if result.truncated:
            self.facts.notes.append(Note("file_matches_capped", file=file, cap=MAX_HITS_PER_FILE))
        self.add_texts(result.texts)
        self.add_apis(result.apis)

    def add_texts(self, hits: list[TextHit]) -> None:
        room = self.limit - len(self.facts.texts)
        if len(hits) > room:
            self._cap()
        self.facts.texts.extend(hits[: max(room, 0)])

    def add_apis(self, hits: list[ApiHit]) -> None:
        room = self.limit - len(self.facts.apis)
        if len(hits) > room:
            self._cap()
        self.facts.apis.extend(hits[: max(room, 0)])

    def _cap(self) -> None:
        if not self._capped:
            self._capped = True
            self.facts.notes.append(Note("evidence_capped", cap=self.limit))
