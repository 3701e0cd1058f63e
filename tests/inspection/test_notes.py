"""The engine's notes carry a stable code and parameters and read in the reader's language on the report
page; reports stored before notes had codes still show their stored text."""

from __future__ import annotations

import pickle
import re
import string

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from govapp.inspection.engine.notes import NOTES, Note, render_note
from govapp.inspection.engine.report import ScanReport
from govapp.inspection.models import Scan
from tests.factories import complete_filing
from tests.inspection.builders import hap, module_json

pytestmark = pytest.mark.django_db


def _fields(template: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(template) if name}


def test_every_note_has_both_wordings_with_the_same_parameters() -> None:
    for code, (zh, en) in NOTES.items():
        assert _fields(zh) == _fields(en), code
        # The Chinese wording names file formats and identifiers only, never English sentences.
        assert not re.search(r"[A-Za-z]+ [a-z]+ [a-z]+", zh.format(**{n: "X" for n in _fields(zh)})), code


def test_a_note_keeps_its_code_through_json_and_pickle() -> None:
    note = Note("text_file_skipped", file="a.js", limit=1024).under("entry.hap")
    assert note == "entry.hap: a.js: larger than 1024 bytes, not scanned"
    assert note.render("zh") == "entry.hap：a.js：大于 1024 字节，未检测"
    report = ScanReport(package={}, verdict="pass", notes=[note, "a reader's own sentence"])
    again = ScanReport.from_dict(report.to_dict())
    assert [render_note(n, "zh") for n in again.notes] == [note.render("zh"), "a reader's own sentence"]
    assert pickle.loads(pickle.dumps(note)).render("zh") == note.render("zh")


def test_the_report_page_in_chinese_shows_no_english_note(  # type: ignore[no-untyped-def]
    filer,
    national_reviewer,
    provincial_reviewer,
    client_for,
    immediate_tasks,
    django_capture_on_commit_callbacks,
) -> None:
    filing = complete_filing(filer, packages=False, platforms=["harmonyos"], android_package="",
                             android_cert_sha256="", harmony_bundle="gov.example.attendance")  # fmt: skip
    unsigned = hap(manifest=module_json(), sign=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(filer).post(
            reverse("inspection:upload", args=[filing.pk]),
            {"package": SimpleUploadedFile("entry.hap", unsigned)},
        )
    assert response.status_code == 302
    scan = Scan.objects.get(filing=filing)
    assert scan.status == Scan.Status.DONE
    stored = scan.report_data
    assert "the HAP carries no signing block (unsigned build)" in stored["notes"]
    assert {"code": "hap_unsigned", "params": {}} in stored["note_codes"]

    url = reverse("inspection:report", args=[scan.pk])
    client = client_for(filer)
    page = client.get(url).content.decode()  # Chinese by default
    for english in stored["notes"]:
        assert english not in page
    assert "该 HAP 没有签名块（未签名的构建）" in page
    client.cookies["django_language"] = "en"
    assert "the HAP carries no signing block (unsigned build)" in client.get(url).content.decode()

    # A report stored before notes had codes shows its stored text.
    Scan.objects.filter(pk=scan.pk).update(
        report={**stored, "notes": ["an old note as it was stored"], "note_codes": None}
    )
    client.cookies.pop("django_language")
    assert "an old note as it was stored" in client.get(url).content.decode()
