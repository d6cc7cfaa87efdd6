"""Liveness warnings the office and the administrator should see (pure).

A source whose last successful poll is older than three poll intervals, a source that keeps
failing, and an open request in its last day while nothing at all has arrived: each of these
usually means mail is not being read, not that units are quiet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from config.model import Request, SourceConfig

FAILURES_BEFORE_WARNING = 3


@dataclass(frozen=True, slots=True)
class HealthWarning:
    """One warning: its code and the values its sentence (outputs/i18n.py, `health_CODE`)
    is filled with."""

    code: str  # stale_poll | failing_source | never_polled | quiet_inbox
    values: dict[str, object] = field(default_factory=dict)

    def text(self, language: str) -> str:
        from outputs.i18n import say  # only when shown: a run with nothing new shows nothing

        return say(f"health_{self.code}", language, **self.values)


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
            out.append(HealthWarning("never_polled", {"source": source.name}))
        else:
            last_ok = datetime.fromisoformat(str(info["last_ok"]))
            if now - last_ok > stale_after:
                hours = (now - last_ok).total_seconds() / 3600
                out.append(HealthWarning("stale_poll", {
                    "source": source.name, "hours": f"{hours:.1f}", "minutes": poll_minutes}))
        if info is not None and int(info.get("failures") or 0) >= FAILURES_BEFORE_WARNING:
            out.append(HealthWarning("failing_source", {
                "source": source.name, "failures": info["failures"],
                "error": info["last_error"]}))
    day = timedelta(days=1)
    for request in requests:
        in_last_day = request.deadline - day <= now <= request.closes_at
        if in_last_day and (latest_received is None or now - latest_received > day):
            out.append(HealthWarning("quiet_inbox", {"request_id": request.id}))
    return out
