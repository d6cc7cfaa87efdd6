"""What the tests share besides conftest's fixtures: the fixtures' types, and the names the
fixtures' configuration uses (conftest writes them; test modules read them from here)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

WriteConfig = Callable[..., Path]  # conftest's `write_config`
RunMailtally = Callable[..., tuple[int, str, str]]  # conftest's `run_mailtally`
ReadCsv = Callable[[Path], list[dict[str, str]]]  # conftest's `read_csv`

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD_ENV = "MAILTALLY_IMAP_PASSWORD"  # the IMAP password's variable in every test config
REQUEST_ID = "178-TB/ĐTN"  # the one notice of conftest's requests.toml
