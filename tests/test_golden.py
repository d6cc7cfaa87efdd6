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


def test_xlsx_holds_the_same_cells_as_the_csv(demo_out: Path) -> None:
    import csv

    with (demo_out / "report.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    wb = load_workbook(demo_out / "report.xlsx", read_only=True)
    names = wb.sheetnames
    assert names[0] == "Tổng hợp"
    cells = []
    for sheet in names[1:]:
        # An empty cell is not written at all: read back, a row stops at its last value.
        width = len(rows[0])
        ws_rows = [[c if c is not None else "" for c in r] + [""] * (width - len(r))
                   for r in wb[sheet].iter_rows(values_only=True)]
        assert ws_rows[0] == rows[0]
        cells += ws_rows[1:]
    assert cells == rows[1:]
