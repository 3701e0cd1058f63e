from __future__ import annotations

import re

from govapp.complaints.receipts import ALPHABET, new_receipt, normalise_receipt, prefix_of


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
