"""Fixture writers for the non-Android package formats, built from text at test time."""

from .common import formalism_interest, make_certificate, pkcs7, zip_bytes
from .harmony import app_bundle, ark_bytecode, hap, module_json, resources_index, sign_block
from .ios import code_signature, info_plist, ipa, macho, mobileprovision, signing_identity
from .quickapp import quickapp_manifest, rpk, rpks
from .wechat import (
    ALIPAY_PROJECT,
    UNIAPP_PROJECT,
    WECHAT_PROJECT,
    compiled_wxapkg,
    encrypted_pc_wxapkg,
    project_zip,
    write_tree,
    wxapkg,
)

__all__ = [
    "ALIPAY_PROJECT",
    "UNIAPP_PROJECT",
    "WECHAT_PROJECT",
    "app_bundle",
    "code_signature",
    "compiled_wxapkg",
    "info_plist",
    "ipa",
    "macho",
    "mobileprovision",
    "signing_identity",
    "ark_bytecode",
    "encrypted_pc_wxapkg",
    "formalism_interest",
    "hap",
    "make_certificate",
    "module_json",
    "pkcs7",
    "project_zip",
    "quickapp_manifest",
    "resources_index",
    "rpk",
    "rpks",
    "sign_block",
    "write_tree",
    "wxapkg",
    "zip_bytes",
]
