"""Organisations (units), people and their roles."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .divisions import BY_CODE, PROVINCE_CHOICES


class UnitLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    CITY = "city", _("City")
    COUNTY = "county", _("County")
    TOWNSHIP = "township", _("Township and below")


class UnitKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative organ")
    MASS_ORGANISATION = "mass_organisation", _("Mass organisation")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution")


class UnitFunction(models.TextChoices):
    """What a unit does in the system; most are ordinary sponsoring units."""

    GOVERNMENT_UNIT = "government_unit", _("Sponsoring unit")
    CYBERSPACE_OFFICE = "cyberspace_office", _("Cyberspace office")
    GOV_SERVICE_ADMIN = "gov_service_admin", _("Government-service administration")
    NATIONAL_OFFICE = "national_office", _("National cyberspace office")
    TESTING_BODY = "testing_body", _("Technical testing body")
    IT_APPROVAL_AUTHORITY = "it_approval_authority", _("IT-project approval authority")
    OM_FUNDING_AUTHORITY = "om_funding_authority", _("O&M funding authority")


class Unit(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=UnitLevel.choices)
    kind = models.CharField(_("kind"), max_length=30, choices=UnitKind.choices)
    function = models.CharField(
        _("function"), max_length=30, choices=UnitFunction.choices, default=UnitFunction.GOVERNMENT_UNIT
    )
    province = models.CharField(
        _("province"),
        max_length=2,
        choices=PROVINCE_CHOICES,
        blank=True,
        help_text=_("Empty for central (national-level) units."),
    )
    division_code = models.CharField(_("administrative division code"), max_length=12, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["province", "level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="national", province="")
                | ~models.Q(level="national") & ~models.Q(province=""),
                name="unit_province_matches_level",
                violation_error_message=_("National units have no province; every other unit needs one."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_central(self) -> bool:
        """Central ministries file directly with the national office (regulation §4)."""
        return self.level == UnitLevel.NATIONAL

    @property
    def is_below_county(self) -> bool:
        return self.level == UnitLevel.TOWNSHIP

    @property
    def province_name(self) -> str | Promise:
        return BY_CODE[self.province].name if self.province else _("Central")


class Role(models.TextChoices):
    FILER = "filer", _("Unit filer")
    PROVINCIAL_REVIEWER = "provincial_reviewer", _("Provincial reviewer (cyberspace office)")
    PROVINCIAL_COREVIEWER = (
        "provincial_coreviewer",
        _("Provincial co-reviewer (government-service administration)"),
    )
    NATIONAL_REVIEWER = "national_reviewer", _("National reviewer")
    INSPECTOR = "inspector", _("Inspector (testing body)")
    ADMIN = "admin", _("System administrator")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.FILER)
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # E-mails sent to the person (password reset) are written in this language.
    language = models.CharField(
        _("e-mail language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def province(self) -> str:
        """The province a provincial role works for ('' for national and central roles)."""
        return self.unit.province if self.unit else ""

    @property
    def is_provincial_role(self) -> bool:
        return self.role in (Role.PROVINCIAL_REVIEWER, Role.PROVINCIAL_COREVIEWER)

    @property
    def is_national_role(self) -> bool:
        return self.role in (Role.NATIONAL_REVIEWER, Role.INSPECTOR)


class IdentityProvider(models.TextChoices):
    OIDC = "oidc", _("Unified identity platform (OIDC)")
    CAS = "cas", _("Unified identity platform (CAS)")


class ExternalIdentity(models.Model):
    """A person known to a unified identity platform; no access until an administrator maps it."""

    provider = models.CharField(_("identity platform"), max_length=10, choices=IdentityProvider.choices)
    issuer = models.CharField(_("issuer"), max_length=300)
    subject = models.CharField(_("subject"), max_length=300)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.CharField(_("e-mail"), max_length=254, blank=True)
    claims = models.JSONField(pgettext_lazy("external identity", "claims"), default=dict, blank=True)
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="external_identity",
    )
    first_seen = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last seen"), auto_now=True)
    mapped_at = models.DateTimeField(_("mapped at"), null=True, blank=True)
    mapped_by = models.ForeignKey(
        User,
        verbose_name=_("mapped by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        ordering = ["-last_seen"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "issuer", "subject"], name="external_identity_unique_subject"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or self.subject

    @property
    def is_pending(self) -> bool:
        return self.user_id is None
