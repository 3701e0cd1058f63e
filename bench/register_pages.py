"""The public register (公示) page and its search on a generated registry (bench/registry_data.py), through
Django's test client against the real database: p50/p99 over --repeat requests and the SQL per request.

Each URL is asked --repeat times after one warm-up request; with the count cached (docs/public.md) the
warm-up pays the COUNT, the measured requests do not. ``--cold`` clears the cache before every request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/register_pages.py [--repeat 50] [--cold] [--explain]
"""

from __future__ import annotations

import argparse
import os
import time


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--cold", action="store_true", help="clear the cache before every request")
    parser.add_argument("--explain", action="store_true", help="print the plan of each page's queries")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from govapp.registry.models import App

    listed = App.objects.publicly_listed().count()
    some = (
        App.objects.publicly_listed()
        .order_by("pk")
        .values_list("name", "unit__name", "current_number__number")
    )
    name, unit, number = some[len(some) // 2]
    print(f"apps: {App.objects.count()}, listed: {listed}, vendor: {connection.vendor}")
    urls = [
        ("register, page 1", "/register/"),
        ("register, page 50", "/register/?page=50"),
        ("register, one province (33)", "/register/?province=33"),
        (f"search app name ({name[-5:]}, 5 chars)", f"/register/?q={name[-5:]}"),
        (f"search unit name ({unit[-6:]}, 6 chars)", f"/register/?q={unit[-6:]}"),
        (f"search filing number ({number[-8:]})", f"/register/?q={number[-8:]}"),
        ("search, 2 chars (基准: every app)", "/register/?q=基准"),
        ("API list, page 1", "/api/v1/public/filings"),
        (f"API search ({name[-5:]})", f"/api/v1/public/filings?q={name[-5:]}"),
    ]
    print(
        f"| URL | queries | p50 ms | p99 ms |  ({'cold' if args.cold else 'warm'} cache, {args.repeat} requests)"
    )
    print("|---|---|---|---|")
    client = Client(HTTP_HOST="localhost")
    for label, url in urls:
        cache.clear()
        client.get(url)  # warm-up: connections, templates, and the cached count when warm
        times = []
        queries = 0
        for _ in range(args.repeat):
            if args.cold:
                cache.clear()
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
            queries = len(captured)
        print(f"| {label} | {queries} | {percentile(times, 0.5):.1f} | {percentile(times, 0.99):.1f} |")
        if args.explain and connection.vendor == "postgresql":
            for query in captured.captured_queries:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + query["sql"])
                    plan = [row[0] for row in cursor.fetchall()]
                print(f"    {query['sql'][:160]}")
                print("      " + "\n      ".join(plan[:12]))


if __name__ == "__main__":
    main()
