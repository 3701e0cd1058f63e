"""Statistics pages, the public statistics API and the XLSX export on a generated registry
(bench/registry_data.py), through Django's test client against the real database.

For each URL: cold (cache cleared before every request: the figures are computed from the events) and
warm (memoised until the next event) p50/p99 over --repeat requests, and the SQL queries per request.
The export: wall time of a full 100,000-row stream and the peak Python memory while streaming.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/stats_pages.py [--repeat 30]
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import time
import tracemalloc


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-export", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govapp.accounts.models import User
    from govapp.registry.models import App

    national = User.objects.get(username="bench_national")
    provincial = User.objects.get(username="bench_reviewer_33")
    apps = App.objects.count()
    print(f"apps: {apps}")
    pages = [
        ("statistics page, nation", national, "/statistics/"),
        ("statistics page, one province (33)", provincial, "/statistics/"),
        ("list behind a number: filed apps of 33", national, "/statistics/rows/apps/?province=33&state=filed"),
        ("public statistics API", None, "/api/v1/public/statistics"),
        ("published processing times page", None, "/statistics/published/"),
    ]
    print("| URL | queries cold / warm | cold p50 / p99 ms | warm p50 / p99 ms |")
    print("|---|---|---|---|")
    for label, user, url in pages:
        client = Client(HTTP_HOST="localhost")
        if user is not None:
            client.force_login(user)
        results = {}
        for mode in ("cold", "warm"):
            times, queries = [], 0
            for _ in range(args.repeat):
                if mode == "cold":
                    cache.clear()
                with CaptureQueriesContext(connection) as captured:
                    began = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - began) * 1000)
                assert response.status_code == 200, (url, response.status_code)
                queries = len(captured.captured_queries)
            results[mode] = (queries, stats.median(times), percentile(times, 0.99))
        (qc, c50, c99), (qw, w50, w99) = results["cold"], results["warm"]
        print(f"| {label} | {qc} / {qw} | {c50:.0f} / {c99:.0f} | {w50:.0f} / {w99:.0f} |")
    if args.skip_export:
        return
    client = Client(HTTP_HOST="localhost")
    client.force_login(national)
    began = time.perf_counter()
    response = client.get("/statistics/rows/apps/export.xlsx")
    size = sum(len(chunk) for chunk in response.streaming_content)
    seconds = time.perf_counter() - began
    # A second run under tracemalloc (which slows Python several times) for the peak memory only.
    tracemalloc.start()
    response = client.get("/statistics/rows/apps/export.xlsx")
    sum(len(chunk) for chunk in response.streaming_content)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"\nXLSX export of {apps} apps: {seconds:.1f} s, {size / 2**20:.1f} MiB, peak Python memory {peak:.0f} MiB")
    began = time.perf_counter()
    response = client.get("/statistics/rows/apps/export.csv")
    size = sum(len(chunk) for chunk in response.streaming_content)
    print(f"CSV export of {apps} apps: {time.perf_counter() - began:.1f} s, {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
