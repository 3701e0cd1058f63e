"""Apps that overlap the way real duplicates do, and the authority personas of 立项审核 and funding."""

from __future__ import annotations

from typing import Any

import pytest

from govapp.accounts.models import Role, UnitFunction, UnitLevel
from govapp.registry.models import App
from tests.factories import complete_filing, make_unit, make_user
from tests.public.builders import approve


@pytest.fixture
def grid_app(filer, provincial_reviewer, national_reviewer, without_technical_test) -> App:  # type: ignore[no-untyped-def]
    """A filed provincial-style grid inspection app of the Hangzhou unit."""
    return approve(
        complete_filing(filer, name="杭州市网格通", main_functions="网格员巡查、事件上报、随手拍、矛盾纠纷排查"),
        filer=filer, provincial_reviewer=provincial_reviewer, national_reviewer=national_reviewer,
    )  # fmt: skip


@pytest.fixture
def approval_authority(units) -> Any:  # type: ignore[no-untyped-def]
    unit = make_unit("浙江省发展和改革委员会", level=UnitLevel.PROVINCIAL, province="33",
                     function=UnitFunction.IT_APPROVAL_AUTHORITY)  # fmt: skip
    return make_user("zj_drc", role=Role.FILER, unit=unit)


@pytest.fixture
def funding_authority(units) -> Any:  # type: ignore[no-untyped-def]
    unit = make_unit("浙江省财政厅", level=UnitLevel.PROVINCIAL, province="33",
                     function=UnitFunction.OM_FUNDING_AUTHORITY)  # fmt: skip
    return make_user("zj_fin", role=Role.FILER, unit=unit)


def page(response: Any) -> str:
    return response.content.decode()


def as_user(user: Any, lang: str = "en") -> Any:
    from django.conf import settings

    from tests.conftest import login

    client = login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    return client
