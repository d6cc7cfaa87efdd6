"""Sources: copy new messages from an IMAP account or a local folder/file into the store.

IMAP is read-only (EXAMINE and BODY.PEEK[]), incremental by UID with UIDVALIDITY kept per folder,
and fetched in batches. The receipt time is the server's INTERNALDATE for IMAP, and the newest
`Received:` header (else `Date:`) for files.
"""

from __future__ import annotations

import logging
import mailbox
import queue
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from config.model import SourceConfig
from ingest.connect import connect_imap, folders_missing, read_password
from ingest.errors import SourceError, source_error
from ingest.progress import Progress
from ingest.store import EARLIEST_RECEIPT, LATEST_RECEIPT, Store

log = logging.getLogger("mailtally.ingest")

FETCH_BATCH = 200  # UIDs per FETCH: one round trip each, well under Dovecot's 64k line limit
FETCH_BATCH_BYTES = 16 * 1024 * 1024  # ...and at most this many bytes of mail per FETCH
FETCH_AHEAD = 1  # batches fetched and waiting while one is stored (memory: ~3 batches in all)
# Mail stored between two commits. Each commit first flushes the files to disk (os.sync), so the
# sync state never names a message that a crash could lose; a crash costs a fetch of at most this.
COMMIT_BYTES = 256 * 1024 * 1024
COMMIT_MESSAGES = 2000  # ...or this many messages (the workers get each lot when it commits)
FIRST_LOT_BYTES = 32 * 1024 * 1024  # the first lot is smaller: the workers start sooner


StopCheck = Callable[[], bool]


def never() -> bool:
    """The default stop check: polling is never asked to stop early."""
    return False


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one source did."""

    source: str
    seen: int  # messages read from the source
    new: int  # of which were not in the store yet


def receipt_time_from_headers(raw: bytes) -> datetime | None:
    """The newest `Received:` date of a message, else its `Date:`; None when neither parses.
    A date outside 1980-2199 (a forged year of twenty digits, a huge offset) is passed over,
    so that the other headers still give the time."""
    try:
        headers = BytesHeaderParser(policy=compat32).parsebytes(raw)
    except Exception:  # a header block the stdlib cannot read: no time from it
        return None
    best: datetime | None = None
    for value in (headers.get_all("Received", []) or [])[:MAX_RECEIVED]:
        text = str(value)[-RECEIVED_DATE_CHARS:]
        stamp = _parse_date(text.rsplit(";", 1)[-1]) if ";" in text else None
        if stamp is not None and (best is None or stamp > best):
            best = stamp
    if best is None:
        best = _parse_date(str(headers.get("Date", "") or ""))
    return best


MAX_RECEIVED = 100
RECEIVED_DATE_CHARS = 300  # the date is at the end of a Received header, after its last `;`


def _parse_date(text: str) -> datetime | None:
    try:
        value = parsedate_to_datetime(" ".join(text[:RECEIVED_DATE_CHARS].split()))
        if value is None:
            return None
        value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return value if EARLIEST_RECEIPT <= value.astimezone(UTC) < LATEST_RECEIPT else None
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def receipt_time(raw: bytes, path: Path) -> datetime:
    """When a message file arrived: its headers' time, else the file's. Never raises for what
    the message holds (one message must not stop a poll): a crash reading the headers is
    logged and the file's time used."""
    try:
        found = receipt_time_from_headers(raw)
    except Exception:  # the one boundary of the storing stage (STYLE §4)
        log.exception("file=%s event=receipt_time_unreadable", path.name)
        found = None
    return found or _file_time(path)


# -- local files ------------------------------------------------------------------------------


def _file_time(path: Path) -> datetime:
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _store_file(store: Store, source: str, path: Path, name: str) -> bool | None:
    """Store one message file unless already seen unchanged; True if it was new."""
    st = path.stat()
    if store.file_seen(source, name, st.st_size, st.st_mtime_ns):
        return None
    raw = path.read_bytes()
    received = receipt_time(raw, path)
    with store.transaction():
        _, new = store.store_message(raw, received, source, "")
        store.mark_file_seen(source, name, st.st_size, st.st_mtime_ns)
    return new


def _poll_files(cfg: SourceConfig, store: Store, files: Iterable[tuple[Path, str]],
                stop: StopCheck) -> PollResult:
    seen = new = 0
    for path, name in files:
        if stop():
            break
        outcome = _store_file(store, cfg.name, path, name)
        if outcome is None:
            continue
        seen += 1
        new += int(outcome)
    return PollResult(cfg.name, seen, new)


def _eml_files(root: Path) -> Iterator[tuple[Path, str]]:
    for path in sorted(root.iterdir()):
        if path.is_file() and not path.name.startswith("."):
            yield path, path.name


def _maildir_files(root: Path) -> Iterator[tuple[Path, str]]:
    for sub in ("cur", "new"):
        folder = root / sub
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.is_file() and not path.name.startswith("."):
                    # The part before ':' is the message's stable name; flags may change.
                    yield path, path.name.split(":", 1)[0]


def _poll_mbox(cfg: SourceConfig, store: Store, path: Path, stop: StopCheck) -> PollResult:
    st = path.stat()
    if store.file_seen(cfg.name, "", st.st_size, st.st_mtime_ns):
        return PollResult(cfg.name, 0, 0)
    box = mailbox.mbox(path, create=False)
    seen = new = 0
    try:
        for key in box.iterkeys():
            if stop():
                return PollResult(cfg.name, seen, new)  # not marked seen: read again next time
            raw = box.get_bytes(key)
            received = receipt_time(raw, path)
            with store.transaction():
                _, is_new = store.store_message(raw, received, cfg.name, "")
            seen += 1
            new += int(is_new)
    finally:
        box.close()
    with store.transaction():
        store.mark_file_seen(cfg.name, "", st.st_size, st.st_mtime_ns)
    return PollResult(cfg.name, seen, new)


# -- IMAP ---------------------------------------------------------------------------------------


def _batches(uids: list[int], sizes: dict[int, int]) -> Iterator[list[int]]:
    batch: list[int] = []
    total = 0
    for uid in uids:
        if batch and (len(batch) >= FETCH_BATCH or total + sizes.get(uid, 0) > FETCH_BATCH_BYTES):
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += sizes.get(uid, 0)
    if batch:
        yield batch


_END = object()


def _fetched(client: Any, batches: Iterator[list[int]]
             ) -> Generator[tuple[list[int], dict[int, Any]], None, None]:
    """Each batch with its FETCH response (INTERNALDATE, BODY.PEEK[]). A thread fetches the
    next batches meanwhile, so that the server keeps sending while the caller hashes and
    writes; the IMAP connection is used by that thread only until this generator is closed.
    An error of the connection is raised here, in the caller's thread."""
    out: queue.Queue[Any] = queue.Queue(maxsize=FETCH_AHEAD)
    halt = threading.Event()

    def put(item: Any) -> None:
        while not halt.is_set():
            try:
                out.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def produce() -> None:
        try:
            for batch in batches:
                if halt.is_set():
                    return
                put((batch, client.fetch(batch, ["INTERNALDATE", "BODY.PEEK[]"])))
        except BaseException as exc:  # handed to the caller's thread, which raises it
            put(exc)
            return
        put(_END)

    thread = threading.Thread(target=produce, name="imap-fetch", daemon=True)
    thread.start()
    try:
        while True:
            item = out.get()
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        halt.set()
        thread.join()


def _store_batch(store: Store, source: str, folder: str, uidvalidity: int, batch: list[int],
                 response: dict[int, Any]) -> tuple[int, int, int]:
    """Store one FETCH response and move the folder's sync state past it; return how many
    messages were seen, how many were new, and their bytes."""
    seen = new = size = 0
    for uid in batch:
        data = response.get(uid)
        if not data or b"BODY[]" not in data:
            continue  # expunged meanwhile
        received = data[b"INTERNALDATE"]
        if received.tzinfo is None:
            received = received.replace(tzinfo=UTC)
        raw = bytes(data[b"BODY[]"])
        key, is_new = store.store_message(raw, received, source, folder)
        store.record_location(source, folder, uidvalidity, uid, key)
        seen += 1
        new += int(is_new)
        size += len(raw)
    store.set_sync_state(source, folder, uidvalidity, batch[-1])
    return seen, new, size


def _sync_folder(client: Any, cfg: SourceConfig, store: Store, folder: str,
                 stop: StopCheck) -> tuple[int, int]:
    info = client.select_folder(folder, readonly=True)  # EXAMINE: flags never change
    uidvalidity = int(info[b"UIDVALIDITY"])
    uidnext = int(info.get(b"UIDNEXT", 0) or 0)
    state = store.sync_state(cfg.name, folder)
    last_uid = 0
    if state is not None:
        if state[0] == uidvalidity:
            last_uid = state[1]
        else:
            log.warning("source=%s folder=%s event=uidvalidity_changed old=%s new=%s",
                        cfg.name, folder, state[0], uidvalidity)
    if uidnext and uidnext <= last_uid + 1:
        return 0, 0
    # `n:*` always includes the highest UID, even when it is below n (RFC 3501).
    uids = sorted(u for u in client.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
    if not uids:
        return 0, 0
    sizes: dict[int, int] = {}
    for chunk_start in range(0, len(uids), 2000):
        chunk = uids[chunk_start:chunk_start + 2000]
        for uid, data in client.fetch(chunk, ["RFC822.SIZE"]).items():
            sizes[uid] = int(data.get(b"RFC822.SIZE", 0))
    seen = new = 0
    progress = Progress(f"{cfg.name}/{folder}", len(uids), sum(sizes.values()))
    stream = _fetched(client, _batches(uids, sizes))
    done = False
    lost: Exception | None = None
    lot_bytes = FIRST_LOT_BYTES
    try:
        while not done:  # one transaction per COMMIT_BYTES of mail or COMMIT_MESSAGES
            stored = count = 0
            full = False
            with store.transaction():
                while not (full or stop()):
                    try:
                        item = next(stream, None)
                    except Exception as exc:  # the connection: keep what was stored, then raise
                        lost = exc
                        break
                    if item is None:
                        break
                    batch, response = item
                    s, n, batch_bytes = _store_batch(store, cfg.name, folder, uidvalidity,
                                                     batch, response)
                    seen, new = seen + s, new + n
                    progress.advance(len(batch), sum(sizes.get(u, 0) for u in batch))
                    stored += batch_bytes
                    count += len(batch)
                    full = stored >= lot_bytes or count >= COMMIT_MESSAGES
            done = not full  # asked to stop, connection lost, or no batch left
            lot_bytes = COMMIT_BYTES
    finally:
        stream.close()
    if lost is not None:
        raise lost
    progress.finish()
    return seen, new


def _poll_imap(cfg: SourceConfig, store: Store, stop: StopCheck) -> PollResult:
    from imapclient.exceptions import IMAPClientError

    client = connect_imap(cfg, read_password(cfg))
    seen = new = 0
    failed: list[str] = []
    missing: SourceError | None = None
    try:
        for folder in cfg.folders:
            try:
                if stop():
                    break
                s, n = _sync_folder(client, cfg, store, folder, stop)
            except IMAPClientError as exc:
                if "abort" in type(exc).__name__.lower():
                    raise
                log.error("source=%s folder=%s event=folder_failed error=%s",
                          cfg.name, folder, exc)
                failed.append(folder)
                continue
            seen += s
            new += n
            if s:
                log.info("source=%s folder=%s event=fetched messages=%d new=%d",
                         cfg.name, folder, s, n)
        if failed:
            absent = [f for f in failed if not client.folder_exists(f)]
            missing = folders_missing(cfg, client, absent) if absent else None
    except (OSError, IMAPClientError) as exc:
        raise source_error(cfg.name, f"mất kết nối: {exc}", f"connection lost: {exc}") from exc
    finally:
        try:
            client.logout()
        except Exception:  # the connection may already be gone; nothing to keep from it
            log.debug("logout failed", exc_info=True)
    if failed:
        raise missing or SourceError(cfg.name, "không mở được thư mục (cannot open folder): "
                                     + ", ".join(failed))
    return PollResult(cfg.name, seen, new)


def poll_source(cfg: SourceConfig, store: Store, stop: StopCheck = never) -> PollResult:
    """Copy what is new in one source into the store.

    Raises:
        SourceError: the source could not be read; what was stored before stays stored.
        StorageError: a message could not be written; sync state is not advanced past it.
    """
    if cfg.kind == "imap":
        return _poll_imap(cfg, store, stop)
    assert cfg.path is not None
    try:
        if cfg.kind == "eml_dir":
            return _poll_files(cfg, store, _eml_files(cfg.path), stop)
        if cfg.kind == "maildir":
            return _poll_files(cfg, store, _maildir_files(cfg.path), stop)
        return _poll_mbox(cfg, store, cfg.path, stop)
    except OSError as exc:
        raise SourceError(cfg.name, f"không đọc được {cfg.path} (cannot read): "
                                    f"{exc.strerror or exc}") from exc
