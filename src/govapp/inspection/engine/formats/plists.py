"""Property lists from untrusted packages, loaded with bounds on what they may expand to.

A binary plist stores each object once and refers to it by index, so a few hundred bytes can
reference one array from two places, that array the next one from two places, and so on: ``plistlib``
loads it quickly (the references stay shared), but anything that walks the result (writing it as
XML, turning it into JSON, scanning its text) visits 2^depth copies. ``load_plist`` walks it once
while copying, counting every value reached, the characters of its strings and the nesting
depth, and refuses it as soon as a bound is passed: callers keep nothing of such a plist.
"""

from __future__ import annotations

import plistlib
from typing import Any

MAX_PLIST_VALUES = 100_000
MAX_PLIST_DEPTH = 64
# Characters of strings and bytes of data over every value reached, references counted each time.
MAX_PLIST_TEXT = 16 * 1024**2


class PlistInvalid(ValueError):
    """The bytes are not a property list; ``str(exc)`` is the one-line reason."""


class PlistTooLarge(ValueError):
    """The plist expands to more values, text or depth than the bounds allow."""


def load_plist(
    data: bytes | memoryview,
    *,
    max_values: int = MAX_PLIST_VALUES,
    max_depth: int = MAX_PLIST_DEPTH,
    max_text: int = MAX_PLIST_TEXT,
) -> Any:
    """A plist (binary or XML) as fresh Python values, every shared reference copied within the bounds.

    PlistInvalid when it cannot be parsed, PlistTooLarge when it holds more than the bounds."""
    try:
        value = plistlib.loads(bytes(data))
    except RecursionError:
        raise PlistTooLarge(f"nested deeper than {max_depth} levels") from None
    except Exception as exc:  # noqa: BLE001 - plistlib raises many types on hostile input
        detail = " ".join(str(exc).split())[:160] or type(exc).__name__
        raise PlistInvalid(detail) from None
    return _BoundedCopy(max_values, max_depth, max_text).copy(value)


class _BoundedCopy:
    def __init__(self, max_values: int, max_depth: int, max_text: int) -> None:
        self.values = 0
        self.text = 0
        self.max_values = max_values
        self.max_depth = max_depth
        self.max_text = max_text

    def copy(self, root: Any) -> Any:
        # Iterative, so that depth is a bound we check rather than Python's recursion limit.
        self._count(root, 1)
        result = self._shell(root)
        stack: list[tuple[Any, Any, int]] = [(root, result, 1)]
        while stack:
            source, target, depth = stack.pop()
            items = source.items() if isinstance(source, dict) else enumerate(source)
            for key, item in items:
                if isinstance(source, dict):
                    self._count(key, depth + 1)
                self._count(item, depth + 1)
                shell = self._shell(item)
                if isinstance(target, dict):
                    target[key] = shell
                else:
                    target.append(shell)
                if isinstance(item, dict | list):
                    stack.append((item, shell, depth + 1))
        return result

    def _count(self, value: Any, depth: int) -> None:
        self.values += 1
        if self.values > self.max_values:
            raise PlistTooLarge(f"more than {self.max_values} values")
        if depth > self.max_depth:
            raise PlistTooLarge(f"nested deeper than {self.max_depth} levels")
        if isinstance(value, str | bytes | bytearray):
            self.text += len(value)
            if self.text > self.max_text:
                raise PlistTooLarge(f"more than {self.max_text} characters of text")

    @staticmethod
    def _shell(value: Any) -> Any:
        if isinstance(value, dict):
            return {}
        if isinstance(value, list):
            return []
        if isinstance(value, bytearray):
            return bytes(value)
        return value
