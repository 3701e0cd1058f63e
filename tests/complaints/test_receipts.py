from __future__ import annotations

import hashlib
import re

from govapp.complaints.models import Complaint
from govapp.complaints.receipts import ALPHABET, new_receipt, normalise_receipt, prefix_of, receipt_digest
from govapp.complaints.services import complaint_submit, find_by_receipt


def test_new_receipts_are_grouped_unambiguous_and_distinct() -> None:
    codes = {new_receipt() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert re.fullmatch(r"TS-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    assert not set("01OI") & set(ALPHABET)


def test_typed_variants_normalise_to_the_code() -> None:
    code = "TS-7KQ2-M9XD-4HRP"
    for typed in (
        "ts-7kq2-m9xd-4hrp",
        " TS 7KQ2 M9XD 4HRP ",
        "7KQ2M9XD4HRP",
        "ＴＳ－７ＫＱ２－Ｍ９ＸＤ－４ＨＲＰ",
    ):
        assert normalise_receipt(typed) == code
    assert prefix_of(code) == "7KQ2"


def test_malformed_codes_are_refused() -> None:
    for typed in (
        "",
        "TS-0000-0000-0000",
        "TS-7KQ2-M9XD-4HR",
        "TS-7KQ2-M9XD-4HRPX",
        "TS-OKQ2-M9XD-4HRP",
        "x" * 400,
        "'; DROP TABLE",
        "TS-7KQ2-M9XD-4HR1",
    ):
        assert normalise_receipt(typed) is None


def test_the_stored_hash_is_keyed(settings) -> None:  # type: ignore[no-untyped-def]
    code = "TS-7KQ2-M9XD-4HRP"
    settings.GOVAPP_RECEIPT_KEY = "one-key"
    first = receipt_digest(code)
    assert re.fullmatch(r"[0-9a-f]{64}", first) and code not in first
    assert first != hashlib.sha256(code.encode()).hexdigest()  # not a plain hash anyone can recompute
    settings.GOVAPP_RECEIPT_KEY = "another-key"
    assert receipt_digest(code) != first


def test_staff_see_the_case_number_and_the_code_exists_only_on_the_returned_instance(db) -> None:  # type: ignore[no-untyped-def]
    complaint = complaint_submit(category="checkin", description="每天必须打卡", app_name="某某打卡")
    stored = Complaint.objects.get(pk=complaint.pk)

    assert re.fullmatch(r"C20\d\d-\d{6}", stored.case_number) and str(stored) == stored.case_number
    assert normalise_receipt(complaint.receipt) == complaint.receipt and stored.receipt == ""
    assert stored.receipt_hash == receipt_digest(complaint.receipt)
    assert complaint.receipt not in repr(Complaint.objects.filter(pk=complaint.pk).values().get())
    assert find_by_receipt(complaint.receipt.lower()) == stored
