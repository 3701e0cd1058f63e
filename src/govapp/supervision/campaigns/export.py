"""A spot check taken away: its drawn apps and its report as Excel workbooks or CSV, in Chinese.

The workbook is an official record passed between offices, so its headers are Chinese whatever the
language of the page; dates are written as dates. Rows come from one query each (select_related), so a
national campaign of 10,000 apps costs no query per app.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from govapp.core.spreadsheet import rows_csv, rows_xlsx

from .models import SamplingMethod, SpotCheckCampaign
from .report import Report, campaign_report, scan_violations

EXPORT_LANGUAGE = "zh-hans"


def _local_date(value: Any) -> Any:
    return timezone.localtime(value).date() if value is not None else None


def item_rows(campaign: SpotCheckCampaign) -> Iterator[list[Any]]:
    """Header, then one row per drawn app in draw order."""
    risk = campaign.method == SamplingMethod.RISK
    yield [
        _("Draw order"), _("Province"), _("Stratum"), _("Sponsoring unit"), _("App"), _("App kind"),
        _("Filing number"), *([_("Risk score")] if risk else []), _("Package received at"), _("Result"),
        _("Violations"), _("Rectification order"), _("Rectification due"),
    ]  # fmt: skip
    items = campaign.items.select_related("app__unit", "app__current_number", "scan", "order").order_by(
        "position"
    )
    for item in items.iterator(chunk_size=500):
        number = item.app.current_number.number if item.app.current_number else ""
        violations = "；".join(sorted({v.label for v in scan_violations(item)}))
        yield [
            item.position, str(item.app.unit.province_name), item.stratum_label, item.app.unit.name, item.app.name,
            str(item.app.get_kind_display()), number, *([item.risk_score] if risk else []),
            _local_date(item.uploaded_at), item.outcome_label, violations,
            item.order.reference if item.order else "", item.order.due if item.order else None,
        ]  # fmt: skip


def province_rows(report: Report) -> Iterator[list[Any]]:
    yield [_("Province"), _("Sampled"), _("Packages received"), _("Scanned"), _("With violations"),
           _("Package overdue")]  # fmt: skip
    for row in report.by_province:
        yield [row.name, row.sampled, row.received, row.scanned, row.violations, row.overdue]


def category_rows(report: Report) -> Iterator[list[Any]]:
    yield [_("Category"), _("Apps")]
    for _category, label, count in report.by_category:
        yield [label, count]


def violation_rows(report: Report) -> Iterator[list[Any]]:
    yield [_("Province"), _("Sponsoring unit"), _("App"), _("Category"), _("Article breached"), _("Rule"),
           _("Finding"), _("Technical test finished")]  # fmt: skip
    for violation in report.violations:
        item = violation.item
        finished = item.scan.finished_at if item.scan is not None else None
        yield [
            str(item.app.unit.province_name), item.app.unit.name, item.app.name, violation.label,
            violation.article, violation.rule, violation.title, _local_date(finished),
        ]  # fmt: skip


def items_export(campaign: SpotCheckCampaign, fmt: str) -> bytes:
    with override(EXPORT_LANGUAGE):
        if fmt == "csv":
            return rows_csv(item_rows(campaign))
        return rows_xlsx([(_("Drawn apps"), item_rows(campaign))])


def report_export(campaign: SpotCheckCampaign, fmt: str) -> bytes:
    """The workbook has a sheet per table; the CSV, being one table, lists the violations."""
    with override(EXPORT_LANGUAGE):
        report = campaign_report(campaign)
        if fmt == "csv":
            return rows_csv(violation_rows(report))
        return rows_xlsx([
            (_("By province"), province_rows(report)),
            (_("By category"), category_rows(report)),
            (_("Violations found"), violation_rows(report)),
        ])  # fmt: skip
