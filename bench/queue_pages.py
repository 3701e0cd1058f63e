"""The reviewers' work queues at national size: the home queue of a provincial and of the national
reviewer, with the quick filters, sorts and searches a reviewer uses, on a generated registry
(bench/registry_data.py), through Django's test client against the real database.

For each page: p50/p99 over --repeat requests (cache cleared before each, so nothing is memoised) and the
SQL queries per request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/queue_pages.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import time

from stats_pages import percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govapp.accounts.models import User
    from govapp.registry.models import App, Filing

    national = User.objects.get(username="bench_national")
    provincial = User.objects.get(username="bench_reviewer_33")
    print(f"apps: {App.objects.count()}, filings: {Filing.objects.count()}")
    pages = [
        ("provincial home queue (33)", provincial, "/work/"),
        ("provincial, overdue", provincial, "/work/?flag=overdue"),
        ("provincial, due within 3 working days, sorted by unit", provincial, "/work/?flag=due_soon&sort=unit"),
        ("provincial, search 数据", provincial, "/work/?q=数据"),
        ("national home queue", national, "/work/"),
        ("national, not yet scanned, page 3", national, "/work/?verdict=unscanned&page=3"),
        ("national, search by package name", national, "/work/?q=cn.gov"),
        ("all filings, awaiting supplement, by due", national, "/filings/?state=awaiting_supplement&sort=due"),
    ]
    print("| page | queries | p50 / p99 ms |")
    print("|---|---|---|")
    for label, user, url in pages:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        times, queries = [], 0
        for _ in range(args.repeat):
            cache.clear()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured.captured_queries)
        print(f"| {label} | {queries} | {stats.median(times):.0f} / {percentile(times, 0.99):.0f} |")


if __name__ == "__main__":
    main()
