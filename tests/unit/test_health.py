"""Liveness warnings: stale polls, failing sources, a quiet inbox before a deadline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from config.model import Request, SourceConfig
from outputs.health import health_warnings

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2023, 8, 11, 9, 0, tzinfo=VN)
SRC = (SourceConfig(name="imap:vp", kind="imap"),)
REQ = (Request("178-TB/ĐTN", "t", NOW - timedelta(days=8), NOW + timedelta(hours=2)),)


def codes(polls: Mapping[str, Mapping[str, object]], latest: datetime | None) -> list[str]:
    return [w.code for w in health_warnings(SRC, REQ, polls, latest, 5, NOW)]


def test_recent_poll_and_recent_mail_give_no_warning() -> None:
    ok = {"imap:vp": {"last_ok": (NOW - timedelta(minutes=14)).isoformat(), "failures": 0}}
    assert codes(ok, NOW - timedelta(hours=3)) == []


def test_poll_older_than_three_intervals_warns() -> None:
    stale = {"imap:vp": {"last_ok": (NOW - timedelta(minutes=16)).isoformat(), "failures": 0}}
    assert codes(stale, NOW - timedelta(hours=3)) == ["stale_poll"]


def test_never_polled_and_repeated_failures_warn() -> None:
    failing = {"imap:vp": {"last_ok": None, "failures": 3, "last_error": "login refused"}}
    assert codes(failing, NOW) == ["never_polled", "failing_source"]


def test_quiet_inbox_in_the_last_day_of_an_open_request() -> None:
    ok = {"imap:vp": {"last_ok": NOW.isoformat(), "failures": 0}}
    assert codes(ok, NOW - timedelta(hours=25)) == ["quiet_inbox"]
    assert codes(ok, None) == ["quiet_inbox"]
    warning = health_warnings(SRC, REQ, ok, None, 5, NOW)[0]
    assert "178-TB/ĐTN" in warning.text("vi") and "hộp thư" in warning.text("vi")
