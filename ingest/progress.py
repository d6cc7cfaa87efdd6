"""Progress of a long fetch: a live line on a terminal, one summary line in the log."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

log = logging.getLogger("mailtally.ingest")

MB = 1024 * 1024


class Progress:
    """Counts messages and bytes of one folder's fetch against known totals."""

    def __init__(self, label: str, total_messages: int, total_bytes: int,
                 stream: TextIO | None = None):
        self.label = label
        self.total_messages = total_messages
        self.total_bytes = total_bytes
        self.messages = 0
        self.bytes = 0
        self.started = time.monotonic()
        self.stream = stream if stream is not None else sys.stderr
        self.live = self.stream.isatty() and total_messages >= 200
        self.last_draw = 0.0

    def advance(self, messages: int, size: int) -> None:
        self.messages += messages
        self.bytes += size
        now = time.monotonic()
        if self.live and now - self.last_draw >= 0.5:
            self.last_draw = now
            self.stream.write("\r" + self.line() + "   ")
            self.stream.flush()

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.bytes / MB / elapsed
        left = ""
        if self.bytes and self.total_bytes > self.bytes:
            seconds = (self.total_bytes - self.bytes) / (self.bytes / elapsed)
            left = f", còn khoảng {int(seconds // 60)} ph {int(seconds % 60)} s"
        return (f"{self.label}: {self.messages}/{self.total_messages} thư, "
                f"{self.bytes / MB:.0f}/{self.total_bytes / MB:.0f} MB, {rate:.1f} MB/s{left}")

    def finish(self) -> None:
        if self.live:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
        if self.messages:
            elapsed = time.monotonic() - self.started
            log.info("folder=%s event=fetch_done messages=%d mb=%.1f seconds=%.1f",
                     self.label, self.messages, self.bytes / MB, elapsed)
