"""The parse stage's records: what a message says, as plain frozen data (and to/from JSON)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from parsers.auth import AuthResults

# Bump when parsing improves: stored messages are then parsed again on the next run
# (contract: "a newer version of the program re-reads stored messages").
PARSER_VERSION = 5


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attached file (a forwarded original's files included).

    `kinds` are the evidence kinds the file gives: () for a small inline logo or an unknown
    type, ("report",) for a document, ("images",) for a photo, both for a zip holding both.
    """

    filename: str
    content_type: str
    size: int
    sha256: str
    inline: bool
    kinds: tuple[str, ...]
    text: str = ""  # text extracted from the file, bounded; used to find the unit's name
    stored_path: str = ""  # relative to data_dir, filled in by the store
    inner_names: tuple[str, ...] = ()  # for an archive: the names listed inside
    note: str = ""  # what a limit left out: bytes not saved apart, text not read


@dataclass(frozen=True, slots=True)
class Original:
    """The original of a forwarded message: who really wrote it, and what it said."""

    sender: str
    sender_name: str
    subject: str
    text: str
    date: datetime | None = None


@dataclass(frozen=True, slots=True)
class ParsedMessage:
    """Everything later stages need to know about one stored message.

    `own_text` is the sender's own words: quoted replies, forwarded headers and quoted notices
    are cut out. `problem` is non-empty when nothing useful could be read (reason unparseable).
    `notes` say what was skipped or cut, and why (a limit, a part that could not be read); a
    message with notes is still placed by what was read.
    """

    message_key: str
    message_id: str
    received_at: datetime
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    date: datetime | None = None
    own_text: str = ""
    links: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    forwarded: Original | None = None
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    auto_reply: bool = False
    bounce: bool = False
    failed_recipients: tuple[str, ...] = ()  # a bounce's recipients that could not be reached
    # Who may speak for the sender's address (see parsers.auth and matching.units): how many
    # mailboxes From names, other addresses written in it (display names, comments), the
    # Authentication-Results headers topmost first, and (header, address) of Sender, Reply-To
    # and Return-Path where they differ from From.
    from_mailboxes: int = 1
    written_addresses: tuple[str, ...] = ()
    auth_results: tuple[AuthResults, ...] = ()
    other_senders: tuple[tuple[str, str], ...] = ()
    defects: tuple[str, ...] = ()
    problem: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def author(self) -> str:
        """Address of whoever wrote it: for a forward, the original sender."""
        if self.forwarded is not None and self.forwarded.sender:
            return self.forwarded.sender
        return self.sender


def _dt(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _undt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _plain(value: Any) -> Any:
    """As `dataclasses.asdict` does for these records, without its deep copy of every string
    (a third of the time of caching a record)."""
    if isinstance(value, (Attachment, Original, ParsedMessage, AuthResults)):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def to_json(parsed: ParsedMessage) -> dict[str, Any]:
    """A JSON-ready dict of `parsed` (for the parse cache in the store)."""
    data: dict[str, Any] = _plain(parsed)
    data["received_at"] = _dt(parsed.received_at)
    data["date"] = _dt(parsed.date)
    if parsed.forwarded is not None:
        data["forwarded"]["date"] = _dt(parsed.forwarded.date)
    return data


def from_json(data: dict[str, Any]) -> ParsedMessage:
    """The inverse of `to_json`."""
    fwd = data.get("forwarded")
    return ParsedMessage(
        message_key=data["message_key"],
        message_id=data["message_id"],
        received_at=datetime.fromisoformat(data["received_at"]),
        sender=data["sender"],
        sender_name=data["sender_name"],
        subject=data["subject"],
        date=_undt(data["date"]),
        own_text=data["own_text"],
        links=tuple(data["links"]),
        attachments=tuple(
            Attachment(**{**a, "kinds": tuple(a["kinds"]),
                          "inner_names": tuple(a["inner_names"])})
            for a in data["attachments"]),
        forwarded=Original(**{**fwd, "date": _undt(fwd["date"])}) if fwd else None,
        in_reply_to=data["in_reply_to"],
        references=tuple(data["references"]),
        auto_reply=data["auto_reply"],
        bounce=data["bounce"],
        failed_recipients=tuple(data.get("failed_recipients", ())),
        from_mailboxes=data.get("from_mailboxes", 1),
        written_addresses=tuple(data.get("written_addresses", ())),
        auth_results=tuple(
            AuthResults(h["authserv_id"], tuple(tuple(r) for r in h["results"]))
            for h in data.get("auth_results", ())),
        other_senders=tuple(tuple(o) for o in data.get("other_senders", ())),
        defects=tuple(data["defects"]),
        problem=data["problem"],
        notes=tuple(data["notes"]),
    )


def light_json(data: dict[str, Any]) -> dict[str, Any]:
    """`to_json` output without the long texts that only placement reads: the sender's own
    text, attachment texts and a forwarded original's text. What status and outputs need stays."""
    light = {**data, "own_text": ""}
    light["attachments"] = [{**a, "text": ""} for a in data["attachments"]]
    if data.get("forwarded"):
        light["forwarded"] = {**data["forwarded"], "text": ""}
    return light
