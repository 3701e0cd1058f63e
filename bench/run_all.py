"""The engine's speed and size benchmarks; prints a markdown table (``make bench``).

1. The synthetic large APK (bench/build_large_apk.py: every distinct real DEX file of Debian's
   androguard examples in one package): the DEX-inflate floor, ``scan_package``, the sandboxed
   scan and androguard ``AnalyzeAPK``.
2. The whole example corpus (every *.apk): ours vs androguard ``APK()`` and ``AnalyzeAPK``, each
   with a per-APK timeout.
3. The same corpus through the platform's sandbox on one core (``taskset -c 0``): a fresh capped
   child per package (``scan_package_isolated``) against the long-lived sandbox (``SandboxPool``),
   in alternating rounds.

Every measurement runs in its own process (bench/measure.py); peak RSS and CPU time come from
wait4() on that process, so they include its interpreter and imports and, for the sandboxed
scan, the sandbox child. "call s" is wall time inside the measured calls only.

    .venv/bin/python bench/run_all.py [--repeat N] [--analyze-repeat N] [--timeout SECONDS]
                                     [--sandbox-rounds N] [--skip-corpus] [--skip-large] [--skip-sandbox]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import threading
import time
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
    wall: float = 0.0  # the whole process: interpreter start, imports, sandbox start, every call


def run_child(
    kind: str, paths: list[Path], *, timeout: float, hard_limit: float, cpus: str | None = None
) -> Run:
    """One measurement in a fresh process; its rusage comes from wait4 on exactly that process.
    ``cpus`` pins it (and its children) to those cores with taskset, which execs in place."""
    print(f"bench: {kind} on {len(paths)} file(s)", file=sys.stderr, flush=True)
    pin = ["taskset", "-c", cpus] if cpus is not None else []
    started = time.monotonic()
    process = subprocess.Popen(
        [*pin, sys.executable, str(MEASURE), kind, "-", "--timeout", str(timeout)],
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
        wall = time.monotonic() - started
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
        wall=wall,
    )


@dataclass
class Series:
    """Repeated runs of one kind: medians of call and CPU time, their range, the worst peak."""

    runs: list[Run]

    @staticmethod
    def _median(values: list[float]) -> float:
        ordered = sorted(values)
        middle = len(ordered) // 2
        return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2

    @property
    def seconds(self) -> float:
        return self._median([r.seconds for r in self.runs])

    @property
    def cpu(self) -> float:
        return self._median([r.cpu for r in self.runs])

    @property
    def cpu_range(self) -> tuple[float, float]:
        return min(r.cpu for r in self.runs), max(r.cpu for r in self.runs)

    @property
    def peak_mb(self) -> float:
        return max(r.peak_mb for r in self.runs)

    @property
    def outcome(self) -> str:
        result = self.runs[-1].result
        return "ok" if result["ok"] else ("timeout" if result["timeout"] else result["errors"][0])


def interleaved(kinds: list[tuple[str, int, float]], paths: list[Path]) -> dict[str, Series]:
    """``repeat`` runs of each (kind, repeat, timeout), taken in rounds (a, b, c, a, b, c, ...) so
    that a busy spell of the machine falls on every kind alike rather than on one kind's block."""
    series: dict[str, Series] = {kind: Series([]) for kind, _, _ in kinds}
    for round_no in range(max(repeat for _, repeat, _ in kinds)):
        for kind, repeat, timeout in kinds:
            if round_no < repeat:
                run = run_child(kind, paths, timeout=timeout, hard_limit=timeout * len(paths) + 120)
                series[kind].runs.append(run)
    return series


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


def large_section(repeat: int, analyze_repeat: int, timeout: float) -> list[str]:
    count, dex_bytes = build(DEFAULT_OUT)
    apk = DEFAULT_OUT
    kinds = [
        ("inflate", repeat, timeout),
        ("scan", repeat, timeout),
        ("scan-sandbox", repeat, timeout),
        ("androguard-analyze", analyze_repeat, timeout * 4),  # ~100 s here, 160 s seen on a busy machine
    ]
    series = interleaved(kinds, [apk])
    floor, ours, sandboxed, androguard = (series[kind] for kind, _, _ in kinds)
    lines = [
        f"### Synthetic large APK: {count} DEX files, {dex_bytes / 1e6:.1f} MB of DEX "
        f"({apk.stat().st_size / 1e6:.1f} MB zipped)",
        "",
        f"Medians of {repeat} runs ({analyze_repeat} of `AnalyzeAPK`), taken in alternating rounds;"
        " CPU range in brackets.",
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
        low, high = run.cpu_range
        cpu = f"{run.cpu:.2f} ({low:.2f}–{high:.2f})"
        lines.append(row([label, f"{run.seconds:.2f}", cpu, f"{run.peak_mb:.0f}", run.outcome]))
    if androguard.outcome == "ok":
        fastest_androguard = androguard.cpu_range[0]
        lines += [
            "",
            f"Speed-up of `scan_package` over `AnalyzeAPK`: **{androguard.cpu / ours.cpu:.1f}x** by median "
            f"process CPU time, {androguard.seconds / ours.seconds:.1f}x by median call time; sandboxed "
            f"{androguard.cpu / sandboxed.cpu:.1f}x by CPU. Worst pairing (our slowest run against "
            f"androguard's fastest): {fastest_androguard / ours.cpu_range[1]:.1f}x, sandboxed "
            f"{fastest_androguard / sandboxed.cpu_range[1]:.1f}x. Goal: >= 30x, peak < 300 MB "
            f"(ours: {ours.peak_mb:.0f} MB, sandboxed {sandboxed.peak_mb:.0f} MB).",
        ]
    lines.append(f"Our scan is {ours.seconds / floor.seconds:.1f}x the inflate floor (median call time).")
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


def sandbox_section(rounds: int, timeout: float) -> list[str]:
    """The corpus through the one-shot sandbox and through the pool, one core, alternating rounds."""
    paths = corpus_paths()
    cpus = "0" if shutil.which("taskset") else None
    kinds = [("scan-sandbox", "one-shot: `scan_package_isolated`"), ("scan-pool", "pool: `SandboxPool(1)`")]
    series: dict[str, list[Run]] = {kind: [] for kind, _ in kinds}
    hard = timeout * len(paths) + 300
    for _ in range(rounds):
        for kind, _label in kinds:
            series[kind].append(run_child(kind, paths, timeout=timeout, hard_limit=hard, cpus=cpus))

    def per_minute(run: Run) -> float:
        return len(paths) * 60 / run.wall

    lines = [
        f"### The corpus through the sandbox: {len(paths)} APKs, "
        + ("one core (`taskset -c 0`)" if cpus else "all cores (no taskset)"),
        "",
        f"Medians of {rounds} alternating rounds (range in brackets). Scans a minute = APKs / wall time "
        "of the whole measuring process (interpreter start and pool start included).",
        "",
        row(
            [
                "sandbox",
                "scans a minute",
                "wall s",
                "call s",
                "process CPU s",
                "peak RSS MB",
                "ok",
                "error",
                "timeout",
            ]
        ),
        row(["---", "---:", "---:", "---:", "---:", "---:", "---:", "---:", "---:"]),
    ]
    for kind, label in kinds:
        runs = Series(series[kind])
        rates = sorted(per_minute(r) for r in runs.runs)
        walls = [r.wall for r in runs.runs]
        last = runs.runs[-1].result
        lines.append(
            row(
                [
                    label,
                    f"{Series._median(rates):.0f} ({rates[0]:.0f}–{rates[-1]:.0f})",
                    f"{Series._median(walls):.1f}",
                    f"{runs.seconds:.1f}",
                    f"{runs.cpu:.1f}",
                    f"{runs.peak_mb:.0f}",
                    str(last["ok"]),
                    str(last["error"]),
                    str(last["timeout"]),
                ]
            )
        )
    one_shot, pooled = (Series(series[kind]) for kind, _ in kinds)
    pairs = [per_minute(p) / per_minute(o) for o, p in zip(one_shot.runs, pooled.runs, strict=True)]
    slowest_pool = min(per_minute(r) for r in pooled.runs)
    fastest_one_shot = max(per_minute(r) for r in one_shot.runs)
    lines += [
        "",
        f"Throughput of the pool over the one-shot sandbox: **{Series._median(pairs):.1f}x** by the median of "
        f"the rounds' ratios ({min(pairs):.1f}x–{max(pairs):.1f}x), {slowest_pool / fastest_one_shot:.1f}x "
        "in the worst pairing (the pool's slowest round against the one-shot's fastest). Goal: >= 2x.",
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="GovApp inspection engine benchmarks")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each of our measurements (median)")
    parser.add_argument(
        "--analyze-repeat", type=int, default=3, help="runs of androguard AnalyzeAPK (median)"
    )
    parser.add_argument("--timeout", type=float, default=60, help="seconds per APK in the corpus run")
    parser.add_argument(
        "--sandbox-rounds", type=int, default=3, help="alternating rounds of one-shot sandbox and pool"
    )
    parser.add_argument("--skip-corpus", action="store_true")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-sandbox", action="store_true")
    args = parser.parse_args(argv)
    if not EXAMPLES.is_dir():
        raise SystemExit(f"{EXAMPLES}: missing; run `make samples` first")
    # Measured as an installed program runs: with its bytecode cached, not recompiling every
    # module at each start (which PYTHONDONTWRITEBYTECODE in the environment would cause).
    compileall.compile_dir(str(BENCH.parent / "src"), quiet=1)
    lines = [f"Machine: {machine()}.", ""]
    if not args.skip_large:
        lines += large_section(args.repeat, args.analyze_repeat, max(args.timeout, 150))
    if not args.skip_corpus:
        lines += ([""] if not args.skip_large else []) + corpus_section(args.timeout)
    if not args.skip_sandbox:
        lines += ([""] if len(lines) > 2 else []) + sandbox_section(args.sandbox_rounds, args.timeout)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
