"""The clock and the program's version, each read in one place."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from functools import cache

NOW_ENV = "MAILTALLY_NOW"


def current_time() -> datetime:
    """Now, or the instant in $MAILTALLY_NOW (ISO 8601) for reproducible reports and tests."""
    frozen = os.environ.get(NOW_ENV)
    if frozen:
        value = datetime.fromisoformat(frozen)
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)


@cache
def program_version() -> str:
    """mailtally's version, as pyproject.toml states it (the installed package's metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("mailtally")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
