"""Hostile IPAs against the IPA / Mach-O readers: time and peak traced memory of each.

    python bench/ipa_hostile.py [--megabytes 16]

Builds, in memory, an IPA whose executable has a ``__cstring`` section of that many MiB of random
short strings, one whose Info.plist is a 2^21-fold self-referencing binary plist (a few hundred
bytes), and one whose executable repeats ``LC_CODE_SIGNATURE`` 64 times over a 1 MiB signature;
reads each with ``read_package_bytes`` under ``tracemalloc`` and prints one JSON line per case:
wall seconds, peak traced MiB (Python allocations, the package bytes included), and the outcome.
``--no-trace`` times without tracemalloc, which slows every allocation several times over.
"""

from __future__ import annotations

import argparse
import json
import plistlib
import random
import string
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(_ROOT / "src"), str(_ROOT)]

from tests.inspection.builders import ios  # noqa: E402

from govapp.inspection.engine.errors import PackageError  # noqa: E402
from govapp.inspection.engine.formats import read_package_bytes  # noqa: E402
from govapp.inspection.engine.limits import Limits  # noqa: E402
from govapp.inspection.engine.rules.ruleset import default_ruleset  # noqa: E402


def _short_strings(megabytes: int) -> list[str]:
    rng = random.Random(20261204)
    letters = string.ascii_letters + string.digits
    out: list[str] = []
    size = 0
    while size < megabytes * 1024**2:
        text = "".join(rng.choices(letters, k=rng.randint(4, 8)))
        out.append(text)
        size += len(text) + 1
    return out


def _cases(megabytes: int) -> dict[str, bytes]:
    node: Any = ["每日打卡签到"]
    for _ in range(21):
        node = [node, node]
    info = plistlib.dumps(
        {"CFBundleIdentifier": "cn.gov.example.grid", "CFBundleExecutable": "Grid", "Nested": node},
        fmt=plistlib.FMT_BINARY,
    )
    signature = ios.code_signature(
        identifier="cn.gov.example.grid", team_id="AB12CD34EF", entitlements={}, signer=None
    )
    return {
        f"cstring-{megabytes}MiB": ios.ipa(executable=ios.macho(cstrings=_short_strings(megabytes))),
        "plist-2^21": ios.ipa(info=info, executable=ios.macho()),
        "code-signature-x64": ios.ipa(
            # Random padding: zeros would compress past the zip-bomb ratio and be refused before the reader.
            executable=ios.macho(
                signature=signature + random.Random(1).randbytes(1024**2), signature_commands=64
            )
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--megabytes", type=int, default=16)
    parser.add_argument(
        "--no-trace", action="store_true", help="time without tracemalloc (which slows allocation)"
    )
    args = parser.parse_args()
    interest = default_ruleset().compile_interest(None)
    for name, data in _cases(args.megabytes).items():
        if not args.no_trace:
            tracemalloc.start()
        started = time.monotonic()
        try:
            facts = read_package_bytes(data, f"{name}.ipa", interest, Limits(), depth=0)
            outcome = f"read: {len(facts.texts)} text hits, {len(facts.notes)} notes"
        except PackageError as exc:
            outcome = f"PackageError: {exc}"
        seconds = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory() if not args.no_trace else (0, 0)
        tracemalloc.stop()
        print(
            json.dumps(
                {
                    "case": name,
                    "package_mib": round(len(data) / 1024**2, 1),
                    "seconds": round(seconds, 2),
                    "peak_mib": None if args.no_trace else round(peak / 1024**2, 1),
                    "outcome": outcome[:200],
                },
                ensure_ascii=False,
            )
        )


if __name__ == "__main__":
    main()
