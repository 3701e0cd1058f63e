"""Walk EVERY URL pattern of the project with every persona: never a 500, deny by default.

Each URL name must be classified in RULES below; a new URL that is not classified fails the test.
Other apps add their names here (public pages, inspection, complaints, ...):

* ``Public(...)``: no sign-in needed; anonymous must not be sent to the login page.
* ``SignedIn(doers)``: any signed-in persona; anonymous goes to login; personas not in ``doers`` get 403.
* ``OnObject(targets, doers)``: a page about an object that only some personas may see: the viewers of
  the object get 200 (or 403 when they are not among the ``doers``), everybody else gets 404.
* ``Private(...)``: a provisional class for pages whose owner has not described them yet: anonymous goes to
  login, signed-in personas get anything but a 5xx (tighten to SignedIn/OnObject when you own the URL).
* ``post_only=True``: the view accepts POST only; outsiders are tested with POST (404 expected, nothing
  changes for them), insiders with GET (405 expected).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from govapp.core.models import Notification
from govapp.registry import services
from govapp.registry.materials import Deficiency
from govapp.registry.models import Filing
from tests.conftest import pass_second_factor
from tests.factories import complete_filing

ANON = "anonymous"
PERSONAS = ("anonymous", "filer", "other_filer", "far_filer", "provincial_reviewer", "other_provincial_reviewer",
            "national_reviewer", "inspector", "sysadmin")  # fmt: skip
# Who may see the objects of the world (a filer's unit in Zhejiang): their unit, their province, the nation.
VIEWERS = frozenset({"filer", "provincial_reviewer", "national_reviewer", "inspector"})
# A filing never submitted (a draft, or withdrawn as a draft) is the unit's own: 404 for the reviewers.
UNIT = frozenset({"filer"})
EDITABLE = ("draft", "returned", "awaiting_supplement")

World = dict[str, Any]
Targets = Callable[[World], list[tuple[dict[str, Any], Any]]]
Doers = Callable[[str, Any], bool]


def _everyone(persona: str, obj: Any) -> bool:
    return True


def _roles(*names: str) -> Doers:
    return lambda persona, obj: persona in names


def _editing(persona: str, obj: Any) -> bool:
    return persona == "filer" and obj.state in EDITABLE


@dataclass(frozen=True)
class Public:
    targets: Targets = lambda world: [({}, None)]  # noqa: E731
    post_only: bool = False


@dataclass(frozen=True)
class Private:
    targets: Targets = lambda world: [({}, None)]  # noqa: E731
    post_only: bool = False


@dataclass(frozen=True)
class SignedIn:
    doers: Doers = _everyone
    post_only: bool = False
    targets: Targets = lambda world: [({}, None)]  # noqa: E731
    ok: frozenset[int] = frozenset({200})


@dataclass(frozen=True)
class OnObject:
    targets: Targets
    doers: Doers = _everyone
    post_only: bool = False
    viewers: frozenset[str] = field(default=VIEWERS)
    ok: frozenset[int] = frozenset({200})


def filings(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": f.pk}, f) for f in world["filings"].values()]


def one_filing(world: World) -> list[tuple[dict[str, Any], Any]]:
    """A submitted filing and a draft (the unit's own until submitted)."""
    return [({"pk": f.pk}, f) for f in (world["filings"]["provincial_review"], world["filings"]["draft"])]


def apps(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": a.pk}, a) for a in world["apps"]]


def steps(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"pk": f.pk, "step": s}, f)
        for f in world["filings"].values()
        for s in ("basic", "documents", "review")
    ]


def attachment(world: World) -> list[tuple[dict[str, Any], Any]]:
    a = world["attachment"]
    return [({"pk": a.pk}, a.filing)]


def notification(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": world["notification"].pk}, None)]


def filed_number(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"number": world["number"]}, None)]


def scan(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": s.pk}, s.filing) for s in (world["scan"], world["draft_scan"])]


def missing_object(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": 999999, "app_pk": 999999, "file_pk": 999999, "slug": "x", "action": "x",
              "receipt": "NO-SUCH-RECEIPT"}, None)]  # fmt: skip


CAMPAIGN_VIEWERS = frozenset({"national_reviewer", "inspector"})
SELFCHECK_VIEWERS = frozenset({"national_reviewer", "inspector", "provincial_reviewer"})


def _campaigns(world: World) -> dict[str, Any]:
    """A spot check and a self-inspection of the world's filed app, made once per walk."""
    if "campaigns" not in world:
        from govapp.accounts.models import Role, User
        from govapp.supervision.campaigns import selfcheck, spot_check

        national = User.objects.get(role=Role.NATIONAL_REVIEWER)
        spot = spot_check.campaign_create(actor=national, title="抽查", size=1, method="random", seed="1")
        inspection = selfcheck.selfcheck_launch(actor=national, title="自查")
        world["campaigns"] = {"spot": spot, "item": spot.items.get(), "selfcheck": inspection,
                              "return": inspection.returns.get()}  # fmt: skip
    return world["campaigns"]


def spot_check(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _campaigns(world)["spot"].pk}, None)]


def spot_check_exports(world: World) -> list[tuple[dict[str, Any], Any]]:
    pk = _campaigns(world)["spot"].pk
    return [({"pk": pk, "table": t, "fmt": f}, None) for t in ("items", "report") for f in ("xlsx", "csv")]


def spot_check_item(world: World) -> list[tuple[dict[str, Any], Any]]:
    item = _campaigns(world)["item"]
    return [({"pk": item.pk}, item.app)]


def self_inspection(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _campaigns(world)["selfcheck"].pk}, None)]


def self_inspection_return(world: World) -> list[tuple[dict[str, Any], Any]]:
    item = _campaigns(world)["return"]
    return [({"pk": item.pk}, item.app)]


def _supervised(world: World) -> dict[str, Any]:
    """A rectification order, suspension notices (from the world's revocation), a published and a draft
    notice, a legacy app and a complaint about the filed app, made once per walk."""
    if "supervised" not in world:
        from govapp.accounts.models import Role, User
        from govapp.complaints.services import complaint_submit
        from govapp.supervision.enforcement.rectification import rectification_order_issue
        from govapp.supervision.legacy.models import LegacyApp
        from govapp.supervision.models import SuspensionNotice, TypicalProblemNotice

        national = User.objects.get(role=Role.NATIONAL_REVIEWER)
        filer = User.objects.get(username="filer")
        filed, revoked = world["apps"]
        order = rectification_order_issue(
            app=filed,
            actor=national,
            source="reviewer",
            required_actions="删除打卡",
            article="第十三条",
            findings=[{"category": "checkin", "description": "打卡"}],
        )
        world["supervised"] = {
            "order": order,
            "suspension": SuspensionNotice.objects.filter(app=revoked).first(),
            "published": TypicalProblemNotice.objects.create(title="通报", body="…", created_by=national,
                                                             status=TypicalProblemNotice.Status.PUBLISHED),
            "draft": TypicalProblemNotice.objects.create(title="草稿", body="…", created_by=national),
            "legacy": LegacyApp.objects.create(unit=filer.unit, name="存量应用", android_package="cn.gov.zj.old",
                                               kind="app", platforms=["android"], online_since=dt.date(2023, 5, 18),
                                               created_by=filer),
            "complaint": complaint_submit(category="checkin", description="每天必须打卡", app_name=filed.name),
        }  # fmt: skip
        assert world["supervised"]["suspension"] is not None
        assert world["supervised"]["complaint"].province == "33"
    return world["supervised"]


def filed_app(world: World) -> list[tuple[dict[str, Any], Any]]:
    app = world["apps"][0]
    return [({"app_pk": app.pk}, app)]


def rectification_order(world: World) -> list[tuple[dict[str, Any], Any]]:
    order = _supervised(world)["order"]
    return [({"pk": order.pk, "action": "answer"}, order.app)]


def suspension_notice(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _supervised(world)["suspension"].pk}, None)]


def published_notice(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _supervised(world)["published"].pk}, None)]


def draft_notice(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _supervised(world)["draft"].pk}, None)]


def legacy_app(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"pk": _supervised(world)["legacy"].pk}, None)]


def complaint(world: World) -> list[tuple[dict[str, Any], Any]]:
    c = _supervised(world)["complaint"]
    return [({"pk": c.pk, "slug": "assign", "receipt": c.receipt}, c)]


def reset_link(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"uidb64": "MQ", "token": "wrong-token"}, None)]


def pending_identity(world: World) -> list[tuple[dict[str, Any], Any]]:
    from govapp.accounts.models import ExternalIdentity

    identity, _created = ExternalIdentity.objects.get_or_create(
        provider="oidc", issuer="https://idp.example.gov.cn", subject="walker", defaults={"name": "待映射"}
    )
    return [({"identity_id": identity.pk}, None)]


def sysadmin_account(world: World) -> list[tuple[dict[str, Any], Any]]:
    from govapp.accounts.models import User

    return [({"user_id": User.objects.get(username="sysadmin").pk, "attempt_id": 999999}, None)]


SIGNED_IN = frozenset(PERSONAS[1:])
# Suspension notices: the unit concerned, its province, the national office, and everyone working for the
# addressee: the world registers no approval or funding authority, so that is the national office (sysadmin's unit).
SUSPENSION_VIEWERS = frozenset({"filer", "provincial_reviewer", "national_reviewer", "sysadmin"})
COMPLAINT_OFFICES = frozenset({"provincial_reviewer", "national_reviewer"})


def _action(*roles: str) -> OnObject:
    return OnObject(filings, _roles(*roles))


def _app_action(*roles: str) -> OnObject:
    return OnObject(apps, _roles(*roles))


Rule = Public | Private | SignedIn | OnObject


def zhejiang(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [({"slug": "33"}, None)]


STATISTICS_READERS = (
    "provincial_reviewer", "other_provincial_reviewer", "national_reviewer", "inspector", "sysadmin",
)  # fmt: skip


def statistics_lists(world: World) -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"key": key}, None)
        for key in ("apps", "filings", "events", "orders", "complaints", "spot_items", "legacy")
    ]


LEGACY_REGISTRARS = ("filer", "other_filer", "far_filer", "provincial_reviewer", "other_provincial_reviewer")
LEGACY_LISTERS = (*LEGACY_REGISTRARS, "national_reviewer", "inspector")
RULES: dict[str, Rule] = {
    "healthz": Public(),
    "favicon": Public(),
    "set_language": Public(),
    "accounts:login": Public(),
    "accounts:logout": Public(),  # GET is refused (405); a POST would sign the walking personas out
    # Staff sign-in: one's own settings, password reset by e-mail, the second factor, single sign-on
    # (not configured in the walk: a clear "not available" page), and the administrator's pages.
    "accounts:security": SignedIn(),
    "accounts:password_change": SignedIn(),
    "accounts:password_change_done": SignedIn(),
    "accounts:password_reset": Public(),
    "accounts:password_reset_done": Public(),
    "accounts:password_reset_confirm": Public(reset_link),
    "accounts:password_reset_complete": Public(),
    # Verified personas see the form; those without an authenticator are sent on to enrolment (and back).
    "accounts:second_factor_verify": SignedIn(ok=frozenset({200, 302})),
    "accounts:second_factor_enrol": SignedIn(ok=frozenset({200, 302})),
    "accounts:recovery_codes": SignedIn(post_only=True),
    "accounts:oidc_start": Public(),
    "accounts:oidc_callback": Public(),
    "accounts:cas_start": Public(),
    "accounts:cas_callback": Public(),
    "accounts:sso_result": Public(),
    "accounts:admin_lockouts": SignedIn(_roles("sysadmin")),
    "accounts:admin_lockout_lift": SignedIn(post_only=True, targets=sysadmin_account),
    "accounts:admin_identities": SignedIn(_roles("sysadmin")),
    "accounts:admin_identity_map": SignedIn(_roles("sysadmin"), targets=pending_identity),
    "accounts:admin_second_factors": SignedIn(_roles("sysadmin")),
    "accounts:admin_second_factor_reset": SignedIn(post_only=True, targets=sysadmin_account),
    "api:openapi-json": Public(),
    "api:openapi-view": Public(),
    "api:api-root": Public(),
    "api:filing_verify": Public(filed_number),
    "api:filings_list": Public(),
    "api:filing_certificate": Public(filed_number),
    "api:certificate_keys": Public(),
    "api:complaint_create": Public(post_only=True),
    "api:complaint_status": Public(complaint),
    "public:home": Public(),
    "public:verify": Public(filed_number),
    "public:list": Public(),
    "public:app": Public(filed_number),
    "complaints:new": Public(),
    "complaints:submitted": Public(),
    "complaints:track": Public(),
    "complaints:status": Public(complaint),
    "portal:home": SignedIn(),
    "portal:inbox": SignedIn(),
    "portal:inbox_read": OnObject(notification, viewers=frozenset({"filer"}), post_only=True),
    "portal:inbox_read_all": SignedIn(post_only=True),
    "core:calendar": SignedIn(_roles("sysadmin", "national_reviewer")),
    "registry:filing_list": SignedIn(),
    "registry:filing_create": SignedIn(_roles("filer", "other_filer", "far_filer")),
    "registry:filing_detail": OnObject(filings),
    "registry:filing_edit": OnObject(steps, _editing),
    "registry:attachment_download": OnObject(attachment),
    "registry:attachment_delete": OnObject(attachment, post_only=True),
    "registry:app_detail": OnObject(apps),
    "registry:filing_submit": _action("filer"),
    "registry:filing_withdraw": _action("filer"),
    "registry:filing_supplement": _action("filer"),
    "registry:filing_forward": _action("provincial_reviewer"),
    "registry:filing_print": OnObject(filings),
    "registry:filing_opinion": OnObject(filings, _roles("provincial_reviewer"), post_only=True),
    "registry:filing_assign": OnObject(
        filings, _roles("provincial_reviewer", "national_reviewer"), post_only=True
    ),
    "registry:filing_return": _action("provincial_reviewer"),
    # Marking materials deficient: the reviewers who may return or request a supplement (POST + redirect).
    "registry:filing_mark": OnObject(filings, post_only=True),
    "registry:filing_mark_clear": OnObject(filings, post_only=True),
    "registry:phrase_list": SignedIn(
        _roles("provincial_reviewer", "other_provincial_reviewer", "national_reviewer", "sysadmin")
    ),
    "registry:phrase_retire": OnObject(missing_object, viewers=frozenset(), post_only=True),
    "registry:filing_approve": _action("national_reviewer"),
    "registry:filing_request_supplement": _action("national_reviewer"),
    "registry:filing_extend": _action("national_reviewer"),
    "registry:app_change": _app_action("filer"),
    "registry:app_shutdown": _app_action("filer"),
    "registry:app_deregister": _app_action("filer"),
    "registry:app_refile": _app_action("filer"),
    "registry:app_start_again": _app_action("filer"),
    "registry:app_rectify": _app_action("national_reviewer", "provincial_reviewer"),
    "registry:app_accept_rectification": _app_action("national_reviewer"),
    "registry:app_revoke": _app_action("national_reviewer"),
    "inspection:panel": OnObject(one_filing),
    "inspection:upload": OnObject(one_filing, post_only=True),
    "inspection:rescan": OnObject(one_filing, post_only=True),
    "inspection:decide": OnObject(scan, post_only=True),
    "inspection:key_change": OnObject(one_filing, post_only=True),
    "inspection:conflict_resolve": OnObject(
        lambda world: [({**kwargs, "outcome": "refuse"}, obj) for kwargs, obj in one_filing(world)],
        post_only=True,
    ),
    "inspection:precision": SignedIn(_roles("national_reviewer", "inspector")),
    "portal:drift": SignedIn(
        _roles("provincial_reviewer", "other_provincial_reviewer", "national_reviewer", "inspector")
    ),
    "portal:drift_order": OnObject(scan, post_only=True),
    "api:package_check": Public(post_only=True),
    "inspection:report": OnObject(scan, ok=frozenset({200})),
    # A queued scan has no report yet: "not there yet" is a fine answer for its insiders.
    "inspection:report_json": OnObject(scan, ok=frozenset({200, 404})),
    "inspection:report_html": OnObject(scan, ok=frozenset({200, 404})),
    # Complaint handling: the province's cyberspace office handles, the national office reads; units never see.
    "complaints:list": SignedIn(
        _roles("national_reviewer", "provincial_reviewer", "other_provincial_reviewer")
    ),
    "complaints:detail": OnObject(complaint, viewers=COMPLAINT_OFFICES),
    # The walk's complaint has no file: a missing attachment is 404 for everybody (tests/complaints covers files).
    "complaints:attachment": OnObject(missing_object, viewers=frozenset()),
    "complaints:action": OnObject(complaint, _roles("provincial_reviewer"), viewers=COMPLAINT_OFFICES),
    # Supervision: orders are seen by whoever sees the app; the unit answers, reviewers order, the nation revokes.
    "supervision:order_list": SignedIn(),
    "supervision:order_new": OnObject(filed_app, _roles("national_reviewer", "provincial_reviewer")),
    "supervision:order_detail": OnObject(rectification_order),
    "supervision:order_action": OnObject(rectification_order, _roles("filer")),
    "supervision:app_revoke": OnObject(filed_app, _roles("national_reviewer")),
    "supervision:suspension_inbox": SignedIn(),
    "supervision:suspension_detail": OnObject(suspension_notice, viewers=SUSPENSION_VIEWERS),
    "supervision:suspension_pdf": OnObject(suspension_notice, viewers=SUSPENSION_VIEWERS),
    # Typical-problem notices (通报) are published to everyone.
    "supervision:notice_list": Public(),
    "supervision:notice_detail": Public(published_notice),
    "supervision:notice_pdf": Public(published_notice),
    "supervision:notice_manage": SignedIn(_roles("national_reviewer")),
    "supervision:notice_edit": OnObject(draft_notice, _roles("national_reviewer"), viewers=SIGNED_IN),
    # Legacy apps (存量应用): lists for units, provinces and the nation; registering for filers and provinces.
    # The world's legacy app belongs to the filer's unit (Zhejiang).
    "supervision:legacy_list": SignedIn(_roles(*LEGACY_LISTERS)),
    "supervision:legacy_export_csv": SignedIn(_roles(*LEGACY_LISTERS)),
    "supervision:legacy_export_xlsx": SignedIn(_roles(*LEGACY_LISTERS)),
    "supervision:legacy_new": SignedIn(_roles(*LEGACY_REGISTRARS)),
    "supervision:legacy_import": SignedIn(_roles(*LEGACY_REGISTRARS)),
    "supervision:legacy_template": SignedIn(_roles(*LEGACY_REGISTRARS)),
    "supervision:legacy_detail": OnObject(legacy_app),
    "supervision:legacy_edit": OnObject(legacy_app, _roles("filer", "provincial_reviewer")),
    "supervision:legacy_start": OnObject(legacy_app, post_only=True),
    # Spot checks (national office and testing bodies) and self-inspections (also the provincial offices).
    "supervision:campaign_list": SignedIn(_roles("national_reviewer", "inspector")),
    "supervision:campaign_new": SignedIn(_roles("national_reviewer")),
    "supervision:campaign_mine": SignedIn(_roles("filer", "other_filer", "far_filer")),
    "supervision:campaign_detail": OnObject(spot_check, viewers=CAMPAIGN_VIEWERS),
    "supervision:campaign_progress": OnObject(spot_check, viewers=CAMPAIGN_VIEWERS),
    "supervision:campaign_report": OnObject(spot_check, viewers=CAMPAIGN_VIEWERS),
    "supervision:campaign_export": OnObject(spot_check_exports, viewers=CAMPAIGN_VIEWERS),
    "supervision:campaign_close": OnObject(spot_check, viewers=CAMPAIGN_VIEWERS, post_only=True),
    "supervision:campaign_item": OnObject(spot_check_item),
    "supervision:campaign_item_upload": OnObject(spot_check_item, post_only=True),
    "supervision:selfcheck_list": SignedIn(
        _roles("national_reviewer", "inspector", "provincial_reviewer", "other_provincial_reviewer")
    ),  # fmt: skip
    "supervision:selfcheck_new": SignedIn(
        _roles("national_reviewer", "provincial_reviewer", "other_provincial_reviewer")
    ),  # fmt: skip
    "supervision:selfcheck_detail": OnObject(self_inspection, viewers=SELFCHECK_VIEWERS),
    "supervision:selfcheck_close": OnObject(self_inspection, viewers=SELFCHECK_VIEWERS, post_only=True),
    "supervision:selfcheck_return": OnObject(self_inspection_return),
    # The walk's return has no supporting document: "not there" is the insiders' answer.
    "supervision:selfcheck_attachment": OnObject(self_inspection_return, ok=frozenset({200, 404})),
    # Consolidation (瘦身) and 立项审核: searching is for reviewers; plans for the province's office and the
    # nation; the walk has no approval or funding authority persona, so their pages refuse everyone here.
    # The API answers 401 itself rather than redirecting (tests/consolidation covers who may call it).
    "api:similar": Public(),
    "consolidation:similar": SignedIn(
        _roles("provincial_reviewer", "other_provincial_reviewer", "national_reviewer", "sysadmin")
    ),
    "consolidation:review_list": SignedIn(
        _roles(
            "filer",
            "other_filer",
            "far_filer",
            "provincial_reviewer",
            "other_provincial_reviewer",
            "national_reviewer",
        )
    ),  # fmt: skip
    "consolidation:review_new": SignedIn(_roles()),
    "consolidation:review_detail": OnObject(missing_object, viewers=frozenset()),
    "consolidation:obligations": SignedIn(_roles("filer", "other_filer", "far_filer")),
    "consolidation:funding_inbox": SignedIn(_roles()),
    "consolidation:plan_index": SignedIn(
        _roles("provincial_reviewer", "other_provincial_reviewer", "national_reviewer")
    ),
    "consolidation:plan_detail": SignedIn(
        _roles("provincial_reviewer", "national_reviewer"), targets=zhejiang
    ),
    "consolidation:plan_start": SignedIn(post_only=True, targets=zhejiang),
    "consolidation:plan_settings": SignedIn(post_only=True, targets=zhejiang),
    "consolidation:plan_decide": SignedIn(post_only=True, targets=zhejiang),
    "consolidation:plan_cluster": SignedIn(post_only=True, targets=zhejiang),
    "consolidation:plan_report_overdue": SignedIn(post_only=True, targets=zhejiang),
    # Statistics: the national office (and testing bodies, administrators) all, a provincial office its own.
    "statistics:page": SignedIn(_roles(*STATISTICS_READERS)),
    "statistics:export_csv": SignedIn(_roles(*STATISTICS_READERS)),
    "statistics:export_xlsx": SignedIn(_roles(*STATISTICS_READERS)),
    "statistics:report": SignedIn(_roles(*STATISTICS_READERS)),
    "statistics:rows": SignedIn(_roles(*STATISTICS_READERS), targets=statistics_lists),
    "statistics:rows_export_csv": SignedIn(_roles(*STATISTICS_READERS), targets=statistics_lists),
    "statistics:rows_export_xlsx": SignedIn(_roles(*STATISTICS_READERS), targets=statistics_lists),
    "statistics:published": Public(),
    "api:statistics": Public(),
}


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[tuple[str, URLPattern]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part)
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name or f"<unnamed {pattern.pattern}>"
            yield (f"{namespace}:{name}" if namespace else name), pattern


def all_url_names() -> set[str]:
    return {name for name, _pattern in _walk(get_resolver().url_patterns)}


def test_every_url_is_classified() -> None:
    unknown = sorted(all_url_names() - set(RULES))
    assert not unknown, f"Classify these URL names in tests/test_url_walk.py RULES: {unknown}"


@pytest.fixture
def world(filer, provincial_reviewer, national_reviewer, monkeypatch):  # type: ignore[no-untyped-def]
    """A filing in each state of the procedure, a filed and a revoked app, a document, a notification."""
    monkeypatch.setattr(services, "APPROVAL_CHECKS", [])
    monkeypatch.setattr(services, "SUPPLEMENT_HOOKS", [])
    built: dict[str, Filing] = {}

    def make(state: str, n: int) -> Filing:
        filing = complete_filing(filer, name=f"应用{n}", android_package=f"cn.gov.zj.app{n}")
        steps_to = {
            "draft": [], "provincial_review": ["submit"], "returned": ["submit", "return"],
            "national_review": ["submit", "forward"], "awaiting_supplement": ["submit", "forward", "supplement"],
            "filed": ["submit", "forward", "approve"], "withdrawn": ["withdraw"],
            "revoked": ["submit", "forward", "approve", "revoke"],
        }[state]  # fmt: skip
        item = [Deficiency("om_team", "O&M team", "补充运维团队")]
        for step in steps_to:
            if step == "submit":
                services.filing_submit(filing=filing, actor=filer)
            elif step == "return":
                services.filing_return_incomplete(filing=filing, actor=provincial_reviewer, items=item)
            elif step == "forward":
                services.filing_forward(filing=filing, actor=provincial_reviewer)
            elif step == "supplement":
                services.filing_request_supplement(filing=filing, actor=national_reviewer, items=item)
            elif step == "approve":
                services.filing_approve(filing=filing, actor=national_reviewer)
            elif step == "withdraw":
                services.filing_withdraw(filing=filing, actor=filer)
            elif step == "revoke":
                services.app_order_rectification(app=filing.app, actor=national_reviewer, reason="强制打卡")
                services.app_revoke(app=filing.app, actor=national_reviewer, reason="逾期未整改")
        filing.refresh_from_db()
        return filing

    for n, state in enumerate(("draft", "provincial_review", "returned", "national_review", "awaiting_supplement",
                               "filed", "withdrawn", "revoked")):  # fmt: skip
        built[state] = make(state, n)
    filed_app = built["filed"].app
    filed_app.refresh_from_db()
    revoked_app = built.pop("revoked").app
    world: World = {
        "filings": built,
        "apps": [filed_app, revoked_app],
        "attachment": built["draft"].attachments.get(),
        "notification": Notification.objects.filter(recipient=filer).first(),
        "number": filed_app.current_number.number,
        "scan": _scan(built["national_review"], filer, "c"),
        "draft_scan": _scan(built["draft"], filer, "d"),
    }
    assert world["notification"] is not None
    return world


def _scan(filing: Filing, user: Any, digit: str) -> Any:
    from govapp.inspection.models import Package, Scan

    package = Package.objects.create(sha256=digit * 64, size=1, kind="apk", original_name="app.apk")
    return Scan.objects.create(package=package, filing=filing, requested_by=user)


def _expected(rule: Rule, persona: str, obj: Any) -> tuple[str, frozenset[int]]:
    """(method, statuses) for a persona; 'login' means a redirect to the sign-in page."""
    if isinstance(rule, Public):
        return ("POST" if rule.post_only else "GET"), frozenset()
    if persona == ANON:
        return ("POST" if rule.post_only else "GET"), frozenset({-1})
    if isinstance(rule, Private):
        return ("POST" if rule.post_only else "GET"), frozenset()
    if isinstance(rule, SignedIn):
        if rule.post_only:
            return "GET", frozenset({405})
        return "GET", rule.ok if rule.doers(persona, obj) else frozenset({403})
    viewers = rule.viewers
    if isinstance(obj, Filing) and obj.submitted_at is None:
        viewers = viewers & UNIT
    if persona not in viewers:
        return ("POST" if rule.post_only else "GET"), frozenset({404})
    if rule.post_only:
        return "GET", frozenset({405})
    return "GET", rule.ok if rule.doers(persona, obj) else frozenset({403})


def test_walk_every_url_with_every_persona(world, request) -> None:  # type: ignore[no-untyped-def]
    clients: dict[str, Client] = {ANON: Client(raise_request_exception=False)}
    for persona in PERSONAS[1:]:
        # A crash must show up as a listed failure, not stop the walk.
        client = Client(raise_request_exception=False)
        user = request.getfixturevalue(persona)
        client.force_login(user)
        pass_second_factor(client, user)
        clients[persona] = client
    login = reverse("accounts:login")
    failures: list[str] = []
    seen: set[tuple[str, str]] = set()
    for name, pattern in _walk(get_resolver().url_patterns):
        rule = RULES.get(name)
        if rule is None:
            continue  # test_every_url_is_classified names it
        converters = set(pattern.pattern.converters)
        for kwargs, obj in rule.targets(world):
            url = reverse(name, kwargs={k: v for k, v in kwargs.items() if k in converters} or None)
            if (name, url) in seen:
                continue
            seen.add((name, url))
            for persona in PERSONAS:
                method, statuses = _expected(rule, persona, obj)
                client = clients[persona]
                response = client.post(url) if method == "POST" else client.get(url)
                status = response.status_code
                to_login = status == 302 and response.get("Location", "").startswith(login)
                if status >= 500:
                    failures.append(f"{persona} {method} {url} ({name}): {status}")
                elif statuses == frozenset({-1}):
                    if not to_login:
                        failures.append(
                            f"{persona} {method} {url} ({name}): {status}, expected the login redirect"
                        )
                elif isinstance(rule, Private):
                    continue
                elif isinstance(rule, Public):
                    if to_login:
                        failures.append(f"{persona} {method} {url} ({name}): public page asks to sign in")
                elif status not in statuses:
                    failures.append(
                        f"{persona} {method} {url} ({name}): {status}, expected {sorted(statuses)}"
                    )
    assert not failures, "\n".join(failures)
