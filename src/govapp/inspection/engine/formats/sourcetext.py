"""Source text without its comments: JS/TS, JSON with comments, WXML/HTML templates, Vue files.

Comments are replaced by spaces (line breaks kept), so offsets and line numbers of everything
else stay what they were and a comment can never be evidence. The JS tokenizer knows string,
template and regular-expression literals, so ``'http://x'`` or ``/\\/\\*/`` are not comments.
Everything is a handful of regular expressions driven by one loop over the tokens that matter
(quotes, slashes): linear time, and broken or hostile input never raises.
"""

from __future__ import annotations

import re

# Tokens that can open a comment or a literal in JS; everything between them is copied as is.
_JS_TOKEN = re.compile(r"""//|/\*|['"`/]""")
_JS_TOKEN_NESTED = re.compile(r"""//|/\*|['"`/{}]""")
_LINE_COMMENT_END = re.compile(r"\n|\Z")
_BLOCK_COMMENT_END = re.compile(r"\*/")
_STRING_END = {
    # An unterminated string ends at the line break or the end, a lone backslash at the end included.
    "'": re.compile(r"(?:\\[\s\S]|[^'\\\n])*\\?(?:'|(?=\n)|\Z)"),
    '"': re.compile(r'(?:\\[\s\S]|[^"\\\n])*\\?(?:"|(?=\n)|\Z)'),
}
# A template literal up to its end or its first substitution; substitutions nest.
_TEMPLATE_PART = re.compile(r"(?:\\[\s\S]|[^`\\$]|\$(?!\{))*(?:`|\$\{|\Z)")
_REGEX_BODY = re.compile(r"(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n\[])+/[A-Za-z]*")
# After these a slash starts a regular expression, after anything else it divides.
_REGEX_AFTER_CHARS = frozenset("(,=:[!&|?{};+-*%<>~^")
_REGEX_AFTER_WORDS = frozenset(
    {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete", "void", "throw", "yield", "await"}
)
_WORD_BEFORE = re.compile(r"([A-Za-z_$][\w$]*)\s*\Z")
_HTML_COMMENT = re.compile(r"<!--[\s\S]*?(?:-->|\Z)")
_NOT_NEWLINE = re.compile(r"[^\n]")
_SCRIPT_BLOCK = re.compile(r"(<script\b[^>]*>)([\s\S]*?)(</script\s*>|\Z)", re.IGNORECASE)
_STYLE_BLOCK = re.compile(r"(<style\b[^>]*>)([\s\S]*?)(</style\s*>|\Z)", re.IGNORECASE)


def _blank(piece: str) -> str:
    return _NOT_NEWLINE.sub(" ", piece)


def _slash_starts_regex(text: str, at: int) -> bool:
    back = at - 1
    while back >= 0 and text[back] in " \t\r\n":
        back -= 1
    if back < 0:
        return True
    char = text[back]
    if char in _REGEX_AFTER_CHARS:
        return True
    if char.isalnum() or char in "_$":
        word = _WORD_BEFORE.search(text, max(0, back - 16), back + 1)
        return bool(word and word.group(1) in _REGEX_AFTER_WORDS)
    return False


def strip_js_comments(text: str) -> str:
    """``text`` with every JS comment blanked; strings, templates and regex literals kept."""
    if "//" not in text and "/*" not in text:
        return text
    out: list[str] = []
    copied = 0
    pos = 0
    braces: list[int] = []  # open-brace depth at each template substitution being read
    depth = 0
    length = len(text)
    while pos < length:
        match = (_JS_TOKEN_NESTED if braces else _JS_TOKEN).search(text, pos)
        if match is None:
            break
        start = match.start()
        token = match.group()
        if token == "//":
            end = _LINE_COMMENT_END.search(text, start).start()  # type: ignore[union-attr]
            out.append(text[copied:start])
            out.append(" " * (end - start))
            copied = pos = end
        elif token == "/*":
            found = _BLOCK_COMMENT_END.search(text, start + 2)
            end = found.end() if found else length
            out.append(text[copied:start])
            out.append(_blank(text[start:end]))
            copied = pos = end
        elif token in _STRING_END:
            pos = _STRING_END[token].match(text, start + 1).end()  # type: ignore[union-attr]
        elif token == "`":
            part = _TEMPLATE_PART.match(text, start + 1)
            pos = part.end() if part else length
            if part and part.group().endswith("${"):
                braces.append(depth)
        elif token == "{":
            depth += 1
            pos = start + 1
        elif token == "}":
            pos = start + 1
            if depth == braces[-1]:
                # The substitution's closing brace: the template literal goes on.
                braces.pop()
                part = _TEMPLATE_PART.match(text, pos)
                pos = part.end() if part else length
                if part and part.group().endswith("${"):
                    braces.append(depth)
            else:
                depth -= 1
        elif _slash_starts_regex(text, start):
            body = _REGEX_BODY.match(text, start + 1)
            pos = body.end() if body else start + 1
        else:
            pos = start + 1
    out.append(text[copied:])
    return "".join(out)


def strip_markup_comments(text: str) -> str:
    """A WXML/AXML/HTML template with ``<!-- -->`` comments blanked (and JS comments in its scripts)."""
    if "<!--" in text:
        text = _HTML_COMMENT.sub(lambda m: _blank(m.group()), text)
    if "<script" in text.lower():
        text = _SCRIPT_BLOCK.sub(lambda m: m.group(1) + strip_js_comments(m.group(2)) + m.group(3), text)
    return text


def strip_component_comments(text: str) -> str:
    """A Vue single-file component: template comments, script comments and style blocks blanked.

    Styles hold no feature: their words (绝对定位 in a CSS comment, ``position: absolute``) only
    ever mislead.
    """
    if "<style" in text.lower():
        text = _STYLE_BLOCK.sub(lambda m: m.group(1) + _blank(m.group(2)) + m.group(3), text)
    return strip_markup_comments(text)
