"""Sending mail over SMTP (the digest, and mail to units): smtplib with verified TLS, errors in
plain words, and whether a failure is worth trying again.

The password comes from `password_env` or `password_file` and never appears in a log line or an
exception text.
"""

from __future__ import annotations

import base64
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr

from config.model import DigestConfig, SmtpConfig
from config.secrets import SecretError, read_secret
from outputs.errors import DigestSendError, MailSendError

log = logging.getLogger("mailtally.digest")

SMTP_TIMEOUT_SECONDS = 30


def server_name(cfg: DigestConfig | SmtpConfig) -> str:
    if isinstance(cfg, DigestConfig):
        cfg = cfg.smtp
    return f"{cfg.host}:{cfg.port}"


def smtp_password(cfg: SmtpConfig) -> str:
    """The SMTP password (`config.secrets.read_secret`); never logged.

    Raises:
        DigestSendError: neither is set or readable.
    """
    try:
        return read_secret(cfg.password_env, cfg.password_file)
    except SecretError as exc:
        kind = {"env_unset": "smtp_password_env", "file_unreadable": "smtp_password_file"}
        raise DigestSendError(server_name(cfg), kind.get(exc.kind, "smtp_no_password"),
                              exc.detail) from exc


def _tls_context(cfg: SmtpConfig) -> ssl.SSLContext:
    context = ssl.create_default_context()  # verifies the certificate and the host name
    if cfg.ca_file is not None:
        context.load_verify_locations(cafile=str(cfg.ca_file))
    return context


def _connect(cfg: SmtpConfig) -> smtplib.SMTP:
    """An open SMTP session, encrypted as `cfg.security` says (none: loopback only)."""
    from config.loader import is_loopback

    if cfg.security == "ssl":
        return smtplib.SMTP_SSL(
            cfg.host, cfg.port, timeout=SMTP_TIMEOUT_SECONDS, context=_tls_context(cfg)
        )
    if cfg.security != "starttls" and not is_loopback(cfg.host):
        raise DigestSendError(
            server_name(cfg), "smtp_error",
            'security = "none" is only allowed for 127.0.0.1/localhost')
    smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=SMTP_TIMEOUT_SECONDS)
    if cfg.security == "starttls":
        try:
            smtp.starttls(context=_tls_context(cfg))
        except smtplib.SMTPNotSupportedError as exc:
            smtp.close()
            raise DigestSendError(server_name(cfg), "smtp_no_starttls") from exc
        except BaseException:
            smtp.close()
            raise
    return smtp


def _response(exc: smtplib.SMTPResponseException) -> str:
    error = exc.smtp_error
    message = error.decode("utf-8", "replace") if isinstance(error, bytes) else str(error)
    return f"{exc.smtp_code} {message}"


def _reason(exc: Exception) -> tuple[str, str]:
    """(i18n key, detail) for a failure of smtplib or the network."""
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return "smtp_auth", _response(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "smtp_refused", "; ".join(
            f"{addr}: {code} {msg.decode('utf-8', 'replace')}"
            for addr, (code, msg) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return "smtp_refused", _response(exc)
    if isinstance(exc, ssl.SSLError):
        return "smtp_tls", getattr(exc, "verify_message", "") or exc.reason or str(exc)
    if isinstance(exc, smtplib.SMTPException):
        return "smtp_error", str(exc) or type(exc).__name__
    assert isinstance(exc, OSError)
    return "smtp_unreachable", exc.strerror or str(exc) or type(exc).__name__


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    """Log in; smtplib sends credentials as ASCII only, so a password with diacritics goes
    as UTF-8 through AUTH PLAIN (RFC 4616) instead of crashing."""
    if (username + password).isascii():
        smtp.login(username, password)
        return
    smtp.ehlo_or_helo_if_needed()
    if "PLAIN" not in smtp.esmtp_features.get("auth", "").upper().split():
        raise smtplib.SMTPNotSupportedError("AUTH PLAIN, needed for a non-ASCII password")
    blob = base64.b64encode(b"\0" + username.encode() + b"\0" + password.encode())
    code, response = smtp.docmd("AUTH", "PLAIN " + blob.decode("ascii"))
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, response)


def _temporary(exc: OSError) -> bool:
    """A 4xx reply, or no answer at all from the network: worth trying again later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, ssl.SSLError | smtplib.SMTPNotSupportedError):
        return False
    return not isinstance(exc, smtplib.SMTPException) or isinstance(
        exc, smtplib.SMTPServerDisconnected)


def send_mail(cfg: SmtpConfig, msg: EmailMessage | bytes, recipients: list[str]) -> None:
    """Send `msg` (a message, or its exact bytes) to `recipients` through the configured
    server; log in when a username is given. The envelope sender is `cfg.sender`'s address.

    Raises:
        MailSendError: the server could not be reached, refused the login or the message.
    """
    try:
        password = smtp_password(cfg) if cfg.username else ""
    except MailSendError as exc:
        exc.temporary = True  # the administrator can set it; the mail may go then
        raise
    sender = parseaddr(cfg.sender)[1] or cfg.sender
    handed_over = False
    try:
        with _connect(cfg) as smtp:
            if cfg.username:
                _login(smtp, cfg.username, password)
            handed_over = True
            if isinstance(msg, bytes):
                smtp.sendmail(sender, recipients, msg)
            else:
                smtp.send_message(msg, from_addr=sender, to_addrs=recipients)
    except MailSendError as exc:  # no STARTTLS offered, or plain text off loopback
        exc.temporary = True  # the settings' trouble, not the message's
        raise
    except OSError as exc:  # smtplib's errors, ssl's and the socket's are all OSError
        kind, detail = _reason(exc)
        if password:
            detail = detail.replace(password, "***")
        # Refused in so many words (a reply code) means not sent; a connection that broke
        # while the message was being handed over may have delivered it.
        answered = isinstance(exc, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
        # Before the hand-over the trouble is the server's or the settings' (no connection, TLS,
        # login), not the message's: the message itself may go once that is fixed.
        raise MailSendError(server_name(cfg), kind, detail,
                            temporary=_temporary(exc) if handed_over else True,
                            maybe_sent=handed_over and not answered) from exc


def deliver(cfg: DigestConfig, msg: EmailMessage) -> None:
    """Send the digest `msg` to `cfg.to` through the configured server.

    Raises:
        MailSendError: the server could not be reached, refused the login or the message.
    """
    send_mail(cfg.smtp, msg, list(cfg.to))
    log.info("event=digest_sent server=%s recipients=%d", server_name(cfg), len(cfg.to))
