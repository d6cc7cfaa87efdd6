"""`check` on a file source whose folder went away says so in the office's language."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from app.check import try_source
from config.loader import load_config

DEMO = Path(__file__).parents[2] / "config" / "demo"


def test_a_file_source_that_went_away_is_named_in_the_offices_language(tmp_path: Path) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    settings = load_config(tmp_path / "demo" / "settings.toml")
    assert try_source(settings, 0) is None
    shutil.rmtree(tmp_path / "demo" / "inbox")
    vi = try_source(settings, 0)
    assert vi is not None and "không còn thư mục hay tệp" in vi and "inbox" in vi
    en = try_source(dataclasses.replace(settings, language="en"), 0)
    assert en is not None and "is no longer there" in en


def test_an_imap_source_without_a_password_is_said_in_both_languages() -> None:
    from config.model import SourceConfig
    from ingest.connect import read_password
    from ingest.errors import SourceError

    with pytest.raises(SourceError) as refused:
        read_password(SourceConfig(name="imap:lan@example.gov.vn", kind="imap"))
    assert refused.value.text("vi").startswith("chưa đặt password_env hay password_file")
    assert refused.value.text("en").startswith("no password_env or password_file")
