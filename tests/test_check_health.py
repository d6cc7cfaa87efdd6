"""`check` prints the store's health as the contract lists it: messages kept, how many are
unparseable or waiting for a person, and the last successful poll of each source."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import run

NEEDS_A_PERSON = {"unparseable", "ambiguous_unit", "no_unit", "no_request"}


def test_check_prints_the_stores_health_as_the_ledger_counts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAILTALLY_NOW", "2023-08-25T09:00:00+07:00")
    assert run.main(["demo"]) == 0
    config = tmp_path / "demo" / "settings.toml"
    with (config.parent / "out" / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        ledger = list(csv.DictReader(fh))
    kept = {r["message_key"] for r in ledger}
    unparseable = {r["message_key"] for r in ledger if r["reason"] == "unparseable"}
    needs = {r["message_key"] for r in ledger if r["reason"] in NEEDS_A_PERSON}
    assert needs  # the demo has messages for a person, so the count below means something
    capsys.readouterr()

    assert run.main(["--config", str(config), "check"]) == 0
    out = capsys.readouterr().out
    assert (f"{len(kept)} thư đã lưu, {len(unparseable)} không đọc được, "
            f"{len(needs)} cần người xử lý.") in out
    polls = re.findall(r"^  (\S+): lần đọc thành công gần nhất (\S+ \S+)$", out, re.MULTILINE)
    assert len(polls) == 1 and polls[0][0].endswith("demo/inbox"), out
    assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d(:\d\d)?", polls[0][1]), polls
