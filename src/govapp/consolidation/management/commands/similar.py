"""``govapp similar --name NAME --functions TEXT [--province CODE] [--kind KIND] [--json]``: the apps most
like a description, best first, with score and reasons (stable interface). Exit 2 on a bad argument."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.accounts.divisions import BY_CODE
from govapp.registry.choices import AppKind

from ... import service
from ...reasons import match_row

KINDS = {"app": AppKind.APP, "miniprogram": AppKind.MINI_PROGRAM, "quickapp": AppKind.QUICK_APP}


class Command(BaseCommand):
    help = gettext_lazy(  # type: ignore[assignment]
        "List the known government apps most like a description (name and functions), with the score "
        "and the reasons of each match."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--name", required=True, help=_("name of the app or project"))
        parser.add_argument("--functions", default="", help=_("its main functions, free text"))
        parser.add_argument("--province", metavar="CODE", help=_("two-digit province code, e.g. 33"))
        parser.add_argument("--kind", choices=sorted(KINDS), help=_("kind of app"))
        parser.add_argument("--limit", type=int, default=10, help=_("how many matches (1-50)"))
        parser.add_argument("--json", action="store_true", help=_("print a JSON list"))
        parser.add_argument("--lang", choices=("zh", "en"), default="zh", help=_("language of the reasons"))

    def handle(self, *args: Any, **options: Any) -> None:
        name = (options["name"] or "").strip()
        if not name:
            raise CommandError(_("--name must not be empty"), returncode=2)
        province = (options["province"] or "").strip()
        if province and province not in BY_CODE:
            raise CommandError(
                _("unknown province code %(code)r for --province; expected two digits such as 33")
                % {"code": province},
                returncode=2,
            )
        limit = options["limit"]
        if not 1 <= limit <= 50:
            raise CommandError(_("--limit must be between 1 and 50"), returncode=2)
        kind = KINDS[options["kind"]] if options["kind"] else ""
        matches = service.similar_apps(
            user=None, name=name, functions=options["functions"], kind=kind, province=province, limit=limit
        )
        with translation.override("zh-hans" if options["lang"] == "zh" else "en"):
            rows = [match_row(m) for m in matches]
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        if not rows:
            with translation.override("zh-hans" if options["lang"] == "zh" else "en"):
                self.stdout.write(_("No similar app found."))
            return
        for rank, row in enumerate(rows, 1):
            where = " · ".join(x for x in (row["unit"], row["province"], row["state"]) if x)
            self.stdout.write(f"{rank:2}. {row['score']:.2f}  {row['name']}  [{row['key']}]  {where}")
            for reason in row["reasons"]:
                self.stdout.write(f"      - {reason['text']}")
