"""`user add|remove|list`: the workspace's accounts from the command line; the password comes
from standard input (never an argument), a wrong role or a missing account is refused (exit 2)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

import run
from ingest.accounts import verify_login
from ingest.store import Store

DEMO = Path(__file__).parent.parent / "config" / "demo"


def test_accounts_are_added_listed_refused_and_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(DEMO, tmp_path / "demo")
    config = str(tmp_path / "demo" / "settings.toml")
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-rat-dai\n"))
    assert run.main(["--config", config, "user", "add", "lan", "--role", "viewer"]) == 0
    store = Store(tmp_path / "demo" / "data")
    try:
        account = verify_login(store, "lan", "mat-khau-rat-dai")
        assert account is not None and account.role == "viewer"
    finally:
        store.close()
    capsys.readouterr()
    assert run.main(["--config", config, "user", "list"]) == 0
    assert capsys.readouterr().out.startswith("lan\tviewer\t")

    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-rat-dai\n"))
    assert run.main(["--config", config, "user", "add", "minh", "--role", "admin"]) == 2
    assert run.main(["--config", config, "user", "remove", "minh"]) == 2
    assert "minh" in capsys.readouterr().err

    assert run.main(["--config", config, "user", "remove", "lan"]) == 0
    capsys.readouterr()
    assert run.main(["--config", config, "user", "list"]) == 0
    assert "lan" not in capsys.readouterr().out
