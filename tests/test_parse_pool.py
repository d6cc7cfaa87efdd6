"""Parsing in worker processes (parse_pool.py) gives the same outputs as parsing in the run's own
process, and the workers' records and placements are used as they are: the run itself parses
and places nothing again."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import parse_pool
import pipeline
import run

CORPUS = Path(__file__).resolve().parent / "corpus"
OUTPUTS = ("report.csv", "messages.csv")


def _once(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Path, list[str], list[str]]:
    """Run `once` on a copy of the labelled corpus; return the folder and the messages this
    process parsed and placed itself."""
    folder = tmp_path / name
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("data", "out"))
    parsed: list[str] = []
    placed: list[str] = []
    real_parse_one, real_place = pipeline.parse_one, pipeline.place_for_cache

    def counting_parse_one(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args[1])
        return real_parse_one(*args, **kwargs)

    def counting_place(record: Any, ctx: Any) -> Any:
        placed.append(record.message_key)
        return real_place(record, ctx)

    with monkeypatch.context() as m:
        m.setattr(pipeline, "parse_one", counting_parse_one)
        m.setattr(pipeline, "place_for_cache", counting_place)
        assert run.main(["--config", str(folder / "settings.toml"), "once"]) == 0
    return folder, parsed, placed


def test_workers_give_the_same_outputs_as_the_run_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTALLY_NOW", "2023-09-30T12:00:00+07:00")
    messages = len(list((CORPUS / "messages").glob("*.eml")))
    assert messages > parse_pool.START_AFTER_NEW  # enough for the workers to start

    pooled, parsed_here, placed_here = _once(tmp_path, "pooled", monkeypatch)
    assert parsed_here == []  # every message was parsed by a worker...
    assert placed_here == []  # ...and placed there: the cached placements were valid

    monkeypatch.setattr(parse_pool, "START_AFTER_NEW", 10**9)
    alone, parsed_alone, placed_alone = _once(tmp_path, "alone", monkeypatch)
    assert len(parsed_alone) == messages
    assert len(set(placed_alone)) == len(placed_alone) > 0

    for name in OUTPUTS:
        assert (pooled / "out" / name).read_bytes() == (alone / "out" / name).read_bytes(), name

    db = sqlite3.connect(pooled / "data" / "mailtally.db")
    stored = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    for table in ("parsed", "parsed_light", "placements"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == stored, table
    db.close()
