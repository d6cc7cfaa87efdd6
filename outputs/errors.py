"""Errors of the outputs stage that the command line turns into a sentence (kept apart from the
modules that raise them, so that catching one costs no import)."""

from __future__ import annotations


class DigestSendError(Exception):
    """The digest could not be emailed. `kind` is an i18n key; never holds a password."""

    def __init__(self, server: str, kind: str, detail: str = ""):
        super().__init__(f"{server}: {kind}: {detail}")
        self.server = server
        self.kind = kind
        self.detail = detail
