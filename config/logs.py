"""Log lines stamped in the office's zone, ISO 8601 with the offset, whatever the server's zone:
`2026-12-03T14:10:36+07:00 INFO mailtally event=run_done ...`, the same clock as `check`, the
report and the digest."""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class ZoneFormatter(logging.Formatter):
    """A formatter whose `%(asctime)s` is the record's time in `zone` (None: the machine's)."""

    def __init__(self, zone: tzinfo | None = None):
        super().__init__(LOG_FORMAT)
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, self.zone)
        if self.zone is None:
            stamp = stamp.astimezone()
        return stamp.isoformat(timespec="seconds")


def use_zone(zone: tzinfo) -> None:
    """Stamp every line of the root logger's handlers in `zone` from now on (once the
    configuration, which names the zone, has been read)."""
    for handler in logging.getLogger().handlers:
        formatter = handler.formatter
        if isinstance(formatter, ZoneFormatter):
            formatter.zone = zone
