"""Every APK of Debian's androguard examples (real apps plus apksig's signing edge cases):
each one reads or raises PackageError, and identity matches what ``aapt dump badging`` says."""

from __future__ import annotations

import hashlib
import re
import subprocess
from pathlib import Path

import pytest

from govapp.inspection.engine.errors import PackageError
from govapp.inspection.engine.facts import Interest
from govapp.inspection.engine.formats.apk import read_apk
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.safezip import SafeZip

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "var/cache/androguard/usr/share/doc/androguard/examples"
FETCH = ROOT / "scripts/fetch-androguard-examples.sh"
_BADGING = re.compile(r"^package: name='([^']*)' versionCode='([^']*)' versionName='([^']*)'", re.M)
INTEREST = Interest(
    text=re.compile(r"签到|打卡|排名|http://"),
    api=re.compile(r"Landroid/location/LocationManager;->request|Landroid/hardware/Camera;->open"),
    code_prefix=re.compile(r"com\.(tencent|umeng|baidu)"),
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def corpus() -> list[Path]:
    if not EXAMPLES.is_dir():
        done = subprocess.run([str(FETCH)], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            pytest.fail(f"could not fetch the androguard examples: {done.stderr.strip()}")
    apks = sorted(EXAMPLES.rglob("*.apk"))
    assert len(apks) > 300
    return apks


def _badging(path: Path) -> tuple[str, str, str] | None:
    done = subprocess.run(["aapt", "dump", "badging", str(path)], capture_output=True, check=False)
    match = _BADGING.search(done.stdout.decode("utf-8", "replace"))
    if done.returncode != 0 or match is None:
        return None
    return match.group(1), match.group(2), match.group(3)


def test_every_apk_reads_or_refuses_and_matches_aapt(corpus: list[Path]) -> None:
    limits = Limits()
    read = refused = compared = 0
    mismatches: list[str] = []
    for path in corpus:
        name = path.relative_to(EXAMPLES).as_posix()
        try:
            data = path.read_bytes()
            with SafeZip(path, limits) as archive:
                facts = read_apk(
                    archive,
                    path=str(path),
                    sha256=hashlib.sha256(data).hexdigest(),
                    size=len(data),
                    interest=INTEREST,
                    limits=limits,
                )
        except PackageError as exc:
            assert str(exc) and "\n" not in str(exc), name
            refused += 1
            continue
        read += 1
        expected = _badging(path)
        if expected is None:
            continue
        compared += 1
        got = (facts.id or "", facts.version_code or "", facts.version or "")
        if got != expected:
            mismatches.append(f"{name}: ours {got}, aapt {expected}")
    assert mismatches == []
    assert read > 300 and compared > 250 and refused < 20


def test_every_dex_scans_or_refuses(corpus: list[Path]) -> None:
    from govapp.inspection.engine.formats.dex import scan_dex

    scanned = 0
    for path in sorted(EXAMPLES.rglob("*.dex")):
        try:
            scan = scan_dex(path.read_bytes(), Interest.everything(), label=path.name)
        except PackageError:
            continue
        scanned += 1
        assert all(h.evidence.caller for h in scan.texts if h.evidence.invoked)
    assert scanned > 20
