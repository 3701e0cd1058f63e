"""One measured thing, run in its own process so that its peak RSS is its own.

    python bench/measure.py KIND PATH... [--timeout SECONDS]

KIND is one of: scan (``scan_package``, what ``govapp scan`` does without the sandbox),
scan-sandbox (``scan_package_isolated``: a fresh capped child per package), scan-pool (the
long-lived sandbox: one ``SandboxPool`` child, started once, takes every package), inflate (zipfile read of every classes*.dex),
androguard-apk (androguard ``APK()``), androguard-analyze (androguard ``AnalyzeAPK``).
Every PATH is measured in turn; each gets at most ``--timeout`` seconds (SIGALRM), after which
it is counted as a timeout and the next one starts. Prints one JSON object: wall seconds spent
inside the measured calls (imports and interpreter start excluded), counts of ok / error /
timeout, and the errors' first lines. The parent reads peak RSS and CPU time from wait4().
"""

from __future__ import annotations

import json
import re
import signal
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

_DEX_NAME = re.compile(r"^classes\d*\.dex$")


class Timeout(BaseException):
    """BaseException, so that a library's ``except Exception`` cannot swallow it."""


def _alarm(_signum: int, _frame: object) -> NoReturn:
    raise Timeout


def _scan() -> Callable[[Path], str | None]:
    from govapp.inspection.engine.scan import scan_package

    def run(path: Path) -> str | None:
        report = scan_package(path)
        return report.notes[0] if report.verdict == "error" and report.notes else None

    return run


def _scan_sandbox() -> Callable[[Path], str | None]:
    from govapp.inspection.engine.sandbox import scan_package_isolated

    def run(path: Path) -> str | None:
        report = scan_package_isolated(path)
        return report.notes[0] if report.verdict == "error" and report.notes else None

    return run


def _scan_pool() -> Callable[[Path], str | None]:
    import atexit

    from govapp.inspection.engine.pool import SandboxPool

    pool = SandboxPool(1)
    atexit.register(pool.close)  # reaped before exit, so that wait4 counts the child's CPU and memory

    def run(path: Path) -> str | None:
        report = pool.scan_package(path)
        return report.notes[0] if report.verdict == "error" and report.notes else None

    return run


def _inflate() -> Callable[[Path], str | None]:
    def run(path: Path) -> str | None:
        total = 0
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if _DEX_NAME.match(name):
                    total += len(archive.read(name))
        return None if total else "no classes*.dex"

    return run


def _quiet_androguard() -> None:
    # androguard logs every step through loguru; printing that would only slow it down.
    from loguru import logger

    logger.remove()


def _androguard_apk() -> Callable[[Path], str | None]:
    _quiet_androguard()
    from androguard.core.apk import APK

    def run(path: Path) -> str | None:
        APK(str(path))
        return None

    return run


def _androguard_analyze() -> Callable[[Path], str | None]:
    _quiet_androguard()
    from androguard.misc import AnalyzeAPK

    def run(path: Path) -> str | None:
        AnalyzeAPK(str(path))
        return None

    return run


KINDS: dict[str, Callable[[], Callable[[Path], str | None]]] = {
    "scan": _scan,
    "scan-sandbox": _scan_sandbox,
    "scan-pool": _scan_pool,
    "inflate": _inflate,
    "androguard-apk": _androguard_apk,
    "androguard-analyze": _androguard_analyze,
}


def measure(kind: str, paths: list[Path], timeout: float) -> dict[str, Any]:
    run = KINDS[kind]()
    signal.signal(signal.SIGALRM, _alarm)
    result: dict[str, Any] = {"kind": kind, "files": len(paths), "ok": 0, "error": 0, "timeout": 0}
    errors: list[str] = []
    timeouts: list[str] = []
    seconds = 0.0
    for path in paths:
        started = time.perf_counter()
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            problem = run(path)
        except Timeout:
            problem = "timeout"
        except Exception as exc:  # noqa: BLE001 - a failing package is a data point, not the end
            problem = f"{type(exc).__name__}: {exc}".splitlines()[0][:200] if str(exc) else type(exc).__name__
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds += time.perf_counter() - started
        if problem == "timeout":
            result["timeout"] += 1
            timeouts.append(path.name)
        elif problem:
            result["error"] += 1
            errors.append(f"{path.name}: {problem}")
        else:
            result["ok"] += 1
    result["seconds"] = round(seconds, 3)
    result["errors"] = errors
    result["timeouts"] = timeouts
    return result


def main(argv: list[str]) -> int:
    timeout = 600.0
    if "--timeout" in argv:
        at = argv.index("--timeout")
        timeout = float(argv[at + 1])
        del argv[at : at + 2]
    if len(argv) < 2 or argv[0] not in KINDS:
        sys.stderr.write(f"usage: measure.py {{{','.join(KINDS)}}} PATH... [--timeout SECONDS]\n")
        return 2
    paths = [Path(p) for p in argv[1:]]
    if argv[1] == "-":
        paths = [Path(line) for line in sys.stdin.read().splitlines() if line]
    print(json.dumps(measure(argv[0], paths, timeout), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
