"""One message at a time: whatever goes wrong while parsing or placing one message stays with
that message (STYLE §4, contract: "a message that cannot be parsed never fails a run").

The run loops (in-process and in the parsing processes) call these functions and nothing else
for a message's parse and placement. Each returns a record whatever happens: a crash, or a
message that takes longer than `max_message_seconds` to parse and place, becomes reason
`unparseable`, with the reason in the log (and, for a parse, in the record's `problem`); the
raw bytes stay stored and the run goes on. Only a StorageError (the store cannot be written)
leaves: it stops the run, as it must.

The time limit covers the whole message: its parse starts the clock (`parse_safely`), and its
placement (`place_safely`) gets what is left. Where no alarm can be set (outside the main
thread) the stages' own bounds still hold: every stage is linear in the message's size, and a
document's text is read in a child process that is killed at its deadline.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import datetime

from ingest.errors import StorageError
from matching.context import MatchContext
from matching.evidence import evidence_kinds
from matching.placement import place_message
from matching.records import Placement, Reason
from parsers.extract import can_alarm, time_limit
from parsers.limits import DEFAULT_LIMITS, Limits
from parsers.message import parse_message, read_header_fields
from parsers.records import ParsedMessage

log = logging.getLogger("mailtally")

AttachmentSaver = Callable[[str, int, str, bytes], str]
PROBLEM_CHARS = 300
# When each message whose parse began is to be placed by (monotonic seconds), until it is.
_deadlines: dict[str, float] = {}
MAX_PENDING_DEADLINES = 10_000


class MessageTimeoutError(BaseException):
    """One message took longer than `max_message_seconds` to parse and place.

    A BaseException, as ExtractTimeoutError is, so that no `except Exception` in a library
    swallows it."""


@contextmanager
def _within(seconds: float) -> Iterator[None]:
    """Raise MessageTimeoutError once `seconds` have passed (where an alarm can be set)."""
    guard = time_limit(max(seconds, 0.001), MessageTimeoutError) if can_alarm() else (
        nullcontext())
    with guard:
        yield


def _crashed(key: str, stage: str, exc: BaseException) -> str:
    """Log what went wrong with one message (traceback for developers); return one line."""
    if isinstance(exc, MessageTimeoutError):
        detail = "took longer than max_message_seconds"
        log.error("message_key=%s event=%s_timed_out", key, stage)
    else:
        detail = f"{type(exc).__name__}: {exc}"
        log.error("message_key=%s event=%s_crashed error=%s\n%s", key, stage,
                  type(exc).__name__, "".join(traceback.format_exception(exc)))
    return " ".join(f"{stage} failed: {detail}".split())[:PROBLEM_CHARS]


def parse_safely(save: AttachmentSaver, key: str, raw: bytes, message_id: str,
                 received_at: datetime, *, limits: Limits = DEFAULT_LIMITS) -> ParsedMessage:
    """Parse one stored message and keep its attachments (through `save`); never raises but
    StorageError. A crash or a timeout gives a record with `problem` (reason unparseable) that
    keeps what the headers say (Message-ID, sender, subject, date) when they can be read."""
    started = time.monotonic()
    if len(_deadlines) > MAX_PENDING_DEADLINES:  # parsed, never placed (a reader only)
        _deadlines.clear()
    _deadlines[key] = started + limits.max_message_seconds
    try:
        with _within(limits.max_message_seconds):
            parsed, payloads = parse_message(raw, key, message_id, received_at, limits=limits)
        stored = []
        for i, (attachment, data) in enumerate(zip(parsed.attachments, payloads, strict=True)):
            if data is None:
                stored.append(attachment)
                continue
            path = save(key, i, attachment.filename, data)
            stored.append(replace(attachment, stored_path=path))
        return replace(parsed, attachments=tuple(stored))
    except StorageError:
        raise
    except (Exception, MessageTimeoutError) as exc:  # the one boundary per message (STYLE §4)
        problem = _crashed(key, "parse", exc)
        base = ParsedMessage(message_key=key, message_id=message_id, received_at=received_at)
        try:
            base = read_header_fields(raw, base)
        except Exception:  # the headers cannot be read either: the row keeps what the store has
            log.debug("message_key=%s headers not read", key, exc_info=True)
        return replace(base, problem=problem)


def place_safely(parsed: ParsedMessage, ctx: MatchContext, *,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[tuple[Placement, ...], tuple[str, ...]]:
    """(placements, evidence kinds) of one message; never raises. A crash or a timeout gives
    one placement with reason unparseable and no evidence (what went wrong is in the log).

    The time left is what its parse left of the message's `max_message_seconds` (as the parse
    was given it); a message parsed on an earlier run gets `limits.max_message_seconds`."""
    key = parsed.message_key
    deadline = _deadlines.pop(key, None)
    seconds = limits.max_message_seconds if deadline is None else deadline - time.monotonic()
    try:
        with _within(seconds):
            return place_message(parsed, ctx), evidence_kinds(parsed)
    except (Exception, MessageTimeoutError) as exc:  # the one boundary per message (STYLE §4)
        _crashed(key, "place", exc)
        return (Placement(key, None, None, None, Reason.UNPARSEABLE),), ()
