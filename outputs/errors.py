"""Errors of the outputs stage that the command line turns into a sentence (kept apart from the
modules that raise them, so that catching one costs no import)."""

from __future__ import annotations


class MailSendError(Exception):
    """A mail (the digest, or one to a unit) could not be sent. `kind` is an i18n key; never
    holds a password.

    `temporary`: the server or the network said "not now" (a 4xx reply, no connection), so
    trying again later may work; otherwise it is permanent (a 5xx reply).
    `maybe_sent`: the connection broke after the message was handed over and before the
    server's answer, so it may have been delivered: it must never be sent again on its own.
    """

    def __init__(self, server: str, kind: str, detail: str = "", *, temporary: bool = False,
                 maybe_sent: bool = False):
        super().__init__(f"{server}: {kind}: {detail}")
        self.server = server
        self.kind = kind
        self.detail = detail
        self.temporary = temporary
        self.maybe_sent = maybe_sent


DigestSendError = MailSendError  # the name the digest has always used
