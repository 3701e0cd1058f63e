"""Writers for HarmonyOS fixtures: resources.index, Ark bytecode string data, HAP, .app."""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

from .common import Files, make_certificate, pkcs7, zip_bytes

SIGN_MAGIC = b"<hap sign block>"


def resources_index(strings: dict[int, tuple[str, str]], *, zh: dict[int, str] | None = None) -> bytes:
    """A resources.index with string items ``{id: (name, value)}`` in the default configuration,
    plus optional zh_CN overrides ``{id: value}``."""
    configs: list[tuple[list[tuple[int, int]], dict[int, tuple[str, str]]]] = [([], strings)]
    if zh:
        # language "zh" and region "CN", stored as reversed packed ASCII like the real tool does
        keys = [(0, int.from_bytes(b"zh", "big")), (1, int.from_bytes(b"CN", "big"))]
        configs.append((keys, {rid: (strings[rid][0], value) for rid, value in zh.items()}))
    header_len = 136
    keys_len = sum(12 + 8 * len(keys) for keys, _ in configs)
    idss_len = sum(8 + 8 * len(items) for _, items in configs)
    pos = header_len + keys_len + idss_len
    items_blob = b""
    idss_blobs: list[bytes] = []
    for _keys, items in configs:
        entries = b""
        for rid, (name, value) in items.items():
            value_b = value.encode() + b"\0"
            name_b = name.encode() + b"\0"
            body = struct.pack("<II", 9, rid) + struct.pack("<H", len(value_b)) + value_b
            body += struct.pack("<H", len(name_b)) + name_b
            item = struct.pack("<I", len(body)) + body
            entries += struct.pack("<II", rid, pos + len(items_blob))
            items_blob += item
        idss_blobs.append(b"IDSS" + struct.pack("<I", len(items)) + entries)
    keys_blob = b""
    idss_pos = header_len + keys_len
    for (keys, _items), idss in zip(configs, idss_blobs, strict=True):
        keys_blob += b"KEYS" + struct.pack("<II", idss_pos, len(keys))
        keys_blob += b"".join(struct.pack("<II", t, v) for t, v in keys)
        idss_pos += len(idss)
    total = header_len + keys_len + idss_len + len(items_blob)
    header = b"Restool 6.0.0.001".ljust(128, b"\0") + struct.pack("<II", total, len(configs))
    return header + keys_blob + b"".join(idss_blobs) + items_blob


def _uleb(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def ark_bytecode(strings: list[str]) -> bytes:
    """A Panda-format file whose string data holds ``strings`` (header + string section only)."""
    body = b"\xff\xff\xff\xff" * 4 + b"\0"  # stand-in for class/index structures before the strings
    for text in strings:
        utf16 = len(text.encode("utf-16-le")) // 2
        body += _uleb(utf16 << 1 | int(text.isascii())) + text.encode("utf-8") + b"\0"
    size = 60 + len(body)
    header = b"PANDA\x00\x00\x00" + b"\0\0\0\0" + bytes([12, 0, 6, 0]) + struct.pack("<I", size)
    header += struct.pack("<10I", 0, 0, 1, 60, 0, 0, 0, 0, 0, 0)
    data = bytearray(header + body)
    struct.pack_into("<I", data, 8, zlib.adler32(bytes(data[12:])))
    return bytes(data)


def profile_json(
    bundle_name: str, *, profile_type: str = "release", developer_id: str = "1234567890"
) -> bytes:
    profile: dict[str, Any] = {
        "version-name": "2.0.0",
        "version-code": 2,
        "type": profile_type,
        "issuer": "app_gallery",
        "validity": {"not-before": 1767225600, "not-after": 1798761600},
        "bundle-info": {
            "developer-id": developer_id,
            "bundle-name": bundle_name,
            "apl": "normal",
            "app-feature": "hos_normal_app",
        },
    }
    return json.dumps(profile).encode()


def sign_block(blocks: list[tuple[int, bytes]]) -> bytes:
    """A HAP signing block: sub-block headers, sub-blocks, footer (count, size, magic, version)."""
    header_len = 12 * len(blocks)
    headers = b""
    payload = b""
    for block_type, data in blocks:
        headers += struct.pack("<III", block_type, len(data), header_len + len(payload))
        payload += data
    size = header_len + len(payload) + 32
    return headers + payload + struct.pack("<IQ", len(blocks), size) + SIGN_MAGIC + struct.pack("<I", 3)


def insert_before_central_directory(archive: bytes, block: bytes) -> bytes:
    eocd = archive.rfind(b"PK\x05\x06")
    (cd_offset,) = struct.unpack_from("<I", archive, eocd + 16)
    out = bytearray(archive[:cd_offset] + block + archive[cd_offset:])
    struct.pack_into("<I", out, eocd + len(block) + 16, cd_offset + len(block))
    return bytes(out)


def module_json(
    bundle_name: str = "gov.example.attendance",
    *,
    version: str = "1.2.0",
    code: int = 1002000,
    permissions: tuple[str, ...] = ("ohos.permission.INTERNET", "ohos.permission.LOCATION"),
    debug: bool = False,
) -> dict[str, Any]:
    return {
        "app": {
            "bundleName": bundle_name,
            "versionName": version,
            "versionCode": code,
            "label": "$string:app_name",
            "labelId": 0x01000000,
            "debug": debug,
            "minAPIVersion": 50000012,
            "targetAPIVersion": 50005017,
        },
        "module": {
            "name": "entry",
            "type": "entry",
            "requestPermissions": [{"name": p} for p in permissions],
            "abilities": [{"name": "EntryAbility", "exported": True, "label": "$string:app_name"}],
            "extensionAbilities": [{"name": "CheckinWidget", "type": "form", "exported": False}],
        },
    }


def hap(
    *,
    manifest: dict[str, Any] | None = None,
    fa_config: dict[str, Any] | None = None,
    app_name: str = "掌上考勤",
    abc_strings: list[str] | None = None,
    files: Files | None = None,
    profile_type: str | None = "release",
    sign: bool = True,
) -> bytes:
    """A HAP: stage model unless ``fa_config`` is given; signed with a fresh certificate by default."""
    entries: Files = {}
    if fa_config is not None:
        entries["config.json"] = json.dumps(fa_config, ensure_ascii=False)
        bundle = fa_config.get("app", {}).get("bundleName", "")
    else:
        manifest = manifest or module_json()
        entries["module.json"] = json.dumps(manifest, ensure_ascii=False)
        bundle = manifest["app"]["bundleName"]
        entries["ets/modules.abc"] = ark_bytecode(abc_strings or [])
    entries["pack.info"] = json.dumps({"summary": {"app": {"bundleName": bundle}}})
    entries["resources.index"] = resources_index({0x01000000: ("app_name", app_name)})
    entries.update(files or {})
    data = zip_bytes(entries)
    if not sign:
        return data
    blocks = [(0x20000000, pkcs7(b"digest", [make_certificate("Gov Developer(123)\\,Release")]))]
    if profile_type is not None:
        profile = pkcs7(profile_json(bundle, profile_type=profile_type), [make_certificate("Profile CA")])
        blocks.append((0x20000002, profile))
    return insert_before_central_directory(data, sign_block(blocks))


def app_bundle(haps: dict[str, bytes], bundle_name: str = "gov.example.attendance") -> bytes:
    """An .app: the .hap modules plus pack.info, stored (as the real packer does)."""
    pack = {"summary": {"app": {"bundleName": bundle_name, "version": {"code": 1002000, "name": "1.2.0"}}}}
    files: Files = {"pack.info": json.dumps(pack)}
    files.update(haps)
    return zip_bytes(files, compress=False)
