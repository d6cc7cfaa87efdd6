"""Parsing in worker processes (app/workers.py) gives the same outputs as parsing in the run's own
process, and the workers' records and placements are used as they are: the run itself parses
and places nothing again."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

import app.caches
import run
from app import workers
from outputs import html

CORPUS = Path(__file__).resolve().parent / "corpus"
OUTPUTS = ("report.csv", "messages.csv")


def _once(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Path, list[str], list[str], list[str]]:
    """Run `once` on a copy of the labelled corpus; return the folder and the messages this
    process parsed and placed itself, and the photos it drew thumbnails of."""
    folder = tmp_path / name
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("data", "out"))
    parsed: list[str] = []
    placed: list[str] = []
    drawn: list[str] = []
    real_parse_one, real_place = app.caches.parse_one, app.caches.place_for_cache
    real_draw = html.draw_thumbnail

    def counting_parse_one(*args: Any, **kwargs: Any) -> Any:
        parsed.append(args[1])
        return real_parse_one(*args, **kwargs)

    def counting_place(record: Any, ctx: Any) -> Any:
        placed.append(record.message_key)
        return real_place(record, ctx)

    def counting_draw(photo: Path) -> bytes:
        drawn.append(photo.name)
        return real_draw(photo)

    with monkeypatch.context() as m:
        m.setattr(app.caches, "parse_one", counting_parse_one)
        m.setattr(app.caches, "place_for_cache", counting_place)
        m.setattr(html, "draw_thumbnail", counting_draw)
        assert run.main(["--config", str(folder / "settings.toml"), "once"]) == 0
    return folder, parsed, placed, drawn


def _page_thumbnails(folder: Path) -> list[str]:
    page = (folder / "out" / "report.html").read_text(encoding="utf-8")
    return re.findall(r'src="(data:image/jpeg;base64,[^"]+)"', page)


def test_workers_give_the_same_outputs_as_the_run_itself(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTALLY_NOW", "2023-09-30T12:00:00+07:00")
    messages = len(list((CORPUS / "messages").glob("*.eml")))
    monkeypatch.setenv(workers.START_AFTER_NEW_ENV, "50")
    assert messages > workers.start_after_new()  # enough for the workers to start

    pooled, parsed_here, placed_here, drawn_here = _once(tmp_path, "pooled", monkeypatch)
    assert parsed_here == []  # every message was parsed by a worker...
    assert placed_here == []  # ...and placed there: the cached placements were valid
    assert drawn_here == []  # ...and the page's thumbnails were drawn there too

    monkeypatch.setenv(workers.START_AFTER_NEW_ENV, str(10**9))
    alone, parsed_alone, placed_alone, drawn_alone = _once(tmp_path, "alone", monkeypatch)
    assert len(parsed_alone) == messages
    assert len(set(placed_alone)) == len(placed_alone) > 0
    assert len(drawn_alone) > 0
    assert sorted(_page_thumbnails(pooled)) == sorted(_page_thumbnails(alone)) != []

    for name in OUTPUTS:
        assert (pooled / "out" / name).read_bytes() == (alone / "out" / name).read_bytes(), name

    db = sqlite3.connect(pooled / "data" / "mailtally.db")
    stored = db.execute("SELECT count(*) FROM messages").fetchone()[0]
    for table in ("parsed", "parsed_light", "placements"):
        assert db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == stored, table
    db.close()
