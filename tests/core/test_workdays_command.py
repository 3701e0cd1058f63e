"""``govapp workdays`` and ``govapp calendar`` as an operator runs them."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from govapp.core import calendar
from govapp.core.calendar_data import SEED_DAYS_CSV, SEED_YEARS_CSV
from govapp.core.models import CalendarYear

NOTICE_2027 = Path(__file__).parent / "data" / "notice_2027.txt"
GOVAPP = Path(sys.executable).parent / "govapp"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    calendar.clear_cache()
    yield
    calendar.clear_cache()


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_workdays_prints_the_iso_date() -> None:
    assert run("workdays", "2026-09-28", "10") == "2026-10-16\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2026-09-31", "10"), "FROM must be a date like 2026-09-28, got '2026-09-31'"),
        (("tomorrow", "10"), "FROM must be a date"),
        (("2026-09-28", "ten"), "N must be a whole number of working days ≥ 1, got 'ten'"),
        (("2026-09-28", "0"), "N must be a whole number"),
        (("2026-09-28", "-3"), "N must be a whole number"),
        (("2026-12-20", "20"), "no data for 2027. Import the State Council's notice"),
        (("1999-12-31", "1"), "no data for 2000"),
    ],
)
def test_workdays_refuses_bad_input_with_exit_code_2(args: tuple[str, str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as excinfo:
        run("workdays", *args)
    assert excinfo.value.returncode == 2


def test_govapp_workdays_console_script(tmp_path: Path) -> None:
    # A fresh directory without a database: the shipped official data still answers.
    env = {**os.environ, "GOVAPP_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(GOVAPP), "workdays", "2026-09-28", "10"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, "2026-10-16\n"), done.stderr
    gap = subprocess.run(
        [str(GOVAPP), "workdays", "2026-12-20", "20"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert gap.returncode == 2
    assert "no data for 2027" in gap.stderr and "Traceback" not in gap.stderr


def test_workdays_provisional_estimates_a_year_without_its_notice() -> None:
    out, err = StringIO(), StringIO()
    call_command("workdays", "2026-12-31", "1", "--provisional", stdout=out, stderr=err)
    assert out.getvalue() == "2027-01-04\n"  # New Year's Day is a statutory holiday, then a weekend
    assert "provisional" in err.getvalue() and "2027" in err.getvalue()


def test_workdays_provisional_on_official_data_is_plain() -> None:
    out, err = StringIO(), StringIO()
    call_command("workdays", "2026-09-28", "10", "--provisional", stdout=out, stderr=err)
    assert out.getvalue() == "2026-10-16\n"
    assert "provisional" not in err.getvalue()


def test_workdays_provisional_console_script_exits_0(tmp_path: Path) -> None:
    env = {**os.environ, "GOVAPP_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [str(GOVAPP), "workdays", "2026-12-31", "1", "--provisional"],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, "2027-01-04\n"), done.stderr
    assert "provisional" in done.stderr


def test_import_notice_dry_run_shows_the_days_and_stores_nothing() -> None:
    output = run("calendar", "import-notice", str(NOTICE_2027), "--dry-run")
    assert "not imported (--dry-run)" in output
    assert "2027-02-14 周日  上班 working day  春节调休上班" in output
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_import_notice_then_workdays_uses_the_new_year() -> None:
    output = run("calendar", "import-notice", str(NOTICE_2027))
    assert "Imported 24 exceptions to the Monday–Friday week for 2027." in output
    assert run("workdays", "2026-12-20", "20") == "2027-01-18\n"
    status = run("calendar", "status")
    assert "Official calendar loaded for 27 years, 2001–2027." in status
    assert "2027   18 weekdays off   6 make-up working days" in status


def test_import_notice_errors_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "notice.txt"
    bad.write_text(
        "国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周四）放假。\n", encoding="utf-8"
    )
    with pytest.raises(
        CommandError, match=r"line 2: .*2027-01-01 is a 周五, but the notice says 周四"
    ) as excinfo:
        run("calendar", "import-notice", str(bad))
    assert excinfo.value.returncode == 2
    with pytest.raises(CommandError, match="no such file"):
        run("calendar", "import-notice", str(tmp_path / "missing.txt"))


def test_import_notice_reads_gb18030_text(tmp_path: Path) -> None:
    notice = tmp_path / "notice.txt"
    notice.write_bytes(NOTICE_2027.read_text(encoding="utf-8").encode("gb18030"))
    run("calendar", "import-notice", str(notice))
    assert CalendarYear.objects.filter(year=2027).exists()


def test_import_csv_command(tmp_path: Path) -> None:
    csv_file = tmp_path / "2028.csv"
    csv_file.write_text(
        "date,is_workday,name,source\n2028-01-03,0,元旦,\n2028-01-01,0,元旦,\n", encoding="utf-8"
    )
    output = run("calendar", "import-csv", str(csv_file), "--source", "test notice 2028")
    assert "Imported 1 days for 2028 (1 rows that only repeat the Monday–Friday rule were skipped)." in output
    assert CalendarYear.objects.get(year=2028).source == "test notice 2028"
    with pytest.raises(CommandError, match="--years must look like"):
        run("calendar", "import-csv", str(csv_file), "--years", "2028-2027")


def test_export_holidays_regenerates_the_committed_seed(tmp_path: Path) -> None:
    run("calendar", "export-holidays", str(tmp_path), "--last", "2026")
    assert (tmp_path / SEED_DAYS_CSV.name).read_text(encoding="utf-8") == SEED_DAYS_CSV.read_text(
        encoding="utf-8"
    )
    years = (tmp_path / SEED_YEARS_CSV.name).read_text(encoding="utf-8")
    assert years.splitlines()[1].startswith("2001,国务院办公厅关于2001年")
