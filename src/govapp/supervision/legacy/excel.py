"""Spreadsheets of legacy apps: the import template, the row-by-row import with its error report, and the
CSV/XLSX export of overdue lists.

The import keeps every good row (one transaction per row) and reports each bad one with its row number,
column, what is wrong and how to fix it. A row is matched to an existing entry by unit + any identifier,
so importing the same sheet twice updates and never duplicates.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from govapp.accounts.models import Unit
from govapp.core.spreadsheet import rows_csv, rows_xlsx
from govapp.registry.choices import AppKind, Platform

from .forms import LegacyAppForm, parse_date_text
from .models import IDENTIFIER_FIELDS, LegacyApp
from .services import (
    STATUS_FILED,
    STATUS_LABELS,
    Overdue,
    _is_filer,
    _is_provincial,
    find_existing,
    link_registered_app,
    registrable_units,
)

if TYPE_CHECKING:
    from .services import LegacyWithStatus

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a 2,000-row sheet is ~150 KB; more is not a legacy-app list
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024  # refuse zip bombs before openpyxl inflates them
MAX_ROWS = 2000
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    key: str
    zh: str  # the template's header; headers are the file format, so they are fixed, not translated
    en: str
    required: bool = False


COLUMNS: tuple[Column, ...] = (
    Column("name", "应用名称", "App name", required=True),
    Column("kind", "应用类型", "Kind", required=True),
    Column("platforms", "运行平台", "Platforms"),
    Column("android_package", "安卓包名", "Android package"),
    Column("harmony_bundle", "鸿蒙包名", "HarmonyOS bundle"),
    Column("miniprogram_appid", "小程序AppID", "Mini-program appid"),
    Column("ios_bundle", "iOS Bundle ID", "iOS bundle ID"),
    Column("quickapp_package", "快应用包名", "Quick app package"),
    Column("online_since", "上线时间", "Online since", required=True),
    Column("monthly_active_users", "月活跃用户数", "Monthly active users"),
    Column("unit", "主办单位", "Sponsoring unit"),
    Column("contact", "联系人及电话", "Contact"),
)
BY_KEY = {column.key: column for column in COLUMNS}

EXAMPLE_ROW: dict[str, Any] = {
    "name": "浙里办事", "kind": "原生应用", "platforms": "安卓、鸿蒙", "android_package": "cn.gov.zj.banshi",
    "harmony_bundle": "cn.gov.zj.banshi", "online_since": dt.date(2023, 5, 18), "monthly_active_users": 120000,
    "unit": "杭州市数据资源管理局", "contact": "王明 0571-88888888",
}  # fmt: skip


def _normal(text: str) -> str:
    return re.sub(r"[\s*＊_]+", "", text).casefold()


_HEADERS: dict[str, str] = {}
for _column in COLUMNS:
    _HEADERS[_normal(_column.zh)] = _column.key
    _HEADERS[_normal(_column.en)] = _column.key
    _HEADERS[_normal(_column.key)] = _column.key

_KINDS: dict[str, str] = {
    "原生应用": AppKind.APP, "应用程序": AppKind.APP, "app": AppKind.APP, "nativeapp": AppKind.APP,
    "小程序": AppKind.MINI_PROGRAM, "miniprogram": AppKind.MINI_PROGRAM, "mini-program": AppKind.MINI_PROGRAM,
    "快应用": AppKind.QUICK_APP, "quickapp": AppKind.QUICK_APP,
}  # fmt: skip
_PLATFORMS: dict[str, str] = {
    "安卓": Platform.ANDROID, "android": Platform.ANDROID, "ios": Platform.IOS, "苹果": Platform.IOS,
    "鸿蒙": Platform.HARMONYOS, "harmonyos": Platform.HARMONYOS, "harmony": Platform.HARMONYOS,
    "微信": Platform.WECHAT, "wechat": Platform.WECHAT, "支付宝": Platform.ALIPAY, "alipay": Platform.ALIPAY,
    "百度": Platform.BAIDU, "baidu": Platform.BAIDU, "抖音": Platform.DOUYIN, "douyin": Platform.DOUYIN,
    "快应用平台": Platform.QUICKAPP, "quickapp": Platform.QUICKAPP, "其他": Platform.OTHER, "other": Platform.OTHER,
}  # fmt: skip


class ImportRefused(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # "C (应用类型)", or "" for the row as a whole
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


# ---------------------------------------------------------------- template


def template_workbook(*, english: bool = False) -> bytes:
    """The import template: a header row (Chinese, or English), one example row, and an instructions sheet."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Legacy apps" if english else "存量应用"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FCE4D6")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.en if english else column.zh)
        cell.font = bold
        if column.required:
            cell.fill = fill
        example = sheet.cell(row=2, column=index, value=EXAMPLE_ROW.get(column.key))
        if column.key == "online_since":
            example.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Instructions"))
    notes.append([_("Chinese header"), _("English header"), _("Required"), _("What to write")])
    for cell in notes[1]:
        cell.font = bold
    for column in COLUMNS:
        notes.append(
            [column.zh, column.en, _("yes") if column.required else _("no"), str(_column_help(column.key))]
        )
    notes.append([])
    notes.append([_(
        "Replace the example row with your apps, one per row. Give at least one identifier per app. Rows that "
        "are already registered (same unit and identifier) are updated, not duplicated."
    )])  # fmt: skip
    for letter, width in (("A", 16), ("B", 22), ("C", 10), ("D", 90)):
        notes.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_help(key: str) -> str:
    return {
        "name": _("The app's name as users see it."),
        "kind": _("原生应用 (app), 小程序 (mini_program) or 快应用 (quick_app)."),
        "platforms": _(
            "Separated by commas or 、: 安卓, iOS, 鸿蒙, 微信, 支付宝, 百度, 抖音, 快应用平台, 其他."
        ),
        "android_package": _("e.g. cn.gov.example.app"),
        "harmony_bundle": _("e.g. cn.gov.example.app"),
        "miniprogram_appid": _("The appid given by the mini-program platform, e.g. wx1234567890abcdef."),
        "ios_bundle": _("e.g. cn.gov.example.app"),
        "quickapp_package": _("e.g. cn.gov.example.quick"),
        "online_since": _("An Excel date, or text such as 2025-03-01 or 2025年3月1日; before 2026-01-25."),
        "monthly_active_users": _("A whole number; 1.2万 is understood. May be left empty."),
        "unit": _(
            "Provincial offices: the exact name of a unit of your province (required). Units: leave empty "
            "or write your own unit's name."
        ),
        "contact": _("Name and telephone of the person who answers for this app."),
    }[key]


# ---------------------------------------------------------------- import


def _open(data: bytes) -> Any:
    if not data:
        raise ImportRefused(_("The file is empty. Download the template, fill it in and upload it again."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImportRefused(
            _("The file is %(size)s MB; the limit is %(limit)d MB. Split the list into several workbooks.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
        )
    not_xlsx = _("The file is not an Excel workbook (.xlsx). Save it as .xlsx (Excel 2007 or later) and upload it "
                 "again; .xls, .csv and .et files are not accepted.")  # fmt: skip
    if not data.startswith(b"PK\x03\x04"):
        raise ImportRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
            if "xl/workbook.xml" not in archive.namelist():
                raise ImportRefused(not_xlsx)
    except zipfile.BadZipFile:
        raise ImportRefused(not_xlsx) from None
    if inflated > MAX_UNCOMPRESSED_BYTES:
        raise ImportRefused(
            _(
                "The workbook unpacks to more than %(limit)d MB. Keep only the legacy-app sheet "
                "and upload it again."
            )
            % {"limit": MAX_UNCOMPRESSED_BYTES // 1024 // 1024}
        )
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds of error for damaged files
        raise ImportRefused(
            _(
                "The workbook is damaged and cannot be read. Open it in Excel or WPS, save it "
                "again as .xlsx and upload it again."
            )
        ) from None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_name(index: int, header: str) -> str:
    return f"{get_column_letter(index + 1)} ({header})"


def _read_rows(sheet: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield number, tuple(row)


def _header_map(row: tuple[Any, ...]) -> tuple[dict[str, int], list[str]]:
    columns: dict[str, int] = {}
    headers: list[str] = []
    for index, value in enumerate(row):
        header = _text(value)
        headers.append(header)
        key = _HEADERS.get(_normal(header)) if header else None
        if key and key not in columns:
            columns[key] = index
    return columns, headers


def _kind(text: str) -> str | None:
    return _KINDS.get(_normal(text).replace("_", ""), _KINDS.get(text.strip()))


def _platforms(text: str) -> tuple[list[str], list[str]]:
    found: list[str] = []
    unknown: list[str] = []
    for part in re.split(r"[,，、;；/|\n]+", text):
        part = part.strip()
        if not part:
            continue
        value = _PLATFORMS.get(_normal(part))
        if value is None:
            unknown.append(part)
        elif value not in found:
            found.append(value)
    return found, unknown


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and 20000 <= value <= 80000:
        # A date typed into a cell formatted as a number: Excel's serial day count.
        converted = from_excel(value)
        return converted.date() if isinstance(converted, dt.datetime) else None
    return parse_date_text(_text(value))


def _users(value: Any) -> int | None | str:
    """A whole number, None for empty, or the original text when it is not a number."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, int | float) and value >= 0:
        return int(value)
    text = _text(value).replace(",", "").replace("，", "")
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(万?)", text)
    if not match:
        return text
    number = float(match.group(1)) * (10000 if match.group(2) else 1)
    return int(number)


class _RowReader:
    """Turns one sheet row into form data, collecting errors that name the column."""

    def __init__(
        self, number: int, row: tuple[Any, ...], columns: dict[str, int], headers: list[str]
    ) -> None:
        self.number = number
        self.row = row
        self.columns = columns
        self.headers = headers
        self.errors: list[RowError] = []

    def column(self, key: str) -> str:
        index = self.columns.get(key)
        if index is None:
            column = BY_KEY[key]
            return f"— ({column.zh} / {column.en})"
        return _column_name(index, self.headers[index])

    def raw(self, key: str) -> Any:
        index = self.columns.get(key)
        return self.row[index] if index is not None and index < len(self.row) else None

    def error(self, key: str, message: str) -> None:
        self.errors.append(RowError(self.number, self.column(key), message))

    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"name": _text(self.raw("name")), "contact": _text(self.raw("contact"))}
        for key in IDENTIFIER_FIELDS:
            data[key] = _text(self.raw(key))
        kind_text = _text(self.raw("kind"))
        kind = _kind(kind_text) if kind_text else None
        if kind_text and kind is None:
            self.error(
                "kind",
                _(
                    "“%(value)s” is not a kind of app. Write 原生应用, 小程序 or 快应用 (or app, "
                    "mini_program, quick_app)."
                )
                % {"value": kind_text},
            )
        data["kind"] = kind or ""
        platforms, unknown = _platforms(_text(self.raw("platforms")))
        if unknown:
            self.error(
                "platforms",
                _(
                    "Unknown platform “%(value)s”. Use 安卓, iOS, 鸿蒙, 微信, 支付宝, 百度, 抖音, "
                    "快应用平台 or 其他, separated by commas."
                )
                % {"value": "、".join(unknown)},
            )
        data["platforms"] = platforms
        raw_date = self.raw("online_since")
        date = _date(raw_date)
        if date is None and _text(raw_date):
            self.error(
                "online_since",
                _("“%(value)s” is not a date. Use an Excel date cell or write 2025-03-01 or 2025年3月1日.")
                % {"value": _text(raw_date)},
            )
        data["online_since"] = date.isoformat() if date else ""
        users = _users(self.raw("monthly_active_users"))
        if isinstance(users, str):
            self.error(
                "monthly_active_users",
                _(
                    "“%(value)s” is not a number of users. Write a whole number such "
                    "as 12000 or 1.2万, or leave the cell empty."
                )
                % {"value": users},
            )
            users = None
        data["monthly_active_users"] = "" if users is None else str(users)
        return data


def _resolve_unit(reader: _RowReader, user: Any) -> Unit | None:
    name = _text(reader.raw("unit"))
    if _is_filer(user):
        if name and name != user.unit.name:
            reader.error("unit", _("A unit can register only its own apps: write “%(own)s” or leave the cell empty; "
                                   "apps of “%(other)s” are registered by that unit or its provincial office.")
                         % {"own": user.unit.name, "other": name})  # fmt: skip
            return None
        return user.unit
    if not name:
        reader.error("unit", _("Write the exact name of the sponsoring unit, as registered in the system."))
        return None
    unit = registrable_units(user).filter(name=name).first()
    if unit is None:
        if Unit.objects.filter(name=name).exists():
            reader.error(
                "unit",
                _(
                    "“%(name)s” is not a unit of your province; only your province's units can be "
                    "imported here."
                )
                % {"name": name},
            )
        else:
            reader.error("unit", _("No unit is named “%(name)s”. Copy the unit's name exactly as it appears in the "
                                   "system (ask the administrator to add the unit if it is missing).")
                         % {"name": name})  # fmt: skip
        return None
    return unit


def _save_row(reader: _RowReader, user: Any, result: ImportResult) -> None:
    data = reader.data()
    unit = _resolve_unit(reader, user)
    if unit is None or reader.errors:
        # The form still checks the other cells so that the report lists everything wrong in the row at once.
        form = LegacyAppForm(data, user=user, unit=unit or user.unit)
        if not form.is_valid():
            _form_errors(reader, form)
        result.errors.extend(reader.errors)
        return
    existing = find_existing(unit, {key: data[key] for key in IDENTIFIER_FIELDS})
    form = LegacyAppForm(data, user=user, unit=unit, instance=existing)
    if not form.is_valid():
        _form_errors(reader, form)
        result.errors.extend(reader.errors)
        return
    try:
        with transaction.atomic():
            legacy = form.save(commit=False)
            if existing is None:
                legacy.created_by = user
                legacy.source = LegacyApp.Source.IMPORT
            legacy.save()
            link_registered_app(legacy)
    except IntegrityError:
        reader.errors.append(RowError(reader.number, "", _(
            "This row's identifiers belong to two different entries of the unit. Give each app its own row "
            "and the identifiers it really has."
        )))  # fmt: skip
        result.errors.extend(reader.errors)
        return
    if existing is None:
        result.created += 1
    else:
        result.updated += 1


def _form_errors(reader: _RowReader, form: LegacyAppForm) -> None:
    reported = {error.column for error in reader.errors}
    for name, messages in form.errors.items():
        key = name if name in BY_KEY else ""
        for message in messages:
            if key:
                if reader.column(key) in reported:
                    continue
                reader.error(key, str(message))
            else:
                reader.errors.append(RowError(reader.number, "", str(message)))


def import_workbook(*, data: bytes, user: Any) -> ImportResult:
    """Import the first sheet; raises ImportRefused when the file as a whole cannot be used."""
    if not (_is_filer(user) or _is_provincial(user)):
        raise ImportRefused(_("Only unit filers and provincial offices can import legacy apps."))
    workbook = _open(data)
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportRefused(_("The workbook has no sheet. Use the template."))
        rows = _read_rows(sheet)
        columns: dict[str, int] = {}
        headers: list[str] = []
        for _number, row in rows:
            if any(_text(value) for value in row):
                columns, headers = _header_map(row)
                break
        if not columns:
            raise ImportRefused(
                _(
                    "The first sheet is empty or has no header row. Use the template: its first row "
                    "names the columns (应用名称, 应用类型, … or App name, Kind, …)."
                )
            )
        missing = [BY_KEY[key] for key in ("name", "kind", "online_since") if key not in columns]
        if _is_provincial(user) and "unit" not in columns:
            missing.append(BY_KEY["unit"])
        if missing:
            raise ImportRefused(
                _("The header row lacks the column(s) %(columns)s. Use the template's headers.")
                % {"columns": ", ".join(f"{c.zh} / {c.en}" for c in missing)}
            )
        result = ImportResult()
        seen = 0
        for number, row in rows:
            if not any(_text(value) for value in row):
                continue
            seen += 1
            if seen > MAX_ROWS:
                raise ImportRefused(
                    _(
                        "The sheet has more than %(max)d rows of apps. Split it into several "
                        "workbooks; nothing was imported from row %(row)d on."
                    )
                    % {"max": MAX_ROWS, "row": number}
                )
            _save_row(_RowReader(number, row, columns, headers), user, result)
        if seen == 0:
            raise ImportRefused(
                _("The sheet has a header row but no apps. Add one app per row below the headers.")
            )
        return result
    finally:
        workbook.close()


# ---------------------------------------------------------------- export


def export_rows(rows: Iterable[LegacyWithStatus], overdue: Overdue) -> Iterator[list[Any]]:
    """Header row, then one row per legacy app (annotated with ``status``)."""
    yield [
        _("Province"), _("Sponsoring unit"), _("App name"), _("App kind"), _("Identifiers"), _("Online since"),
        _("Monthly active users"), _("Status"), _("Filing number"), _("Days overdue"), _("Working days overdue"),
        _("Contact"),
    ]  # fmt: skip
    for legacy in rows:
        late = legacy.status != STATUS_FILED and overdue.is_overdue
        number = legacy.app.current_number.number if legacy.app and legacy.app.current_number else ""
        yield [
            str(legacy.unit.province_name), legacy.unit.name, legacy.name, str(legacy.get_kind_display()),
            " ".join(legacy.identifiers().values()), legacy.online_since, legacy.monthly_active_users,
            str(STATUS_LABELS[legacy.status]), number, overdue.calendar_days if late else "",
            overdue.working_days if late else "", legacy.contact,
        ]  # fmt: skip


def export_csv(rows: Iterable[list[Any]]) -> bytes:
    return rows_csv(rows)


def export_xlsx(rows: Iterable[list[Any]]) -> bytes:
    return rows_xlsx([(_("Legacy apps"), rows)])
