"""Packages submitted for the technical test (技术检测), their place in a filing, and the scans run on them.

Packages are content-addressed: one row and one stored file per SHA-256, whoever uploads it and
however often. A filing holds at most one *current* package per platform (Android, HarmonyOS, iOS,
mini-program, quick app, H5): uploading a new Android package replaces the previous Android one but
leaves the HarmonyOS package in place, because an app filed for several platforms is tested on each.
A scan records the engine and rule-set versions, the declarations and the filing number it used,
so that a stored result can be reproduced with ``govapp scan``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Progress lines are stored as msgids and translated when shown (the worker has no viewer language).
PROGRESS_QUEUED = gettext_noop("Waiting for a worker")
PROGRESS_RUNNING = gettext_noop("Analysing the package in an isolated process")
PROGRESS_REQUEUED = gettext_noop("Waiting for another worker: the one running it stopped")
PROGRESS_DONE = gettext_noop("Finished")
PROGRESS_FAILED = gettext_noop("Finished without a result")
PROGRESS_REUSED = gettext_noop(
    "Result reused from an identical earlier scan (same package, engine, rules and declarations)"
)


class PackageKind(models.TextChoices):
    """Formats the engine recognises (engine/formats/detect.py), by structure, never by file name."""

    APK = "apk", _("Android APK")
    APKS = "apks", _("Android APK set (.apks)")
    XAPK = "xapk", _("Android XAPK")
    HAP = "hap", _("HarmonyOS HAP")
    APP = "app", _("HarmonyOS app bundle (.app)")
    IPA = "ipa", _("iOS app (.ipa)")
    WXAPKG = "wxapkg", _("WeChat mini-program package (.wxapkg)")
    MINIPROGRAM = "miniprogram", _("Mini-program source (zip)")
    RPK = "rpk", _("Quick app (.rpk)")
    RPKS = "rpks", _("Quick app split package (.rpks)")
    H5 = "h5", _("H5 web app (zip)")


class PackagePlatform(models.TextChoices):
    ANDROID = "android", _("Android")
    HARMONYOS = "harmonyos", _("HarmonyOS")
    IOS = "ios", _("iOS")
    MINIPROGRAM = "miniprogram", _("Mini-program")
    QUICKAPP = "quickapp", _("Quick app")
    WEB = "web", _("H5 web app")


PLATFORM_OF_KIND: dict[str, str] = {
    PackageKind.APK: PackagePlatform.ANDROID,
    PackageKind.APKS: PackagePlatform.ANDROID,
    PackageKind.XAPK: PackagePlatform.ANDROID,
    PackageKind.HAP: PackagePlatform.HARMONYOS,
    PackageKind.APP: PackagePlatform.HARMONYOS,
    PackageKind.IPA: PackagePlatform.IOS,
    PackageKind.WXAPKG: PackagePlatform.MINIPROGRAM,
    PackageKind.MINIPROGRAM: PackagePlatform.MINIPROGRAM,
    PackageKind.RPK: PackagePlatform.QUICKAPP,
    PackageKind.RPKS: PackagePlatform.QUICKAPP,
    PackageKind.H5: PackagePlatform.WEB,
}


# Filing platforms (registry.choices.Platform) and the package platform that tests each; "other"
# has no package format the engine reads.
TESTED_AS: dict[str, str] = {
    "android": PackagePlatform.ANDROID,
    "ios": PackagePlatform.IOS,
    "harmonyos": PackagePlatform.HARMONYOS,
    "h5": PackagePlatform.WEB,
    "wechat": PackagePlatform.MINIPROGRAM,
    "alipay": PackagePlatform.MINIPROGRAM,
    "baidu": PackagePlatform.MINIPROGRAM,
    "douyin": PackagePlatform.MINIPROGRAM,
    "quickapp": PackagePlatform.QUICKAPP,
}


def package_path(sha256: str) -> str:
    """Where a package lives under MEDIA_ROOT; the uploaded name is never part of a path."""
    return f"packages/{sha256[:2]}/{sha256}"


class Package(models.Model):
    """One package file, stored once under its SHA-256."""

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    size = models.PositiveBigIntegerField(_("size"))
    file = models.FileField(_("file"), max_length=200)
    kind = models.CharField(_("package format"), max_length=20, choices=PackageKind.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_at = models.DateTimeField(_("first uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("app package")
        verbose_name_plural = _("app packages")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.sha256[:12]})"

    @property
    def platform(self) -> str:
        return PLATFORM_OF_KIND[self.kind]


class FilingPackageManager(models.Manager["FilingPackage"]):
    def current(self) -> models.QuerySet[FilingPackage]:
        return self.filter(is_current=True).select_related("package", "uploaded_by")


def platform_coverage(filing: Any, current: set[str]) -> tuple[list[str], list[str]]:
    """Labels of the filing's declared platforms that no current package tests, and of those that
    no package format covers ("other"): what the reviewer should know before approving."""
    from govapp.registry.choices import Platform

    untested: list[str] = []
    untestable: list[str] = []
    for value in filing.platforms or []:
        label = str(Platform(value).label) if value in Platform.values else str(value)
        tested_as = TESTED_AS.get(value)
        if tested_as is None:
            untestable.append(label)
        elif tested_as not in current:
            untested.append(label)
    return untested, untestable


class FilingPackage(models.Model):
    """A package submitted with a filing; the latest upload per platform is the current one."""

    filing = models.ForeignKey(
        "registry.Filing",
        on_delete=models.PROTECT,
        related_name="inspection_packages",
        verbose_name=_("filing"),
    )
    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="filings", verbose_name=_("package")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=PackagePlatform.choices)
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    is_current = models.BooleanField(_("current"), default=True)

    objects = FilingPackageManager()

    class Meta:
        verbose_name = _("filing package")
        verbose_name_plural = _("filing packages")
        ordering = ["-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "platform"],
                condition=models.Q(is_current=True),
                name="one_current_package_per_platform",
            )
        ]

    def __str__(self) -> str:
        return f"{self.original_name} → {self.filing_id}"

    def latest_scan(self) -> Scan | None:
        return (
            Scan.objects.filter(filing_id=self.filing_id, package_id=self.package_id).order_by("-id").first()
        )


class ErrorKind(models.TextChoices):
    """Why a package could not be analysed (engine/errors.py ERROR_KINDS), in the reviewer's words."""

    UNREADABLE = "unreadable", _("The file cannot be read")
    UNSUPPORTED = "unsupported", _("Not a package format the technical test can read")
    MALFORMED = "malformed", _("The package is damaged or malformed")
    UNSAFE = (
        "unsafe",
        _("The package has crafted entries (names leaving the package, duplicated or overlapping entries)"),
    )
    ENCRYPTED = "encrypted", _("The package is encrypted; submit the original package")
    LIMIT = "limit", _("The package exceeds a safety limit of the technical test")
    TIMEOUT = "timeout", _("The analysis took longer than allowed")
    MEMORY = "memory", _("The analysis needed more memory than allowed")
    CRASH = "crash", _("The analysis failed unexpectedly")


class Scan(models.Model):
    """One run of the technical test on one package, with everything needed to reproduce it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Could not analyse")

    class Reason(models.TextChoices):
        UPLOAD = "upload", _("Package uploaded")
        SUPPLEMENT = "supplement", _("Supplement submitted")
        RESCAN = "rescan", _("Re-scan requested")
        SPOT_CHECK = "spot_check", _("Spot check")

    package = models.ForeignKey(
        Package, on_delete=models.PROTECT, related_name="scans", verbose_name=_("package")
    )
    filing = models.ForeignKey(
        "registry.Filing",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="scans",
        verbose_name=_("filing"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, default=Reason.UPLOAD)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    progress = models.CharField(_("progress"), max_length=200, blank=True)
    engine_version = models.CharField(_("engine version"), max_length=50, blank=True)
    rules_version = models.CharField(_("rule-set version"), max_length=80, blank=True)
    declarations = models.JSONField(_("declared categories"), default=list, blank=True)
    filing_number = models.CharField(_("filing number"), max_length=40, blank=True)
    report = models.JSONField(_("report"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, blank=True)
    violation_count = models.PositiveIntegerField(_("violations"), default=0)
    error = models.TextField(_("error"), blank=True)  # the engine's one-line detail (English)
    error_kind = models.CharField(_("kind of problem"), max_length=20, choices=ErrorKind.choices, blank=True)
    # The identity the package had to be (engine.identity.Identity.to_dict): the filing's declared
    # identity, or the app's pinned one once it has been approved.
    expected_identity = models.JSONField(_("expected identity"), default=dict, blank=True)
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("result reused from"),
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["package", "status"])]

    def __str__(self) -> str:
        return f"{self.package.sha256[:12]} {self.get_status_display()}"

    @property
    def failure(self) -> str:
        """Why the analysis failed, in the active language, with the engine's detail after it."""
        if not self.error_kind:
            return self.error
        return (
            f"{self.get_error_kind_display()} ({self.error})" if self.error else self.get_error_kind_display()
        )

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_complete(self) -> bool:
        """Finished with a verdict the reviewer can rely on (pass or violation)."""
        return self.status == self.Status.DONE and self.verdict in ("pass", "violation")

    @property
    def report_data(self) -> dict[str, Any]:
        return self.report if isinstance(self.report, dict) else {}


class PinnedIdentity(models.Model):
    """The identity of an app's first approved package on one platform; later packages must match it.

    ``certificates`` are the signing certificates accepted now (a proven v3 rotation or a key change
    the national office accepted replaces them; the event records the old ones). ``baseline`` holds
    the facts of the approved package that later scans are compared with (drift).
    """

    app = models.ForeignKey(
        "registry.App", on_delete=models.PROTECT, related_name="pinned_identities", verbose_name=_("app")
    )
    platform = models.CharField(_("platform"), max_length=20, choices=PackagePlatform.choices)
    identifier = models.CharField(_("package name, bundle name or appid"), max_length=200, db_index=True)
    certificates = models.JSONField(_("signing certificates"), default=list, blank=True)
    developer_id = models.CharField(_("developer id"), max_length=100, blank=True)
    app_identifier = models.CharField(_("app identifier"), max_length=100, blank=True)
    baseline = models.JSONField(_("facts at approval"), default=dict, blank=True)
    filing = models.ForeignKey(
        "registry.Filing", on_delete=models.PROTECT, related_name="+", verbose_name=_("approved filing")
    )
    scan = models.ForeignKey(
        Scan, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("scan")
    )
    pinned_at = models.DateTimeField(_("pinned at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("pinned identity")
        verbose_name_plural = _("pinned identities")
        constraints = [
            models.UniqueConstraint(fields=["app", "platform"], name="one_pinned_identity_per_platform")
        ]

    def __str__(self) -> str:
        return f"{self.app_id} {self.platform} {self.identifier}"
