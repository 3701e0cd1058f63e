"""Build the synthetic large APK: every distinct real DEX file of the androguard examples in one package.

The DEX files come from Debian's androguard examples (``make samples`` unpacks them into
var/cache/androguard/): the root ``classes*.dex`` of every example APK plus the loose ``.dex``
test files, deduplicated by content and ordered by source path so the result is reproducible.
They become classes.dex, classes2.dex, ... next to one real AndroidManifest.xml and
resources.arsc. Nothing is committed: the APK is written to var/cache/bench/.

    .venv/bin/python bench/build_large_apk.py [--out PATH]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "var/cache/androguard/usr/share/doc/androguard/examples"
DEFAULT_OUT = ROOT / "var/cache/bench/large.apk"
# A real app whose manifest and resource table go with the merged code.
BASE_APK = EXAMPLES / "tests/com.example.android.tvleanback.apk"
_ROOT_DEX = re.compile(r"^classes\d*\.dex$")
_DEX_MAGIC = b"dex\n"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # identical bytes on every build


def collect_dex(examples: Path) -> list[tuple[str, bytes]]:
    """(source label, bytes) of every distinct DEX file in the examples, by source path."""
    sources: list[tuple[str, bytes]] = []
    for apk in sorted(examples.rglob("*.apk")):
        try:
            with zipfile.ZipFile(apk) as archive:
                for name in sorted(n for n in archive.namelist() if _ROOT_DEX.match(n)):
                    sources.append((f"{apk.relative_to(examples)}!{name}", archive.read(name)))
        except (zipfile.BadZipFile, OSError, RuntimeError, EOFError, zlib.error):
            continue  # the corpus holds deliberately broken packages
    for dex in sorted(examples.rglob("*.dex")):
        sources.append((str(dex.relative_to(examples)), dex.read_bytes()))
    seen: set[str] = set()
    distinct: list[tuple[str, bytes]] = []
    for label, data in sources:
        digest = hashlib.sha256(data).hexdigest()
        if data.startswith(_DEX_MAGIC) and digest not in seen:
            seen.add(digest)
            distinct.append((label, data))
    return distinct


def build(out: Path, examples: Path = EXAMPLES) -> tuple[int, int]:
    """Write the APK; returns (DEX file count, total DEX bytes)."""
    if not BASE_APK.is_file():
        raise SystemExit(f"{BASE_APK}: missing; run `make samples` (scripts/fetch-androguard-examples.sh)")
    dex_files = collect_dex(examples)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(".tmp")
    with zipfile.ZipFile(BASE_APK) as base, zipfile.ZipFile(partial, "w") as apk:
        for name, method in (
            ("AndroidManifest.xml", zipfile.ZIP_DEFLATED),
            ("resources.arsc", zipfile.ZIP_STORED),
        ):
            apk.writestr(zipfile.ZipInfo(name, _FIXED_TIME), base.read(name), compress_type=method)
        for number, (_label, data) in enumerate(dex_files, start=1):
            name = "classes.dex" if number == 1 else f"classes{number}.dex"
            apk.writestr(zipfile.ZipInfo(name, _FIXED_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    partial.replace(out)
    return len(dex_files), sum(len(data) for _label, data in dex_files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--list", action="store_true", help="print the DEX sources in build order")
    args = parser.parse_args(argv)
    if args.list:
        for number, (label, data) in enumerate(collect_dex(EXAMPLES), start=1):
            print(f"{number:3d} {len(data):9d} {label}")
        return 0
    count, total = build(args.out)
    print(f"{args.out}: {count} DEX files, {total:,} bytes of DEX ({args.out.stat().st_size:,} bytes zipped)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
