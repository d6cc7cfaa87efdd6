"""The store: raw bytes of every message on disk, and a SQLite database of what we know about them.

Raw bytes are written first (temporary file, fsync, rename); the database row only after, so a crash
at any point leaves either nothing or a whole file. Every later stage reads from here, never from a
mailbox.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.decisions import Decision, DecisionKind
from ingest.errors import StorageError, storage_reason
from ingest.files import write_atomic
from parsers.records import light_json

log = logging.getLogger("mailtally")

SCHEMA_VERSION = 1
# Set once the decisions of earlier versions (overrides, learned, excuses, extensions) have been
# copied into `decisions`; the old tables are kept as they were, and no longer read.
DECISIONS_MIGRATED = "decisions_migrated"
# The author of a decision made before decisions had authors.
EARLIER_AUTHOR = "?"

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    message_key TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,          -- ISO 8601, UTC
    raw_path    TEXT NOT NULL,          -- relative to data_dir
    size        INTEGER NOT NULL,
    source      TEXT NOT NULL,
    folder      TEXT NOT NULL,
    stored_at   TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS locations (
    source      TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    uid         INTEGER NOT NULL,
    message_key TEXT NOT NULL,
    PRIMARY KEY (source, folder, uidvalidity, uid)
);
CREATE TABLE IF NOT EXISTS sync_state (
    source      TEXT NOT NULL,
    folder      TEXT NOT NULL,
    uidvalidity INTEGER NOT NULL,
    last_uid    INTEGER NOT NULL,
    PRIMARY KEY (source, folder)
);
CREATE TABLE IF NOT EXISTS files_seen (
    source TEXT NOT NULL,
    name   TEXT NOT NULL,
    size   INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (source, name)
);
CREATE TABLE IF NOT EXISTS polls (
    source      TEXT PRIMARY KEY,
    last_ok     TEXT,
    last_error  TEXT,
    last_error_at TEXT,
    failures    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS parsed (
    message_key    TEXT PRIMARY KEY,
    parser_version INTEGER NOT NULL,
    record         TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS parsed_light (
    message_key    TEXT PRIMARY KEY,
    parser_version INTEGER NOT NULL,
    record         TEXT NOT NULL         -- the record without its long texts
);
CREATE TABLE IF NOT EXISTS placements (
    message_key TEXT PRIMARY KEY,
    stamp       TEXT NOT NULL,          -- what the placement was computed from
    record      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS overrides (
    message_key TEXT PRIMARY KEY,
    unit_code   TEXT,
    request_id  TEXT,
    ignore      INTEGER NOT NULL DEFAULT 0,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS learned (
    address     TEXT PRIMARY KEY,
    unit_code   TEXT NOT NULL,
    message_key TEXT,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS excuses (
    unit_code  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, request_id)
);
CREATE TABLE IF NOT EXISTS extensions (
    unit_code  TEXT NOT NULL,
    request_id TEXT NOT NULL,
    until      TEXT NOT NULL,
    reason     TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (unit_code, request_id)
);
CREATE TABLE IF NOT EXISTS decisions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL,          -- assign, ignore, excuse, extend, accept, unlearn
    message_key TEXT,
    unit_codes  TEXT NOT NULL DEFAULT '',   -- comma-joined
    request_id  TEXT,
    until       TEXT,                   -- ISO 8601 with offset (extend)
    address     TEXT NOT NULL DEFAULT '',   -- learned by an assign, forgotten by an unlearn
    reason      TEXT NOT NULL DEFAULT '',
    author      TEXT NOT NULL,
    created_at  TEXT NOT NULL,          -- ISO 8601, UTC
    undone_at   TEXT,
    undone_by   TEXT
);
CREATE TABLE IF NOT EXISTS thumbnails (
    sha256 TEXT PRIMARY KEY,            -- of the photo's bytes
    jpeg   BLOB NOT NULL                -- empty: the photo cannot be drawn
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name          TEXT PRIMARY KEY,     -- as typed at login, compared case-insensitively
    role          TEXT NOT NULL,        -- clerk | viewer
    password_hash TEXT NOT NULL,        -- argon2id, from ingest/accounts.py
    created_at    TEXT NOT NULL
);
"""

# Headers that a message gains on its way to a mailbox. Two copies of one message that differ
# only in these are the same message (contract: "One message, once").
TRANSPORT_HEADERS = frozenset({
    "received", "delivered-to", "return-path", "x-original-to", "x-received",
    "authentication-results", "received-spf", "x-delivered-to", "envelope-to",
    "x-envelope-from", "x-envelope-to", "x-rcpt-to", "x-uidl", "status", "x-status",
    "x-keywords", "x-mozilla-status", "x-mozilla-status2", "lines", "content-length",
    "x-google-smtp-source", "x-gm-message-state", "x-forwarded-to", "x-forwarded-for",
})
TRANSPORT_PREFIXES = ("arc-", "x-spam", "x-virus", "x-ms-exchange-", "x-forefront-",
                      "x-microsoft-antispam", "x-mailtally-")

_HEADER_END = re.compile(rb"\r?\n\r?\n")
_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class StoredMessage:
    """A row of the store: what every later stage starts from."""

    message_key: str
    message_id: str
    received_at: datetime  # aware, UTC
    raw_path: str  # relative to data_dir
    size: int


def _utc_iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds")


# A receipt time outside these bounds comes from a forged or broken header (a `Received:` line
# dated 31 Dec 9999 -1200 overflows as soon as it is shown in another zone): the time the message
# is stored is used instead.
EARLIEST_RECEIPT = datetime(1980, 1, 1, tzinfo=UTC)
LATEST_RECEIPT = datetime(2200, 1, 1, tzinfo=UTC)


def sane_receipt_time(received_at: datetime) -> datetime:
    """`received_at` in UTC, or now when it is before 1980, after 2199 or cannot be converted."""
    try:
        utc = received_at.astimezone(UTC)
    except (OverflowError, ValueError):
        return datetime.now(UTC)
    return utc if EARLIEST_RECEIPT <= utc < LATEST_RECEIPT else datetime.now(UTC)


def _now() -> str:
    return _utc_iso(datetime.now(UTC))


def _head(raw: bytes) -> bytes:
    m = _HEADER_END.search(raw)
    return raw[: m.start()] if m else raw


def extract_message_id(raw: bytes) -> str:
    """The Message-ID header of `raw` (angle brackets kept), or '' when there is none.

    Lines may end in a bare CR (old Mac mail): the email package reads those as line ends too."""
    head = _head(raw)
    if b"\n" not in head[:HEADER_PROBE_BYTES] and b"\r" in head:
        head = _head(head[:BARE_CR_HEAD_BYTES].replace(b"\r", b"\n"))
    m = _MESSAGE_ID.search(head)
    if not m:
        return ""
    value = re.sub(rb"\s+", b"", m.group(1)).decode("ascii", "replace")
    return value[:998]


HEADER_PROBE_BYTES = 4096  # a header block with no LF in this much ends its lines otherwise
BARE_CR_HEAD_BYTES = 1024 * 1024  # of a bare-CR message, searched for its Message-ID
_BLANK_LINE = re.compile(rb"\n\r*\n")  # "\n\n" once every CR is dropped
HASH_CHUNK = 1 << 20


def kept_header_lines(head: bytes) -> list[bytes]:
    """The lines of a header block (without CRs) that are not transport headers, folded
    continuation lines staying with their header."""
    kept: list[bytes] = []
    keep = True
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        name = line.split(b":", 1)[0].strip().lower().decode("latin-1")
        keep = name not in TRANSPORT_HEADERS and not name.startswith(TRANSPORT_PREFIXES)
        if keep:
            kept.append(line)
    return kept


def content_fingerprint(raw: bytes) -> str:
    """sha256 of the message without its transport headers, with line endings made uniform.

    What is hashed is the message with every CR dropped (so CRLF and LF deliveries agree): the
    kept header lines, a blank line, and the body without its final line breaks. The body is
    read in 1 MiB pieces, each copied once without its CRs, so a 25 MB message is never held
    twice (about 0.6 ms per MB here).
    """
    m = _BLANK_LINE.search(raw)
    head = (raw if m is None else raw[:m.start()]).translate(None, b"\r")
    body_start = len(raw) if m is None else m.end()
    body_end = len(raw)
    while body_end > body_start and raw[body_end - 1] in (0x0A, 0x0D):
        body_end -= 1
    h = hashlib.sha256()
    h.update(b"\n".join(kept_header_lines(head)))
    h.update(b"\n\n")
    for at in range(body_start, body_end, HASH_CHUNK):
        h.update(raw[at:min(at + HASH_CHUNK, body_end)].translate(None, b"\r"))
    return h.hexdigest()


def message_key_for(raw: bytes) -> tuple[str, str]:
    """Return (message_key, message_id) for raw bytes.

    Same Message-ID and same content apart from transport headers gives the same key; without a
    Message-ID, only the same bytes do. A reused Message-ID with other content gets another key.
    """
    message_id = extract_message_id(raw)
    if message_id:
        digest = hashlib.sha256(
            message_id.encode() + b"\0" + content_fingerprint(raw).encode()).hexdigest()
    else:
        digest = hashlib.sha256(raw).hexdigest()
    return digest[:16], message_id


_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)
_RESERVED = re.compile(r"^(con|prn|aux|nul|com[\d¹²³]|lpt[\d¹²³])(\..*)?$", re.IGNORECASE)


def safe_filename(name: str, fallback: str = "file") -> str:
    """A file name that is safe on Linux and Windows: no separators, no control characters,
    no reserved device names, at most 100 bytes, never empty or dot-only."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip("._ ") or fallback
    if _RESERVED.match(name):
        name = "_" + name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ext = ext[:16]
    while len((stem + dot + ext).encode()) > 100 and stem:
        stem = stem[:-1]
    return (stem + dot + ext) or fallback


def parse_cache_texts(record: dict[str, Any]) -> tuple[str, str]:
    """The JSON texts the parse cache keeps of a record: whole, and light (`light_json`)."""
    return (json.dumps(record, ensure_ascii=False),
            json.dumps(light_json(record), ensure_ascii=False))


# Types a browser would run (HTML and its kin, SVG, XML with a stylesheet, MHTML archives,
# scripts) or hand to another program. Such a file is kept under its name plus SAFE_SUFFIX, which
# every web server serves as text/plain and every browser shows as text, so that its script never
# runs in the origin of report.html (docs/security.md).
RISKY_EXTENSIONS = frozenset({
    "htm", "html", "xhtml", "xht", "shtml", "shtm", "mht", "mhtml", "svg", "svgz", "xml", "xsl",
    "xslt", "xsd", "rdf", "rss", "atom", "js", "mjs", "cjs", "jsx", "vbs", "vbe", "wsf", "wsh",
    "hta", "swf", "php", "phtml", "asp", "aspx", "jsp", "cgi", "pl", "py", "sh", "url", "webloc",
    "appcache", "manifest", "webmanifest", "xul", "jnlp",
})
SAFE_SUFFIX = ".txt"


def is_risky_name(name: str) -> bool:
    """Whether a browser would render or run a file of this name (see RISKY_EXTENSIONS); a name
    without an extension is risky too, since a server may guess its type from its bytes."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return ext in RISKY_EXTENSIONS or not ext


def attachment_path(message_key: str, index: int, filename: str) -> str:
    """Where attachment `index` of a message is kept, relative to data_dir: under a safe name,
    and with SAFE_SUFFIX after the name of a type a browser would run."""
    name = safe_filename(filename)
    if is_risky_name(name):
        name = safe_filename(name + SAFE_SUFFIX)
    return f"files/{message_key}/{index:02d}-{name}"


def defuse_stored_files(store: Store) -> int:
    """Once per data dir: rename attachments kept by earlier versions under a name a browser
    would run (an .html, an .svg) to their safe name, so that no such file stays in a folder that
    may be served. Returns how many were renamed."""
    if store.get_meta("risky_files_renamed") == "1":
        return 0
    renamed = 0
    files = store.data_dir / "files"
    if files.is_dir():
        for folder in files.iterdir():
            if not folder.is_dir():
                continue
            for path in folder.iterdir():
                if path.is_file() and is_risky_name(path.name) and not path.name.startswith("."):
                    path.replace(path.with_name(safe_filename(path.name + SAFE_SUFFIX)))
                    renamed += 1
    store.set_meta("risky_files_renamed", "1")
    if renamed:
        log.info("event=risky_attachments_renamed files=%d", renamed)
    return renamed


NewMessage = tuple[str, str, str, datetime]  # message_key, raw_path, message_id, received_at


def _database_error(exc: sqlite3.DatabaseError) -> StorageError:
    if isinstance(exc, sqlite3.OperationalError):
        return StorageError(f"mailtally.db: {storage_reason(exc)}")
    return StorageError(f"mailtally.db bị hỏng ({exc}): thay nó bằng bản sao lưu gần nhất "
                        "(`mailtally backup`; README, 'Backing up')")


class _Connection(sqlite3.Connection):
    """The store's database connection: a failure to write it (disk full, an I/O error, a lock
    held by another program for too long) or a damaged file is a StorageError, which every
    command reports in a sentence and `serve` retries, never a traceback. (IntegrityError and
    ProgrammingError are mailtally's own bugs: they stay what they are.)"""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        return _guarded(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        return _guarded(super().executemany, sql, parameters)

    def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
        return _guarded(super().executescript, sql_script)


def _guarded(call: Callable[..., sqlite3.Cursor], *args: Any) -> sqlite3.Cursor:
    try:
        return call(*args)
    except (sqlite3.IntegrityError, sqlite3.ProgrammingError):
        raise
    except sqlite3.DatabaseError as exc:
        raise _database_error(exc) from exc


class Store:
    """The data dir: `mailtally.db`, `raw/` (one .eml per message), `files/` (attachments)."""

    def __init__(self, data_dir: Path):
        from ingest.datadir import check_store

        self.data_dir = data_dir
        check_store(data_dir)  # a folder left to another user: a sentence with the fix
        try:
            self.db = sqlite3.connect(data_dir / "mailtally.db", isolation_level=None,
                                      factory=_Connection)
        except sqlite3.Error as exc:
            raise StorageError(f"{data_dir / 'mailtally.db'}: {storage_reason(exc)}") from exc
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=30000")
        self.db.executescript(SCHEMA)
        self._in_transaction = False
        self._unsynced = False
        self._new_in_transaction: list[NewMessage] = []
        # Called with the messages a transaction stored, once it has committed.
        self.on_commit: Callable[[list[NewMessage]], None] | None = None
        self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)",
                        (str(SCHEMA_VERSION),))
        if self.get_meta(DECISIONS_MIGRATED) is None:
            self._migrate_decisions()

    def close(self) -> None:
        self.db.close()

    # -- change tracking -------------------------------------------------------------------------

    def bump(self) -> None:
        """Record that something placement or status depends on has changed."""
        self.db.execute(
            "INSERT INTO meta VALUES ('data_version', '1') ON CONFLICT(key) "
            "DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    def data_version(self) -> int:
        row = self.db.execute("SELECT value FROM meta WHERE key='data_version'").fetchone()
        return int(row[0]) if row else 0

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    def forget_meta(self, *keys: str) -> None:
        self.db.executemany("DELETE FROM meta WHERE key=?", [(k,) for k in keys])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """A database transaction; files written inside it reach the disk before it commits."""
        self.db.execute("BEGIN IMMEDIATE")
        self._in_transaction = True
        try:
            yield
            if self._unsynced:
                os.sync()  # raw bytes durable before the rows (and sync state) that name them
                self._unsynced = False
        except BaseException:
            try:
                self.db.execute("ROLLBACK")
            except StorageError:  # SQLite may have rolled back already (a full disk does)
                log.warning("event=rollback_failed", exc_info=True)
            self._new_in_transaction = []
            raise
        finally:
            self._in_transaction = False
        self.db.execute("COMMIT")
        new, self._new_in_transaction = self._new_in_transaction, []
        if new and self.on_commit is not None:
            self.on_commit(new)

    def _write(self, path: Path, data: bytes) -> None:
        write_atomic(path, data, sync=not self._in_transaction)
        self._unsynced = self._unsynced or self._in_transaction

    # -- messages -------------------------------------------------------------------------

    def store_message(self, raw: bytes, received_at: datetime, source: str,
                      folder: str = "") -> tuple[str, bool]:
        """Keep `raw` durably and record it; return (message_key, is_new).

        A message already stored keeps its first arrival: the earlier receipt time wins. An absurd
        receipt time (see `sane_receipt_time`) is replaced by the time of storing.
        """
        received_at = sane_receipt_time(received_at)
        key, message_id = message_key_for(raw)
        row = self.db.execute("SELECT received_at FROM messages WHERE message_key=?",
                              (key,)).fetchone()
        if row is not None:
            if _utc_iso(received_at) < row[0]:
                self.db.execute("UPDATE messages SET received_at=? WHERE message_key=?",
                                (_utc_iso(received_at), key))
                self.bump()
            return key, False
        rel = f"raw/{key[:2]}/{key}.eml"
        self._write(self.data_dir / rel, raw)
        self.db.execute(
            "INSERT INTO messages VALUES (?,?,?,?,?,?,?,?)",
            (key, message_id, _utc_iso(received_at), rel, len(raw), source, folder, _now()),
        )
        if self._in_transaction:
            stamp = datetime.fromisoformat(_utc_iso(received_at))  # as the row holds it
            self._new_in_transaction.append((key, rel, message_id, stamp))
        self.bump()
        return key, True

    def messages(self) -> list[StoredMessage]:
        rows = self.db.execute(
            "SELECT message_key, message_id, received_at, raw_path, size FROM messages "
            "ORDER BY received_at, message_key").fetchall()
        return [StoredMessage(k, mid, datetime.fromisoformat(r), p, s)
                for k, mid, r, p, s in rows]

    def latest_received(self) -> datetime | None:
        row = self.db.execute("SELECT max(received_at) FROM messages").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def message(self, key: str) -> StoredMessage | None:
        """One stored message by its key, or None."""
        row = self.db.execute(
            "SELECT message_key, message_id, received_at, raw_path, size FROM messages "
            "WHERE message_key=?", (key,)).fetchone()
        if row is None:
            return None
        k, mid, received, path, size = row
        return StoredMessage(k, mid, datetime.fromisoformat(received), path, size)

    def read_raw(self, stored: StoredMessage) -> bytes:
        return (self.data_dir / stored.raw_path).read_bytes()

    def save_attachment(self, message_key: str, index: int, filename: str, data: bytes) -> str:
        """Write one attachment under a safe, unique name; return its path relative to data_dir."""
        rel = attachment_path(message_key, index, filename)
        target = self.data_dir / rel
        if not target.exists() or target.stat().st_size != len(data):
            self._write(target, data)
        return rel

    # -- IMAP sync state --------------------------------------------------------------------

    def sync_state(self, source: str, folder: str) -> tuple[int, int] | None:
        row = self.db.execute(
            "SELECT uidvalidity, last_uid FROM sync_state WHERE source=? AND folder=?",
            (source, folder)).fetchone()
        return (row[0], row[1]) if row else None

    def set_sync_state(self, source: str, folder: str, uidvalidity: int, last_uid: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO sync_state VALUES (?,?,?,?)",
                        (source, folder, uidvalidity, last_uid))

    def record_location(self, source: str, folder: str, uidvalidity: int, uid: int,
                        key: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO locations VALUES (?,?,?,?,?)",
                        (source, folder, uidvalidity, uid, key))

    def file_seen(self, source: str, name: str, size: int, mtime_ns: int) -> bool:
        row = self.db.execute("SELECT size, mtime_ns FROM files_seen WHERE source=? AND name=?",
                              (source, name)).fetchone()
        return row is not None and tuple(row) == (size, mtime_ns)

    def mark_file_seen(self, source: str, name: str, size: int, mtime_ns: int) -> None:
        self.db.execute("INSERT OR REPLACE INTO files_seen VALUES (?,?,?,?)",
                        (source, name, size, mtime_ns))

    def record_poll(self, source: str, error: str | None = None) -> int:
        """Remember the outcome of polling `source` now (error=None means success); return how
        many polls in a row had failed before this one."""
        now = _now()
        self.db.execute("INSERT OR IGNORE INTO polls (source, failures) VALUES (?, 0)", (source,))
        before = int(self.db.execute("SELECT failures FROM polls WHERE source=?",
                                     (source,)).fetchone()[0])
        if error is None:
            self.db.execute("UPDATE polls SET last_ok=?, failures=0 WHERE source=?",
                            (now, source))
        else:
            self.db.execute(
                "UPDATE polls SET last_error=?, last_error_at=?, failures=failures+1 "
                "WHERE source=?", (error, now, source))
        return before

    def polls(self) -> dict[str, dict[str, Any]]:
        rows = self.db.execute(
            "SELECT source, last_ok, last_error, last_error_at, failures FROM polls").fetchall()
        return {r[0]: {"last_ok": r[1], "last_error": r[2], "last_error_at": r[3],
                       "failures": r[4]} for r in rows}

    # -- parsed cache ----------------------------------------------------------------------------

    def cached_parse(self, key: str, parser_version: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT record FROM parsed WHERE message_key=? AND parser_version=?",
            (key, parser_version)).fetchone()
        return json.loads(row[0]) if row else None

    def cached_light_parses(self, parser_version: int) -> dict[str, str]:
        """message_key -> JSON of the light record (see `parsers.records.light_json`)."""
        rows = self.db.execute(
            "SELECT message_key, record FROM parsed_light WHERE parser_version=?",
            (parser_version,)).fetchall()
        return dict(rows)

    def cache_parse(self, key: str, parser_version: int, record: dict[str, Any]) -> None:
        """Keep a parsed record, whole and light."""
        self.cache_parse_texts(key, parser_version, *parse_cache_texts(record))

    def cache_parse_texts(self, key: str, parser_version: int, whole: str, light: str) -> None:
        """Keep a parsed record given as the JSON texts of `parse_cache_texts`."""
        self.db.execute("INSERT OR REPLACE INTO parsed VALUES (?,?,?)",
                        (key, parser_version, whole))
        self.db.execute("INSERT OR REPLACE INTO parsed_light VALUES (?,?,?)",
                        (key, parser_version, light))

    def cache_worker_results(self, parser_version: int,
                             rows: list[tuple[str, str, str, str, str]],
                             thumbnails: Sequence[tuple[str, bytes]] = ()) -> None:
        """Keep, in one transaction, (message_key, whole, light, stamp, placement) rows: parse
        records as `parse_cache_texts` gives them, and the placements made from them; and the
        thumbnails drawn for them."""
        with self.transaction():
            self.keep_thumbnails(thumbnails)
            for key, whole, light, _, _ in rows:
                self.cache_parse_texts(key, parser_version, whole, light)
            self.db.executemany("INSERT OR REPLACE INTO placements VALUES (?,?,?)",
                                [(key, stamp, placement) for key, _, _, stamp, placement in rows])

    def thumbnails(self, sha256s: Sequence[str]) -> dict[str, bytes]:
        """The kept thumbnails of these photos (b"" for one that cannot be drawn); a photo
        with none kept yet is not in the answer."""
        out: dict[str, bytes] = {}
        wanted = list(dict.fromkeys(sha256s))
        for start in range(0, len(wanted), 500):  # SQLite's limit on ? per statement
            chunk = wanted[start:start + 500]
            marks = ",".join("?" * len(chunk))
            out.update(self.db.execute(
                f"SELECT sha256, jpeg FROM thumbnails WHERE sha256 IN ({marks})", chunk))
        return out

    def keep_thumbnails(self, rows: Sequence[tuple[str, bytes]]) -> None:
        """Keep (sha256, JPEG) rows, b"" for a photo that cannot be drawn. Thumbnails are kept
        in the database, not as files: thousands fewer files to create, back up and move (see
        the README)."""
        if rows:
            self.db.executemany("INSERT OR REPLACE INTO thumbnails VALUES (?,?)", rows)

    def cached_placements(self) -> dict[str, tuple[str, str]]:
        """message_key -> (stamp, JSON list of placements)."""
        rows = self.db.execute("SELECT message_key, stamp, record FROM placements").fetchall()
        return {k: (s, r) for k, s, r in rows}

    def cache_placements(self, rows: list[tuple[str, str, str]]) -> None:
        """Keep (message_key, stamp, JSON) rows of freshly computed placements."""
        with self.transaction():
            self.db.executemany("INSERT OR REPLACE INTO placements VALUES (?,?,?)", rows)

    # -- the office's decisions ------------------------------------------------------------

    def add_decision(self, kind: DecisionKind, *, author: str, message_key: str | None = None,
                     unit_codes: Sequence[str] = (), request_id: str | None = None,
                     until: datetime | None = None, address: str = "",
                     reason: str = "") -> Decision:
        """Record one decision in its own short transaction (no data-dir lock needed: a run
        may be writing meanwhile; SQLite's busy timeout lets each wait for the other)."""
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO decisions (kind, message_key, unit_codes, request_id, until, "
                "address, reason, author, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (kind.value, message_key, ",".join(unit_codes), request_id,
                 until.isoformat() if until is not None else None, address.lower(), reason,
                 author, _now()))
            self.bump()
        decision = self.decision(int(cur.lastrowid or 0))
        assert decision is not None
        return decision

    def decisions_as_of(self) -> tuple[int, list[Decision]]:
        """The data version and every decision, read in one transaction, so that the two agree
        even while a run or another request writes."""
        self.db.execute("BEGIN")
        try:
            return self.data_version(), self.decisions()
        finally:
            self.db.execute("COMMIT")

    def decisions(self, *, include_undone: bool = True) -> list[Decision]:
        """Every decision, oldest first."""
        where = "" if include_undone else " WHERE undone_at IS NULL"
        rows = self.db.execute(f"SELECT {_DECISION_COLUMNS} FROM decisions{where} ORDER BY id")
        return [_decision(r) for r in rows.fetchall()]

    def decision(self, decision_id: int) -> Decision | None:
        row = self.db.execute(f"SELECT {_DECISION_COLUMNS} FROM decisions WHERE id=?",
                              (decision_id,)).fetchone()
        return _decision(row) if row else None

    def undo_decision(self, decision_id: int, author: str) -> bool:
        """Mark a decision undone; False when there is none by that id or it is undone already."""
        with self.transaction():
            cur = self.db.execute(
                "UPDATE decisions SET undone_at=?, undone_by=? WHERE id=? AND undone_at IS NULL",
                (_now(), author, decision_id))
            if cur.rowcount:
                self.bump()
        return cur.rowcount > 0

    def message_keys(self, prefix: str) -> list[str]:
        """The stored messages' keys that start with `prefix` (lower case), at most 20."""
        escaped = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = self.db.execute("SELECT message_key FROM messages WHERE message_key LIKE ? "
                               "ESCAPE '\\' ORDER BY message_key LIMIT 20", (escaped + "%",))
        return [str(r[0]) for r in rows.fetchall()]

    def all_message_keys(self) -> list[str]:
        return [str(r[0]) for r in self.db.execute("SELECT message_key FROM messages")]

    def _migrate_decisions(self) -> None:
        """Copy the decisions of earlier versions into `decisions`, oldest first, once."""
        with self.transaction():
            if self.get_meta(DECISIONS_MIGRATED) is not None:  # another process was first
                return
            learned = {(k, u): a for a, u, k in self.db.execute(
                "SELECT address, unit_code, message_key FROM learned").fetchall()}
            rows: list[tuple[str, tuple[Any, ...]]] = []
            for key, unit, rid, ignore, at in self.db.execute(
                    "SELECT message_key, unit_code, request_id, ignore, created_at "
                    "FROM overrides").fetchall():
                if ignore:
                    rows.append((at, ("ignore", key, "", None, None, "", "")))
                elif unit:
                    address = learned.pop((key, unit), "")
                    rows.append((at, ("assign", key, unit, rid, None, address, "")))
            for address, unit, key, at in self.db.execute(
                    "SELECT address, unit_code, message_key, created_at FROM learned").fetchall():
                if (key, unit) in learned:  # taught by an assign whose override was replaced
                    rows.append((at, ("assign", key, unit, None, None, address, "")))
            for unit, rid, reason, at in self.db.execute(
                    "SELECT unit_code, request_id, reason, created_at FROM excuses").fetchall():
                rows.append((at, ("excuse", None, unit, rid, None, "", reason)))
            for unit, rid, until, reason, at in self.db.execute(
                    "SELECT unit_code, request_id, until, reason, created_at "
                    "FROM extensions").fetchall():
                rows.append((at, ("extend", None, unit, rid, until, "", reason)))
            rows.sort(key=lambda r: r[0])
            self.db.executemany(
                "INSERT INTO decisions (kind, message_key, unit_codes, request_id, until, "
                "address, reason, author, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                [(*values, EARLIER_AUTHOR, at) for at, values in rows])
            self.set_meta(DECISIONS_MIGRATED, _now())
        if rows:
            log.info("event=decisions_migrated decisions=%d", len(rows))

    # -- the workspace's accounts (ingest/accounts.py hashes; only hashes are kept) -----------

    def add_user(self, name: str, role: str, password_hash: str) -> bool:
        """Add an account; False when one of that name (in any case) exists already."""
        with self.transaction():
            if self.user(name) is not None:
                return False
            self.db.execute("INSERT INTO users VALUES (?,?,?,?)",
                            (name, role, password_hash, _now()))
        return True

    def user(self, name: str) -> tuple[str, str, str, str] | None:
        """(name, role, password_hash, created_at) of one account, the name in any case."""
        row = self.db.execute(
            "SELECT name, role, password_hash, created_at FROM users WHERE lower(name)=lower(?)",
            (name,)).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def users(self) -> list[tuple[str, str, str]]:
        """(name, role, created_at) of every account, by name."""
        rows = self.db.execute(
            "SELECT name, role, created_at FROM users ORDER BY lower(name)").fetchall()
        return [(n, r, c) for n, r, c in rows]

    def set_password_hash(self, name: str, password_hash: str) -> None:
        self.db.execute("UPDATE users SET password_hash=? WHERE lower(name)=lower(?)",
                        (password_hash, name))

    def remove_user(self, name: str) -> bool:
        cur = self.db.execute("DELETE FROM users WHERE lower(name)=lower(?)", (name,))
        return cur.rowcount > 0


_DECISION_COLUMNS = ("id, kind, message_key, unit_codes, request_id, until, address, reason, "
                     "author, created_at, undone_at, undone_by")


def _decision(row: tuple[Any, ...]) -> Decision:
    (id_, kind, key, units, rid, until, address, reason, author, created, undone_at,
     undone_by) = row
    return Decision(
        id=int(id_), kind=DecisionKind(kind), message_key=key,
        unit_codes=tuple(u for u in str(units).split(",") if u), request_id=rid,
        until=datetime.fromisoformat(until) if until else None, address=address or "",
        reason=reason or "", author=author, created_at=datetime.fromisoformat(created),
        undone_at=datetime.fromisoformat(undone_at) if undone_at else None, undone_by=undone_by)
