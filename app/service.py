"""`serve`: poll every `poll_minutes` (woken early by IMAP IDLE where the server has it), write the
digest at `digest_times`, back off when a source fails, and stop cleanly on SIGTERM/SIGINT.

schedule runs the jobs on this thread. Every job is wrapped: an exception escaping
`run_pending()` would leave the job's next run in the past, so it would fire again every tick.
"""

from __future__ import annotations

import logging
import math
import random
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from types import FrameType
from typing import Any

from app.lock import LockBusyError, command_wait
from config.model import Settings, SourceConfig
from ingest.errors import SourceError, StorageError

log = logging.getLogger("mailtally.serve")

IDLE_RENEW_SECONDS = 9 * 60  # RFC 2177 asks for less than 29 minutes; servers cut sooner
BACKOFF_FIRST_SECONDS = 5.0
BACKOFF_MAX_SECONDS = 300.0
IDLE_RETRY_FIRST_SECONDS = 2.0  # reopening a lost or refused IDLE connection, then doubling
IDLE_STABLE_SECONDS = 60.0  # an IDLE connection lost after this long starts the delays afresh
NOTIFY_CHECK_SECONDS = 60  # how often `serve` looks for reminders that fell due between polls


class Backoff:
    """Capped exponential delay with jitter, reset by a success."""

    def __init__(self, first: float = BACKOFF_FIRST_SECONDS, cap: float = BACKOFF_MAX_SECONDS):
        self.first, self.cap = first, cap
        self.failures = 0

    def next_delay(self) -> float:
        self.failures += 1
        delay: float = min(self.cap, self.first * 2.0 ** (self.failures - 1))
        return delay * (0.8 + 0.4 * random.random())  # jitter: many offices, one mail server

    def reset(self) -> None:
        self.failures = 0


def guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    """A job that logs its failure instead of raising into the scheduler."""

    def run_guarded() -> None:
        try:
            job()
        except Exception:  # a failed job must neither kill the loop nor refire every tick
            log.exception("job=%s event=job_failed", name)

    return run_guarded


class IdleWatcher:
    """One IMAP IDLE connection on a source's first folder; `check()` says when to poll.

    IDLE connections die silently (imapclient returns a BYE once, then nothing): any BYE or
    error closes the watcher. A poll is due whenever the connection opens or is lost, since
    mail that arrives while nobody is IDLE never gets announced; the poll also finds out
    whether the server is there (its failures start the service's backoff). Reopening waits
    `retry_at`, later each time it fails, so a server that is down or drops every IDLE is
    not asked for a login every second. The poll timer runs regardless.
    """

    def __init__(self, source: SourceConfig):
        self.source = source
        self.client: Any = None
        self.started = 0.0
        self.backoff = Backoff(first=IDLE_RETRY_FIRST_SECONDS)
        self.retry_at = 0.0  # time.monotonic() before which no reopening is tried

    def ready(self) -> bool:
        """True when `check()` has a connection to wait on or may try to open one."""
        return self.client is not None or time.monotonic() >= self.retry_at

    def _open(self) -> None:
        from ingest.connect import connect_imap, read_password

        client = connect_imap(self.source, read_password(self.source))
        if not client.has_capability("IDLE"):
            client.logout()
            self.retry_at = math.inf  # polling on the timer is all this server allows
            raise SourceError(self.source.name, "no IDLE")
        client.select_folder(self.source.folders[0], readonly=True)
        client.idle()
        self.client, self.started = client, time.monotonic()

    def close(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        try:
            client.idle_done()
            client.logout()
        except Exception:  # the connection is being thrown away either way
            log.debug("closing IDLE connection failed", exc_info=True)

    def check(self, timeout: float) -> str | None:
        """Wait up to `timeout` seconds; say why a poll is due, or None.

        Returns "new_mail" (the server announced it), "connected" (the connection has just
        opened: mail may have come while nobody was watching) or "lost" (the connection died).
        """
        if self.client is None:
            try:
                self._open()
            except Exception as exc:  # cannot watch now: try later, the poll timer runs anyway
                if self.retry_at != math.inf:
                    self.retry_at = time.monotonic() + self.backoff.next_delay()
                log.info("source=%s event=idle_failed reason=%s retry_seconds=%.0f",
                         self.source.name, exc, self.retry_at - time.monotonic())
                return None
            return "connected"
        try:
            if time.monotonic() - self.started > IDLE_RENEW_SECONDS:
                self.client.idle_done()
                self.client.idle()
                self.started = time.monotonic()
            responses = self.client.idle_check(timeout=timeout)
        except Exception as exc:  # any failure: drop the connection, poll now
            self._lost(exc)
            return "lost"
        for response in responses:
            if response and response[0] == b"BYE":
                self._lost(b" ".join(r for r in response if isinstance(r, bytes)).decode(
                    "utf-8", "replace"))
                return "lost"
            if len(response) > 1 and response[1] in (b"EXISTS", b"RECENT"):
                return "new_mail"
        return None

    def _lost(self, reason: object) -> None:
        log.info("source=%s event=idle_lost reason=%s", self.source.name, reason)
        if time.monotonic() - self.started >= IDLE_STABLE_SECONDS:
            self.backoff.reset()
        self.close()
        self.retry_at = time.monotonic() + self.backoff.next_delay()


class Service:
    """The long-running loop. `stop()` (or SIGTERM/SIGINT) ends it between messages."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.stopping = threading.Event()
        self.backoff = Backoff()
        self.next_poll = 0.0
        self.idle = [IdleWatcher(s) for s in settings.sources if s.kind == "imap"]

    def stop(self, signum: int | None = None, frame: FrameType | None = None) -> None:
        log.info("event=stop_requested signal=%s", signum)
        self.stopping.set()

    def poll(self) -> None:
        from app.runner import run

        try:
            result = run(self.settings, stop=self.stopping.is_set)
        except LockBusyError:
            log.info("event=poll_skipped reason=another_run_holds_the_data_dir")
            self.next_poll = time.monotonic() + 30
            return
        except StorageError as exc:  # says what and why (a full disk, say): one line is enough
            log.error("event=poll_failed reason=storage detail=%s", exc)
            self.next_poll = time.monotonic() + self.backoff.next_delay()
            return
        except Exception:  # a bug: logged whole, and tried again later, not on the next tick
            log.exception("event=poll_failed reason=unexpected")
            self.next_poll = time.monotonic() + self.backoff.next_delay()
            return
        if result.errors:
            delay = min(self.backoff.next_delay(), self.settings.schedule.poll_minutes * 60)
            log.warning("event=poll_retry seconds=%.0f failures=%d", delay, self.backoff.failures)
            self.next_poll = time.monotonic() + delay
        else:
            self.backoff.reset()
            self.next_poll = time.monotonic() + self.settings.schedule.poll_minutes * 60

    def digest(self) -> None:
        """The digest at a `digest_times` entry, for the same day as `digest` without --date:
        before noon the day before (`default_digest_day`). Written, and sent when `[digest]` is
        set; a failure is logged by `guarded`."""
        from app.digest import send, write_day
        from outputs.digest import default_digest_day

        now = datetime.now(UTC)
        day = default_digest_day(now, self.settings.timezone)
        digest, _ = write_day(self.settings, day, now, wait=command_wait())
        if self.settings.digest is not None:
            send(self.settings, digest, now=now)

    def notify(self) -> None:
        """Reminders on time, between polls: a run without polling sends what fell due."""
        from app.runner import run

        try:
            run(self.settings, poll=False)
        except LockBusyError:
            log.info("event=notify_skipped reason=another_run_holds_the_data_dir")

    def run(self) -> int:
        import schedule

        scheduler = schedule.Scheduler()
        for at in self.settings.schedule.digest_times:
            scheduler.every().day.at(at, self.settings.timezone.key).do(
                guarded("digest", self.digest))
        if self.settings.notify is not None:
            scheduler.every(NOTIFY_CHECK_SECONDS).seconds.do(guarded("notify", self.notify))
        poll_job = guarded("poll", self.poll)
        log.info("event=serve_started poll_minutes=%d idle_sources=%d",
                 self.settings.schedule.poll_minutes, len(self.idle))
        while not self.stopping.is_set():
            if time.monotonic() >= self.next_poll:
                poll_job()
            scheduler.run_pending()
            if self.stopping.is_set():
                break
            wait = max(0.0, min(1.0, self.next_poll - time.monotonic()))
            # While polls fail, the backoff alone decides when to try the server again.
            watching = [w for w in self.idle if w.ready()] if self.backoff.failures == 0 else []
            if watching:
                reasons = [r for w in watching if (r := w.check(wait / len(watching)))]
                if reasons and not self.stopping.is_set():
                    log.info("event=idle_wakeup reason=%s", ",".join(reasons))
                    self.next_poll = 0.0
            else:
                self.stopping.wait(wait)
        for watcher in self.idle:
            watcher.close()
        log.info("event=serve_stopped")
        return 0


def serve(settings: Settings) -> int:
    """Run the service until SIGTERM or SIGINT; return the exit status."""
    service = Service(settings)
    signal.signal(signal.SIGTERM, service.stop)
    signal.signal(signal.SIGINT, service.stop)
    return service.run()
