"""About 1,300 real-world messages that other projects collected for their own tests (the shared
corpus, never copied into this repository) all go through `once`: every one is accounted for in
messages.csv, none crashes the parser, and the run reports its throughput.

The corpus is read from $MAILTALLY_SHARED_CORPUS, else from shared/corpus beside the repository.
Where it is absent the test is skipped, and fails under CI=true.
"""

from __future__ import annotations

import csv
import logging
import os
import re
import shutil
import time
from pathlib import Path

import pytest

import run
from ingest.store import message_key_for

SKIPPED_NAMES = {"MANIFEST.tsv", "README.md"}
UNITS_CSV = ("code,name,emails,aliases\r\n"
             "STC,Đoàn Thanh niên Sở Tài chính,doantn.stc@example.gov.vn,Sở Tài chính\r\n"
             "SYT,Đoàn Thanh niên Sở Y tế,doantn.syt@example.gov.vn,Sở Y tế\r\n")
REQUESTS_TOML = ('[[request]]\nid = "178-TB/ĐTN"\ntitle = "Báo cáo"\n'
                 "issued = 2000-01-01T00:00:00\ndeadline = 2030-01-01T00:00:00\n")


def corpus_dir() -> Path:
    env = os.environ.get("MAILTALLY_SHARED_CORPUS")
    return Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "corpus"


def corpus_files() -> list[Path]:
    root = corpus_dir()
    if not root.is_dir():
        message = f"the shared corpus is not at {root} (set MAILTALLY_SHARED_CORPUS)"
        if os.environ.get("CI", "").strip().lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name not in SKIPPED_NAMES)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_every_corpus_message_is_stored_parsed_and_listed(tmp_path: Path) -> None:
    files = corpus_files()
    assert len(files) > 1000
    root = corpus_dir()
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    names: dict[str, str] = {}  # safe copy -> the corpus file it came from
    for i, path in enumerate(files):
        safe = f"{i:05d}.eml"
        shutil.copyfile(path, inbox / safe)
        names[safe] = path.relative_to(root).as_posix()
    (tmp_path / "units.csv").write_text(UNITS_CSV, encoding="utf-8")
    (tmp_path / "requests.toml").write_text(REQUESTS_TOML, encoding="utf-8")
    (tmp_path / "settings.toml").write_text(
        'office_addresses = ["doankhoi@example.gov.vn"]\ndata_dir = "data"\noutput_dir = "out"\n'
        '[[source]]\nkind = "eml_dir"\npath = "inbox"\n', encoding="utf-8")

    handler = _Collect()
    logger = logging.getLogger("mailtally")
    logger.addHandler(handler)
    try:
        started = time.monotonic()
        code = run.main(["--config", str(tmp_path / "settings.toml"), "once"])
        seconds = time.monotonic() - started
    finally:
        logger.removeHandler(handler)
    log = "\n".join(handler.lines)

    expected_keys = {message_key_for((inbox / safe).read_bytes())[0]: safe for safe in names}
    with (tmp_path / "out" / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        listed = {row["message_key"].lstrip("'") for row in csv.DictReader(fh)}
    crashed = sorted(names[expected_keys[k]] for k in re.findall(
        r"message_key=(\w+) event=parse_crashed", log) if k in expected_keys)
    print(f"\nshared corpus: {len(files)} files, {len(expected_keys)} distinct messages, "
          f"once in {seconds:.1f} s = {len(expected_keys) / seconds:.0f} messages/s "
          f"({sum(p.stat().st_size for p in files) / seconds / 1e6:.1f} MB/s)")
    assert code == 0
    assert not crashed, "parse crashed on: " + ", ".join(crashed)
    missing = sorted(names[s] for k, s in expected_keys.items() if k not in listed)
    assert not missing, "not in messages.csv: " + ", ".join(missing[:20])
    assert len(listed) == len(expected_keys)
