"""units.csv as Excel saves it: "CSV UTF-8" with `,` or (a Vietnamese Excel) `;`, UTF-16 with a
BOM; a file in the Windows code page is refused with the hint to save as CSV UTF-8; and one root
cause is reported once, not followed by every request that names a group of the unread roster."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

import run
from config import ConfigError, load_config

ROWS = [
    ["code", "name", "emails", "aliases", "group"],
    ["STP", "Đoàn Sở Tư pháp", "doan@stp.example.vn;bt@stp.example.vn", "STP;Sở Tư pháp", "so"],
    ["SNV", "Chi đoàn Sở Nội vụ, khối 2", "cd@snv.example.vn", "SNV", "so"],
]
REQUESTS = """
[[request]]
id = "178-TB/ĐTN"
title = "Báo cáo"
issued = 2023-08-03T00:00:00
deadline = 2023-08-11T11:00:00
units = ["group:so", "STP"]
"""
SETTINGS = '[[source]]\nkind = "eml_dir"\npath = "inbox"\n'


def _csv(delimiter: str) -> str:
    def cell(value: str) -> str:
        return f'"{value}"' if delimiter in value else value

    return "".join(delimiter.join(cell(v) for v in row) + "\r\n" for row in ROWS)


def _cp1258(text: str) -> bytes:
    """`text` as a Vietnamese Windows saves it: letters with a tone mark as the base letter
    (ă, â, ơ, ư... are in the code page) followed by a combining tone mark."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[0], list(decomposed[1:])
            vowel = [m for m in marks if m in "\u0306\u0302\u031b"]  # breve, circumflex, horn
            if vowel:
                base = unicodedata.normalize("NFC", base + vowel[0])
                marks = [m for m in marks if m != vowel[0]]
            out += (base + "".join(marks)).encode("cp1258")
    return out


def _write(tmp_path: Path, units: bytes, language: str = "vi") -> Path:
    (tmp_path / "units.csv").write_bytes(units)
    (tmp_path / "requests.toml").write_text(REQUESTS, encoding="utf-8")
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "settings.toml"
    path.write_text(f'language = "{language}"\n' + SETTINGS, encoding="utf-8")
    return path


@pytest.mark.parametrize(("delimiter", "encoding"), [
    (",", "utf-8-sig"), (";", "utf-8-sig"), (";", "utf-8"), (",", "utf-16"), (";", "utf-16"),
], ids=["comma-bom", "semicolon-bom", "semicolon", "utf16-comma", "utf16-semicolon"])
def test_the_roster_reads_the_same_whatever_excel_saved(
        tmp_path: Path, delimiter: str, encoding: str) -> None:
    settings = load_config(_write(tmp_path, _csv(delimiter).encode(encoding)))
    assert [(u.code, u.name, u.emails, u.aliases, u.group) for u in settings.units] == [
        ("STP", "Đoàn Sở Tư pháp", ("doan@stp.example.vn", "bt@stp.example.vn"),
         ("STP", "Sở Tư pháp"), "so"),
        ("SNV", "Chi đoàn Sở Nội vụ, khối 2", ("cd@snv.example.vn",), ("SNV",), "so"),
    ]
    assert settings.requests[0].units == ("group:so", "STP")


def test_a_windows_code_page_file_is_refused_once_with_the_hint(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _cp1258(_csv(",")))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems  # not followed by "group:so is not in units.csv"
    assert problem.file == "units.csv"
    assert run.main(["--config", str(path), "check"]) == 2
    err = capsys.readouterr().err
    assert "cp1258" in err and "CSV UTF-8 (Comma delimited)" in err
    assert "requests.toml" not in err and "Traceback" not in err

    assert run.main(["--config", str(_write(tmp_path, _cp1258(_csv(",")), "en")),
                     "check"]) == 2
    err = capsys.readouterr().err
    assert "the file is in the Windows Vietnamese code page" in err
    assert "in Excel: File > Save As > CSV UTF-8" in err


def test_a_missing_roster_is_one_problem_not_one_per_request(tmp_path: Path) -> None:
    path = _write(tmp_path, b"")
    (tmp_path / "units.csv").unlink()
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert [p.file for p in caught.value.problems] == ["units.csv"]


def test_a_wrong_header_is_one_problem_and_says_both_separators(tmp_path: Path) -> None:
    path = _write(tmp_path, "ma;ten;email\r\nSTP;Sở Tư pháp;a@b.vn\r\n".encode())
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.key == "header" and "separated by , or ;" in problem.expected[1]


def test_a_roster_that_was_read_still_checks_the_requests_units(tmp_path: Path) -> None:
    path = _write(tmp_path, _csv(";").encode())
    (tmp_path / "requests.toml").write_text(REQUESTS.replace("group:so", "group:phuong"),
                                            encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    (problem,) = caught.value.problems
    assert problem.file == "requests.toml" and problem.got == '"group:phuong"'
