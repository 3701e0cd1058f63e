"""The technical-test verdict of each filing in a reviewer's queue, as one annotation on the list's query.

A filing's verdict is that of the latest scan of each *current* package (a replaced package no longer
counts): any violation wins, then a failed analysis, then a package still waiting (or no package at
all), and only when every current package passed is the filing clean.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When

from .models import FilingPackage, Scan


def _latest_scan(field: str) -> Subquery:
    scans = Scan.objects.filter(filing_id=OuterRef("filing_id"), package_id=OuterRef("package_id"))
    return Subquery(scans.order_by("-id").values(field)[:1])


def annotate_test_verdict(filings: Any) -> Any:
    """Annotates ``test_verdict``: violation, failed, unscanned or clean (one query, no per-row look-up)."""
    current = FilingPackage.objects.filter(filing_id=OuterRef("pk"), is_current=True).annotate(
        last_status=_latest_scan("status"), last_verdict=_latest_scan("verdict")
    )
    violation = current.filter(last_status=Scan.Status.DONE, last_verdict="violation")
    failed = current.filter(
        Q(last_status=Scan.Status.FAILED)
        | Q(last_status=Scan.Status.DONE) & ~Q(last_verdict__in=["pass", "violation"])
    )
    waiting = current.filter(
        Q(last_status__isnull=True) | Q(last_status__in=[Scan.Status.QUEUED, Scan.Status.RUNNING])
    )
    return filings.annotate(
        test_verdict=Case(
            When(Exists(violation), then=Value("violation")),
            When(Exists(failed), then=Value("failed")),
            When(Exists(waiting) | ~Exists(current), then=Value("unscanned")),
            default=Value("clean"),
            output_field=CharField(),
        )
    )
