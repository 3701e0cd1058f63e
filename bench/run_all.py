"""The engine's speed and size benchmarks; prints a markdown table (``make bench``).

1. The synthetic large APK (bench/build_large_apk.py: every distinct real DEX file of Debian's
   androguard examples in one package): the DEX-inflate floor, ``scan_package``, the sandboxed
   scan and androguard ``AnalyzeAPK``.
2. The whole example corpus (every *.apk): ours vs androguard ``APK()`` and ``AnalyzeAPK``, each
   with a per-APK timeout.

Every measurement runs in its own process (bench/measure.py); peak RSS and CPU time come from
wait4() on that process, so they include its interpreter and imports and, for the sandboxed
scan, the sandbox child. "call s" is wall time inside the measured calls only.

    .venv/bin/python bench/run_all.py [--repeat N] [--timeout SECONDS] [--skip-corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_large_apk import DEFAULT_OUT, EXAMPLES, build  # noqa: E402

BENCH = Path(__file__).resolve().parent
MEASURE = BENCH / "measure.py"


@dataclass
class Run:
    kind: str
    seconds: float  # inside the measured calls
    cpu: float  # user + system of the whole process tree
    peak_mb: float
    result: dict[str, Any]


def run_child(kind: str, paths: list[Path], *, timeout: float, hard_limit: float) -> Run:
    """One measurement in a fresh process; its rusage comes from wait4 on exactly that process."""
    print(f"bench: {kind} on {len(paths)} file(s)", file=sys.stderr, flush=True)
    process = subprocess.Popen(
        [sys.executable, str(MEASURE), kind, "-", "--timeout", str(timeout)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        start_new_session=True,
    )
    killer = threading.Timer(hard_limit, lambda: os.killpg(process.pid, signal.SIGKILL))
    killer.start()
    try:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write("\n".join(str(p) for p in paths).encode())
        process.stdin.close()
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        killer.cancel()
    if process.returncode != 0:
        raise SystemExit(f"{kind}: measurement process failed (exit {process.returncode})")
    result = json.loads(output)
    return Run(
        kind=kind,
        seconds=result["seconds"],
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
        result=result,
    )


def median_run(kind: str, paths: list[Path], repeat: int, timeout: float) -> Run:
    runs = sorted(
        (
            run_child(kind, paths, timeout=timeout, hard_limit=timeout * len(paths) + 120)
            for _ in range(repeat)
        ),
        key=lambda r: r.seconds,
    )
    middle = runs[len(runs) // 2]
    middle.peak_mb = max(r.peak_mb for r in runs)  # the worst peak, not the median one
    return middle


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        total_kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {total_kb / 1024**2:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} cores, {model}{memory}, Python {platform.python_version()}, "
        f"load average {load:.1f} at start"
    )


def row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def large_section(repeat: int, timeout: float) -> list[str]:
    count, dex_bytes = build(DEFAULT_OUT)
    apk = DEFAULT_OUT
    floor = median_run("inflate", [apk], repeat, timeout)
    ours = median_run("scan", [apk], repeat, timeout)
    sandboxed = median_run("scan-sandbox", [apk], repeat, timeout)
    androguard = run_child("androguard-analyze", [apk], timeout=timeout * 4, hard_limit=timeout * 4 + 120)
    lines = [
        f"### Synthetic large APK: {count} DEX files, {dex_bytes / 1e6:.1f} MB of DEX "
        f"({apk.stat().st_size / 1e6:.1f} MB zipped)",
        "",
        row(["measurement", "call s", "process CPU s", "peak RSS MB", "result"]),
        row(["---", "---:", "---:", "---:", "---"]),
    ]
    for label, run in (
        ("floor: inflate every classes*.dex (zipfile)", floor),
        ("ours: `scan_package` (full rule set)", ours),
        ("ours: `scan_package_isolated` (sandboxed)", sandboxed),
        ("androguard 4: `AnalyzeAPK`", androguard),
    ):
        outcome = (
            "ok" if run.result["ok"] else ("timeout" if run.result["timeout"] else run.result["errors"][0])
        )
        lines.append(row([label, f"{run.seconds:.2f}", f"{run.cpu:.2f}", f"{run.peak_mb:.0f}", outcome]))
    if androguard.result["ok"]:
        lines += [
            "",
            f"Speed-up of `scan_package` over `AnalyzeAPK`: **{androguard.seconds / ours.seconds:.1f}x** "
            f"by call time, {androguard.cpu / ours.cpu:.1f}x by process CPU time; sandboxed "
            f"{androguard.seconds / sandboxed.seconds:.1f}x. Goal: >= 30x, peak < 300 MB "
            f"(ours: {ours.peak_mb:.0f} MB, sandboxed {sandboxed.peak_mb:.0f} MB).",
        ]
    lines.append(f"Our scan is {ours.seconds / floor.seconds:.1f}x the inflate floor.")
    return lines


def corpus_paths() -> list[Path]:
    return sorted(EXAMPLES.rglob("*.apk"))


def corpus_section(timeout: float) -> list[str]:
    paths = corpus_paths()
    dex_bytes = 0
    for path in paths:
        try:
            with zipfile.ZipFile(path) as archive:
                dex_bytes += sum(i.file_size for i in archive.infolist() if i.filename.endswith(".dex"))
        except (zipfile.BadZipFile, OSError):
            continue
    size = sum(p.stat().st_size for p in paths)
    hard = timeout * len(paths) + 300
    runs = [
        ("ours: `scan_package`", run_child("scan", paths, timeout=timeout, hard_limit=hard)),
        ("androguard 4: `APK()`", run_child("androguard-apk", paths, timeout=timeout, hard_limit=hard)),
        (
            "androguard 4: `AnalyzeAPK`",
            run_child("androguard-analyze", paths, timeout=timeout, hard_limit=hard),
        ),
    ]
    lines = [
        f"### Debian androguard example corpus: {len(paths)} APKs, {size / 1e6:.1f} MB, "
        f"{dex_bytes / 1e6:.1f} MB of DEX (per-APK timeout {timeout:.0f} s)",
        "",
        row(["tool", "total call s", "process CPU s", "peak RSS MB", "ok", "error", "timeout"]),
        row(["---", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ]
    for label, run in runs:
        r = run.result
        lines.append(
            row(
                [
                    label,
                    f"{run.seconds:.1f}",
                    f"{run.cpu:.1f}",
                    f"{run.peak_mb:.0f}",
                    str(r["ok"]),
                    str(r["error"]),
                    str(r["timeout"]),
                ]
            )
        )
    for label, run in runs:
        if run.result["timeouts"]:
            lines.append(f"\n{label} timed out on: {', '.join(run.result['timeouts'])}")
    lines.append(
        '\n"error" is a package the tool refused or failed on (the corpus holds deliberately '
        'broken and unusual signing samples); ours reports them as verdict "error" with one line.'
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GovApp inspection engine benchmarks")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each of our measurements (median)")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per APK in the corpus run")
    parser.add_argument("--skip-corpus", action="store_true")
    args = parser.parse_args(argv)
    if not EXAMPLES.is_dir():
        raise SystemExit(f"{EXAMPLES}: missing; run `make samples` first")
    lines = [f"Machine: {machine()}.", ""]
    lines += large_section(args.repeat, max(args.timeout, 150))
    if not args.skip_corpus:
        lines += [""] + corpus_section(args.timeout)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
