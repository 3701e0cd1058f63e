"""Named, described schemas of the public API (they appear as components in /api/v1/openapi.json)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

PublicStatus = Literal["valid", "revoked", "deregistered", "superseded"]


class ErrorOut(Schema):
    """An error: `detail` is a stable English sentence; `message` is the same in the request's language."""

    detail: str = Field(description="What went wrong and how to fix it, in English (stable for machines).")
    message: str = Field("", description="The same, in the language of the request (Chinese by default).")
    parameter: str | None = Field(
        None, description="The query or path parameter at fault, when there is one."
    )
    errors: list[dict[str, Any]] | None = Field(None, description="Field-level validation errors, when any.")


class PublicFilingOut(Schema):
    """What the public register says about one filing number."""

    number: str = Field(description="The filing number (备案号), e.g. 浙政备2026000001A.")
    status: PublicStatus = Field(
        description="valid: filed now; revoked: filing revoked (撤销备案); deregistered: app shut down and "
        "deregistered (注销); superseded: replaced by a newer number after re-filing."
    )
    status_label: str = Field(description="The status in the language of the request.")
    explanation: str = Field(
        description="One sentence on what the status means, in the language of the request."
    )
    valid: bool = Field(description="True when the app is validly filed under this number now.")
    app_name: str = Field(description="The app's name as approved.")
    kind: Literal["app", "mini_program", "quick_app"] = Field(description="The kind of app.")
    kind_label: str = Field(description="The kind in the language of the request.")
    unit: str = Field(description="The sponsoring unit (主办单位).")
    province: str = Field(description="GB/T 2260 code of the unit's province; empty for central units.")
    province_name: str = Field(description="The province in the language of the request.")
    filing_date: dt.date = Field(description="The date the number was issued.")
    last_change: dt.datetime = Field(
        description="The last change of this record (change filing, status change)."
    )
    current_number: str | None = Field(
        None, description="For a superseded number: the app's current number; otherwise null."
    )
    current_status: PublicStatus | None = Field(
        None, description="For a superseded number: the status of the current number."
    )
    verify_url: str = Field(description="The public verification page of this number (what QR codes encode).")
    shutdown_announced_on: dt.date | None = Field(
        None,
        description="The date the sponsoring unit announced that the app will shut down; the number stays "
        "valid until the filing is deregistered. Null when no shutdown was announced.",
    )
    planned_offline_date: dt.date | None = Field(
        None, description="With a shutdown announcement: the date the app goes offline; otherwise null."
    )
    revoked_on: dt.date | None = Field(None, description="For a revoked number: the date of revocation.")
    deregistered_on: dt.date | None = Field(
        None, description="For a deregistered number: the date the filing was deregistered."
    )
    submitted_on: dt.date | None = Field(
        None,
        description="The date the unit submitted the procedure that earned this number (in the single-number "
        "look-up; null in lists).",
    )
    forwarded_on: dt.date | None = Field(
        None,
        description="The date the provincial office forwarded it to the national office; null for central "
        "departments, which file directly, and in lists.",
    )
    working_days_taken: int | None = Field(
        None,
        description="Working days from submission to filing on the official calendar (the submission day not "
        "counted); null in lists or when a year's official calendar is not loaded.",
    )


class PublicFilingPage(Schema):
    """One page of the public register."""

    count: int = Field(description="Number of apps matching the query, on all pages.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Apps per page (at most 100).")
    next: str | None = Field(None, description="The URL of the next page, or null on the last page.")
    previous: str | None = Field(None, description="The URL of the previous page, or null on the first page.")
    results: list[PublicFilingOut] = Field(
        description="Each app's current number and status; `valid` says whether it is validly filed now."
    )


class StageTimeOut(Schema):
    """How long one review stage took: stages completed in the period, in working days."""

    stage: str = Field(description="N1 completeness review, N2 national review, N3 supplement by the unit.")
    name: str = Field("", description="The stage in the language of the request.")
    limit_working_days: int | None = Field(None, description="The limit in force, in working days.")
    completed: int = Field(description="Stages completed in the period.")
    median_working_days: int | None = Field(None, description="Median (nearest rank); null when none.")
    p90_working_days: int | None = Field(None, description="90th percentile (nearest rank); null when none.")
    share_within_limit: float | None = Field(None, description="Share completed within the limit, 0 to 1.")


class ProvinceStatisticsOut(Schema):
    province: str = Field(description="GB/T 2260 province code; empty for central departments.")
    province_name: str = Field(description="The province in the language of the request.")
    apps_by_state: dict[str, int] = Field(description="Apps by standing in the register, today.")
    complaints_received: int = Field(description="Complaints received in the period (a count only).")
    stages: dict[str, StageTimeOut] = Field(description="Processing time per stage, keyed N1, N2, N3.")


class PublicStatisticsOut(Schema):
    """Published processing times (公开办理时长) for the last twelve months."""

    period_start: dt.date
    period_end: dt.date
    provisional: bool = Field(
        description="True when part of the period was estimated from the statutory holidays (a year's "
        "official calendar is not loaded)."
    )
    stages: list[StageTimeOut]
    provinces: list[ProvinceStatisticsOut]
