"""``govapp scan PATH [PATH…]``: the technical test (技术检测) from the command line.

Exit status: 0 no violation, 1 a violation found, 2 at least one PATH could not be analysed.
One PATH is scanned in a fresh capped child; several go one at a time through a long-lived
sandbox (engine/pool.py), under the same caps, so that each costs its scan, not an interpreter start.
"""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.inspection.engine.categories import CATEGORIES
from govapp.inspection.engine.html_report import render_html
from govapp.inspection.engine.identity import Identity, parse_expect
from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.pool import SandboxPool
from govapp.inspection.engine.report import ScanReport, format_summary
from govapp.inspection.engine.sandbox import scan_package_isolated
from govapp.inspection.engine.scan import scan_package
from govapp.inspection.models import ErrorKind


def error_line(report: ScanReport, error: str, lang: str) -> str:
    """One stderr line per reason a PATH could not be analysed: in Chinese, the kind of problem
    first; the engine's detail (English, with file and offset) after it."""
    detail = " ".join(error.split())
    if lang != "zh" or report.error_kind not in ErrorKind.values:
        return f"govapp scan: {detail}"
    with translation.override("zh-hans"):
        return f"govapp scan: {ErrorKind(report.error_kind).label}：{detail}"


def html_paths(target: Path, count: int) -> list[Path]:
    """One HTML file per package: FILE itself for one PATH, else FILE's stem + "-1", "-2", … per PATH."""
    if count == 1:
        return [target]
    return [
        target.with_name(f"{target.stem}-{index}{target.suffix or '.html'}") for index in range(1, count + 1)
    ]


def parse_declarations(values: list[str]) -> frozenset[str]:
    declared = {item.strip() for value in values for item in value.split(",") if item.strip()}
    unknown = sorted(declared - set(CATEGORIES))
    if unknown:
        raise CommandError(
            _("unknown category %(name)r for --declared; expected one of %(choices)s")
            % {"name": unknown[0], "choices": ", ".join(CATEGORIES)},
            returncode=2,
        )
    return frozenset(declared)


def parse_expect_option(value: str | None) -> Identity | None:
    if value is None:
        return None
    try:
        return parse_expect(value)
    except ValueError as exc:
        raise CommandError(
            _("invalid --expect: %(reason)s (e.g. --expect package=cn.gov.example,cert_sha256=HEX)")
            % {"reason": exc},
            returncode=2,
        ) from None


class Command(BaseCommand):
    # Lazy because the class is built at import, before a language is active; django-stubs wants a str.
    help = gettext_lazy(  # type: ignore[assignment]
        "Run the technical test on app packages (APK, APKS/XAPK, HAP/APP, IPA, wxapkg, RPK), mini-program "
        "source or H5 web apps. Exit 0: no violation; 1: violation found; 2: could not analyse."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse formats the description with re.sub, which refuses a lazy string: translate it
        # now, in the language active for this run.
        parser.description = str(self.help)
        return parser

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help=_("package file or source directory"))
        parser.add_argument("--json", action="store_true", help=_("print the JSON report(s)"))
        parser.add_argument(
            "--html",
            metavar="FILE",
            help=_("also write an HTML report; with several PATHs, FILE's stem + -1, -2, … per PATH"),
        )
        parser.add_argument("--filing-number", metavar="N", help=_("the filing number the app must display"))
        parser.add_argument(
            "--declared",
            action="append",
            default=[],
            metavar="CATEGORY",
            help=_("a category declared as a security/emergency exception (repeat or comma-separate)"),
        )
        parser.add_argument(
            "--expect",
            metavar="KEY=VALUE,…",
            help=_(
                "the app the package must be: package=, cert_sha256=, bundle=, appid=, developer_id=, "
                "app_identifier=; another app gets the blocking finding identity_mismatch"
            ),
        )
        parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=_("summary language"))
        parser.add_argument(
            "--no-sandbox",
            action="store_true",
            help=_("scan in this process (no memory cap or timeout); for debugging"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        declarations = parse_declarations(options["declared"])
        expect = parse_expect_option(options["expect"])
        filing_number = (options["filing_number"] or "").strip() or None
        paths = [Path(raw) for raw in options["paths"]]
        limits = Limits()
        reports: list[ScanReport] = []
        with ExitStack() as stack:
            scan = scan_package_isolated
            if options["no_sandbox"]:
                scan = scan_package
            elif len(paths) > 1:
                scan = stack.enter_context(SandboxPool(memory_bytes=limits.memory_bytes)).scan_package
            for path in paths:
                report = scan(
                    path, declarations=declarations, filing_number=filing_number, limits=limits, expect=expect
                )
                reports.append(report)
                for error in report.errors:
                    self.stderr.write(error_line(report, error, options["lang"]))
        if options["html"]:
            for report, target in zip(reports, html_paths(Path(options["html"]), len(reports)), strict=True):
                try:
                    target.write_text(render_html(report), encoding="utf-8")
                except OSError as exc:
                    raise CommandError(
                        _("cannot write the HTML report %(file)s: %(why)s")
                        % {"file": target, "why": exc.strerror},
                        returncode=2,
                    ) from None
        if options["json"]:
            documents = [report.to_dict() for report in reports]
            payload = documents[0] if len(documents) == 1 else documents
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            summaries = [
                format_summary(report, lang=options["lang"])
                for report in reports
                if report.verdict != "error"
            ]
            if summaries:
                self.stdout.write("\n\n".join(summaries))
        code = max((report.exit_code for report in reports), default=0)
        if code:
            self.stdout.flush()
            sys.exit(code)
