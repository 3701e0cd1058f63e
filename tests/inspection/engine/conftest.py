"""Android fixtures: real APKs and bundles built once per test session from apk_sources/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.inspection.apkbuild import (
    SigningKey,
    build_apk,
    build_apks,
    build_xapk,
    flutter_libapp,
    make_key,
    missing_tools,
)

FLUTTER_TEXTS = ["Hello from Flutter", "今日打卡排行", "jiagu"]


@dataclass(frozen=True)
class AndroidCorpus:
    release_key: SigningKey
    debug_key: SigningKey
    clean: Path
    formalism: Path
    debug: Path
    cleartext: Path
    unsigned: Path
    v1_only: Path
    split: Path
    apks: Path
    xapk: Path


@pytest.fixture(scope="session")
def android(tmp_path_factory: pytest.TempPathFactory) -> AndroidCorpus:
    missing = missing_tools()
    if missing:
        pytest.fail(
            f"APK fixtures need: {', '.join(missing)} (apt-get install aapt smali zipalign apksigner android-framework-res)"
        )
    out = tmp_path_factory.mktemp("apks")
    release = make_key(out / "keys", "GovApp Release")
    debug = make_key(out / "keys", "Android Debug")
    formalism = build_apk(
        "formalism",
        out / "formalism.apk",
        release,
        extra_files={
            "lib/arm64-v8a/libapp.so": flutter_libapp(FLUTTER_TEXTS),
            "lib/armeabi-v7a/libapp.so": flutter_libapp(FLUTTER_TEXTS),
            "lib/arm64-v8a/libjiagu.so": b"\x7fELF" + b"\x00" * 60,
        },
    )
    split = build_apk("split", out / "config.zh.apk", release)
    return AndroidCorpus(
        release_key=release,
        debug_key=debug,
        clean=build_apk("clean", out / "clean.apk", release),
        formalism=formalism,
        debug=build_apk("debug", out / "debug.apk", debug, schemes=("v2",)),
        cleartext=build_apk("cleartext", out / "cleartext.apk", release),
        unsigned=build_apk("clean", out / "unsigned.apk", None),
        v1_only=build_apk("clean", out / "v1only.apk", release, schemes=("v1",)),
        split=split,
        apks=build_apks(out / "duty.apks", formalism, {"base-zh": split}),
        xapk=build_xapk(out / "duty.xapk", "org.gov.duty", 42, formalism, {"config.zh": split}),
    )


def entry(apk: Path, name: str) -> bytes:
    """One entry of a built APK, for parser-level tests."""
    import zipfile

    with zipfile.ZipFile(apk) as archive:
        return archive.read(name)


def mutations(seed: bytes):  # type: ignore[no-untyped-def]
    """A hypothesis strategy: ``seed`` with some bytes overwritten, then possibly truncated."""
    from hypothesis import strategies as st

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        data = bytearray(seed)
        for _ in range(draw(st.integers(0, 8))):
            at = draw(st.integers(0, len(data) - 1))
            width = draw(st.sampled_from([1, 2, 4]))
            data[at : at + width] = draw(st.binary(min_size=width, max_size=width))
        cut = draw(st.integers(0, len(data)))
        return bytes(data[:cut]) if draw(st.booleans()) else bytes(data)

    return mutate()
