"""A `once` with nothing new stays cheap: without `[notify]` it does not load mail to units
(app.notify and what it imports, about 6 ms of a 0.15 s run); where `[notify]` was switched
off, the step still runs once to forget its state."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from app.notify import STATE_KEY
from ingest.outbox import SINCE_KEY
from ingest.store import Store

ROOT = Path(__file__).resolve().parents[1]
# Runs `once` in a fresh interpreter and says which of the notify modules it loaded.
ONCE = (
    "import sys, run\n"
    "code = run.main(['--config', sys.argv[1], 'once'])\n"
    "print(code, *(m in sys.modules for m in ('app.notify', 'outputs.notify_rules')))\n"
)


def _once(folder: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", ONCE, str(folder / "demo" / "settings.toml")],
                          cwd=folder, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def _without_notify(settings: Path) -> None:
    """The demo's settings without their [notify] table."""
    kept, skipping = [], False
    for line in settings.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("["):
            skipping = line.strip() == "[notify]"
        if not skipping:
            kept.append(line)
    settings.write_text("".join(kept), encoding="utf-8")


def test_once_without_notify_does_not_load_it(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "run.py"), "demo"], cwd=tmp_path,
                   capture_output=True, check=True)
    _without_notify(tmp_path / "demo" / "settings.toml")
    assert "[notify]" not in (tmp_path / "demo" / "settings.toml").read_text(encoding="utf-8")
    assert _once(tmp_path) == "0 False False"
    # [notify] was on once (its meta key is there), now it is off: the step forgets its state.
    store = Store(tmp_path / "demo" / "data")
    try:
        store.set_meta(SINCE_KEY, "2023-08-01T00:00:00+00:00")
        store.set_meta(STATE_KEY, "{}")
    finally:
        store.close()
    assert _once(tmp_path) == "0 True True"
    store = Store(tmp_path / "demo" / "data")
    try:
        assert store.get_meta(SINCE_KEY) is None and store.get_meta(STATE_KEY) is None
    finally:
        store.close()
    assert _once(tmp_path) == "0 False False"
