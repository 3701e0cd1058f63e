"""The official working-day calendar page: which years are loaded, and importing the next one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from .calendar_data import CalendarImportError
from .calendar_import import StoreResult, import_csv, import_notice, name_workdays, parse_notice
from .models import CalendarDay, CalendarYear

MAX_NOTICE_CHARS = 20_000
MAX_CSV_BYTES = 1024 * 1024


class NoticeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Text of the State Council notice"),
        max_length=MAX_NOTICE_CHARS,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "Paste the whole notice (国务院办公厅关于YYYY年部分节假日安排的通知), title included."
        ),
    )
    year = forms.IntegerField(
        label=gettext_lazy("Year"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("Only needed when the pasted text has no title naming the year."),
    )


class CsvForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: date,is_workday,name,source — one row per exception to Monday–Friday."
        ),
    )
    source = forms.CharField(label=gettext_lazy("Source"), max_length=200, required=False)


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm("registry.manage_calendar"):
        raise PermissionDenied(
            _("Only the system administrator or the national office manages the calendar.")
        )


def _page(request: HttpRequest, **context: object) -> HttpResponse:
    years = CalendarYear.objects.select_related("imported_by").order_by("-year")
    context.setdefault("notice_form", NoticeForm())
    context.setdefault("csv_form", CsvForm())
    status = 400 if context.pop("invalid", False) else 200
    return render(request, "core/calendar.html", {"years": years, **context}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Preview, then import, a year's holiday arrangement from the notice text; or import a CSV."""
    _require_manager(request)
    if request.method == "GET":
        return _page(request)
    action = request.POST.get("action", "")
    if action in ("preview", "import"):
        form = NoticeForm(request.POST)
        if not form.is_valid():
            return _page(request, notice_form=form, invalid=True)
        text, year = form.cleaned_data["text"], form.cleaned_data["year"]
        try:
            if action == "preview":
                arrangement = name_workdays(parse_notice(text, year))
                existing = CalendarDay.objects.filter(date__year=arrangement.year).count()
                return _page(request, notice_form=form, arrangement=arrangement, existing=existing)
            arrangement, result = import_notice(text, year=year, imported_by=request.user)
        except CalendarImportError as exc:
            form.add_error("text", _("The notice could not be read: %(error)s") % {"error": exc})
            return _page(request, notice_form=form, invalid=True)
        messages.success(
            request,
            _("The official calendar of %(year)d is loaded: %(n)d days that differ from Monday–Friday.")
            % {"year": arrangement.year, "n": result.written},
        )
        _report_clocks(request, result)
        return redirect("core:calendar")
    if action == "csv":
        csv_form = CsvForm(request.POST, request.FILES)
        if not csv_form.is_valid():
            return _page(request, csv_form=csv_form, invalid=True)
        upload = csv_form.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            csv_form.add_error(
                "file", _("The CSV is larger than 1 MB; a year's calendar is a few kilobytes.")
            )
            return _page(request, csv_form=csv_form, invalid=True)
        try:
            text = upload.read().decode("utf-8-sig")
            result, _redundant = import_csv(
                text, source=csv_form.cleaned_data["source"] or None, imported_by=request.user
            )
        except UnicodeDecodeError:
            csv_form.add_error("file", _("The CSV must be UTF-8 text."))
            return _page(request, csv_form=csv_form, invalid=True)
        except CalendarImportError as exc:
            csv_form.add_error("file", _("The CSV could not be imported: %(error)s") % {"error": exc})
            return _page(request, csv_form=csv_form, invalid=True)
        messages.success(
            request,
            _("Imported %(n)d days for %(years)s.")
            % {"n": result.written, "years": ", ".join(str(y) for y in result.years)},
        )
        _report_clocks(request, result)
        return redirect("core:calendar")
    messages.error(request, _("Unknown action."))
    return _page(request, invalid=True)


def _report_clocks(request: HttpRequest, result: StoreResult) -> None:
    if result.clocks:
        n = len(result.clocks)
        messages.info(
            request,
            ngettext(
                "%(n)d provisional deadline was recomputed on the official calendar.",
                "%(n)d provisional deadlines were recomputed on the official calendar.",
                n,
            )
            % {"n": n},
        )
