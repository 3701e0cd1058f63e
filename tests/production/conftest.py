"""Session-wide SeaweedFS and Redis for the production tests, stopped at the end of the session."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.production.services import S3Server, connect_seaweedfs, redis_url, start_seaweedfs, stop


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory) -> Iterator[S3Server]:  # type: ignore[no-untyped-def]
    """The server .ci/run started (GOVAPP_TEST_S3_ENDPOINT, scripts/seaweedfs.sh), else one of our own."""
    endpoint = os.environ.get("GOVAPP_TEST_S3_ENDPOINT")
    if endpoint:
        yield connect_seaweedfs(endpoint)
        return
    server = start_seaweedfs(tmp_path_factory.mktemp("seaweedfs"))
    yield server
    assert server.process is not None
    stop(server.process)


@pytest.fixture(scope="session")
def shared_redis(tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    url, process = redis_url(tmp_path_factory.mktemp("redis"))
    yield url
    if process is not None:
        stop(process)


@pytest.fixture
def s3_storage(settings, s3_server: S3Server) -> str:  # type: ignore[no-untyped-def]
    """This test's uploads go to the S3 server under a prefix of its own; returns the prefix."""
    prefix = f"t-{uuid.uuid4().hex[:12]}"
    env = s3_server.env(prefix)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": env["GOVAPP_S3_BUCKET"], "endpoint_url": env["GOVAPP_S3_ENDPOINT_URL"],
                "access_key": env["GOVAPP_S3_ACCESS_KEY"], "secret_key": env["GOVAPP_S3_SECRET_KEY"],
                "region_name": "us-east-1", "addressing_style": "path", "signature_version": "s3v4",
                "default_acl": None, "file_overwrite": False, "location": prefix,
            },
        },
    }  # fmt: skip
    return prefix
