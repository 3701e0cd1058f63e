"""The long-lived sandbox: pooled children give the one-shot sandbox's reports and errors, and a child
that failed in any way is replaced before the next package."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from govapp.inspection.engine.limits import Limits
from govapp.inspection.engine.pool import STDERR_CAP_BYTES, SandboxPool
from govapp.inspection.engine.sandbox import SandboxError, scan_package_isolated
from tests.inspection.builders.wechat import write_tree
from tests.inspection.engine.test_sandbox import PROJECT


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie still answers signal 0; it no longer runs anything
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pid: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _exists(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def pool() -> Iterator[SandboxPool]:
    with SandboxPool() as sandboxes:
        yield sandboxes


def _comparable(report: Any) -> dict[str, Any]:
    data = report.to_dict()
    data.pop("duration_ms")
    return data


def test_pooled_reports_equal_the_one_shot_sandbox(pool: SandboxPool, android: Any, tmp_path: Path) -> None:
    tree = write_tree(tmp_path / "mp", PROJECT)
    packages = [
        tree,
        android.clean,
        android.formalism,
        android.debug,
        android.unsigned,
        tmp_path / "gone.apk",
    ]
    for path in packages:
        one_shot = scan_package_isolated(
            path, filing_number="GA-9", declarations=frozenset({"location_tracking"})
        )
        pooled = pool.scan_package(path, filing_number="GA-9", declarations=frozenset({"location_tracking"}))
        assert _comparable(pooled) == _comparable(one_shot), path.name
    assert len(pool.pids()) == 1  # one child served them all


def test_results_cross_and_the_child_stays(pool: SandboxPool) -> None:
    (pid,) = pool.pids()
    assert pool.run("os.path:join", ["a", "b"], limits=Limits()) == "a/b"
    assert (
        pool.run("builtins:print", ["noise on stdout does not corrupt the answers"], limits=Limits()) is None
    )
    assert pool.run("os.path:join", ["c", "d"], limits=Limits()) == "c/d"
    assert pool.pids() == [pid]


def test_the_child_runs_under_the_one_shot_memory_cap_and_a_file_size_cap() -> None:
    import resource

    with SandboxPool(memory_bytes=512 * 1024**2) as pool:
        limits = Limits(memory_bytes=512 * 1024**2)
        assert pool.run("resource:getrlimit", [resource.RLIMIT_AS], limits=limits) == [512 * 1024**2] * 2
        assert (
            pool.run("resource:getrlimit", [resource.RLIMIT_FSIZE], limits=limits) == [STDERR_CAP_BYTES] * 2
        )
        (child,) = pool.pids()
        # Endless output on stderr stops at the cap (SIGXFSZ ends the writer), the disk stays free.
        status = pool.run("os:system", ["head -c 100000000 /dev/zero >&2"], limits=limits)
        assert os.waitstatus_to_exitcode(status) != 0
        assert pool.pids() == [child]


def test_memory_exhaustion_is_a_memory_error_and_the_next_scan_works(tmp_path: Path) -> None:
    with SandboxPool(memory_bytes=256 * 1024**2) as pool:
        (first,) = pool.pids()
        limits = Limits(memory_bytes=256 * 1024**2)
        with pytest.raises(SandboxError, match=r"^analysis ran out of memory \(limit 256 MiB\)$") as raised:
            pool.run("builtins:bytearray", [2 * 1024**3], limits=limits)
        assert raised.value.kind == "memory"
        assert _wait_gone(first)
        report = pool.scan_package(write_tree(tmp_path / "mp", PROJECT), limits=limits)
        assert report.verdict == "violation"
        assert pool.pids() and pool.pids() != [first]


def test_a_cap_too_small_for_the_engine_is_a_memory_error_report(tmp_path: Path) -> None:
    path = tmp_path / "app.apk"
    path.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    limits = Limits(memory_bytes=16 * 1024**2)
    with SandboxPool(memory_bytes=16 * 1024**2) as pool:
        report = pool.scan_package(path, limits=limits)
    assert report.verdict == "error" and report.error_kind == "memory"
    assert report.errors == ["analysis ran out of memory (limit 16 MiB)"]
    assert report.package["size"] == 22


def test_timeout_kills_the_child_and_a_fresh_one_serves_the_next(pool: SandboxPool) -> None:
    (first,) = pool.pids()
    started = time.monotonic()
    with pytest.raises(SandboxError, match=r"^analysis exceeded 1 s$") as raised:
        pool.run("time:sleep", [30], limits=Limits(timeout_seconds=1))
    assert raised.value.kind == "timeout" and time.monotonic() - started < 15
    assert _wait_gone(first)
    assert pool.run("os.path:join", ["a", "b"], limits=Limits()) == "a/b"
    assert pool.pids() and pool.pids() != [first]


def _children_of(pid: int) -> list[int]:
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


def test_a_timeout_also_kills_what_the_analysis_started(pool: SandboxPool) -> None:
    (child,) = pool.pids()
    seen: list[int] = []

    def look() -> None:
        deadline = time.monotonic() + 5
        while not seen and time.monotonic() < deadline:
            seen.extend(_children_of(child))
            time.sleep(0.05)

    watcher = threading.Thread(target=look)
    watcher.start()
    with pytest.raises(SandboxError, match=r"^analysis exceeded 2 s$"):
        pool.run("subprocess:call", [["sleep", "60"]], limits=Limits(timeout_seconds=2))
    watcher.join()
    assert seen and all(_wait_gone(pid) for pid in seen)  # the whole process group went


def test_a_child_killed_from_outside_is_replaced(pool: SandboxPool) -> None:
    (idle,) = pool.pids()
    os.kill(idle, signal.SIGKILL)  # while idle: the next request gets a fresh child, no error
    assert _wait_gone(idle)
    assert pool.run("os.path:join", ["a", "b"], limits=Limits()) == "a/b"
    (busy,) = pool.pids()
    assert busy != idle
    killer = threading.Timer(1.0, os.kill, (busy, signal.SIGKILL))  # mid-request: that request fails
    killer.start()
    with pytest.raises(SandboxError, match=r"^analysis was killed \(SIGKILL\)") as raised:
        pool.run("time:sleep", [30], limits=Limits(timeout_seconds=20))
    killer.join()
    assert (
        raised.value.kind == "memory"
    )  # as in the one-shot sandbox: an unexplained SIGKILL is the OOM killer
    assert pool.run("os.path:join", ["c", "d"], limits=Limits()) == "c/d"
    assert busy not in pool.pids()


def test_a_crash_or_an_exception_is_one_line_and_replaces_the_child(pool: SandboxPool) -> None:
    (first,) = pool.pids()
    with pytest.raises(SandboxError, match=r"^analysis crashed \(SIGABRT\)$") as raised:
        pool.run("os:abort", [], limits=Limits())
    assert raised.value.kind == "crash"
    with pytest.raises(SandboxError, match=r"^analysis failed: ValueError: ") as raised:
        pool.run("builtins:int", ["not a number"], limits=Limits())
    assert raised.value.kind == "crash"
    with pytest.raises(SandboxError, match=r"^analysis failed \(exit 7\): no output$") as raised:
        pool.run("os:_exit", [7], limits=Limits())
    assert raised.value.kind == "crash"
    assert pool.run("os.path:join", ["a", "b"], limits=Limits()) == "a/b"
    assert first not in pool.pids()


def test_a_child_is_recycled_after_its_quota_of_scans() -> None:
    with SandboxPool(recycle_after=2) as pool:
        (first,) = pool.pids()
        pool.run("os:getpid", [], limits=Limits())
        assert pool.run("os:getpid", [], limits=Limits()) == first
        assert pool.run("os:getpid", [], limits=Limits()) != first
        assert _wait_gone(first)


def test_a_request_with_another_memory_cap_gets_a_child_with_that_cap() -> None:
    with SandboxPool(memory_bytes=512 * 1024**2) as pool:
        (first,) = pool.pids()
        limits = Limits(memory_bytes=256 * 1024**2)
        with pytest.raises(SandboxError, match=r"limit 256 MiB"):
            pool.run("builtins:bytearray", [300 * 1024**2], limits=limits)  # fits 512 MiB, not 256 MiB
        assert _wait_gone(first)


def test_children_outlive_the_thread_that_created_the_pool() -> None:
    made: list[SandboxPool] = []
    creator = threading.Thread(target=lambda: made.append(SandboxPool()))
    creator.start()
    creator.join()
    (pool,) = made
    try:
        time.sleep(0.3)  # PR_SET_PDEATHSIG would have fired when the creating thread ended
        assert pool.run("os.path:join", ["a", "b"], limits=Limits()) == "a/b"
    finally:
        pool.close()


def test_two_children_serve_two_requests_at_once() -> None:
    with SandboxPool(2) as pool:
        assert len(pool.pids()) == 2
        slow = threading.Thread(target=pool.run, args=("time:sleep", [5]), kwargs={"limits": Limits()})
        slow.start()
        time.sleep(0.2)  # the slow request holds one child
        other = pool.run("os:getpid", [], limits=Limits())  # the other child answers meanwhile
        assert slow.is_alive() and other in pool.pids()
        slow.join()


def test_shutdown_leaves_no_processes() -> None:
    pool = SandboxPool(2)
    pids = pool.pids()
    assert len(pids) == 2 and all(_exists(pid) for pid in pids)
    pool.close()
    assert not [pid for pid in pids if _exists(pid)]
    assert pool.pids() == []
    with pytest.raises(RuntimeError, match="closed"):
        pool.run("os:getpid", [], limits=Limits())
    pool.close()  # idempotent


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one process"):
        SandboxPool(0)
    with pytest.raises(ValueError, match="recycle_after must be at least 1"):
        SandboxPool(recycle_after=0)
