"""An assign that learns a sender's address re-places that sender's stored mail (old messages
too: contract, "Always current"), and only that: the other messages keep their cached
placements, so that a clerk fixing messages in the workspace does not wait for all of them."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from app import decisions
from app.runner import snapshot
from config import load_config
from ingest.store import Store

NOW = datetime(2023, 8, 25, tzinfo=UTC)


def _mail(n: int, sender: str, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "doankhoi@example.gov.vn"
    msg["Subject"] = subject
    msg["Date"] = f"Thu, 10 Aug 2023 0{n}:00:00 +0700"
    msg["Message-ID"] = f"<m{n}@test.example>"
    msg.set_content("Kính gửi Văn phòng.")
    return msg.as_bytes()


def test_an_assign_re_places_only_that_senders_mail(tmp_path: Path,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "units.csv").write_text(
        "code,name,emails,aliases\nSTC,Đoàn Sở Tài chính,doan@stc.example.vn,\n"
        "SCT,Đoàn Sở Công Thương,doan@sct.example.vn,\n", encoding="utf-8")
    (tmp_path / "requests.toml").write_text(
        '[[request]]\nid = "178-TB/ĐTN"\ntitle = "x"\nissued = 2023-08-01T00:00:00\n'
        'deadline = 2023-08-11T11:00:00\n', encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "settings.toml").write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n',
                                            encoding="utf-8")
    settings = load_config(tmp_path / "settings.toml")
    store = Store(settings.data_dir)
    keys = [store.store_message(_mail(n, sender, f"Báo cáo 178-TB/ĐTN số {n}"), NOW, "t")[0]
            for n, sender in enumerate(["an@gmail.com", "an@gmail.com", "binh@gmail.com",
                                        "doan@sct.example.vn"], start=1)]
    first = {pl.message_key: pl for pl in snapshot(settings, store, NOW).placements}
    assert [first[k].reason for k in keys[:3]] == ["no_unit"] * 3
    decisions.assign(settings, keys[0], ["STC"], None, author="lan")
    caplog.set_level(logging.INFO, logger="mailtally")
    after = {pl.message_key: pl for pl in snapshot(settings, store, NOW).placements}
    store.close()
    assert (after[keys[0]].unit_code, after[keys[0]].match) == ("STC", "override")
    assert (after[keys[1]].unit_code, after[keys[1]].match) == ("STC", "learned")
    assert after[keys[2]].reason == "no_unit"
    assert after[keys[3]].unit_code == "SCT"
    placed = [r.getMessage() for r in caplog.records if "event=placed" in r.getMessage()]
    assert placed == ["event=placed messages=2"], "only an@gmail.com's two messages"


def test_rows_decoded_once_give_the_same_snapshot(tmp_path: Path) -> None:
    """The workspace keeps decoded cache rows between snapshots (DecodedRows): after a decision
    its snapshot is the one a fresh reading gives."""
    from app.caches import DecodedRows

    (tmp_path / "units.csv").write_text(
        "code,name,emails,aliases\nSTC,Đoàn Sở Tài chính,doan@stc.example.vn,\n",
        encoding="utf-8")
    (tmp_path / "requests.toml").write_text(
        '[[request]]\nid = "178-TB/ĐTN"\ntitle = "x"\nissued = 2023-08-01T00:00:00\n'
        'deadline = 2023-08-11T11:00:00\n', encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "settings.toml").write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n',
                                            encoding="utf-8")
    settings = load_config(tmp_path / "settings.toml")
    store = Store(settings.data_dir)
    keys = [store.store_message(_mail(n, sender, f"Báo cáo 178-TB/ĐTN số {n}"), NOW, "t")[0]
            for n, sender in enumerate(["an@gmail.com", "doan@stc.example.vn"], start=1)]
    decoded = DecodedRows()
    for _ in range(2):  # the second reads every row from the cache, and keeps it decoded
        snapshot(settings, store, NOW, decoded)
    assert set(decoded.light) == set(keys) and set(decoded.placed) == set(keys)
    decisions.assign(settings, keys[0], ["STC"], None, author="lan")
    kept = snapshot(settings, store, NOW, decoded)
    fresh = snapshot(settings, store, NOW)
    store.close()
    assert kept.placements == fresh.placements and kept.rows == fresh.rows
    assert {pl.message_key: pl.match for pl in kept.placements}[keys[0]] == "override"
