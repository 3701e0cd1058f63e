"""`govapp serve`: the embedded default — SQLite under ./var/, migrations, demo data, web server + worker.

Ctrl-C (SIGINT) or SIGTERM stops the web server and the worker child and exits 0. The worker is
restarted with a growing pause if it dies; it also exits by itself if this process disappears.
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

log = logging.getLogger("govapp.serve")

WORKER_STOP_SECONDS = 15.0
MAX_BACKOFF_SECONDS = 60.0
# A worker that ran this long before dying counts as healthy: its next restart starts the backoff over.
HEALTHY_RUN_SECONDS = 60.0


def parse_addr(value: str) -> tuple[str, int]:
    """'127.0.0.1:8000', '[::1]:8000', '0.0.0.0:80' or just a port '8000' -> (host, port)."""
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep:
        host, port_text = "127.0.0.1", text
    host = host.strip("[]")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ArgumentTypeError(f"expected HOST:PORT such as 127.0.0.1:8000 (port 1-65535), got {value!r}")
    return host, int(port_text)


def _threads(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 256:
        raise ArgumentTypeError(f"expected a number of threads from 1 to 256, got {value!r}")
    return int(value)


class _Stop(Exception):
    """Raised in the main thread by the signal handler to leave the server loop."""


class WorkerSupervisor:
    """Keeps one `govapp worker` child alive until ``stop()``; restarts it with backoff when it dies."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        self.command = command
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="worker-supervisor", daemon=True)

    def start(self) -> None:
        self._spawn()
        self._thread.start()

    def _spawn(self) -> None:
        # Own session: a terminal's Ctrl-C reaches only serve, which then stops the worker in order.
        self.process = subprocess.Popen(self.command, env=self.env, start_new_session=True)
        log.info("worker started (pid %s)", self.process.pid)

    def _watch(self) -> None:
        backoff = 1.0
        while not self._stopping.is_set():
            process = self.process
            assert process is not None
            started = time.monotonic()
            code = process.wait()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= HEALTHY_RUN_SECONDS:
                backoff = 1.0
            log.error("worker (pid %s) exited with code %s; restarting in %.0f s", process.pid, code, backoff)
            if self._stopping.wait(backoff):
                return
            backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
            self.restarts += 1
            self._spawn()

    def stop(self) -> None:
        """Ask the worker to finish its current task and exit; kill it if it does not within the limit."""
        self._stopping.set()
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning(
                "worker (pid %s) did not stop in %.0f s; killing it", process.pid, WORKER_STOP_SECONDS
            )
            process.kill()
            process.wait()
        self._thread.join(timeout=5)


class Command(BaseCommand):
    help = (
        "Run the embedded server: SQLite in ./var/, migrations, demo data when empty, web server and worker."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--addr",
            type=parse_addr,
            default=("127.0.0.1", 8000),
            help="HOST:PORT to listen on (default: 127.0.0.1:8000).",
        )
        parser.add_argument("--no-worker", action="store_true", help="Do not start the background worker.")
        parser.add_argument(
            "--no-demo", action="store_true", help="Do not load demo data into an empty database."
        )
        parser.add_argument("--threads", type=_threads, default=8, help="Web server threads (default: 8).")

    def handle(
        self, *args: Any, addr: tuple[str, int], no_worker: bool, no_demo: bool, threads: int, **options: Any
    ) -> None:
        from waitress.server import create_server

        from govapp.wsgi import application

        host, port = addr
        try:
            # Bind first: a taken port is reported before anything else happens.
            server = create_server(application, host=host, port=port, threads=threads, ident="govapp")
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                self.stderr.write(
                    f"govapp serve: address {host}:{port} is already in use; choose another with --addr."
                )
            else:
                self.stderr.write(f"govapp serve: cannot listen on {host}:{port}: {exc.strerror or exc}")
            sys.exit(2)

        def _on_signal(signum: int, frame: FrameType | None) -> None:
            raise _Stop(signal.strsignal(signum))

        # From here on Ctrl-C and SIGTERM end in the same orderly stop, whatever step is running.
        previous = {sig: signal.signal(sig, _on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        supervisor: WorkerSupervisor | None = None
        try:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            if settings.STATIC_ROOT:
                # whitenoise serves from the finders; an existing root only keeps it from warning at start.
                Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
            call_command("migrate", interactive=False, verbosity=0)
            self._demo(load=not no_demo)
            if not no_worker:
                env = {**os.environ, "GOVAPP_VAR_DIR": str(settings.VAR_DIR)}
                command = [sys.executable, "-m", "govapp", "worker", f"--parent-pid={os.getpid()}"]
                supervisor = WorkerSupervisor(command, env)
                supervisor.start()
            shown = f"[{host}]" if ":" in host else host
            self.stdout.write(f"GovApp Registry is running at http://{shown}:{port}/ — press Ctrl-C to stop.")
            self.stdout.flush()
            server.run()
        except _Stop as stop:
            self.stdout.write(f"{stop}: stopping.")
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            server.close()
            server.task_dispatcher.shutdown(timeout=5)
            if supervisor is not None:
                supervisor.stop()
        self.stdout.write("Stopped.")

    def _demo(self, *, load: bool) -> None:
        from govapp.accounts.models import Unit
        from govapp.portal import demo

        if not settings.GOVAPP_DEMO_ALLOWED:
            if not Unit.objects.exists():
                self.stdout.write(
                    f"Empty database in {settings.GOVAPP_MODE} mode: no demo data is loaded "
                    "(create the first administrator with `govapp createsuperuser`)."
                )
            return
        if load and not Unit.objects.exists():
            self.stdout.write("Empty database: loading the demo data (a few seconds)…")
            demo.load_demo()
        if demo.demo_present():
            self.stdout.write(demo.logins_table())
            if settings.GOVAPP_REQUIRE_SECOND_FACTOR:
                self.stdout.write(
                    "Second factor: required; reviewers, inspectors and administrators enrol an "
                    "authenticator app at their first sign-in."
                )
            else:
                self.stdout.write(
                    "Second factor: off in this embedded demo, so the demo logins work with the password "
                    "alone (GOVAPP_REQUIRE_SECOND_FACTOR=1 requires it)."
                )
