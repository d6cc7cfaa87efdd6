"""Golden files: the demo's report.csv and messages.csv, byte for byte (BOM, CRLF, prefixes).

Regenerate only on purpose: `MAILTALLY_UPDATE_GOLDEN=1 pytest tests/test_golden.py`, then read
the diff before committing it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

import run

GOLDEN = Path(__file__).parent / "golden"
FROZEN_NOW = "2023-08-25T09:00:00+07:00"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("golden")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        mp.setenv("MAILTALLY_NOW", FROZEN_NOW)
        assert run.main(["demo"]) == 0
    return cwd / "demo" / "out"


@pytest.mark.parametrize("name", ["report.csv", "messages.csv"])
def test_csv_matches_golden_bytes(demo_out: Path, name: str) -> None:
    got = (demo_out / name).read_bytes()
    if os.environ.get("MAILTALLY_UPDATE_GOLDEN") == "1":
        (GOLDEN / name).write_bytes(got)
    assert got.startswith("\ufeff".encode())
    assert b"\r\n" in got and b"\n" not in got.replace(b"\r\n", b"")
    assert got == (GOLDEN / name).read_bytes()


def _csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_scorecard_matches_the_report(demo_out: Path) -> None:
    report = _csv(demo_out / "report.csv")
    scores = {r["unit_code"]: r for r in _csv(demo_out / "scorecard.csv")}
    header = (demo_out / "scorecard.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ("unit_code,unit_name,group,expected,on_time,late,incomplete,missing,"
                      "excused,pending,on_time_rate,minutes_late_total")
    for code, score in scores.items():
        mine = [r for r in report if r["unit_code"] == code]
        assert int(score["expected"]) == len(mine)
        for status in ("on_time", "late", "incomplete", "missing", "excused", "pending"):
            assert int(score[status]) == sum(r["status"] == status for r in mine), (code, status)
        judged = len(mine) - int(score["excused"]) - int(score["pending"])
        rate = int(score["on_time"]) / judged if judged else None
        assert score["on_time_rate"] == ("" if rate is None else f"{rate:.2f}")
        assert int(score["minutes_late_total"]) == sum(
            int(r["minutes_late"]) for r in mine if r["status"] == "late")
    assert scores["BHXH"]["group"] == "khoi-tai-chinh"
    assert scores["BHXH"]["on_time_rate"] == "0.00" and scores["CUCTHUE"]["on_time_rate"] == "1.00"


def test_workbook_is_typed_filtered_printable_and_vietnamese(demo_out: Path) -> None:
    from datetime import datetime

    report = _csv(demo_out / "report.csv")
    wb = load_workbook(demo_out / "report.xlsx")
    assert wb.sheetnames == ["Tổng hợp", "178-TB_ĐTN", "185-TB_ĐTN", "Thi đua", "Thư cần xử lý"]
    for ws in wb.worksheets:
        width = ws.max_column
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, width).column_letter}{ws.max_row}"
        assert ws.page_setup.orientation == "landscape"
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.freeze_panes == "A2"
    sheet = wb["178-TB_ĐTN"]
    headers = [c.value for c in sheet[1]]
    assert headers[:5] == ["Mã", "Đơn vị", "Tình trạng", "Thời điểm nhận", "Trễ (phút)"]
    assert "Ghi chú" in headers and "Gia hạn đến" in headers and "Lý do miễn" in headers
    rows = {r[0].value: r for r in sheet.iter_rows(min_row=2)}
    csv_rows = {r["unit_code"]: r for r in report if r["request_id"] == "178-TB/ĐTN"}
    assert set(rows) == set(csv_rows)
    for code, cells in rows.items():
        expected = csv_rows[code]
        status, received, late, complete = cells[2], cells[3], cells[4], cells[7]
        assert status.value == {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa nộp",
                                "incomplete": "Chưa nộp đủ"}[expected["status"]]
        if expected["minutes_late"]:
            assert late.value == int(expected["minutes_late"]) and late.data_type == "n"
        else:
            assert late.value is None
        for cell, column in ((received, "received_at"), (complete, "complete_at")):
            if expected[column]:
                assert isinstance(cell.value, datetime)
                assert cell.number_format == "dd/mm/yyyy hh:mm"
                assert cell.value == datetime.fromisoformat(expected[column]).replace(tzinfo=None)
            else:
                assert cell.value is None
        # The same notes, times as people write them (the CSV keeps ISO 8601).
        assert bool(cells[-1].value) == bool(expected["notes"]), code
    assert rows["STNMT"][-1].value == ("Thông báo không đến được doanthanhnien@stnmt.example.gov.vn"
                                       " (thư báo lỗi lúc 03/08/2023 15:30)")
    assert csv_rows["STNMT"]["notes"].endswith("lúc 2023-08-03T15:30:48+07:00)")
    # Numbers add up in Excel: counts and the scorecard are numbers, not text.
    summary = wb["Tổng hợp"]
    assert [c.value for c in summary[1]][4:8] == ["Đúng hạn", "Trễ hạn", "Chưa nộp đủ",
                                                  "Chưa nộp"]
    first = [c.value for c in summary[2]]
    assert first[3] == sum(1 for r in report if r["request_id"] == "178-TB/ĐTN")
    assert isinstance(first[2], datetime)
    scores = {r[0].value: r for r in wb["Thi đua"].iter_rows(min_row=2)}
    assert scores["CUCTHUE"][10].value == 1 and scores["CUCTHUE"][10].number_format == "0%"
    assert scores["SXD"][11].value == 1308
    needs = wb["Thư cần xử lý"]
    commands = [r[6].value for r in needs.iter_rows(min_row=2)]
    config = (demo_out.parent / "settings.toml").resolve().as_posix()
    assert commands and all(f"mailtally --config {config} assign" in c for c in commands)
