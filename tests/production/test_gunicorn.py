"""The documented web server (gunicorn, deploy/gunicorn.conf.py) behind a proxy, counting in Redis:
each client forwarded by the trusted proxy has its own limit, a forged header from elsewhere counts
for the sender's own address."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from govapp.core.ratelimit import WINDOW_SECONDS
from tests.production.services import free_ports, stop, wait_http

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]
LIMIT = 3


@pytest.fixture(scope="module")
def gunicorn(tmp_path_factory, shared_redis: str) -> Iterator[int]:  # type: ignore[no-untyped-def]
    tmp_path = tmp_path_factory.mktemp("gunicorn")
    (port,) = free_ports(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_") and k != "DATABASE_URL"}
    env.update(
        GOVAPP_VAR_DIR=str(tmp_path / "var"), GOVAPP_REDIS_URL=shared_redis,
        GOVAPP_CACHE_PREFIX=f"gunicorn-test-{port}", GOVAPP_TRUSTED_PROXIES="127.0.0.1",
        GOVAPP_PUBLIC_RATE_LIMIT=str(LIMIT), GOVAPP_BIND=f"127.0.0.1:{port}", GOVAPP_WEB_WORKERS="2",
        GOVAPP_WEB_THREADS="2",
    )  # fmt: skip
    migrate = subprocess.run(
        [sys.executable, "-m", "govapp", "migrate", "-v0"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    log = (tmp_path / "gunicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(REPO / "deploy" / "gunicorn.conf.py")],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        yield port
    finally:
        stop(process, grace=10)


def _get(port: int, *, source: str = "127.0.0.1", forwarded: str | None = None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    headers = {"Host": "127.0.0.1"} | ({"X-Forwarded-For": forwarded} if forwarded else {})
    connection.request("GET", "/api/v1/public/filings", headers=headers)
    status = connection.getresponse().status
    connection.close()
    return status


def _within_one_window(seconds: float = 10.0) -> None:
    """The limit counts per fixed minute: start a burst of requests only with ``seconds`` of the minute left,
    so that it cannot straddle two windows (the server's clock is this machine's)."""
    left = WINDOW_SECONDS - time.time() % WINDOW_SECONDS
    if left < seconds:
        time.sleep(left + 0.05)


def test_clients_behind_the_trusted_proxy_have_separate_limits(gunicorn: int) -> None:
    # A fresh connection each time: the two gunicorn workers share the count only through Redis.
    _within_one_window()
    first = [_get(gunicorn, forwarded="203.0.113.7") for _ in range(LIMIT + 2)]
    assert first == [200] * LIMIT + [429, 429]
    assert _get(gunicorn, forwarded="198.51.100.23") == 200  # another citizen, another budget
    assert _get(gunicorn, forwarded="198.51.100.99, 203.0.113.7") == 429  # the proxy saw 203.0.113.7


def test_a_forged_header_from_an_untrusted_address_counts_for_that_address(gunicorn: int) -> None:
    _within_one_window()
    spoofed = [_get(gunicorn, source="127.0.0.2", forwarded=f"192.0.2.{n}") for n in range(LIMIT + 1)]
    assert spoofed == [200] * LIMIT + [429]  # a new forged address each time did not buy a new budget
    assert _get(gunicorn, forwarded="192.0.2.200") == 200  # the trusted proxy's clients are unaffected
