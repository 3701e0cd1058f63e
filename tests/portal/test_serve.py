"""`govapp serve` as a user runs it: a real process, a free port, a throw-away ./var/."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(GOVAPP_VAR_DIR=str(var_dir), PYTHONPATH=str(Path(__file__).resolve().parents[2] / "src"))
    return env


def _children(pid: int) -> set[int]:
    """Child processes of ``pid``, whichever of its threads started them."""
    found: set[int] = set()
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found.update(int(child) for child in path.read_text().split())
        except OSError:
            continue  # the thread ended while we looked
    return found


def _wait_for(predicate, what: str, seconds: float = START_SECONDS, process=None):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"serve exited with {process.returncode} before {what}:\n{process.stdout.read()}"
            )
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


def _healthz(port: int) -> bytes | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.read()
    except OSError:
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]


def test_serve_answers_healthz_restarts_a_dead_worker_and_stops_on_sigint(tmp_path: Path) -> None:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "govapp", "serve", "--addr", f"127.0.0.1:{port}", "--no-demo"],
        env=_env(tmp_path / "var"), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        body = _wait_for(lambda: _healthz(port), "/healthz", process=server)
        assert b'"status": "ok"' in body
        assert (tmp_path / "var" / "govapp.sqlite3").exists()
        worker = _wait_for(lambda: _children(server.pid), "the worker child").pop()

        os.kill(worker, signal.SIGKILL)  # the worker dies: serve starts a new one
        replacement = _wait_for(lambda: _children(server.pid) - {worker}, "a restarted worker", 30).pop()
        assert replacement != worker

        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert server.returncode == 0, output
    assert f"running at http://127.0.0.1:{port}/" in output
    assert "restarting" in output
    _wait_for(lambda: not _alive(replacement), "the worker to stop", 20)
    assert _healthz(port) is None


def test_serve_on_a_taken_address_says_so_and_exits_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "govapp", "serve", "--addr", f"127.0.0.1:{port}", "--no-demo"],
            env=_env(tmp_path / "var"), capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"govapp serve: address 127.0.0.1:{port} is already in use; choose another with --addr."]


def test_serve_rejects_a_malformed_address(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "govapp", "serve", "--addr", "localhost:http"],
        env=_env(tmp_path / "var"), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert "expected HOST:PORT such as 127.0.0.1:8000" in result.stderr
