"""[notify] on the bundled demo, in process: switched on over an old inbox it sends nothing;
switched off and on again, it starts anew."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

import run

DEMO = Path(run.__file__).resolve().parent / "config" / "demo"


def since(folder: Path) -> str | None:
    with closing(sqlite3.connect(folder / "data" / "mailtally.db")) as db:
        row = db.execute("SELECT value FROM meta WHERE key='notify_since'").fetchone()
    return str(row[0]) if row else None


def test_switched_on_over_an_old_inbox_then_off_and_on_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "config"
    shutil.copytree(DEMO, folder)
    for stale in ("data", "out"):
        shutil.rmtree(folder / stale, ignore_errors=True)
    settings = folder / "settings.toml"
    with_notify = "\n".join(line for line in settings.read_text(encoding="utf-8").splitlines()
                            if not line.startswith("since ="))
    without = with_notify.split("[notify]")[0]
    settings.write_text(with_notify, encoding="utf-8")

    monkeypatch.setenv("MAILTALLY_NOW", "2023-08-25T09:00:00+07:00")
    assert run.main(["--config", str(settings), "once"]) == 0
    assert since(folder) == "2023-08-25T02:00:00+00:00"
    assert not (folder / "out" / "outbox").exists()  # the sample's mail is older: nothing

    settings.write_text(without, encoding="utf-8")
    monkeypatch.setenv("MAILTALLY_NOW", "2023-08-26T09:00:00+07:00")
    assert run.main(["--config", str(settings), "once"]) == 0
    assert since(folder) is None

    settings.write_text(with_notify, encoding="utf-8")
    monkeypatch.setenv("MAILTALLY_NOW", "2023-08-27T09:00:00+07:00")
    assert run.main(["--config", str(settings), "once"]) == 0
    assert since(folder) == "2023-08-27T02:00:00+00:00"
    assert not (folder / "out" / "outbox").exists()
