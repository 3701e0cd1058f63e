"""The app package as a filing material: one current package for each declared platform that a package
format covers, asked at submission, in the provincial completeness review and with a supplement.

Registered in ``registry.materials.MATERIAL_CHECKS`` (the registry knows nothing of packages); a platform
no format covers ("other") needs no package, and the pages say so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from govapp.registry.choices import Platform
from govapp.registry.materials import Deficiency, MaterialCheck
from govapp.registry.models import Filing

from .models import TESTED_AS, FilingPackage, PackagePlatform

PACKAGE_FIELD = "package"

# What the unit uploads for each package platform, in the words of the upload form.
_FORMATS: dict[str, Any] = {
    PackagePlatform.ANDROID: gettext_lazy("APK, APKS or XAPK"),
    PackagePlatform.HARMONYOS: gettext_lazy("HAP or .app"),
    PackagePlatform.IOS: gettext_lazy(".ipa"),
    PackagePlatform.WEB: gettext_lazy("the web app's source or build as a zip"),
    PackagePlatform.MINIPROGRAM: gettext_lazy(".wxapkg, or the mini-program source as a zip"),
    PackagePlatform.QUICKAPP: gettext_lazy(".rpk or .rpks"),
}


@dataclass(frozen=True)
class PackageNeed:
    """One package the filing needs: its package platform, the declared platforms it tests, and the
    current upload (None while missing)."""

    platform: str
    declared: tuple[str, ...]  # labels of the filing's platforms this package tests
    formats: str
    current: FilingPackage | None

    @property
    def declared_text(self) -> str:
        return "、".join(self.declared)


@dataclass(frozen=True)
class PackageRequirement:
    """Which packages a filing needs, which it has, and which declared platforms need none."""

    needs: list[PackageNeed]
    untestable: list[str]  # labels of declared platforms no package format covers

    @property
    def missing(self) -> list[PackageNeed]:
        return [need for need in self.needs if need.current is None]


def _label(value: str) -> str:
    return str(Platform(value).label) if value in Platform.values else value


def package_requirement(filing: Filing) -> PackageRequirement:
    """The packages ``filing`` needs for its declared platforms, with the current upload of each."""
    declared: dict[str, list[str]] = {}
    untestable: list[str] = []
    for value in filing.platforms or []:
        tested_as = TESTED_AS.get(value)
        if tested_as is None:
            untestable.append(_label(value))
        else:
            declared.setdefault(tested_as, []).append(_label(value))
    current: dict[str, FilingPackage] = {}
    if filing.pk and declared:
        current = {link.platform: link for link in FilingPackage.objects.current().filter(filing=filing)}
    needs = [
        PackageNeed(platform, tuple(labels), str(_FORMATS[platform]), current.get(platform))
        for platform, labels in declared.items()
    ]
    return PackageRequirement(needs=needs, untestable=untestable)


def missing_packages(filing: Filing) -> list[Deficiency]:
    """One deficiency per declared platform (grouped by the package that tests it) without a package.

    Where an installation relaxed ``GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM``, one package of any covered
    platform is enough, as for national approval.
    """
    requirement = package_requirement(filing)
    missing = requirement.missing
    strict = getattr(settings, "GOVAPP_REQUIRE_PACKAGE_PER_PLATFORM", True)
    if not strict and len(missing) < len(requirement.needs):
        return []
    return [
        Deficiency(
            PACKAGE_FIELD,
            _("App package for %(platforms)s") % {"platforms": need.declared_text},
            _(
                "Upload the app package for %(platforms)s (%(formats)s): the technical test needs one "
                "for each declared platform a package format covers."
            )
            % {"platforms": need.declared_text, "formats": need.formats},
        )
        for need in missing
    ]


def package_upload_link(filing: Filing) -> str:
    """The package upload panel on the filing page."""
    return reverse("registry:filing_detail", args=[filing.pk]) + f"#inspection-panel-{filing.pk}"


PACKAGE_CHECK = MaterialCheck(
    field=PACKAGE_FIELD,
    label=gettext_lazy("App package (technical test)"),
    missing=missing_packages,
    link=package_upload_link,
)


def review_step_section(request: HttpRequest, filing: Filing, step: str) -> dict[str, Any] | None:
    """On the review step: the packages the filing needs, those uploaded, and the platforms that need none."""
    if step != "review":
        return None
    requirement = package_requirement(filing)
    if not requirement.needs and not requirement.untestable:
        return None
    return {
        "template": "inspection/_package_requirement.html",
        "requirement": requirement,
        "upload_url": package_upload_link(filing),
    }
