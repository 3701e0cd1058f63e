"""Builds real, signed APKs and APK bundles at test time from the text sources in apk_sources/.

Debian's own Android tools do the work (aapt, smali, zipalign, apksigner, with
framework-res.apk from the ``android-framework-res`` package as the platform), so the
fixtures are what a real build chain produces and no binary is committed.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

SOURCES = Path(__file__).parent / "apk_sources"
FRAMEWORK = Path("/usr/share/android-framework-res/framework-res.apk")
TOOLS = ("aapt", "smali", "zipalign", "apksigner")


def missing_tools() -> list[str]:
    """Tools (or the platform resources) this builder needs but the machine lacks."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not FRAMEWORK.is_file():
        missing.append(f"{FRAMEWORK} (Debian package android-framework-res)")
    return missing


@dataclass(frozen=True)
class SigningKey:
    key: Path  # PKCS#8 DER, as apksigner --key wants it
    cert: Path  # PEM
    sha256: str  # of the DER certificate
    subject: str


def make_key(directory: Path, common_name: str, organization: str = "GovApp Registry Tests") -> SigningKey:
    """A fresh RSA key and self-signed certificate (``CN=Android Debug`` makes a debug key)."""
    directory.mkdir(parents=True, exist_ok=True)
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "US" if common_name == "Android Debug" else "CN"),
            x509.NameAttribute(
                NameOID.ORGANIZATION_NAME, "Android" if common_name == "Android Debug" else organization
            ),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=3650))
        .sign(private, hashes.SHA256())
    )
    stem = common_name.replace(" ", "_").lower()
    key_path = directory / f"{stem}.pk8"
    cert_path = directory / f"{stem}.x509.pem"
    key_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    der = cert.public_bytes(serialization.Encoding.DER)
    subject = ", ".join(f"{a.rfc4514_attribute_name}={a.value}" for a in reversed(list(name)))
    return SigningKey(key=key_path, cert=cert_path, sha256=hashlib.sha256(der).hexdigest(), subject=subject)


def _run(*args: str | Path) -> None:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")


def build_apk(
    source: str,
    out: Path,
    key: SigningKey | None,
    *,
    extra_files: dict[str, bytes] | None = None,
    schemes: tuple[str, ...] = ("v1", "v2", "v3"),
    rotated_to: SigningKey | None = None,
) -> Path:
    """Compile apk_sources/<source> into a zip-aligned APK at ``out``, signed with ``key``.

    With ``rotated_to``, v1/v2 stay signed with ``key`` and v3 is signed with ``rotated_to`` and a
    proof-of-rotation lineage from ``key`` to it (apksigner rotate)."""
    root = SOURCES / source
    work = out.parent / f"{out.stem}.build"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    unsigned = work / "unsigned.apk"
    command: list[str | Path] = ["aapt", "package", "-f", "-M", root / "AndroidManifest.xml", "-I", FRAMEWORK]
    if (root / "res").is_dir():
        command += ["-S", root / "res"]
    _run(*command, "-F", unsigned)
    with zipfile.ZipFile(unsigned, "a", zipfile.ZIP_DEFLATED) as archive:
        if (root / "smali").is_dir():
            dex = work / "classes.dex"
            _run("smali", "assemble", "--api", "21", "-o", dex, root / "smali")
            archive.write(dex, "classes.dex")
        # aapt's -A skips names starting with "_" (uni-app's __UNI__ folders), so assets go in directly.
        if (root / "assets").is_dir():
            for file in sorted((root / "assets").rglob("*")):
                if file.is_file():
                    archive.write(file, f"assets/{file.relative_to(root / 'assets').as_posix()}")
        for name, data in (extra_files or {}).items():
            archive.writestr(name, data)
    aligned = work / "aligned.apk"
    _run("zipalign", "-f", "-p", "4", unsigned, aligned)
    if key is None:
        shutil.copyfile(aligned, out)
    else:
        flags = [
            f"--{scheme}-signing-enabled={'true' if scheme in schemes else 'false'}"
            for scheme in ("v1", "v2", "v3")
        ]
        signer: list[str | Path] = ["--key", key.key, "--cert", key.cert]
        if rotated_to is not None:
            lineage = work / "lineage.bin"
            _run(
                "apksigner", "rotate", "--out", lineage, "--old-signer", "--key", key.key, "--cert", key.cert,
                "--new-signer", "--key", rotated_to.key, "--cert", rotated_to.cert,
            )  # fmt: skip
            signer += [
                "--next-signer",
                "--key",
                rotated_to.key,
                "--cert",
                rotated_to.cert,
                "--lineage",
                lineage,
            ]
        _run("apksigner", "sign", *signer, *flags, "--out", out, aligned)
    shutil.rmtree(work, ignore_errors=True)
    return out


def build_apks(out: Path, base: Path, splits: dict[str, Path]) -> Path:
    """A bundletool-style .apks: splits/base-master.apk plus named split APKs."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        archive.write(base, "splits/base-master.apk")
        for name, path in splits.items():
            archive.write(path, f"splits/{name}.apk")
    return out


def build_xapk(out: Path, package: str, version_code: int, base: Path, splits: dict[str, Path]) -> Path:
    """An .xapk as APKPure ships them: manifest.json, <package>.apk, config splits, an OBB (ignored)."""
    manifest = {
        "xapk_version": 2,
        "package_name": package,
        "name": "履职通",
        "version_code": str(version_code),
        "version_name": "2.0.1",
        "split_apks": [{"file": f"{package}.apk", "id": "base"}]
        + [{"file": f"{name}.apk", "id": name} for name in splits],
        "expansions": [
            {
                "file": f"Android/obb/{package}/main.{version_code}.{package}.obb",
                "install_location": "EXTERNAL_STORAGE",
            }
        ],
    }
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False))
        archive.write(base, f"{package}.apk")
        for name, path in splits.items():
            archive.write(path, f"{name}.apk")
        archive.writestr(f"Android/obb/{package}/main.{version_code}.{package}.obb", b"\x00" * 1024)
    return out


def flutter_libapp(texts: list[str]) -> bytes:
    """Bytes shaped like a Dart AOT snapshot's string area: Latin-1 and UTF-16LE strings among code."""
    filler = bytes(range(256)) * 4
    parts = [b"\x7fELF\x02\x01\x01" + b"\x00" * 9, filler]
    for text in texts:
        encoded = text.encode("latin-1") if text.isascii() else text.encode("utf-16-le")
        parts += [encoded, b"\x00\x00", filler]
    return b"".join(parts)
