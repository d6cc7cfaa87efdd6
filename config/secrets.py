"""The one secret reader: a password from `password_env` (an environment variable) or
`password_file` (a file, surrounding whitespace dropped). A secret is never logged, and never
part of an exception's text."""

from __future__ import annotations

import os
from pathlib import Path


class SecretError(Exception):
    """The secret could not be read. `kind` says why: `env_unset` (detail: the variable's
    name), `file_unreadable` (detail: the file and the system's reason) or `none_configured`."""

    def __init__(self, kind: str, detail: str = ""):
        super().__init__(f"{kind}: {detail}" if detail else kind)
        self.kind = kind
        self.detail = detail


def read_secret(password_env: str, password_file: Path | None) -> str:
    """The password named by `password_env`, else read from `password_file`.

    Raises:
        SecretError: neither is set, the variable is unset, or the file cannot be read.
    """
    if password_env:
        value = os.environ.get(password_env)
        if value is None:
            raise SecretError("env_unset", password_env)
        return value
    if password_file is not None:
        try:
            return password_file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError("file_unreadable", f"{password_file}: {exc.strerror}") from exc
    raise SecretError("none_configured")
