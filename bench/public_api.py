"""The public API against a bare Django view giving the same JSON (bench/bench_urls.py), on the same gunicorn
server, in alternating rounds: requests per second and p50/p99 latency at --clients concurrent clients.

Targets: verification of one filing number, the app-store look-up by package, and the verification revalidated
with If-None-Match (304). Each client is its own process opening a connection per request (gunicorn's sync
workers close them). The server and the clients share the machine: compare the ratios, not the absolute figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/govapp_bench GOVAPP_SECRET_KEY=x \\
        PYTHONPATH=src .venv/bin/python bench/public_api.py [--workers 2] [--clients 8] [--seconds 8] [--rounds 3]

``--src DIR`` serves another checkout's sources (e.g. the code before a change) with the same bench URLs.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def _client(args: tuple[str, int, str, dict[str, str], float]) -> list[float]:
    host, port, path, headers, seconds = args
    latencies = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        began = time.perf_counter()
        connection = http.client.HTTPConnection(host, port, timeout=10)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        if response.status not in (200, 304):
            raise SystemExit(f"{path}: HTTP {response.status}")
        latencies.append((time.perf_counter() - began) * 1000)
    return latencies


def load(pool: multiprocessing.pool.Pool, host: str, port: int, path: str, headers: dict[str, str],
         clients: int, seconds: float) -> tuple[float, float, float]:  # fmt: skip
    """Requests per second, p50 and p99 in ms."""
    began = time.perf_counter()
    results = pool.map(_client, [(host, port, path, headers, seconds)] * clients)
    elapsed = time.perf_counter() - began
    latencies = [value for result in results for value in result]
    return len(latencies) / elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99)


def sample_identities() -> tuple[str, str]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govapp.settings")
    import django

    django.setup()
    from govapp.registry.models import App

    app = (
        App.objects.filter(current_number__status="active")
        .exclude(android_package="")
        .select_related("current_number")
        .order_by("pk")
    )
    chosen = app[app.count() // 2]
    assert chosen.current_number is not None
    return chosen.current_number.number, chosen.android_package


def start_server(src: Path, bind: str, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": f"{src}{os.pathsep}{BENCH}",
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "GOVAPP_PUBLIC_RATE_LIMIT": str(10**9),
        "GOVAPP_DEBUG": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "govapp.wsgi:application", "--workers", str(workers), "--bind", bind,
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip
    host, port = bind.rsplit(":", 1)
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection(host, int(port), timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bind", default="127.0.0.1:8765")
    parser.add_argument("--src", type=Path, default=BENCH.parent / "src")
    args = parser.parse_args()
    number, package = sample_identities()
    host, port = args.bind.rsplit(":", 1)
    server = start_server(args.src.resolve(), args.bind, args.workers)
    try:
        verify = f"/api/v1/public/filings/{quote(number)}"
        first = http.client.HTTPConnection(host, int(port))
        first.request("GET", verify)
        answer = first.getresponse()
        answer.read()
        etag = answer.getheader("ETag") or ""
        pairs = [
            ("verify", (verify, {}), (f"/api/v1/public/_bare/filings/{quote(number)}", {})),
            ("package look-up", (f"/api/v1/public/filings?package={package}", {}),
             (f"/api/v1/public/_bare/filings?package={package}", {})),
        ]  # fmt: skip
        results: dict[str, list[tuple[float, float, float]]] = {}
        with multiprocessing.Pool(args.clients) as pool:
            for round_ in range(args.rounds):
                for label, lean, bare in pairs:
                    order = [("api", lean), ("bare", bare)]
                    for kind, (path, headers) in order if round_ % 2 == 0 else reversed(order):
                        results.setdefault(f"{label}|{kind}", []).append(
                            load(pool, host, int(port), path, headers, args.clients, args.seconds)
                        )
                if etag:
                    results.setdefault("verify, If-None-Match (304)|api", []).append(
                        load(
                            pool, host, int(port), verify, {"If-None-Match": etag}, args.clients, args.seconds
                        )
                    )
    finally:
        server.terminate()
        server.wait()
    print(f"number {number}, package {package}; gunicorn {args.workers} sync workers, {args.clients} clients, "
          f"{args.rounds} alternating rounds of {args.seconds:g} s; ETag: {etag or 'none'}")  # fmt: skip
    print("| request | API req/s | bare req/s | API / bare | API p50 / p99 ms | bare p50 / p99 ms |")
    print("|---|---|---|---|---|---|")
    labels = dict.fromkeys(key.split("|")[0] for key in results)
    for label in labels:
        api = results.get(f"{label}|api", [])
        bare = results.get(f"{label}|bare", [])

        def summary(rows: list[tuple[float, float, float]]) -> tuple[float, float, float]:
            return (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows),
                    max(r[2] for r in rows))  # fmt: skip

        a = summary(api)
        if bare:
            b = summary(bare)
            print(f"| {label} | {a[0]:.0f} | {b[0]:.0f} | {a[0] / b[0]:.2f} | {a[1]:.1f} / {a[2]:.1f} | "
                  f"{b[1]:.1f} / {b[2]:.1f} |")  # fmt: skip
        else:
            print(f"| {label} | {a[0]:.0f} | – | – | {a[1]:.1f} / {a[2]:.1f} | – |")


if __name__ == "__main__":
    main()
