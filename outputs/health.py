"""Liveness warnings the office and the administrator should see (pure).

A source whose last successful poll is older than three poll intervals, a source that keeps
failing, and an open request in its last day while nothing at all has arrived: each of these
usually means mail is not being read, not that units are quiet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from config.model import Request, SourceConfig

FAILURES_BEFORE_WARNING = 3


@dataclass(frozen=True, slots=True)
class HealthWarning:
    """One warning, in both languages."""

    code: str  # stale_poll | failing_source | never_polled | quiet_inbox
    vi: str
    en: str

    def text(self, language: str) -> str:
        return self.vi if language == "vi" else self.en


def health_warnings(
    sources: Sequence[SourceConfig],
    requests: Sequence[Request],
    polls: Mapping[str, Mapping[str, Any]],
    latest_received: datetime | None,
    poll_minutes: int,
    now: datetime,
) -> list[HealthWarning]:
    """Warnings about polling and arrivals, most serious first.

    Args:
        polls: the store's poll records by source name (`last_ok`, `last_error`, `failures`).
        latest_received: the newest receipt time in the store, None when it is empty.
    """
    out: list[HealthWarning] = []
    stale_after = timedelta(minutes=3 * poll_minutes)
    for source in sources:
        info = polls.get(source.name)
        if info is None or not info.get("last_ok"):
            out.append(HealthWarning(
                "never_polled",
                f"Chưa đọc được thư từ nguồn {source.name} lần nào.",
                f"Source {source.name} has never been polled successfully."))
        else:
            last_ok = datetime.fromisoformat(str(info["last_ok"]))
            if now - last_ok > stale_after:
                hours = (now - last_ok).total_seconds() / 3600
                out.append(HealthWarning(
                    "stale_poll",
                    f"Nguồn {source.name}: lần đọc thư thành công gần nhất cách đây {hours:.1f} "
                    f"giờ (quá 3 chu kỳ {poll_minutes} phút).",
                    f"Source {source.name}: last successful poll {hours:.1f} hours ago "
                    f"(more than 3 intervals of {poll_minutes} minutes)."))
        if info is not None and int(info.get("failures") or 0) >= FAILURES_BEFORE_WARNING:
            out.append(HealthWarning(
                "failing_source",
                f"Nguồn {source.name} lỗi {info['failures']} lần liên tiếp: {info['last_error']}",
                f"Source {source.name} failed {info['failures']} times in a row: "
                f"{info['last_error']}"))
    day = timedelta(days=1)
    for request in requests:
        in_last_day = request.deadline - day <= now <= request.closes_at
        if in_last_day and (latest_received is None or now - latest_received > day):
            out.append(HealthWarning(
                "quiet_inbox",
                f"{request.id} sắp hết hạn nhưng 24 giờ qua không nhận được thư nào: "
                "hãy kiểm tra hộp thư có còn được đọc không.",
                f"{request.id} is due within a day but no mail at all arrived in 24 hours: "
                "check that the inbox is still being read."))
    return out
