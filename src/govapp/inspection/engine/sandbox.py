"""Run a scan in a child process with an address-space cap and a wall-clock timeout.

A hostile package may still find a way to make a parser slow or greedy; the child
(``python -m govapp.inspection.engine.sandbox MEMORY_BYTES``) caps its own address space with
RLIMIT_AS before it reads its request, and the parent kills its whole process group at the
timeout. The report comes back as JSON on the child's stdout. Module-level imports stay light
because they run before the memory cap is set. The child dies with its parent (Linux
PR_SET_PDEATHSIG): a worker killed mid-scan leaves no orphaned analysis behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .limits import Limits

if TYPE_CHECKING:
    from .identity import Identity
    from .report import ScanReport

_PACKAGE_ROOT = Path(__file__).resolve().parents[3]  # the directory holding the ``govapp`` package
_SCAN_TARGET = "govapp.inspection.engine.sandbox:scan_entry"
_STDERR_TAIL = 4000
_PARENT_ENV = "GOVAPP_SANDBOX_PARENT"
_PR_SET_PDEATHSIG = 1


class SandboxError(Exception):
    """The child did not produce a result; ``str(exc)`` is one line for the report, ``kind`` is
    ``timeout``, ``memory`` or ``crash`` (see errors.ERROR_KINDS)."""

    def __init__(self, message: str, kind: str = "crash") -> None:
        super().__init__(message)
        self.kind = kind


def format_bytes(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(_PACKAGE_ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    env["PYTHONHASHSEED"] = env.get("PYTHONHASHSEED", "0")
    env[_PARENT_ENV] = str(os.getpid())
    return env


def run_isolated(target: str, args: list[Any], *, limits: Limits) -> Any:
    """Call ``module:function`` with JSON ``args`` in a capped child; return its JSON result.

    Raises SandboxError("analysis exceeded N s" / "analysis ran out of memory (limit X)" / ...).
    """
    request = json.dumps({"target": target, "args": args}).encode()
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "govapp.inspection.engine.sandbox", str(limits.memory_bytes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_child_env(),
        start_new_session=True,  # its own process group: the timeout kills everything it started
    )
    try:
        stdout, stderr = process.communicate(request, timeout=limits.timeout_seconds)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        process.communicate()
        raise SandboxError(f"analysis exceeded {limits.timeout_seconds} s", "timeout") from None
    except BaseException:
        _kill_group(process)
        process.communicate()
        raise
    try:
        envelope = json.loads(stdout.decode("utf-8")) if stdout.strip() else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        envelope = None
    if isinstance(envelope, dict) and envelope.get("ok") is True:
        return envelope.get("result")
    raise classify_failure(envelope, stderr[-_STDERR_TAIL:], process.returncode, started, limits)


def classify_failure(
    envelope: Any, stderr_tail: bytes, returncode: int | None, started: float, limits: Limits
) -> SandboxError:
    """The one-line error for a child that gave no result: from its answer if it sent one, else from
    its stderr and exit status (``started`` is the request's time.monotonic())."""
    memory = format_bytes(limits.memory_bytes)
    if isinstance(envelope, dict) and envelope.get("kind") == "memory":
        return SandboxError(f"analysis ran out of memory (limit {memory})", "memory")
    if isinstance(envelope, dict) and envelope.get("kind") == "crash":
        return SandboxError(f"analysis failed: {envelope.get('message')}")
    tail = stderr_tail[-_STDERR_TAIL:].decode("utf-8", "replace")
    if "MemoryError" in tail or "Cannot allocate memory" in tail or "out of memory" in tail.lower():
        return SandboxError(f"analysis ran out of memory (limit {memory})", "memory")
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        if name == "SIGKILL" and time.monotonic() - started < limits.timeout_seconds:
            # The kernel's OOM killer is the usual sender of an unexplained SIGKILL.
            return SandboxError(
                f"analysis was killed (SIGKILL), probably out of memory (limit {memory})", "memory"
            )
        return SandboxError(f"analysis crashed ({name})")
    last = next((line for line in reversed(tail.splitlines()) if line.strip()), "no output")
    return SandboxError(f"analysis failed (exit {returncode}): {last.strip()[:300]}")


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()


def scan_entry(
    path: str,
    declarations: list[str],
    filing_number: str | None,
    limits: dict[str, Any],
    expect: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the child runs for a scan: JSON in, the report's JSON out."""
    from .identity import Identity
    from .scan import scan_package

    report = scan_package(
        Path(path),
        declarations=frozenset(declarations),
        filing_number=filing_number,
        limits=Limits(**limits),
        expect=Identity.from_dict(expect) if expect else None,
    )
    return report.to_dict()


def scan_package_isolated(
    path: Path,
    *,
    declarations: frozenset[str] = frozenset(),
    filing_number: str | None = None,
    limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
    expect: Identity | None = None,
) -> ScanReport:
    """``scan_package`` in a capped child; timeouts, crashes and memory exhaustion become error reports."""
    return scan_report_via(
        run_isolated,
        path,
        declarations=declarations,
        filing_number=filing_number,
        limits=limits,
        expect=expect,
    )


def scan_report_via(
    runner: Callable[..., Any],
    path: Path,
    *,
    declarations: frozenset[str],
    filing_number: str | None,
    limits: Limits,
    expect: Identity | None,
) -> ScanReport:
    """A scan through ``runner`` (``run_isolated`` or a ``SandboxPool``'s ``run``), failures as error reports."""
    from .report import ScanReport, error_report
    from .rules.ruleset import default_ruleset
    from .scan import check_declarations, file_identity

    check_declarations(declarations)
    started = time.monotonic()
    args = [
        str(path),
        sorted(declarations),
        filing_number,
        asdict(limits),
        expect.to_dict() if expect else None,
    ]
    try:
        return ScanReport.from_dict(runner(_SCAN_TARGET, args, limits=limits))
    except (SandboxError, ValueError) as exc:
        sha256, size = file_identity(path)
        return error_report(
            str(path),
            str(exc),
            rules_version=default_ruleset().version,
            sha256=sha256,
            size=size,
            duration_ms=int((time.monotonic() - started) * 1000),
            kind=exc.kind if isinstance(exc, SandboxError) else "crash",
        )


def _die_with_parent(parent: int) -> None:
    """Ask the kernel to SIGKILL this child when its parent dies; exit if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent and os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(3)


def _child_main(argv: list[str]) -> int:
    import resource

    _die_with_parent(int(os.environ.get(_PARENT_ENV, "0") or 0))
    if len(argv) != 1 or not argv[0].isdigit():
        sys.stderr.write("usage: python -m govapp.inspection.engine.sandbox MEMORY_BYTES < request.json\n")
        return 2
    cap = int(argv[0])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    envelope: dict[str, Any]
    try:
        request = json.loads(sys.stdin.buffer.read())
        module_name, _, function_name = request["target"].partition(":")
        function = getattr(import_module(module_name), function_name)
        envelope = {"ok": True, "result": function(*request["args"])}
        payload = json.dumps(envelope, ensure_ascii=False)
    except MemoryError:
        envelope, payload = {"ok": False, "kind": "memory"}, ""
    except Exception as exc:  # noqa: BLE001 - the parent needs one line, whatever went wrong
        envelope, payload = (
            {"ok": False, "kind": "crash", "message": f"{type(exc).__name__}: {exc}"[:500]},
            "",
        )
    sys.stdout.write(payload or json.dumps(envelope))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
