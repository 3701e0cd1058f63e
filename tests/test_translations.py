"""The zh-Hans catalogue: complete, compiled, faithful to the code's msgids and to the regulation's terms.

Whether every msgid of the code is in the catalogue is checked with Django's own extractor: makemessages
runs on a temporary copy of the package (about 5 s), so the check sees exactly what gettext sees,
including blocktranslate with plurals, and never writes into the real locale directory.
"""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

import govapp

PACKAGE_DIR = Path(govapp.__file__).resolve().parent
CATALOGUE_DIR = PACKAGE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"
FIX = "run scripts/update-translations.sh and translate the entries it reports"

# Printf-style and brace placeholders, and HTML tags: a translation must keep each of them.
_TOKEN = re.compile(r"%\([A-Za-z_0-9]+\)[-+ #0-9.]*[sdifrx]|%[sdif]|\{[A-Za-z_0-9]*\}|</?[a-z][^>]*>")
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}

# English wording -> the regulation's own Chinese term that every translation of it must use.
REGULATION_TERMS = {
    r"completeness review": "完备性审核",
    r"technical test": "技术检测",
    r"spot[- ]check": "抽查检测",
    r"self-inspection": "自查自评",
    r"deem(ed)? abandoned": "视为放弃",
    r"filing number": "备案号",
    r"change filing": "变更备案",
    r"revok|revocation": "撤销",
    r"deregist": "注销",
    r"rectif": "整改",
    r"(?<!make-up )working day": "工作日",
    r"make-up working": "调休",
    r"complain": "投诉",
    r"sponsoring unit": "主办单位",
    r"national office": "国家网信办",
    r"\bmlps\b": "等级保护",
    r"o&m": "运维",
    r"supplement": "补正",
    r"typical-problem": "典型问题",
    r"commitment": "承诺",
}


@dataclass
class PoEntry:
    msgid: str = ""
    context: str | None = None  # msgctxt: one English word with two meanings ("Open")
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


def _unquote(text: str, line: int) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise ValueError(f"django.po line {line}: expected a quoted string, got {text!r}")
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


def parse_po(path: Path) -> list[PoEntry]:
    """The entries of a PO file (header included, obsolete '#~' entries left out)."""
    entries: list[PoEntry] = []
    entry: PoEntry | None = None
    target: tuple[str, int] | None = None
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate([*lines, ""], start=1):
        line = raw.strip()
        if line.startswith("#~"):
            continue
        if not line:
            if entry is not None:
                entries.append(entry)
            entry, target = None, None
            continue
        if entry is None:
            entry = PoEntry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith("msgctxt "):
            entry.context, target = _unquote(line[8:], number), ("context", 0)
        elif line.startswith("msgid_plural "):
            entry.msgid_plural, target = _unquote(line[13:], number), ("plural", 0)
        elif line.startswith("msgid "):
            entry.msgid, target = _unquote(line[6:], number), ("msgid", 0)
        elif m := re.match(r"msgstr(?:\[(\d+)\])? (.*)$", line):
            index = int(m.group(1) or 0)
            entry.msgstrs[index], target = _unquote(m.group(2), number), ("msgstr", index)
        elif line.startswith('"') and target is not None:
            part = _unquote(line, number)
            if target[0] == "context":
                entry.context = (entry.context or "") + part
            elif target[0] == "msgid":
                entry.msgid += part
            elif target[0] == "plural":
                entry.msgid_plural = (entry.msgid_plural or "") + part
            else:
                entry.msgstrs[target[1]] += part
        else:
            raise ValueError(f"django.po line {number}: cannot parse {raw!r}")
    return entries


def _messages(entries: list[PoEntry]) -> list[PoEntry]:
    return [e for e in entries if e.msgid]


@pytest.fixture(scope="module")
def catalogue() -> list[PoEntry]:
    return parse_po(CATALOGUE_DIR / "django.po")


def test_catalogue_has_a_zh_header_with_one_plural_form(catalogue: list[PoEntry]) -> None:
    header = next(e for e in catalogue if not e.msgid).msgstrs[0]
    assert "Plural-Forms: nplurals=1; plural=0;" in header
    assert "charset=UTF-8" in header
    assert "Language: zh_Hans" in header


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue: list[PoEntry]) -> None:
    messages = _messages(catalogue)
    assert len(messages) > 500  # the whole UI, not a stub catalogue
    fuzzy = [e.msgid for e in messages if "fuzzy" in e.flags]
    untranslated = [e.msgid for e in messages if not all(e.msgstrs.values()) or not e.msgstrs]
    assert not fuzzy, f"{len(fuzzy)} fuzzy entries ({FIX}): {fuzzy[:10]}"
    assert not untranslated, f"{len(untranslated)} untranslated entries ({FIX}): {untranslated[:10]}"


def test_plural_entries_have_exactly_one_form(catalogue: list[PoEntry]) -> None:
    wrong = [e.msgid for e in _messages(catalogue) if e.msgid_plural and sorted(e.msgstrs) != [0]]
    assert not wrong, f"zh has one plural form: give only msgstr[0] for {wrong}"


def test_translations_keep_placeholders_and_markup(catalogue: list[PoEntry]) -> None:
    broken = []
    for e in _messages(catalogue):
        # Chinese has one form: it carries the plural's placeholders (the singular may spell "1" out).
        source = e.msgid_plural if e.msgid_plural is not None else e.msgid
        for text in e.msgstrs.values():
            if sorted(_TOKEN.findall(text)) != sorted(_TOKEN.findall(source)):
                broken.append(f"line {e.line}: {e.msgid!r} -> {text!r}")
    assert not broken, "placeholders or tags changed:\n" + "\n".join(broken)


def test_regulation_terms_are_used_consistently(catalogue: list[PoEntry]) -> None:
    deviations = []
    for e in _messages(catalogue):
        english = _TOKEN.sub(" ", f"{e.msgid} {e.msgid_plural or ''}").lower()
        chinese = e.msgstrs.get(0, "")
        for pattern, term in REGULATION_TERMS.items():
            if re.search(pattern, english) and term not in chinese:
                deviations.append(f"{e.msgid!r} -> {chinese!r} lacks {term}")
    assert not deviations, "\n".join(deviations)


def test_po_compiles_with_format_checks() -> None:
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "msgfmt not found: install Debian's gettext package (make setup does)"
    result = subprocess.run(
        [msgfmt, "--check", "--statistics", "-o", os.devnull, str(CATALOGUE_DIR / "django.po")],
        capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr


def test_compiled_mo_matches_the_po(catalogue: list[PoEntry]) -> None:
    with open(CATALOGUE_DIR / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    stale = []
    for e in _messages(catalogue):
        if e.context is not None:
            got = compiled.pgettext(e.context, e.msgid)
        elif e.msgid_plural is None:
            got = compiled.gettext(e.msgid)
        else:
            got = compiled.ngettext(e.msgid, e.msgid_plural, 2)
        if got != e.msgstrs[0]:
            stale.append(e.msgid)
    assert not stale, f"django.mo is older than django.po ({FIX}); differs for {stale[:10]}"


def test_every_msgid_in_the_code_is_in_the_catalogue(catalogue: list[PoEntry], tmp_path: Path) -> None:
    # makemessages writes into the nearest 'locale' directory it walks past, so it runs on a copy.
    source = tmp_path / "govapp"
    shutil.copytree(
        PACKAGE_DIR, source, ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.pyc")
    )
    (source / "locale").mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "govapp.settings",
        "GOVAPP_VAR_DIR": str(tmp_path / "var"),
        "GOVAPP_SECRET_KEY": os.environ.get("GOVAPP_SECRET_KEY", "makemessages-only"),
    }
    result = subprocess.run(
        [sys.executable, "-m", "govapp", "makemessages", "-l", "zh_Hans", "--no-location", "--no-wrap",
         "--ignore=.venv", "--ignore=var", "--ignore=tests", "--verbosity", "0"],
        cwd=source, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    extracted = parse_po(source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po")
    in_code = {(e.context, e.msgid, e.msgid_plural) for e in _messages(extracted)}
    assert len(in_code) > 500, "the extractor found almost nothing: the copy of the package is incomplete"
    in_catalogue = {(e.context, e.msgid, e.msgid_plural) for e in _messages(catalogue)}
    missing = sorted(in_code - in_catalogue, key=str)
    assert not missing, f"{len(missing)} msgids of the code are not in the catalogue ({FIX}): {missing[:10]}"


@pytest.mark.django_db
def test_pages_are_chinese_by_default_and_english_on_request() -> None:
    title = "Browse the public register of filed apps"
    with translation.override("zh-hans"):
        chinese_title = translation.gettext(title)
    assert "备案" in chinese_title

    client = Client()
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert chinese_title in chinese
    assert "备案" in chinese
    assert title not in chinese

    english = client.get("/?lang=en").content.decode()
    assert title in english
    assert chinese_title not in english
