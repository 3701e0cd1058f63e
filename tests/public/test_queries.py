"""The shared query layer: number normalisation, identity parameters, quick-app packages."""

from __future__ import annotations

import pytest
from django.utils.translation import override

from govapp.public import queries
from tests.factories import complete_filing
from tests.public.builders import approve


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" 浙政备2026000001A ", "浙政备2026000001A"),
        ("浙政备２０２６０００００１Ａ", "浙政备2026000001A"),
        ("浙政备 2026 000001 a", "浙政备2026000001A"),
        ("\u3000国政备2026000012x\t", "国政备2026000012X"),
    ],
)
def test_numbers_are_normalised(raw: str, expected: str) -> None:
    assert queries.normalise_number(raw) == expected


def test_cert_fingerprint_accepts_case_and_colons() -> None:
    condition = queries.identity_filter({"cert_sha256": ":".join(["AB"] * 32)})
    assert condition is not None and ("android_cert_sha256", "ab" * 32) in condition.children


@pytest.mark.parametrize("parameter", ["package", "bundle", "appid", "cert_sha256"])
def test_malformed_identity_names_the_parameter(parameter: str) -> None:
    with pytest.raises(queries.LookupError_) as caught:
        queries.identity_filter({parameter: "a b"})
    assert caught.value.parameter == parameter and f"“{parameter}”" in caught.value.english


@pytest.mark.django_db
def test_package_also_matches_quick_apps(
    filer, provincial_reviewer, national_reviewer, no_technical_test
) -> None:  # type: ignore[no-untyped-def]
    filing = complete_filing(filer, name="杭州快应用", kind="quick_app", quickapp_package="cn.gov.hz.quick")
    app = approve(
        filing, filer=filer, provincial_reviewer=provincial_reviewer, national_reviewer=national_reviewer
    )
    found = queries.public_apps(identity={"package": "cn.gov.hz.quick"})
    assert list(found) == [app]
    with override("en"):
        assert queries.list_record(found[0]).kind_label == "Quick app"
