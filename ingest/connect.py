"""Connecting to an IMAP source: the password, a verifying TLS context, the login, and a plain
reason with the fix for the usual mistakes (TLS against a plain port, STARTTLS against an IMAPS
port, an untrusted certificate, a folder that is not there).
"""

from __future__ import annotations

import functools
import logging
import socket
import ssl
from pathlib import Path
from typing import Any

from config.access import read_problem
from config.model import SourceConfig
from config.secrets import SecretError, read_secret
from ingest.errors import SourceError, source_error

log = logging.getLogger("mailtally.ingest")


def read_password(cfg: SourceConfig) -> str:
    """The source's password (`config.secrets.read_secret`); never logged.

    Raises:
        SourceError: it cannot be read, naming the source, why and the fix.
    """
    try:
        return read_secret(cfg.password_env, cfg.password_file)
    except SecretError as exc:
        if exc.kind == "env_unset":
            # Typically cron or systemd, which see no `export` typed in a shell.
            raise source_error(
                cfg.name, f"biến môi trường {exc.detail} chưa được đặt; cách sửa: dùng "
                "password_file, hoặc đặt biến trong /etc/mailtally/env (systemd đọc tệp này; "
                "với cron, đọc nó ngay trong dòng crontab: README, \"From cron instead\")",
                f"environment variable {exc.detail} is not set; fix: use password_file, or "
                "set it in /etc/mailtally/env (systemd reads that file; under cron, read it in "
                "the crontab line itself: README, \"From cron instead\")") from exc
        if exc.kind == "file_unreadable" and cfg.password_file is not None:
            problem = read_problem(cfg.password_file, exc.__cause__ or exc)
            raise source_error(cfg.name, str(problem), problem.text("en")) from exc
        raise source_error(cfg.name, "chưa đặt password_env hay password_file trong settings.toml",
                           "no password_env or password_file in settings.toml") from exc


@functools.lru_cache(maxsize=8)
def _ssl_context(ca_file: Path | None) -> ssl.SSLContext:
    """A verifying context (certificate and host name), built once per process: loading the
    system's CA list costs about 30 ms, most of a poll with nothing new."""
    ctx = ssl.create_default_context()
    if ca_file is not None:
        ctx.load_verify_locations(cafile=str(ca_file))
    return ctx


GREETING_PROBE_SECONDS = 2.0  # an IMAP server greets at once; a TLS port waits for us to speak
TLS_PROBE_SECONDS = 3.0
CONNECT_SECONDS = 15.0


class TLSPortError(OSError):
    """A plain (or STARTTLS) connection reached a port that speaks TLS from the first byte."""


def speaks_tls(host: str, port: int, timeout: float = TLS_PROBE_SECONDS) -> bool:
    """True when `host:port` completes a TLS handshake (the certificate is not judged here: this
    only tells an IMAPS port from a plain one, to say which setting is wrong)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with socket.create_connection((host, port), timeout) as raw, ctx.wrap_socket(
                raw, server_hostname=host):
            return True
    except OSError:  # ssl.SSLError is one: a plain server answers our hello with text
        return False


def await_greeting(sock: socket.socket, host: str, port: int) -> None:
    """Wait briefly for the server's first bytes on a plain connection. None within
    GREETING_PROBE_SECONDS and a TLS handshake works on that port: raise TLSPortError at once,
    instead of waiting out the whole timeout for a greeting that will never come."""
    timeout = sock.gettimeout()
    sock.settimeout(GREETING_PROBE_SECONDS)
    try:
        sock.recv(1, socket.MSG_PEEK)
        return
    except TimeoutError:
        if speaks_tls(host, port):
            raise TLSPortError(f"{host}:{port} speaks TLS from the start") from None
    finally:
        sock.settimeout(timeout)


@functools.lru_cache(maxsize=1)
def _client_class() -> type[Any]:
    """IMAPClient whose plain connections notice a TLS port quickly (see `await_greeting`).
    Built on first use: imapclient is imported only by a run that reads IMAP."""
    from imapclient import IMAPClient
    from imapclient.imap4 import IMAP4WithTimeout

    class PlainIMAP4(IMAP4WithTimeout):  # type: ignore[misc]
        def _create_socket(self, timeout: float | None = None) -> socket.socket:
            sock: socket.socket = super()._create_socket(timeout)
            try:
                await_greeting(sock, str(self.host), int(self.port))
            except OSError:
                sock.close()
                raise
            return sock

    class Client(IMAPClient):  # type: ignore[misc]
        def _create_IMAP4(self) -> Any:  # imapclient's own name
            if self.ssl or self.stream:
                return super()._create_IMAP4()
            return PlainIMAP4(self.host, self.port, getattr(self._timeout, "connect", None))

    return Client


def _certificate_hint(exc: ssl.SSLCertVerificationError, cfg: SourceConfig) -> tuple[str, str]:
    code = exc.verify_code
    if code == 62:  # X509_V_ERR_HOSTNAME_MISMATCH
        return (f"tên máy {cfg.host} không có trong chứng chỉ; đặt host đúng tên ghi trong "
                "chứng chỉ của máy chủ thư",
                f"{cfg.host} is not a name in the certificate; set host to the name the mail "
                "server's certificate is issued for")
    if code == 10:  # X509_V_ERR_CERT_HAS_EXPIRED
        return ("chứng chỉ của máy chủ đã hết hạn; người quản trị máy chủ thư cần gia hạn",
                "the server's certificate has expired; the mail server's administrator must "
                "renew it")
    return ("đặt ca_file trong [[source]] là tệp chứng chỉ CA (PEM) của máy chủ thư, hoặc nhờ "
            "người quản trị máy chủ thư dùng chứng chỉ của một CA được tin cậy",
            "set ca_file in the [[source]] to the mail server's CA certificate (PEM), or have "
            "the mail server's administrator use a certificate from a trusted CA")


def connect_imap(cfg: SourceConfig, password: str) -> Any:
    """Log in to an IMAP source. Raises SourceError with a plain reason and, for the usual
    mistakes (TLS against a plain port, STARTTLS against an IMAPS port, an untrusted
    certificate), the fix."""
    from imapclient.exceptions import IMAPClientError, LoginError
    from imapclient.imapclient import SocketTimeout

    ctx = _ssl_context(cfg.ca_file) if cfg.security != "none" else None
    where = f"{cfg.host}:{cfg.port}"
    try:
        client = _client_class()(cfg.host, port=cfg.port, ssl=cfg.security == "ssl",
                                 ssl_context=ctx,
                                 timeout=SocketTimeout(connect=CONNECT_SECONDS, read=120))
        # imapclient turns imaplib's trace on; imaplib then builds a repr() of every response,
        # message bodies included, even when nothing is logged. Measured: 4x slower fetches.
        client._imap.debug = 0
        client.normalise_times = False
        if cfg.security == "starttls":
            client.starttls(ctx)
        client.login(cfg.username, password)
    except LoginError as exc:
        raise source_error(cfg.name, "đăng nhập bị từ chối: sai tên đăng nhập hoặc mật khẩu",
                           "login refused: wrong username or password") from exc
    except ssl.SSLCertVerificationError as exc:
        fix = _certificate_hint(exc, cfg)
        raise source_error(
            cfg.name, f"không tin được chứng chỉ của {where} ({exc.verify_message}); {fix[0]}",
            f"the certificate of {where} is not trusted ({exc.verify_message}); {fix[1]}",
        ) from exc
    except TLSPortError as exc:
        raise source_error(
            cfg.name, f"cổng {cfg.port} của {cfg.host} dùng TLS ngay từ đầu (không có lời chào "
            f"IMAP), nhưng security = \"{cfg.security}\"; đặt security = \"ssl\" cho cổng này, "
            "hoặc giữ starttls và dùng cổng 143",
            f"port {cfg.port} of {cfg.host} speaks TLS from the start (no IMAP greeting), but "
            f"security = \"{cfg.security}\"; set security = \"ssl\" for this port, or keep "
            "starttls and use port 143",
        ) from exc
    except ssl.SSLError as exc:
        if exc.reason == "WRONG_VERSION_NUMBER":
            raise source_error(
                cfg.name, f"cổng {cfg.port} của {cfg.host} không dùng TLS ngay từ đầu "
                "(WRONG_VERSION_NUMBER); với cổng này đặt security = \"starttls\" (thường là "
                "cổng 143), hoặc giữ ssl và dùng cổng 993",
                f"port {cfg.port} of {cfg.host} does not speak TLS from the start "
                "(WRONG_VERSION_NUMBER); set security = \"starttls\" for this port (usually "
                "143), or keep ssl and use port 993",
            ) from exc
        raise source_error(cfg.name, f"không kết nối được {where}: {exc}",
                           f"cannot connect to {where}: {exc}") from exc
    except (OSError, IMAPClientError) as exc:
        raise source_error(cfg.name, f"không kết nối được {where}: {exc}",
                           f"cannot connect to {where}: {exc}") from exc
    return client


def folders_missing(cfg: SourceConfig, client: Any, missing: list[str]) -> SourceError:
    """The error for folders that are not on the server, listing those that are."""
    try:
        existing = sorted(str(f[2]) for f in client.list_folders())
    except Exception:  # the list is a help, not the point: say what is missing anyway
        log.debug("list_folders failed", exc_info=True)
        existing = []
    names = ", ".join(f'"{f}"' for f in missing)
    there = ", ".join(f'"{f}"' for f in existing) or "?"
    return source_error(
        cfg.name, f"không có thư mục {names} trên máy chủ; các thư mục hiện có: {there}; "
        "sửa folders trong [[source]] của settings.toml",
        f"no folder {names} on the server; the folders there are: {there}; fix folders in the "
        "[[source]] of settings.toml")
