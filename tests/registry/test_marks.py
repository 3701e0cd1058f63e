"""The deficiency list written beside the materials: marks on the filing page, standard phrases, lists of
any length, and what the unit changed since the return or the supplement request — through the real pages."""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from govapp.accounts.divisions import PROVINCES
from govapp.registry import joint_review
from govapp.registry.choices import EventAction, FilingState
from govapp.registry.models import DeficiencyMark, DeficiencyPhrase, Filing
from tests.factories import complete_filing
from tests.registry.test_views_helpers import as_user, page, post_step, upload, without_external_checks


@pytest.fixture(autouse=True)
def _registry_only(monkeypatch):  # type: ignore[no-untyped-def]
    without_external_checks(monkeypatch)


def _english(client: Any) -> Any:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _submitted(filer: Any, **materials: Any) -> Filing:
    filing = complete_filing(filer, **materials)
    assert as_user(filer).post(reverse("registry:filing_submit", args=[filing.pk])).status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.PROVINCIAL_REVIEW
    return filing


def _mark(client: Any, filing: Filing, field: str, remark: str = "", **extra: Any) -> Any:
    return client.post(
        reverse("registry:filing_mark", args=[filing.pk]), {"field": field, "remark": remark, **extra}
    )


def _detail(client: Any, filing: Filing) -> Any:
    return client.get(reverse("registry:filing_detail", args=[filing.pk]))


def _rows(html: str) -> list[tuple[str, str]]:
    """(field, message) of each row of the deficiency formset as rendered."""
    total = int(re.search(r'name="items-TOTAL_FORMS" value="(\d+)"', html).group(1))  # type: ignore[union-attr]
    rows = []
    for i in range(total):
        field = re.search(rf'name="items-{i}-field"[^>]*>(.*?)</select>', html, re.S)
        selected = re.search(r'<option value="([^"]*)" selected>', field.group(1)) if field else None
        message = re.search(rf'name="items-{i}-message"[^>]*>(.*?)</textarea>', html, re.S)
        rows.append((selected.group(1) if selected else "", message.group(1).strip() if message else ""))
    return rows


def _marks_token(html: str) -> str:
    """The page's hidden record of the marks it was built from."""
    found = re.search(r'<input type="hidden" name="marks"(?: value="([^"]*)")?', html)
    assert found, "the list page carries the marks it was built from"
    return found.group(1) or ""


def _post_list(client: Any, url: str, items: list[tuple[str, str]], **extra: Any) -> Any:
    data: dict[str, Any] = {
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "note": "",
        **extra,
    }
    for i, (field, message) in enumerate(items):
        data[f"items-{i}-field"] = field
        data[f"items-{i}-message"] = message
    return client.post(url, data)


# ---------------------------------------------------------------- marking


def test_reviewer_marks_a_field_and_a_colleague_sees_it_highlighted(
    filer, provincial_reviewer, provincial_coreviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)
    before = page(_detail(province, filing))
    assert 'id="field-om_team"' in before and reverse("registry:filing_mark", args=[filing.pk]) in before

    response = _mark(province, filing, "om_team", "请列明运维团队人员及联系方式")
    assert response.status_code == 302
    assert response.url == reverse("registry:filing_detail", args=[filing.pk]) + "#field-om_team"

    # Kept on the server: a reload and the colleague who takes the case over both see it, highlighted.
    for reviewer in (provincial_reviewer, provincial_coreviewer):
        html = page(_detail(as_user(reviewer), filing))
        assert '<dt id="field-om_team" class="marked">' in html
        assert "请列明运维团队人员及联系方式" in html
        assert 'id="marked-summary"' in html
        assert reverse("registry:phrase_list") in html
    mark = DeficiencyMark.objects.get(filing=filing)
    assert (mark.stage, mark.field, mark.created_by) == ("provincial_review", "om_team", provincial_reviewer)

    # Marking the same field again replaces the remark; the colleague's change is recorded as theirs.
    assert _mark(as_user(provincial_coreviewer), filing, "om_team", "运维团队须列明人数").status_code == 302
    mark.refresh_from_db()
    assert mark.message == "运维团队须列明人数" and mark.updated_by == provincial_coreviewer
    assert DeficiencyMark.objects.filter(filing=filing).count() == 1

    # The unit does not see the reviewers' drafts.
    unit_page = page(_detail(as_user(filer), filing))
    assert "运维团队须列明人数" not in unit_page and 'field-om_team" class="marked' not in unit_page


def test_the_documents_can_be_marked_and_a_mark_cleared(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)
    assert _mark(province, filing, "attachments", "承诺书未盖章").status_code == 302
    assert _mark(province, filing, "main_functions", "功能描述过简").status_code == 302
    html = page(_detail(province, filing))
    assert 'class="card marked" id="documents"' in html and "承诺书未盖章" in html

    response = province.post(
        reverse("registry:filing_mark_clear", args=[filing.pk]), {"field": "attachments"}
    )
    assert response.status_code == 302 and response.url.endswith("#field-attachments")
    assert list(DeficiencyMark.objects.values_list("field", flat=True)) == ["main_functions"]
    html = page(_detail(province, filing))
    assert 'class="card marked" id="documents"' not in html and "承诺书未盖章" not in html
    # Clearing what is not marked changes nothing and says so.
    again = province.post(reverse("registry:filing_mark_clear", args=[filing.pk]), {"field": "attachments"})
    assert again.status_code == 302 and DeficiencyMark.objects.count() == 1


def test_the_return_starts_from_the_marks_and_sending_it_clears_them(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)
    _mark(province, filing, "om_team", "请列明运维团队")
    _mark(province, filing, "attachments", "承诺书未盖章")
    url = reverse("registry:filing_return", args=[filing.pk])
    html = page(province.get(url))
    rows = _rows(html)
    assert rows[:2] == [("om_team", "请列明运维团队"), ("attachments", "承诺书未盖章")]
    assert rows[2:] == [("", ""), ("", "")]  # room for more

    # Editable there: one remark changed, one item added, one left out.
    response = _post_list(
        province, url, [("om_team", "请列明运维团队及值班电话"), ("approval_doc_number", "文号不全")],
        marks=_marks_token(html),
    )  # fmt: skip
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.RETURNED
    event = filing.events.get(action=EventAction.RETURN_INCOMPLETE)
    assert [(i["field"], i["message"]) for i in event.data["items"]] == [
        ("om_team", "请列明运维团队及值班电话"),
        ("approval_doc_number", "文号不全"),
    ]
    assert not DeficiencyMark.objects.filter(filing=filing).exists()


def test_marks_of_the_completeness_review_do_not_reach_the_national_review(
    filer, provincial_reviewer, national_reviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)
    _mark(province, filing, "om_team", "省级草稿")
    assert province.post(reverse("registry:filing_forward", args=[filing.pk]), {}).status_code == 302
    assert not DeficiencyMark.objects.filter(filing=filing).exists()
    # The province may no longer mark; the national office starts its own list.
    assert _mark(province, filing, "om_team", "x").status_code == 403
    national = as_user(national_reviewer)
    assert _mark(national, filing, "security_testing", "安全测试报告过期").status_code == 302
    url = reverse("registry:filing_request_supplement", args=[filing.pk])
    html = page(national.get(url))
    assert _rows(html)[0] == ("security_testing", "安全测试报告过期")
    response = _post_list(national, url, [("security_testing", "安全测试报告过期")], marks=_marks_token(html))
    assert response.status_code == 302
    filing.refresh_from_db()
    assert filing.state == FilingState.AWAITING_SUPPLEMENT and not filing.deficiency_marks.exists()


def test_who_may_not_mark_is_refused(
    filer, other_filer, provincial_reviewer, other_provincial_reviewer, national_reviewer, inspector
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    mark_url = reverse("registry:filing_mark", args=[filing.pk])
    # The unit sees its filing but cannot mark it; the controls are not offered to it.
    unit = as_user(filer)
    assert _mark(unit, filing, "om_team", "自己标记").status_code == 403
    assert mark_url not in page(_detail(unit, filing))
    assert (
        unit.post(reverse("registry:filing_mark_clear", args=[filing.pk]), {"field": "om_team"}).status_code
        == 403
    )
    # Another province's reviewer and another unit do not even see the filing.
    assert _mark(as_user(other_provincial_reviewer), filing, "om_team", "外省").status_code == 404
    assert _mark(as_user(other_filer), filing, "om_team", "外单位").status_code == 404
    # The national office does not write the completeness review's list, nor does a testing body.
    assert _mark(as_user(national_reviewer), filing, "om_team", "国家").status_code == 403
    assert _mark(as_user(inspector), filing, "om_team", "检测").status_code == 403
    assert mark_url not in page(_detail(as_user(national_reviewer), filing))
    assert not DeficiencyMark.objects.exists()
    # GET is not a way in.
    assert as_user(provincial_reviewer).get(mark_url).status_code == 405


def test_bad_marks_are_a_clear_400_naming_the_field(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = _english(as_user(provincial_reviewer))

    unknown = _mark(province, filing, "no_such_field", "x")
    assert unknown.status_code == 400
    assert "“no_such_field” is not an item of this filing&#x27;s materials" in page(unknown)

    clear_unknown = province.post(
        reverse("registry:filing_mark_clear", args=[filing.pk]), {"field": "no_such_field"}
    )
    assert clear_unknown.status_code == 400 and "“no_such_field” is not an item" in page(clear_unknown)

    relation = _mark(province, filing, "events", "x")
    assert relation.status_code == 400 and "“events” is not an item" in page(relation)

    empty = _mark(province, filing, "om_team", "   ")
    assert empty.status_code == 400
    html = page(empty)
    assert "Write what the unit must provide for “O&amp;M team”, or pick a standard phrase." in html
    assert '<details class="mark-control" open>' in html  # the field's form is open where the error is

    too_long = _mark(province, filing, "om_team", "长" * 1001)
    assert too_long.status_code == 400 and "O&amp;M team" in page(too_long)

    no_field = province.post(reverse("registry:filing_mark", args=[filing.pk]), {"remark": "x"})
    assert no_field.status_code == 400 and "Say which item is marked." in page(no_field)

    # A remark to keep as a phrase must fit a phrase: refused whole, the mark is not saved either.
    long_phrase = _mark(province, filing, "om_team", "Name the team. " * 25, save_phrase="1")
    assert long_phrase.status_code == 400 and "A phrase is at most 300 characters" in page(long_phrase)
    assert not DeficiencyPhrase.objects.filter(text__startswith="Name the team.").exists()

    js_phrase = DeficiencyPhrase.objects.filter(office="32", language="en").first()
    assert js_phrase is not None
    foreign = _mark(province, filing, "om_team", "", phrase=str(js_phrase.pk))
    assert foreign.status_code == 400 and "not in your office&#x27;s list" in page(foreign)
    assert not DeficiencyMark.objects.exists()


# ---------------------------------------------------------------- standard phrases


def test_every_office_starts_with_the_standard_phrases_in_both_languages() -> None:
    migration = importlib.import_module("govapp.registry.migrations.0012_seed_deficiency_phrases")
    assert set(migration.PROVINCE_CODES) == {p.code for p in PROVINCES}


@pytest.mark.django_db
def test_seeded_phrases_cover_the_national_office_and_each_province() -> None:
    for office in ("national", *(p.code for p in PROVINCES)):
        zh = DeficiencyPhrase.objects.filter(office=office, language="zh-hans", created_by=None)
        en = DeficiencyPhrase.objects.filter(office=office, language="en", created_by=None)
        assert zh.count() == en.count() >= 8
    assert DeficiencyPhrase.objects.filter(office="33", text="材料不清晰，请重新上传盖章扫描件。").exists()
    assert not any(
        re.search(r"[A-Za-z]", p.text) for p in DeficiencyPhrase.objects.filter(language="zh-hans")
    )


def test_picking_a_phrase_when_marking_and_keeping_a_remark_for_the_office(
    filer, provincial_reviewer, provincial_coreviewer, other_provincial_reviewer, national_reviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)  # Chinese pages: the Chinese list
    html = page(_detail(province, filing))
    assert "材料不清晰，请重新上传盖章扫描件。" in html and "The document is not legible" not in html
    phrase = DeficiencyPhrase.objects.get(
        office="33", language="zh-hans", text="材料不清晰，请重新上传盖章扫描件。"
    )

    assert _mark(province, filing, "attachments", "", phrase=str(phrase.pk)).status_code == 302
    assert DeficiencyMark.objects.get(field="attachments").message == "材料不清晰，请重新上传盖章扫描件。"
    # A phrase and the reviewer's own words: the phrase first.
    assert (
        _mark(province, filing, "security_rules", "第3页缺少签发日期", phrase=str(phrase.pk)).status_code
        == 302
    )
    assert DeficiencyMark.objects.get(field="security_rules").message == (
        "材料不清晰，请重新上传盖章扫描件。 第3页缺少签发日期"
    )

    # "Keep as a phrase of my office": the colleague of the province gets it, other offices do not.
    assert (
        _mark(province, filing, "om_team", "运维团队须为本单位在编人员", save_phrase="1").status_code == 302
    )
    kept = DeficiencyPhrase.objects.get(text="运维团队须为本单位在编人员")
    assert (kept.office, kept.language, kept.created_by) == ("33", "zh-hans", provincial_reviewer)
    assert "运维团队须为本单位在编人员" in page(_detail(as_user(provincial_coreviewer), filing))
    phrases_url = reverse("registry:phrase_list")
    assert "运维团队须为本单位在编人员" not in page(as_user(other_provincial_reviewer).get(phrases_url))
    assert "运维团队须为本单位在编人员" not in page(as_user(national_reviewer).get(phrases_url))

    # In English the English list is offered.
    english = page(_detail(_english(as_user(provincial_reviewer)), filing))
    assert "The document is not legible: upload a new scan bearing the unit&#x27;s seal." in english


def test_phrases_on_the_action_page_fill_the_list(filer, provincial_reviewer, national_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    national = _english(as_user(national_reviewer))
    url = reverse("registry:filing_request_supplement", args=[filing.pk])
    form = page(national.get(url))
    phrase = DeficiencyPhrase.objects.get(office="national", language="en", text__startswith="Does not match")
    assert f'<option value="{phrase.pk}">{escape(phrase.text)}</option>' in form
    province_phrase = DeficiencyPhrase.objects.filter(office="33", language="en").first()
    assert province_phrase is not None
    data = {
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "note": "",
        "items-0-field": "responsible_name", "items-0-phrase": str(phrase.pk), "items-0-message": "",
        "items-1-field": "main_functions", "items-1-phrase": str(province_phrase.pk), "items-1-message": "x",
    }  # fmt: skip
    refused = national.post(url, data)
    assert refused.status_code == 400  # another office's phrase is not a choice here
    data["items-1-phrase"] = ""
    assert national.post(url, data).status_code == 302
    items = Filing.objects.get(pk=filing.pk).events.get(action=EventAction.REQUEST_SUPPLEMENT).data["items"]
    assert [i["message"] for i in items] == [phrase.text, "x"]


def test_the_phrases_page_adds_and_removes_and_the_administrator_manages_every_office(
    provincial_reviewer, provincial_coreviewer, filer, sysadmin
):  # type: ignore[no-untyped-def]
    url = reverse("registry:phrase_list")
    province = _english(as_user(provincial_reviewer))
    assert "Does not match the unit&#x27;s unified social credit code" in page(province.get(url))
    assert province.post(url, {"text": "  Give the  O&M contract.  "}).status_code == 302
    own = DeficiencyPhrase.objects.get(office="33", text="Give the O&M contract.")
    assert own.language == "en" and own.created_by == provincial_reviewer
    again = province.post(url, {"text": "Give the O&M contract."})
    assert (
        again.status_code == 302
        and DeficiencyPhrase.objects.filter(text="Give the O&M contract.").count() == 1
    )
    empty = province.post(url, {"text": "   "})
    assert empty.status_code == 400 and "Write the phrase." in page(empty)
    assert province.post(url, {"text": "x" * 301}).status_code == 400

    # A colleague may not remove what another reviewer added, nor a standard phrase; the author may.
    standard = DeficiencyPhrase.objects.filter(office="33", created_by=None).first()
    assert standard is not None
    colleague = as_user(provincial_coreviewer)
    assert colleague.post(reverse("registry:phrase_retire", args=[own.pk])).status_code == 403
    assert province.post(reverse("registry:phrase_retire", args=[standard.pk])).status_code == 403
    assert province.post(reverse("registry:phrase_retire", args=[own.pk])).status_code == 302
    own.refresh_from_db()
    assert not own.active and "Give the O&amp;M contract." not in page(province.get(url))

    # A unit filer keeps no phrases.
    assert as_user(filer).get(url).status_code == 403

    # The administrator picks the office, adds to it and retires a standard phrase.
    admin = _english(as_user(sysadmin))
    assert "Zhejiang" in page(admin.get(url + "?office=33")) or "浙江" in page(admin.get(url + "?office=33"))
    assert admin.post(url + "?office=33", {"text": "Seal every page.", "office": "33"}).status_code == 302
    assert DeficiencyPhrase.objects.filter(office="33", text="Seal every page.", created_by=sysadmin).exists()
    assert admin.post(reverse("registry:phrase_retire", args=[standard.pk])).status_code == 302
    standard.refresh_from_db()
    assert not standard.active
    # An office that does not exist is not found (it is no refusal of something that exists).
    assert admin.get(url + "?office=99").status_code == 404
    assert admin.post(url + "?office=99", {"text": "x", "office": "99"}).status_code == 404


# ---------------------------------------------------------------- lists of any length


def test_a_list_of_fourteen_items_from_marks_to_the_unit(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    fields = [
        "app_name", "platforms", "android_package", "responsible_name", "responsible_phone", "approval_basis",
        "approval_doc_number", "main_functions", "om_team", "om_rules", "security_testing", "mlps_assessment",
        "acceptance_result",
    ]  # fmt: skip
    filing = _submitted(filer)
    province = as_user(provincial_reviewer)
    for n, field in enumerate(fields, start=1):
        assert _mark(province, filing, field, f"第{n}项需补正").status_code == 302
    url = reverse("registry:filing_return", args=[filing.pk])
    html = page(province.get(url))
    rows = _rows(html)
    assert rows[: len(fields)] == [(f, f"第{n}项需补正") for n, f in enumerate(fields, start=1)]

    # "Add item" without JavaScript: the same list again with one more empty row, nothing decided.
    data: dict[str, Any] = {
        "items-TOTAL_FORMS": str(len(rows)),
        "items-INITIAL_FORMS": "0",
        "note": "请一次补正",
        "marks": _marks_token(html),
    }
    for i, (field, message) in enumerate(rows):
        data[f"items-{i}-field"], data[f"items-{i}-message"] = field, message
    added = province.post(url, {**data, "add_item": "1"})
    assert added.status_code == 200
    assert len(_rows(page(added))) == len(rows) + 1
    assert _rows(page(added))[: len(fields)] == rows[: len(fields)]
    assert Filing.objects.get(pk=filing.pk).state == FilingState.PROVINCIAL_REVIEW
    assert _marks_token(page(added)) == data["marks"]  # still the marks the list started from
    # The new row is filled in and the list sent.
    data["items-TOTAL_FORMS"] = str(len(rows) + 1)
    data[f"items-{len(rows)}-field"], data[f"items-{len(rows)}-message"] = "other", "请提供运维合同"
    assert province.post(url, data).status_code == 302

    event = Filing.objects.get(pk=filing.pk).events.get(action=EventAction.RETURN_INCOMPLETE)
    assert len(event.data["items"]) == len(fields) + 1 == 14
    assert event.reason == "请一次补正"
    unit_page = page(_detail(as_user(filer), filing))
    for n in range(1, len(fields) + 1):
        assert f"第{n}项需补正" in unit_page
    assert "请提供运维合同" in unit_page
    # Each item links to its field on its step of the form.
    assert reverse("registry:filing_edit", args=[filing.pk, "operations"]) + "#id_om_team" in unit_page
    assert reverse("registry:filing_edit", args=[filing.pk, "basic"]) + "#id_responsible_phone" in unit_page
    assert (
        reverse("registry:filing_edit", args=[filing.pk, "acceptance"]) + "#id_acceptance_result" in unit_page
    )


def test_a_colleagues_mark_made_while_the_list_was_open_is_added_not_lost(
    filer, provincial_reviewer, provincial_coreviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    a, b = _english(as_user(provincial_reviewer)), as_user(provincial_coreviewer)
    _mark(a, filing, "om_team", "请列明运维团队")
    url = reverse("registry:filing_return", args=[filing.pk])
    opened = page(a.get(url))  # reviewer A opens the list
    assert _rows(opened)[0] == ("om_team", "请列明运维团队")
    # Meanwhile colleague B (the other department) marks another field and rewrites A's remark.
    assert _mark(b, filing, "om_rules", "运维制度缺少版本号").status_code == 302
    assert _mark(b, filing, "om_team", "运维团队须列明人数及值班电话").status_code == 302

    # A sends what the page showed: refused, nothing decided, nothing deleted, B's items added below.
    sent = _post_list(
        a, url, [("om_team", "请列明运维团队"), ("", "")], marks=_marks_token(opened), note="一次补正"
    )
    assert sent.status_code == 400
    html = page(sent)
    assert "2 items were marked since you opened the list; they are added below." in html
    assert _rows(html) == [
        ("om_team", "请列明运维团队"),
        ("om_team", "运维团队须列明人数及值班电话"),
        ("om_rules", "运维制度缺少版本号"),
        ("", ""),
    ]
    assert "一次补正" in html and 'class="errorlist"' not in html
    assert Filing.objects.get(pk=filing.pk).state == FilingState.PROVINCIAL_REVIEW
    assert DeficiencyMark.objects.filter(filing=filing).count() == 2

    # A checks the list (drops the old remark) and sends again: now it goes, with B's items.
    joint_review.opinion_record(filing=filing, actor=provincial_coreviewer, verdict="incomplete")
    again = _post_list(
        a, url, [("om_team", "运维团队须列明人数及值班电话"), ("om_rules", "运维制度缺少版本号")],
        marks=_marks_token(html),
    )  # fmt: skip
    assert again.status_code == 302, page(again)[:2000]
    event = Filing.objects.get(pk=filing.pk).events.get(action=EventAction.RETURN_INCOMPLETE)
    assert [i["field"] for i in event.data["items"]] == ["om_team", "om_rules"]
    assert not DeficiencyMark.objects.filter(filing=filing).exists()


def test_a_supplement_request_over_an_unseen_mark_is_refused_too(
    filer, provincial_reviewer, national_reviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    national = _english(as_user(national_reviewer))
    url = reverse("registry:filing_request_supplement", args=[filing.pk])
    opened = page(national.get(url))
    assert _marks_token(opened) == ""
    _mark(national, filing, "security_testing", "安全测试报告过期")  # e.g. in another tab, or a colleague
    sent = _post_list(national, url, [("same_kind_apps", "说明不充分")], test_failed="on")
    assert sent.status_code == 400
    html = page(sent)
    assert "1 item was marked since you opened the list; it is added below." in html
    assert _rows(html)[:2] == [("same_kind_apps", "说明不充分"), ("security_testing", "安全测试报告过期")]
    assert re.search(r'name="test_failed"[^>]*checked', html)
    assert Filing.objects.get(pk=filing.pk).state == FilingState.NATIONAL_REVIEW
    # A forged or garbled record of the marks is a clear 400, not a 500.
    garbled = _post_list(national, url, [("same_kind_apps", "说明不充分")], marks="12@tomorrow")
    assert garbled.status_code == 400 and "record of the marked items is unreadable" in page(garbled)


def test_add_item_shows_the_list_again_without_errors(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = _english(as_user(provincial_reviewer))
    url = reverse("registry:filing_return", args=[filing.pk])
    # Half-written rows: a remark without its item yet, an item without a remark, a note too long.
    data = {
        "items-TOTAL_FORMS": "2", "items-INITIAL_FORMS": "0", "note": "x" * 2001, "marks": "",
        "items-0-field": "", "items-0-message": "写到一半", "items-1-field": "om_team", "items-1-message": "",
        "add_item": "1",
    }  # fmt: skip
    added = province.post(url, data)
    assert added.status_code == 200
    html = page(added)
    assert 'class="errorlist"' not in html and "Correct the fields" not in html
    assert "Choose which item this message is about." not in html
    assert _rows(html) == [("", "写到一半"), ("om_team", ""), ("", "")]
    assert "x" * 2001 in html  # the note as typed, to correct when sending
    assert Filing.objects.get(pk=filing.pk).state == FilingState.PROVINCIAL_REVIEW
    # Sending the same rows does validate them.
    del data["add_item"]
    refused = province.post(url, data)
    assert refused.status_code == 400 and "Choose which item this message is about." in page(refused)


def test_a_forged_list_length_is_refused_not_built(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    url = reverse("registry:filing_return", args=[filing.pk])
    province = _english(as_user(provincial_reviewer))
    response = province.post(url, {"items-TOTAL_FORMS": "100000", "items-INITIAL_FORMS": "0", "items-0-field": "om_team",
                                   "items-0-message": "x"})  # fmt: skip
    assert response.status_code == 400
    assert "A deficiency list holds at most 300 items" in page(response)
    assert Filing.objects.get(pk=filing.pk).state == FilingState.PROVINCIAL_REVIEW


# ---------------------------------------------------------------- what changed since the list


def test_resubmission_shows_what_changed_beside_each_item(filer, provincial_reviewer):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    province = _english(as_user(provincial_reviewer))
    url = reverse("registry:filing_return", args=[filing.pk])
    items = [
        ("om_team", "列明运维团队"),
        ("approval_doc_number", "文号不全"),
        ("attachments", "承诺书未盖章"),
    ]
    assert _post_list(province, url, items).status_code == 302

    unit = as_user(filer)
    operations = {"om_team": "信息中心运维组，8人，值班电话0571-1234", "om_rules": "运维管理制度（2026版）",
                  "technical_plan": "原生应用，后端部署于政务云", "security_testing": "2026年3月通过第三方安全测试",
                  "mlps_level": "2", "mlps_assessment": "二级测评通过", "security_rules": "数据安全管理办法"}  # fmt: skip
    assert post_step(unit, filing.pk, "operations", operations).status_code == 302
    functions = {"main_functions": "公文流转、通知公告、投诉建议、事项办理", "grassroots_functions": "",
                 "checkin_functions": "", "special_scenario": "", "special_scenario_justification": ""}  # fmt: skip
    assert post_step(unit, filing.pk, "functions", functions).status_code == 302
    assert upload(unit, filing.pk, name="承诺书（盖章）.pdf").status_code == 302
    unsealed = filing.attachments.get(original_name="commitment.pdf")
    assert unit.post(reverse("registry:attachment_delete", args=[unsealed.pk])).status_code == 302
    # Before the resubmission there is nothing to compare yet.
    assert 'id="answer"' not in page(_detail(province, filing))
    assert unit.post(reverse("registry:filing_submit", args=[filing.pk])).status_code == 302

    html = page(_detail(province, filing))
    answer = html[html.index('id="answer"') : html.index("</section>", html.index('id="answer"'))]
    assert "Resubmitted: what the unit changed since the return (补正)" in answer
    om = re.search(r'<tr data-answer-item="om_team">(.*?)</tr>', answer, re.S)
    assert om and "列明运维团队" in om.group(1)
    assert "<del>信息中心运维组，5人</del>" in om.group(
        1
    ) and "<ins>信息中心运维组，8人，值班电话0571-1234</ins>" in om.group(1)
    number = re.search(
        r'<tr data-answer-item="approval_doc_number" class="unchanged">(.*?)</tr>', answer, re.S
    )
    assert number and "No change" in number.group(1)
    documents = re.search(r'<tr data-answer-item="attachments">(.*?)</tr>', answer, re.S)
    assert documents and "<ins>承诺书（盖章）.pdf</ins>" in documents.group(1)
    assert "<del>commitment.pdf</del>" in documents.group(1)
    # A change the list did not ask for is shown too, apart.
    other = re.search(r'<tr data-answer-other="main_functions">(.*?)</tr>', answer, re.S)
    assert other and "<ins>公文流转、通知公告、投诉建议、事项办理</ins>" in other.group(1)
    assert 'data-answer-other="om_rules"' not in answer  # saved unchanged: not a change
    # The list was written on an English page; a Chinese reader sees the items under Chinese labels.
    chinese = page(_detail(as_user(filer), filing))
    row = re.search(r'<tr data-answer-item="om_team">(.*?)</tr>', chinese, re.S)
    assert row and "运维团队" in row.group(1) and "O&amp;M team" not in row.group(1)

    # Once decided, the comparison is history: a new return compares with its own snapshot.
    assert _post_list(province, url, [("om_rules", "制度缺少版本号")]).status_code == 302
    assert 'id="answer"' not in page(_detail(province, filing))
    assert unit.post(reverse("registry:filing_submit", args=[filing.pk])).status_code == 302
    html = page(_detail(province, filing))
    assert re.search(r'<tr data-answer-item="om_rules" class="unchanged">', html)
    assert 'data-answer-other="om_team"' not in html and 'data-answer-item="om_team"' not in html


def test_after_a_supplement_the_national_reviewer_sees_the_changes_and_the_statement(
    filer, provincial_reviewer, national_reviewer
):  # type: ignore[no-untyped-def]
    filing = _submitted(filer)
    as_user(provincial_reviewer).post(reverse("registry:filing_forward", args=[filing.pk]), {})
    national = as_user(national_reviewer)
    url = reverse("registry:filing_request_supplement", args=[filing.pk])
    assert _post_list(national, url, [("security_testing", "安全测试报告已过期"), ("same_kind_apps", "说明不充分")],
                      test_failed="on").status_code == 302  # fmt: skip
    unit = as_user(filer)
    operations = {"om_team": "信息中心运维组，5人", "om_rules": "运维管理制度（2026版）",
                  "technical_plan": "原生应用，后端部署于政务云", "security_testing": "2026年11月重新通过第三方安全测试",
                  "mlps_level": "3", "mlps_assessment": "二级测评通过", "security_rules": "数据安全管理办法"}  # fmt: skip
    assert post_step(unit, filing.pk, "operations", operations).status_code == 302
    response = unit.post(
        reverse("registry:filing_supplement", args=[filing.pk]), {"statement": "已重新开展安全测试。"}
    )
    assert response.status_code == 302
    html = page(_detail(national, filing))  # Chinese page
    answer = html[html.index('id="answer"') :]
    assert "已重新开展安全测试。" in answer
    testing = re.search(r'<tr data-answer-item="security_testing">(.*?)</tr>', answer, re.S)
    assert testing and "<ins>2026年11月重新通过第三方安全测试</ins>" in testing.group(1)
    assert re.search(r'<tr data-answer-item="same_kind_apps" class="unchanged">', answer)
    level = re.search(r'<tr data-answer-other="mlps_level">(.*?)</tr>', answer, re.S)
    assert level and "<del>" in level.group(1) and "<ins>" in level.group(1)
    # The unit sees the same comparison on its filing page.
    assert 'data-answer-item="security_testing"' in page(_detail(unit, filing))
