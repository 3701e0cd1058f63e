"""`govapp worker` processes as separate "machines": own working directory, own (unused) media
directory, the shared PostgreSQL test database and the shared S3 bucket."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from tests.production.services import S3Server

SLOW_SCAN = Path(__file__).resolve().parent / "slow_scan"


def database_url() -> str:
    db = settings.DATABASES["default"]
    user, host, port = db.get("USER") or "postgres", db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def start_worker(
    machine: Path, name: str, s3: S3Server, prefix: str, *, scan_seconds: float = 0
) -> subprocess.Popen[bytes]:
    machine.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVAPP_") and k != "DATABASE_URL"}
    env.update(
        s3.env(prefix), DATABASE_URL=database_url(), GOVAPP_SECRET_KEY="worker-test-secret",
        GOVAPP_VAR_DIR=str(machine / "var"), GOVAPP_MEDIA_ROOT=str(machine / "media"),
        GOVAPP_WORKER_HEARTBEAT_SECONDS="1", GOVAPP_WORKER_LEASE_SECONDS="4",
        PYTHONPATH=os.pathsep.join([str(SLOW_SCAN), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]),
    )  # fmt: skip
    if scan_seconds:
        env["GOVAPP_TEST_SCAN_SECONDS"] = str(scan_seconds)
    log = (machine / "worker.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "govapp", "worker", "--queue", "scans", "--no-tick", "--interval", "0.2",
         "--worker-id", name],
        env=env, cwd=machine, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
