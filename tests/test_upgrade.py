"""Contract, "Always current": a newer version re-reads stored messages it can now read better,
and a run with nothing new does no parsing at all."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import app.caches
import app.publish
import run
from parsers import limits
from parsers.records import PARSER_VERSION

DEMO = Path(run.demo_settings_path()).parent


def test_a_new_parser_version_reparses_every_stored_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(DEMO, tmp_path / "cfg")
    config = str(tmp_path / "cfg" / "settings.toml")
    calls: list[str] = []
    real_parse_one = app.caches.parse_one

    def counting_parse_one(*args: Any, **kwargs: Any) -> Any:
        calls.append(args[1])
        return real_parse_one(*args, **kwargs)

    monkeypatch.setattr(app.caches, "parse_one", counting_parse_one)
    assert run.main(["--config", config, "once"]) == 0
    first = len(calls)
    assert first == len(list((tmp_path / "cfg" / "inbox").glob("*.eml")))

    calls.clear()
    assert run.main(["--config", config, "once"]) == 0
    assert calls == []  # nothing new: nothing parsed, the outputs are already current

    newer = PARSER_VERSION + 1
    monkeypatch.setattr(limits, "PARSER_VERSION", newer)  # the names the cache keys read
    monkeypatch.setattr(app.publish, "PARSER_VERSION", newer)
    assert run.main(["--config", config, "once"]) == 0
    assert len(calls) == first  # every stored message read again from its raw bytes
