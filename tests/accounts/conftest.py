"""Identity platforms run inside the tests: a real OpenID Connect provider and a CAS 2/3 server stand-in."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlencode
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

ZHANG = {"sub": "zj-3301-zhangsan", "email": "zhangsan@zj.gov.cn", "name": "张三"}


@dataclass
class OidcProvider:
    url: str

    def endpoints(self) -> dict[str, str]:
        return {
            "OIDC_OP_ISSUER": self.url,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.url}/oauth2/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.url}/oauth2/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.url}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.url}/jwks",
            "OIDC_RP_CLIENT_ID": "govapp-registry",
            "OIDC_RP_CLIENT_SECRET": "client-secret-for-tests",
        }


@pytest.fixture(scope="session")
def _oidc_server() -> Iterator[OidcProvider]:
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=ZHANG["sub"], claims={"email": ZHANG["email"], "name": ZHANG["name"]})]
    with run_server_in_thread(require_nonce=True, user_claims=users) as server:
        yield OidcProvider(url=f"http://localhost:{server.server_port}")


@pytest.fixture
def oidc_provider(_oidc_server: OidcProvider, settings: Any) -> OidcProvider:
    """The provider, with this installation configured to use it."""
    for name, value in _oidc_server.endpoints().items():
        setattr(settings, name, value)
    return _oidc_server


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@dataclass
class CasServer:
    """Issues service tickets at /login and validates each once at /serviceValidate and /p3/serviceValidate."""

    users: dict[str, dict[str, str]] = field(default_factory=dict)
    tickets: dict[str, tuple[str, str]] = field(default_factory=dict)  # ticket -> (username, service)
    validations: list[str] = field(default_factory=list)
    url: str = ""

    def issue(self, username: str, service: str) -> str:
        ticket = f"ST-{secrets.token_hex(12)}"
        self.tickets[ticket] = (username, service)
        return ticket

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        if path == "/login":
            # The person has signed in at the platform: back to the service with a fresh ticket.
            username = query.get("as", "zhangsan")
            ticket = self.issue(username, query["service"])
            start_response("302 Found", [("Location", f"{query['service']}?{urlencode({'ticket': ticket})}")])
            return [b""]
        if path in ("/serviceValidate", "/p3/serviceValidate"):
            self.validations.append(query.get("ticket", ""))
            # A ticket is good for one validation, for the service it was issued to (CAS protocol 3.0 §3.1).
            username, service = self.tickets.pop(query.get("ticket", ""), ("", ""))
            if not username or service != query.get("service"):
                body = (
                    '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas">'
                    '<cas:authenticationFailure code="INVALID_TICKET">Ticket not recognized'
                    "</cas:authenticationFailure></cas:serviceResponse>"
                )
            else:
                attributes = "".join(
                    f"<cas:{key}>{value}</cas:{key}>" for key, value in self.users.get(username, {}).items()
                )
                body = (
                    '<cas:serviceResponse xmlns:cas="http://www.yale.edu/tp/cas"><cas:authenticationSuccess>'
                    f"<cas:user>{username}</cas:user><cas:attributes>{attributes}</cas:attributes>"
                    "</cas:authenticationSuccess></cas:serviceResponse>"
                )
            start_response("200 OK", [("Content-Type", "text/xml; charset=utf-8")])
            return [body.encode("utf-8")]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


@pytest.fixture
def cas_server(settings: Any) -> Iterator[CasServer]:
    app = CasServer(users={"zhangsan": {"cn": "张三", "mail": "zhangsan@zj.gov.cn"}})
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    app.url = f"http://127.0.0.1:{server.server_port}/"
    settings.CAS_SERVER_URL = app.url
    settings.CAS_VERSION = "3"
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
