"""The README's settings table lists exactly the keys the loader accepts."""

from __future__ import annotations

import re
from pathlib import Path

from config.loader import SETTINGS

README = Path(__file__).parents[2] / "README.md"


def test_readme_settings_table_matches_the_declared_settings() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("`settings.toml`", 1)[1].split("\n\n| key |", 1)[1].split("\n\n", 1)[0]
    keys = re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)
    assert keys == list(SETTINGS)


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8")[:1500]
    assert "make demo" in head and "make test" in head
