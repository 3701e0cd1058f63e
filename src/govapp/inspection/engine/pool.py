"""A long-lived scan sandbox: pre-started, pre-imported children that each take one package at a time.

``sandbox.run_isolated`` starts a fresh interpreter per scan; on small packages that start (the
interpreter, the engine's imports, loading and compiling the rule set) costs about as much as the
scan. A ``SandboxPool`` keeps N children (``python -m govapp.inspection.engine.pool MEMORY_BYTES``)
that set the same RLIMIT_AS cap on themselves, import the engine and load the rule set, then
serve requests one at a time over their stdin/stdout pipes: a frame is an 8-byte big-endian
length and that many bytes of JSON (never pickle: a child that a hostile package took over must
not be able to run code in the parent by what it answers).

The caps are today's: the address-space cap is set in the child before it imports anything, the
wall-clock cap is kept by the parent, which kills the child's whole process group at the timeout.
A child that timed out, ran out of memory, crashed, was killed from outside or sent a frame that
does not parse is replaced by a fresh one; a child is also replaced after ``recycle_after`` scans
and when its address space stays above half the cap after a scan, so that what one package left
behind never narrows the next one's memory. Errors are the same ``SandboxError`` kinds and lines
as the one-shot sandbox, and a pooled scan gives the same report as ``scan_package_isolated``.

Children are started from one long-lived thread of the pool: Linux's PR_SET_PDEATHSIG (the child
dies with its parent) fires when the *thread* that started the child ends, so a pool used from
short-lived request threads must not start children from them.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from .limits import Limits
from .sandbox import (
    SandboxError,
    _child_env,
    _die_with_parent,
    _kill_group,
    classify_failure,
    scan_report_via,
)

if TYPE_CHECKING:
    from .identity import Identity
    from .report import ScanReport

_HEADER = struct.Struct(">Q")
_MAX_FRAME = 256 * 1024**2  # a report is megabytes at most; anything larger is a broken child
_STDERR_TAIL = 4000
_STOP_SECONDS = 5.0
_RESERVE_BYTES = 1024**2  # released on MemoryError so that the child can still answer
# The engine writes no file; the child's stderr is a temporary file emptied before each request, and
# a package that makes the analysis print without end must not fill the disk (SIGXFSZ ends it).
STDERR_CAP_BYTES = 64 * 1024**2
DEFAULT_RECYCLE_AFTER = 200


class _Broken(Exception):
    """The child's pipe closed or carried garbage: it is dead or no longer trustworthy."""


class _Child:
    """One child process and its pipes; used by one request at a time."""

    def __init__(self, process: subprocess.Popen[bytes], stderr: IO[bytes], memory_bytes: int) -> None:
        self.process = process
        self.stderr = stderr
        self.memory_bytes = memory_bytes
        self.ready = False  # the child's "ready" frame (engine imported, rules loaded) was read
        self.served = 0

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def send(self, payload: dict[str, Any]) -> None:
        assert self.process.stdin is not None
        data = json.dumps(payload).encode()
        try:
            self.process.stdin.write(_HEADER.pack(len(data)) + data)
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise _Broken("the sandbox process closed its input") from exc

    def receive(self, deadline: float) -> dict[str, Any]:
        """The next frame, or TimeoutError at ``deadline`` (time.monotonic), or _Broken."""
        header = self._read_exactly(_HEADER.size, deadline)
        (length,) = _HEADER.unpack(header)
        if length > _MAX_FRAME:
            raise _Broken(f"the sandbox process sent a frame of {length} bytes")
        body = self._read_exactly(length, deadline)
        try:
            frame = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise _Broken("the sandbox process sent a frame that is not JSON") from exc
        if not isinstance(frame, dict):
            raise _Broken("the sandbox process sent a frame that is not an object")
        return frame

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        fd = self.process.stdout.fileno()
        chunks: list[bytes] = []
        missing = size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            readable, _, _ = select.select([fd], [], [], remaining)
            if not readable:
                raise TimeoutError
            chunk = os.read(fd, min(missing, 1024**2))
            if not chunk:
                raise _Broken("the sandbox process closed its output")
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def clear_stderr(self) -> None:
        fd = self.stderr.fileno()
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)  # the child shares this file offset: it writes from the start again

    def stderr_tail(self) -> bytes:
        fd = self.stderr.fileno()
        size = os.fstat(fd).st_size
        return os.pread(fd, _STDERR_TAIL, max(0, size - _STDERR_TAIL))

    def kill(self) -> None:
        """Kill the child's process group and reap the child (its pipes stay open to be read)."""
        if self.process.poll() is None:
            _kill_group(self.process)
        self.process.wait()

    def dispose(self) -> None:
        self.kill()
        for stream in (self.process.stdin, self.process.stdout, self.stderr):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    def stop(self) -> None:
        """Ask the child to exit (end of its input), kill it if it does not in a few seconds."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
            except OSError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(_STOP_SECONDS)
        self.dispose()


class SandboxPool:
    """``size`` capped, pre-started children; ``run`` and ``scan_package`` wait for a free one.

    Thread-safe. ``memory_bytes`` is the address-space cap of the children (a request whose limits
    name another cap gets a child started with that cap); the time cap is each request's
    ``limits.timeout_seconds``. ``close()`` (also on ``with``) stops every child.
    """

    def __init__(
        self,
        size: int = 1,
        *,
        memory_bytes: int = Limits().memory_bytes,
        recycle_after: int = DEFAULT_RECYCLE_AFTER,
    ) -> None:
        if size < 1:
            raise ValueError(f"a sandbox pool needs at least one process, got size {size}")
        if recycle_after < 1:
            raise ValueError(f"recycle_after must be at least 1 scan, got {recycle_after}")
        self.size = size
        self.memory_bytes = memory_bytes
        self.recycle_after = recycle_after
        self.owner_pid = os.getpid()
        self._idle: list[_Child | None] = []
        self._busy: set[_Child] = set()
        self._lock = threading.Condition()
        self._closed = False
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")
        self._idle = [self._spawn(memory_bytes) for _ in range(size)]

    # -- processes ---------------------------------------------------------------------------

    def _spawn(self, memory_bytes: int) -> _Child:
        return self._spawner.submit(self._start_child, memory_bytes).result()

    @staticmethod
    def _start_child(memory_bytes: int) -> _Child:
        stderr = tempfile.TemporaryFile(prefix="govapp-sandbox-")  # noqa: SIM115 - closed in _Child.dispose
        process = subprocess.Popen(
            [sys.executable, "-m", "govapp.inspection.engine.pool", str(memory_bytes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=_child_env(),
            start_new_session=True,  # its own process group: the timeout kills everything it started
        )
        return _Child(process, stderr, memory_bytes)

    def pids(self) -> list[int]:
        """Process ids of the live children (idle and busy)."""
        with self._lock:
            children = [c for c in self._idle if c is not None] + list(self._busy)
        return [c.pid for c in children if c.alive()]

    def _acquire(self, memory_bytes: int) -> _Child:
        with self._lock:
            while True:
                if self._closed:
                    raise RuntimeError("the sandbox pool is closed")
                if self._idle:
                    child = self._idle.pop()
                    break
                self._lock.wait()
        if child is None or not child.alive() or child.memory_bytes != memory_bytes:
            if child is not None:
                child.dispose()  # died while idle (killed from outside, say), or started with another cap
            try:
                child = self._spawn(memory_bytes)
            except BaseException:
                self._release(None)
                raise
        with self._lock:
            self._busy.add(child)
        return child

    def _release(self, child: _Child | None) -> None:
        with self._lock:
            if child is not None:
                self._busy.discard(child)
            if self._closed:
                if child is not None:
                    child.dispose()
                return
            self._idle.append(child)
            self._lock.notify()

    def _replace(self, child: _Child) -> _Child | None:
        """Kill ``child``; a fresh one starts now (it warms up while the caller stores the result)."""
        child.dispose()
        with self._lock:
            self._busy.discard(child)
            if self._closed:
                return None
        try:
            return self._spawn(child.memory_bytes)
        except (OSError, RuntimeError):  # RuntimeError: the spawner thread stopped (closing, or exit)
            return None  # the next request tries again

    # -- requests ----------------------------------------------------------------------------

    def run(self, target: str, args: list[Any], *, limits: Limits) -> Any:
        """``sandbox.run_isolated`` on a pooled child: same result, same errors."""
        if os.getpid() != self.owner_pid:
            raise RuntimeError("a sandbox pool cannot be used from a forked process; create a new one")
        child = self._acquire(limits.memory_bytes)
        started = time.monotonic()
        keep = False
        try:
            child.clear_stderr()
            child.send({"target": target, "args": args})
            deadline = started + limits.timeout_seconds
            if not child.ready:
                frame = child.receive(deadline)
                if frame.get("ready") is not True:
                    raise _failure(child, frame, started, limits)  # could not even import the engine
                child.ready = True
            frame = child.receive(deadline)
            if frame.get("ok") is not True:
                raise _failure(child, frame, started, limits)
            child.served += 1
            keep = (
                child.served < self.recycle_after
                and int(frame.get("vm_bytes") or 0) <= child.memory_bytes // 2
            )
            return frame.get("result")
        except TimeoutError:
            raise SandboxError(f"analysis exceeded {limits.timeout_seconds} s", "timeout") from None
        except _Broken:
            child.kill()  # reaped, so that its exit status and stderr tell what happened
            raise classify_failure(
                None, child.stderr_tail(), child.process.returncode, started, limits
            ) from None
        finally:
            self._release(child if keep else self._replace(child))

    def scan_package(
        self,
        path: Path,
        *,
        declarations: frozenset[str] = frozenset(),
        filing_number: str | None = None,
        limits: Limits = Limits(),  # noqa: B008 - frozen dataclass, safe as a default
        expect: Identity | None = None,
    ) -> ScanReport:
        """``sandbox.scan_package_isolated`` on a pooled child: the same report."""
        return scan_report_via(
            self.run,
            path,
            declarations=declarations,
            filing_number=filing_number,
            limits=limits,
            expect=expect,
        )

    def close(self) -> None:
        """Stop every child (idle ones now, busy ones when their request ends); idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            idle, self._idle = self._idle, []
            self._lock.notify_all()
        if os.getpid() == self.owner_pid:
            for child in idle:
                if child is not None:
                    child.stop()
        self._spawner.shutdown(wait=os.getpid() == self.owner_pid)

    def __enter__(self) -> SandboxPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _failure(child: _Child, frame: dict[str, Any], started: float, limits: Limits) -> SandboxError:
    return classify_failure(frame, child.stderr_tail(), child.process.poll(), started, limits)


# -- the child -------------------------------------------------------------------------------


def _write_frame(out: BinaryIO, payload: dict[str, Any]) -> None:
    try:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError) as exc:
        data = json.dumps(
            {"ok": False, "kind": "crash", "message": f"unreadable result: {exc}"[:500]}
        ).encode()
    out.write(_HEADER.pack(len(data)) + data)
    out.flush()


def _read_frame(source: BinaryIO) -> dict[str, Any] | None:
    header = source.read(_HEADER.size)
    if len(header) < _HEADER.size:
        return None  # the parent closed our input: time to go
    (length,) = _HEADER.unpack(header)
    request = json.loads(source.read(length))
    if not isinstance(request, dict):
        raise ValueError("a request must be a JSON object")
    return request


def _private_pipes() -> tuple[BinaryIO, BinaryIO]:
    """The parent's pipes on private descriptors; fd 0 reads /dev/null and fd 1 goes to stderr, so that
    code which prints (or reads stdin) cannot corrupt the frames."""
    requests = os.fdopen(os.dup(0), "rb")
    answers = os.fdopen(os.dup(1), "wb")
    sys.stdout.flush()
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return requests, answers


def _address_space() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(request: dict[str, Any]) -> dict[str, Any]:
    from importlib import import_module

    module_name, _, function_name = request["target"].partition(":")
    function = getattr(import_module(module_name), function_name)  # looked up per call: tests patch it
    return {"ok": True, "result": function(*request["args"])}


def _child_main(argv: list[str]) -> int:
    import resource

    _die_with_parent(int(os.environ.get("GOVAPP_SANDBOX_PARENT", "0") or 0))
    if len(argv) != 1 or not argv[0].isdigit():
        sys.stderr.write(
            "usage: python -m govapp.inspection.engine.pool MEMORY_BYTES (framed JSON on stdin)\n"
        )
        return 2
    cap = int(argv[0])
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    resource.setrlimit(resource.RLIMIT_FSIZE, (STDERR_CAP_BYTES, STDERR_CAP_BYTES))
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a terminal's Ctrl-C is the parent's to handle
    requests, answers = _private_pipes()
    try:
        from .rules.ruleset import default_ruleset
        from .scan import scan_package  # noqa: F401 - imported now, so that a request does not pay it

        default_ruleset()
        reserve: bytearray | None = bytearray(_RESERVE_BYTES)
    except MemoryError:
        _write_frame(answers, {"ok": False, "kind": "memory"})
        return 0
    _write_frame(answers, {"ready": True})
    while True:
        answer: dict[str, Any]
        try:
            request = _read_frame(requests)
            if request is None:
                return 0
            answer = _serve(request)
        except MemoryError:
            reserve = None
            answer = {"ok": False, "kind": "memory"}
        except Exception as exc:  # noqa: BLE001 - the parent needs one line, whatever went wrong
            answer = {"ok": False, "kind": "crash", "message": f"{type(exc).__name__}: {exc}"[:500]}
        try:
            _write_frame(answers, {**answer, "vm_bytes": _address_space()})
        except MemoryError:
            _write_frame(answers, {"ok": False, "kind": "memory"})
        if reserve is None:
            return 0  # out of memory once: the parent replaces this process anyway
        if not answer.get("ok"):
            return 0


if __name__ == "__main__":
    sys.exit(_child_main(sys.argv[1:]))
