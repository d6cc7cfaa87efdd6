"""Arguments as a clerk types them, through `run.main(argv)` on the demo: each forgiving form is
accepted, each mistake is refused with a sentence (exit 2) and changes nothing."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

import run
from ingest.store import Store

NOW = "2023-08-25T09:00:00+07:00"


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`run.py demo` in tmp_path: returns demo/settings.toml, the config it prints commands for."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MAILTALLY_NOW", NOW)
    assert run.main(["demo"]) == 0
    return tmp_path / "demo" / "settings.toml"


def cli(config: Path, *args: str) -> int:
    return run.main(["--config", str(config), *args])


def row(config: Path, request_id: str, unit: str) -> dict[str, str]:
    rows = read(config.parent / "out" / "report.csv")
    return next(r for r in rows if r["request_id"] == request_id and r["unit_code"] == unit)


def decisions(config: Path) -> list[object]:
    store = Store(config.parent / "data")
    try:
        return list(store.decisions())
    finally:
        store.close()


@pytest.mark.parametrize("unit", ["stnmt", "StNmT"])
@pytest.mark.parametrize("request_id", ["178-TB/DTN", "178", "178-tb/đtn", "178/TB-DTN"])
def test_excuse_takes_a_code_in_any_case_and_an_id_without_diacritics_or_by_number(
    config: Path, unit: str, request_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli(config, "excuse", unit, request_id, "--reason", "sáp nhập") == 0
    # Decision 1 is the demo's own (config/sample.py).
    assert capsys.readouterr().out.startswith(
        "Đã ghi (quyết định số 2): STNMT được miễn nộp cho 178-TB/ĐTN.")
    assert row(config, "178-TB/ĐTN", "STNMT")["status"] == "excused"


@pytest.mark.parametrize(
    ("until", "status", "late"),
    [
        ("12/08/2023", "on_time", "0"),  # the end of that day, not its first second
        ("2023-08-12", "on_time", "0"),
        ("12/08/2023 09:00", "on_time", "0"),
        ("9g00 12/8/2023", "on_time", "0"),
        ("12/8/2023 08:00", "late", "48"),  # SXD's report arrived at 08:47:15
        ("2023-08-12T08:00", "late", "48"),
    ],
)
def test_extend_until_as_written_in_vietnam(config: Path, until: str, status: str,
                                            late: str) -> None:
    assert row(config, "178-TB/ĐTN", "SXD")["status"] == "late"
    assert cli(config, "extend", "sxd", "178", "--until", until) == 0
    got = row(config, "178-TB/ĐTN", "SXD")
    assert (got["status"], got["minutes_late"]) == (status, late)
    assert got["notes"].startswith("Được gia hạn đến 2023-08-12T")


def test_assign_takes_a_key_prefix_in_capitals_and_forgiving_codes(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = read(config.parent / "out" / "messages.csv")
    waiting = next(r for r in ledger if r["reason"] == "ambiguous_unit")
    assert cli(config, "assign", waiting["message_key"][:8].upper(), "stc", "178") == 0
    assert f"thư {waiting['message_key']} thuộc STC / 178-TB/ĐTN" in capsys.readouterr().out
    ledger = read(config.parent / "out" / "messages.csv")
    placed = next(r for r in ledger if r["message_key"] == waiting["message_key"])
    assert (placed["unit_code"], placed["request_id"], placed["match"]) == (
        "STC", "178-TB/ĐTN", "override")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("excuse", "STX", "178"), ["STX", "Có phải:", "STC (Đoàn Sở Tài chính)"]),
        (("excuse", "STC", "179-TB/DTN"), ["179-TB/DTN", "Có phải:", "178-TB/ĐTN"]),
        (("extend", "SXD", "999", "--until", "12/08/2023"), ["999", "Có phải:"]),
        (("assign", "zzzz9999", "STC"), ["zzzz9999"]),
        (("assign", "KEY", "NOPE"), ["NOPE"]),
        (("extend", "SXD", "178", "--until", "mai"), ["mai", "14/08/2023 17:00"]),
        # An extension before the notice's own deadline extends nothing.
        (("extend", "SXD", "178", "--until", "10/08/2023"), ["10/08/2023 23:59",
                                                             "11/08/2023 11:00"]),
        # 185 is for the khoi-tai-chinh group: SCT is not expected to answer it.
        (("excuse", "SCT", "185"), ["185-TB/ĐTN", "SCT", "không yêu cầu"]),
        (("extend", "SCT", "185", "--until", "30/08/2023"), ["không yêu cầu"]),
    ],
)
def test_mistakes_are_refused_with_a_sentence_and_change_nothing(
    config: Path, args: tuple[str, ...], words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    if "KEY" in args:
        key = next(r for r in read(config.parent / "out" / "messages.csv")
                   if r["reason"] == "ambiguous_unit")["message_key"]
        args = tuple(key if a == "KEY" else a for a in args)
    report = (config.parent / "out" / "report.csv").read_bytes()
    before = decisions(config)
    capsys.readouterr()
    assert cli(config, *args) == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err, (word, err)
    assert "Không có gì thay đổi." in err
    assert decisions(config) == before
    assert (config.parent / "out" / "report.csv").read_bytes() == report


def test_a_wrong_config_is_refused_instead_of_creating_an_empty_store(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    copy = elsewhere / "settings.toml"
    copy.write_text(config.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli(copy, "excuse", "STC", "178") == 2
    assert "Kiểm tra lại --config" in capsys.readouterr().err
    assert not (elsewhere / "data").exists()
    assert run.main(["--config", str(tmp_path / "nope.toml"), "excuse", "STC", "178"]) == 2


def test_printed_commands_carry_the_config_and_work_as_printed(config: Path) -> None:
    html = (config.parent / "out" / "report.html").read_text(encoding="utf-8")
    prefix = f"mailtally --config {config.resolve().as_posix()} assign "
    assert prefix in html
    key = next(r for r in read(config.parent / "out" / "messages.csv")
               if r["reason"] == "no_unit")["message_key"]
    printed = f"{prefix}{key} --ignore"
    assert printed in html
    assert run.main(printed.split()[1:]) == 0
    ledger = read(config.parent / "out" / "messages.csv")
    assert next(r for r in ledger if r["message_key"] == key)["reason"] == "ignored"


def test_a_confirmation_is_the_whole_answer(config: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env["MAILTALLY_NOW"] = NOW
    done = subprocess.run(
        [sys.executable, str(Path(run.__file__)), "--config", str(config), "excuse", "stc",
         "178", "--reason", "sáp nhập"],
        capture_output=True, text=True, env=env, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "Đã ghi (quyết định số 2): STC được miễn nộp cho 178-TB/ĐTN.",
        f"Hoàn tác: mailtally --config {config.resolve().as_posix()} undo 2"]
    assert done.stderr == "", "log lines after the confirmation"


@pytest.mark.parametrize(("argv", "said"), [
    (["asign", "x"], "không có lựa chọn “asign” (command); gần nhất: assign."),
    (["extend", "STC", "178"], "mailtally extend: thiếu --until."),
    (["undo", "ba"], "mailtally undo: decision_id phải là một số, không phải “ba”."),
    (["once", "--foo"], "mailtally: không hiểu --foo."),
])
def test_a_command_typed_wrong_is_refused_in_the_offices_words(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MAILTALLY_LANG", raising=False)
    with pytest.raises(SystemExit) as refused:
        run.main(argv)
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert said in err and err.rstrip().endswith("Không có gì thay đổi."), err
    assert "error:" not in err and "invalid" not in err and "required" not in err


def test_argparse_wording_it_does_not_know_is_kept_behind_the_offices_opening() -> None:
    assert run.argument_refusal("something new", "vi") == "lệnh gõ chưa đúng (something new)."
    assert run.argument_refusal("the following arguments are required: name", "en") == (
        "name missing.")
