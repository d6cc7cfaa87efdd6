"""`serve` keeps going when a poll fails, and tries again after a backoff, never on the next
tick of its loop: a run that cannot write the store (a full disk) or that meets a bug must not
turn the service into a loop that fills the log and a core."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import pytest

import app.runner
from app import service
from config import load_config
from ingest.errors import StorageError

DEMO = Path(__file__).resolve().parents[2] / "config" / "demo" / "settings.toml"


def _serve_for(seconds: float, failure: Exception, monkeypatch: pytest.MonkeyPatch) -> int:
    """Run the service loop for `seconds` with every poll failing; return how many polls ran."""
    settings = load_config(DEMO)
    calls: list[float] = []

    def failing_run(*args: Any, **kwargs: Any) -> Any:
        calls.append(0.0)
        raise failure

    monkeypatch.setattr(app.runner, "run", failing_run)
    loop = service.Service(settings)
    stopper = threading.Timer(seconds, loop.stop)
    stopper.start()
    try:
        assert loop.run() == 0
    finally:
        stopper.cancel()
    return len(calls)


@pytest.mark.parametrize("failure", [
    StorageError("mailtally.db: ổ đĩa đã đầy (database or disk is full)"),
    RuntimeError("a bug"),
], ids=["full disk", "a bug"])
def test_a_failing_poll_is_tried_again_after_a_backoff(
        failure: Exception, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    assert service.BACKOFF_FIRST_SECONDS >= 2.5  # so that 2 s hold exactly one poll
    with caplog.at_level(logging.INFO, logger="mailtally"):
        polls = _serve_for(2.0, failure, monkeypatch)
    assert polls == 1
    failed = [r for r in caplog.records if "event=poll_failed" in r.getMessage()]
    assert len(failed) == 1
    if isinstance(failure, StorageError):  # a known failure is one line, with its reason
        assert "ổ đĩa đã đầy" in failed[0].getMessage() and failed[0].exc_info is None
