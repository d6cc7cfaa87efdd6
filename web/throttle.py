"""Slowing down repeated failed logins, per account name and per client address.

After FREE_FAILURES failures within WINDOW_SECONDS, each further attempt for that name or from
that address must wait twice as long as the one before (1 s, 2 s, 4 s … up to MAX_WAIT_SECONDS)
after the last failure; an attempt made sooner is refused without checking the password. A
success clears the name and the address. Kept in memory: a restart forgets, which only gives a
guesser a few more tries, and never locks the office out for good.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

FREE_FAILURES = 5
WINDOW_SECONDS = 15 * 60
MAX_WAIT_SECONDS = 300


class LoginThrottle:
    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._failures: dict[str, tuple[int, float]] = {}  # key -> (count, last failure)
        self._lock = threading.Lock()

    def _wait_for(self, key: str, now: float) -> float:
        count, last = self._failures.get(key, (0, 0.0))
        if count and now - last > WINDOW_SECONDS:
            self._failures.pop(key, None)
            return 0.0
        if count < FREE_FAILURES:
            return 0.0
        delay = min(MAX_WAIT_SECONDS, 2.0 ** (count - FREE_FAILURES))
        return max(0.0, last + delay - now)

    def wait_seconds(self, name: str, address: str) -> int:
        """How many seconds to wait before a login for `name` from `address` is checked."""
        now = self._clock()
        with self._lock:
            wait = max(self._wait_for("u:" + name.lower(), now),
                       self._wait_for("a:" + address, now))
        return int(wait + 0.999)

    def failed(self, name: str, address: str) -> None:
        now = self._clock()
        with self._lock:
            for key in ("u:" + name.lower(), "a:" + address):
                count, _ = self._failures.get(key, (0, 0.0))
                self._failures[key] = (count + 1, now)

    def succeeded(self, name: str, address: str) -> None:
        with self._lock:
            self._failures.pop("u:" + name.lower(), None)
            self._failures.pop("a:" + address, None)
