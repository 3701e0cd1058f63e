"""The engine's notes on a package (limits of the analysis, oddities of the package) as stable codes with
parameters, each with its Chinese and English wording, as findings' descriptions carry both.

A ``Note`` is a ``str`` (the English sentence, as ``govapp scan --json`` prints in ``notes``) that also
keeps its code and parameters; the report stores them in ``note_codes`` beside ``notes``, so that the
web side renders each note in the reader's language. A note without a code (a reader's error text) is
shown as written.
"""

from __future__ import annotations

from typing import Any

# code -> (Chinese, English); str.format templates over the note's parameters.
NOTES: dict[str, tuple[str, str]] = {
    "files_listed_capped": ("共 {count} 个文件，仅列出前 {cap} 个", "{count} files; only the first {cap} are listed"),
    "entries_listed_capped": (
        "共 {count} 个条目，仅列出前 {cap} 个名称", "only the first {cap} of {count} entry names are listed",
    ),
    "symlink_directory": ("{file}：指向目录的符号链接，未跟随", "{file}: symbolic link to a directory, not followed"),
    "symlink_outside": (
        "{file}：指向项目之外的符号链接，已忽略", "{file}: symbolic link leading outside the project, ignored",
    ),
    "file_unreadable": ("{file}：无法读取，已忽略", "{file}: cannot be read, ignored"),
    "text_file_truncated": (
        "{file}：大于 {limit} 字节，仅检测了开头部分", "{file}: larger than {limit} bytes; only the start was scanned",
    ),
    "text_file_skipped": ("{file}：大于 {limit} 字节，未检测", "{file}: larger than {limit} bytes, not scanned"),
    "json_invalid": (
        "{file}：不是有效的 JSON 对象，无法从中确定应用身份", "{file}: not a valid JSON object; identity from it is unknown",
    ),
    "miniprogram_no_appid": (
        "项目文件中没有 appid，无法按 appid 将小程序与备案对应",
        "no appid in the project files; the mini-program cannot be matched to a filing by id",
    ),
    "miniprogram_tourist_appid": (
        "project.config.json 使用的是微信游客 appid，不是真实的 appid",
        "project.config.json uses the WeChat tourist appid, not a real one",
    ),
    "h5_no_platform_id": (
        "网页（H5）应用没有平台标识，只能按名称与备案对应",
        "an H5 web app has no platform id; it is matched to a filing by name only",
    ),
    "hap_no_bundle_name": ("{file} 未写明 bundleName", "{file} names no bundleName"),
    "hap_no_resources_index": (
        "缺少 resources.index：资源字符串和应用名称未知", "no resources.index: resource strings and the label are unknown",
    ),
    "hap_unsigned": ("该 HAP 没有签名块（未签名的构建）", "the HAP carries no signing block (unsigned build)"),
    "hap_no_signature": ("该 HAP 的签名块中没有签名", "the HAP signing block has no signature sub-block"),
    "hap_no_profile": ("该 HAP 的签名块中没有签名描述文件", "the HAP signing block has no provisioning profile"),
    "hap_profile_other_bundle": (
        "签名描述文件属于 {profile}，但安装包是 {package}", "the signing profile is for {profile}, but the package is {package}",
    ),
    "module_other_bundle": ("{file} 属于 {child}，不属于应用 {package}", "{file} belongs to {child}, not to the bundle {package}"),
    "part_other_package": ("{file} 属于 {child}，不属于 {package}", "{file} belongs to {child}, not to {package}"),
    "dex_hits_capped": (
        "{file}：仅保留前 {cap} 条文本和接口命中", "{file}: only the first {cap} text and API hits were kept",
    ),
    "arsc_invalid_chunk": (
        "{file}：偏移 {offset} 处的数据块无效，读取到此为止", "{file}: stopped at an invalid chunk at offset {offset}",
    ),
    "arsc_invalid_package_chunk": (
        "{file}：偏移 {offset} 处的资源包数据块无效，读取到此为止",
        "{file}: stopped at an invalid package chunk at offset {offset}",
    ),
    "axml_size_mismatch": (
        "{file}：声明的大小 {declared} 与实际大小 {real} 不符", "{file}: declared size {declared} differs from the real size {real}",
    ),
    "axml_invalid_chunk": (
        "{file}：偏移 {offset} 处大小为 {size} 的数据块无效，读取到此为止",
        "{file}: stopped at an invalid chunk of size {size} at offset {offset}",
    ),
    "axml_second_root": ("{file}：忽略了第二个根元素 <{element}>", "{file}: ignored a second root element <{element}>"),
    "wxapkg_subpackage": (
        "缺少 app-config.json：这似乎是一个分包，请同时检测主包",
        "no app-config.json: this looks like a subpackage; scan the main package too",
    ),
    "wxapkg_config_invalid": (
        "app-config.json 不是 JSON 对象，页面和应用身份未知",
        "app-config.json is not a JSON object; pages and identity are unknown",
    ),
    "wxapkg_no_appid": (
        "该 wxapkg 未写明 appid（app-config.json 中没有），请以其他方式与备案对应",
        "the wxapkg does not name its appid (app-config.json has none); match it to a filing by other means",
    ),
    "file_matches_capped": (
        "{file}：匹配超过 {cap} 处，仅保留前面的部分", "{file}: more than {cap} matches; only the first are kept",
    ),
    "evidence_capped": (
        "文本或接口匹配超过 {cap} 处，证据列表在此截断",
        "more than {cap} text or API matches; the evidence list is cut at that limit",
    ),
    "text_hits_capped": ("仅保留前 {cap} 条文本命中", "only the first {cap} text hits were kept"),
    "rpk_unsigned": (
        "该快应用没有 META-INF/CERT 签名（未签名的构建）", "the quick app carries no META-INF/CERT signature (unsigned build)",
    ),
    "rpk_no_certificate": ("{file} 中没有证书", "{file} holds no certificate"),
    "split_other_certificate": (
        "{file}：签名证书与基础 APK 不同", "{file}: signed by a different certificate than the base APK",
    ),
    "split_other_package": (
        "{file}：包名 {child} 与基础 APK 的包名 {package} 不同", "{file}: package {child} differs from the base APK's {package}",
    ),
    "xapk_manifest_other_package": (
        "manifest.json 写明的包名是 {declared}，但基础 APK 是 {package}",
        "manifest.json names package {declared}, but the base APK is {package}",
    ),
    "apk_unsigned": ("该 APK 未签名", "the APK is not signed"),
    "packed": (
        "代码经 {packers} 加固：只能看到加固外壳，代码证据有限。",
        "The code is packed by {packers}: only the packer's stub is visible, so code evidence is limited.",
    ),
    "signing_key_rotated": (
        "签名密钥已轮换：v3 密钥轮换证明把预期的证书 {older} 与当前签名证书 {current} 相连",
        "signing key rotated: the v3 proof-of-rotation links the expected certificate {older} to the current "
        "signer {current}",
    ),
    "ipa_several_bundles": (
        "Payload 中有多个应用包，只检测了 {root}（未检测 {others}）",
        "Payload holds more than one app bundle; only {root} was analysed ({others} not)",
    ),
    "ipa_plist_not_text": (
        "Info.plist 中有无法显示为文字的值，其中的文字未检测",
        "Info.plist holds values that cannot be shown as text; its wording was not scanned",
    ),
    "ipa_no_executable_name": (
        "Info.plist 未写明 CFBundleExecutable，应用的可执行文件未检测",
        "Info.plist names no CFBundleExecutable; the app's binary was not analysed",
    ),
    "ipa_no_bundle_id": (
        "Info.plist 中没有 CFBundleIdentifier，无法按包标识与备案对应",
        "Info.plist has no CFBundleIdentifier; the app cannot be matched to a filing by bundle id",
    ),
    "ipa_no_profile": (
        "没有 embedded.mobileprovision（应用商店版本或经过重新签名）：开发团队和权限只能从代码签名得知",
        "no embedded.mobileprovision (an App Store build, or re-signed): team and entitlements come from the "
        "code signature only",
    ),
    "ipa_profile_expired": ("签名描述文件已于 {date} 过期", "the provisioning profile expired on {date}"),
    "ipa_executable_missing": (
        "缺少 Info.plist 写明的可执行文件 {file}", "the executable {file} named by Info.plist is missing",
    ),
    "ipa_executable_too_large": (
        "{file}：可执行文件大于 {limit} 字节，其中的字符串未检测",
        "{file}: the executable is larger than {limit} bytes; its strings were not analysed",
    ),
    "ipa_encrypted": (
        "{file}：可执行文件已加密（FairPlay，cryptid={cryptid}），其中加密的代码和字符串无法读取，已检测安装包的其余部分。"
        "请提交非应用商店渠道的构建（临时分发、企业分发或开发版本）以完整检测",
        "{file}: the executable is encrypted (FairPlay, LC_ENCRYPTION_INFO cryptid={cryptid}); its encrypted code "
        "and strings cannot be read, the rest of the package was scanned. Submit a build that is not from the "
        "App Store (ad hoc, enterprise or development) for a complete test",
    ),
    "ipa_strings_capped": (
        "{file}：只检测了字符串段的前 {cap} 字节", "{file}: only the first {cap} bytes of its string sections were scanned",
    ),
    "ipa_unsigned": ("{file}：可执行文件没有代码签名（未签名的构建）", "{file}: the executable has no code signature (unsigned build)"),
    "ipa_entitlement_other_app": (
        "权限中的应用标识 {app_id} 不是包标识 {package}",
        "the entitlements' application-identifier {app_id} is not the bundle id {package}",
    ),
    "ipa_signature_other_app": (
        "代码签名属于 {code_id}，但 Info.plist 写明的是 {package}",
        "the code signature is for {code_id}, but Info.plist names {package}",
    ),
    "plist_too_large": (
        "{file}：包含超过 {cap} 个值（或嵌套过深、文字过多），未读取，其中的文字未检测",
        "{file}: holds more than {cap} values (or is nested too deeply or holds too much text); it was not "
        "read and its text was not scanned",
    ),
    "ipa_profile_too_large": (
        "{file}：签名描述文件大于 {limit} 字节，未读取，签名身份无法确认",
        "{file}: the provisioning profile is larger than {limit} bytes; it was not read, so the signer cannot be "
        "confirmed",
    ),
    "ipa_profile_unreadable": (
        "{file}：签名描述文件无法读取，其中的开发团队、授权声明和证书未知，签名身份无法确认",
        "{file}: the provisioning profile cannot be read; its team, entitlements and certificates are "
        "unknown, so the signer cannot be confirmed",
    ),
    "ipa_code_signature_invalid": (
        "{file}：代码签名中的签名数据无效，无法确认签名者",
        "{file}: the code signature's CMS signature is invalid; the signer cannot be confirmed",
    ),
    "ipa_entitlements_unreadable": (
        "{file}：代码签名中的授权声明过大或无效，未读取",
        "{file}: the signed entitlements are too large or invalid; they were not read",
    ),
    "ipa_string_count_capped": (
        "{file}：可执行文件中的字符串超过 {cap} 个，只检测了前 {cap} 个",
        "{file}: the executable holds more than {cap} strings; only the first {cap} were scanned",
    ),
}  # fmt: skip


def _render(code: str, params: dict[str, Any], path: str, lang: str) -> str:
    zh, en = NOTES[code]
    text = (en if lang == "en" else zh).format(**params)
    if path:
        return f"{path}: {text}" if lang == "en" else f"{path}：{text}"
    return text


class Note(str):
    """One note: the English sentence as a string, plus its code, parameters and the nested package's path."""

    code: str
    params: dict[str, Any]
    path: str

    def __new__(cls, code: str, *, path: str = "", **params: Any) -> Note:
        if code not in NOTES:
            raise KeyError(f"unknown engine note code {code!r}")
        note = super().__new__(cls, _render(code, params, path, "en"))
        note.code, note.params, note.path = code, dict(params), path
        return note

    def __reduce__(self) -> Any:
        return (_restore, (self.code, self.path, self.params))

    def under(self, path: str) -> Note:
        """The same note about a nested package at ``path``."""
        return Note(self.code, path=f"{path}: {self.path}" if self.path else path, **self.params)

    def render(self, lang: str) -> str:
        """The note in ``lang`` ("zh" or "en")."""
        return _render(self.code, self.params, self.path, lang)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, **({"path": self.path} if self.path else {})}


def _restore(code: str, path: str, params: dict[str, Any]) -> Note:
    return Note(code, path=path, **params)


def note_from_dict(text: str, data: Any) -> str:
    """A stored note back as a ``Note`` when its code is known, else the stored text."""
    if isinstance(data, dict) and data.get("code") in NOTES and isinstance(data.get("params", {}), dict):
        try:
            return Note(str(data["code"]), path=str(data.get("path") or ""), **dict(data.get("params") or {}))
        except (KeyError, IndexError, ValueError, TypeError):
            return text
    return text


def render_note(note: str, lang: str) -> str:
    """A note in ``lang`` when it has a code, else as written."""
    return note.render(lang) if isinstance(note, Note) else note
