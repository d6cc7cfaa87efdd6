"""An in-process SMTP sink for integration tests: aiosmtpd's Controller on 127.0.0.1.

It follows the project's library notes (section 8, "aiosmtpd as an SMTP sink"): the port is
picked before starting (port=0 breaks the Controller's readiness probe), a refused login
returns `AuthResult(success=False, handled=False)` so that the client gets a 535 instead of
hanging, and every message is kept as (mail_from, rcpt_tos, content bytes).

    with SmtpSink() as sink:                                   # plain, no AUTH
        ...; sink.messages[0].content
    with SmtpSink(users={"office": "secret"}, starttls=True, workdir=tmp) as sink:
        sink.cafile                                            # the self-signed cert to trust

With `starttls=True` the server offers STARTTLS with a certificate made by the openssl CLI for
localhost/127.0.0.1, requires it before any mail, and accepts AUTH only after it.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

__all__ = ["Received", "SmtpSink", "smtp_sink"]

from servers.net import HOST, free_port, make_certificate


class Received(NamedTuple):
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: list[str]
    content: bytes


class _Collect:
    """aiosmtpd handler: keep every message it accepts. `reply` is the answer to DATA; a test
    sets "451 ..." or "550 ..." to refuse (a refused message is counted in `refused`)."""

    def __init__(self) -> None:
        self.messages: list[Received] = []
        self.reply = "250 OK"
        self.refused = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if not self.reply.startswith("250"):
            self.refused += 1
            return self.reply
        self.messages.append(
            Received(envelope.mail_from, list(envelope.rcpt_tos), bytes(envelope.content))
        )
        return self.reply


class SmtpSink:
    """An SMTP server on 127.0.0.1:`port` that keeps what it receives in `messages`.

    Args:
        users: login -> password; when given, AUTH PLAIN/LOGIN is offered and checked.
        starttls: offer (and require) STARTTLS with a fresh self-signed certificate, written
            to `workdir`; its path is `cafile`.
        workdir: where the certificate goes (needed with `starttls`).
    """

    def __init__(
        self,
        *,
        users: dict[str, str] | None = None,
        starttls: bool = False,
        workdir: Path | None = None,
    ) -> None:
        self.users = dict(users or {})
        self.logins: list[str] = []  # every login tried, accepted or not
        self.handler = _Collect()
        self.port = free_port()
        self.cafile: Path | None = None
        kwargs: dict[str, Any] = {}
        if self.users:
            kwargs.update(authenticator=self._authenticate, auth_require_tls=starttls)
        if starttls:
            if workdir is None:
                raise TypeError("starttls=True needs workdir=")
            cert, key = workdir / "smtp-cert.pem", workdir / "smtp-key.pem"
            make_certificate(cert, key)
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            self.cafile = cert
            kwargs.update(tls_context=context, require_starttls=True)
        self.controller = Controller(self.handler, hostname=HOST, port=self.port, **kwargs)

    @property
    def host(self) -> str:
        return HOST

    @property
    def messages(self) -> list[Received]:
        return self.handler.messages

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        ok = False
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            self.logins.append(login)
            ok = self.users.get(login) == auth_data.password.decode("utf-8", "replace")
        # handled=False: aiosmtpd answers 535 itself; success=False alone hangs the client.
        return AuthResult(success=ok, handled=False)

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def __enter__(self) -> SmtpSink:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A started plain SMTP sink (no TLS, no AUTH) for one test."""
    with SmtpSink() as sink:
        yield sink
