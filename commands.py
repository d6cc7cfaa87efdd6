"""What each command does, given parsed arguments and a loaded configuration.

Printing for the office happens here and in run.py only; every other module logs.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path

from config.model import Settings
from ingest.errors import SourceError
from ingest.store import Store
from run import EXIT_CONFIG, EXIT_FAILED, EXIT_OK, parse_local_datetime, say

log = logging.getLogger("mailtally")


def _out(text: str) -> None:
    print(text)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def cmd_once(settings: Settings, *, poll: bool = True) -> int:
    from pipeline import run

    result = run(settings, poll=poll, force=not poll)
    lang = settings.language
    for error in result.errors:
        _err(say("source_failed", lang, source=error.source, reason=error.reason))
    _out(say("done", lang, messages=result.messages, placed=result.placed,
             needs=result.needs_person))
    _out(say("report_at", lang, path=settings.output_dir / "report.html"))
    return EXIT_FAILED if result.errors else EXIT_OK


def cmd_demo(settings: Settings) -> int:
    """`once` on the bundled sample, then the digest of the deadline day of its first notice
    (the sample's mail is from 2023: a digest for today would have nothing to tell)."""
    from outputs.digest import cmd_digest
    from pipeline import current_time

    status = cmd_once(settings)
    if status != EXIT_OK or not settings.requests:
        return status
    day = settings.requests[0].deadline.astimezone(settings.timezone).date()
    return cmd_digest(settings, day.isoformat(), send=False, now=current_time())


def _rebuild_if_free(settings: Settings) -> None:
    """After an office decision, show it in the outputs at once when no run is busy."""
    from pipeline import LockBusyError, run

    try:
        run(settings, poll=False)
    except LockBusyError:
        _out(say("outputs_later", settings.language))


def _resolve_key(store: Store, key: str, lang: str) -> str | None:
    rows = store.db.execute("SELECT message_key FROM messages WHERE message_key LIKE ?",
                            (key.lower() + "%",)).fetchall()
    if len(rows) == 1:
        return str(rows[0][0])
    _err(say("ambiguous_key" if rows else "no_message", lang, key=key))
    return None


def _check_unit(settings: Settings, code: str) -> bool:
    if any(u.code == code for u in settings.units):
        return True
    _err(say("no_unit", settings.language, code=code, file="units.csv"))
    return False


def _check_request(settings: Settings, rid: str) -> bool:
    if any(r.id == rid for r in settings.requests):
        return True
    _err(say("no_request", settings.language, rid=rid, file="requests.toml"))
    return False


def cmd_assign(settings: Settings, args: argparse.Namespace) -> int:
    from pipeline import parsed_message

    lang = settings.language
    store = Store(settings.data_dir)
    try:
        key = _resolve_key(store, args.message_key, lang)
        if key is None:
            return EXIT_CONFIG
        if args.ignore:
            store.set_override(key, None, None, ignore=True)
            _out(say("ignored", lang, key=key))
        else:
            if not args.unit_code:
                _err("assign MESSAGE_KEY UNIT_CODE [REQUEST_ID] | assign MESSAGE_KEY --ignore")
                return EXIT_CONFIG
            if not _check_unit(settings, args.unit_code):
                return EXIT_CONFIG
            if args.request_id and not _check_request(settings, args.request_id):
                return EXIT_CONFIG
            store.set_override(key, args.unit_code, args.request_id, ignore=False)
            parsed = parsed_message(store, key, limits=settings.limits)
            address = parsed.author if parsed else ""
            if address and address not in settings.own_addresses:
                store.learn(address, args.unit_code, key)
            _out(say("assigned", lang, key=key, unit=args.unit_code,
                     req=f" / {args.request_id}" if args.request_id else "",
                     addr=address or "-"))
    finally:
        store.close()
    _rebuild_if_free(settings)
    return EXIT_OK


def cmd_unlearn(settings: Settings, args: argparse.Namespace) -> int:
    store = Store(settings.data_dir)
    try:
        forgotten = store.unlearn(args.address)
    finally:
        store.close()
    _out(say("unlearned" if forgotten else "not_learned", settings.language, addr=args.address))
    if forgotten:
        _rebuild_if_free(settings)
    return EXIT_OK


def cmd_excuse(settings: Settings, args: argparse.Namespace) -> int:
    if not (_check_unit(settings, args.unit_code) and _check_request(settings, args.request_id)):
        return EXIT_CONFIG
    store = Store(settings.data_dir)
    try:
        store.set_excuse(args.unit_code, args.request_id, args.reason)
    finally:
        store.close()
    _out(say("excused", settings.language, unit=args.unit_code, rid=args.request_id))
    _rebuild_if_free(settings)
    return EXIT_OK


def cmd_extend(settings: Settings, args: argparse.Namespace) -> int:
    if not (_check_unit(settings, args.unit_code) and _check_request(settings, args.request_id)):
        return EXIT_CONFIG
    try:
        until = parse_local_datetime(args.until, settings.timezone)
    except ValueError:
        _err(say("bad_datetime", settings.language, value=args.until))
        return EXIT_CONFIG
    store = Store(settings.data_dir)
    try:
        store.set_extension(args.unit_code, args.request_id, until, args.reason)
    finally:
        store.close()
    _out(say("extended", settings.language, unit=args.unit_code, rid=args.request_id,
             until=until.isoformat(timespec="minutes")))
    _rebuild_if_free(settings)
    return EXIT_OK


CHECK_TEXT: dict[str, tuple[str, str]] = {
    "config_ok": ("Cấu hình hợp lệ: {units} đơn vị, {requests} văn bản, {sources} nguồn thư.",
                  "Configuration valid: {units} units, {requests} requests, {sources} sources."),
    "source_ok": ("  [đạt] {name}", "  [ok] {name}"),
    "source_bad": ("  [LỖI] {name}: {reason}", "  [FAIL] {name}: {reason}"),
    "store": ("Dữ liệu ({path}): {messages} thư đã lưu, {unparseable} không đọc được, "
              "{needs} cần người xử lý.",
              "Store ({path}): {messages} messages kept, {unparseable} unparseable, "
              "{needs} waiting for a person."),
    "poll": ("  {name}: lần đọc thành công gần nhất {last_ok}{error}",
             "  {name}: last successful poll {last_ok}{error}"),
    "never": ("chưa có", "never"),
    "backup": ("Sao lưu gần nhất: {at}, {messages} thư, vào {dest}",
               "Last backup: {at}, {messages} messages, into {dest}"),
    "no_backup": ("Chưa sao lưu lần nào: xem `mailtally backup` (README, Backing up).",
                  "Never backed up: see `mailtally backup` (README, Backing up)."),
    "warning": ("CẢNH BÁO", "WARNING"),
}


def _check_text(key: str, lang: str, **values: object) -> str:
    pair = CHECK_TEXT[key]
    return (pair[0] if lang != "en" else pair[1]).format(**values)


def _local(iso: str, settings: Settings) -> str:
    """'28/11/2026 09:30': a stored instant as the office reads it, in its zone."""
    return datetime.fromisoformat(iso).astimezone(settings.timezone).strftime("%d/%m/%Y %H:%M")


def _try_source(settings: Settings, index: int) -> str | None:
    """None when the source can be read, else the reason it cannot."""
    from ingest.sources import connect_imap, read_password

    source = settings.sources[index]
    if source.kind != "imap":
        return None if source.path is not None and source.path.exists() else "path missing"
    try:
        client = connect_imap(source, read_password(source))
    except SourceError as exc:
        return exc.reason
    try:
        missing = [f for f in source.folders if not client.folder_exists(f)]
    finally:
        try:
            client.logout()
        except Exception:  # already gone; nothing to learn from it
            log.debug("logout failed", exc_info=True)
    return ("folders not found: " + ", ".join(missing)) if missing else None


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    """`remind REQUEST_ID [--send]`: show (or send) each owing unit's reminder."""
    from outputs.notify import remind_lines, remind_text, run_remind
    from pipeline import current_time

    if settings.notify is None:
        _err(remind_text("no_notify", settings.language, file=settings.config_path.name))
        return EXIT_CONFIG
    if not _check_request(settings, args.request_id):
        return EXIT_CONFIG
    result = run_remind(settings, args.request_id, send=args.send, now=current_time())
    for line in remind_lines(settings, args.request_id, result):
        _out(line)
    d = result.delivery
    return EXIT_FAILED if d is not None and d.retry + d.failed + d.unknown else EXIT_OK


def cmd_check(settings: Settings) -> int:
    from ingest.backup import last_backup
    from outputs.notify import outbox_summary
    from pipeline import current_time, snapshot, warnings_now

    lang = settings.language
    _out(_check_text("config_ok", lang, units=len(settings.units),
                     requests=len(settings.requests), sources=len(settings.sources)))
    failed = False
    for i, source in enumerate(settings.sources):
        reason = _try_source(settings, i)
        if reason is None:
            _out(_check_text("source_ok", lang, name=source.name))
        else:
            failed = True
            _out(_check_text("source_bad", lang, name=source.name, reason=reason))
    store = Store(settings.data_dir)
    try:
        snap = snapshot(settings, store, current_time())
        reasons = Counter(pl.reason.value for pl in snap.placements if pl.reason is not None)
        needs = reasons["ambiguous_unit"] + reasons["no_unit"] + reasons["no_request"]
        _out(_check_text("store", lang, path=settings.data_dir, messages=len(snap.parsed),
                         unparseable=reasons["unparseable"],
                         needs=needs + reasons["unparseable"]))
        for name, info in sorted(store.polls().items()):
            last = _local(info["last_ok"], settings) if info["last_ok"] else _check_text(
                "never", lang)
            error = f" ({info['last_error']})" if info["failures"] else ""
            _out(_check_text("poll", lang, name=name, last_ok=last, error=error))
        mail = outbox_summary(settings, store)
        if mail is not None:
            _out(mail)
        for warning in warnings_now(settings, store, current_time()):
            _out(f"{_check_text('warning', lang)}: {warning.text(lang)}")
        done = last_backup(store)
        if done is None:
            _out(_check_text("no_backup", lang))
        else:
            _out(_check_text("backup", lang, at=_local(done["at"], settings),
                             messages=done["messages"], dest=done["dest"]))
    finally:
        store.close()
    return EXIT_FAILED if failed else EXIT_OK


def cmd_backup(settings: Settings, dest: Path) -> int:
    """`backup DEST`: a copy of the data dir that is itself a data dir (see ingest/backup.py),
    made when no run is writing (it waits for one that is)."""
    from ingest.backup import backup
    from pipeline import data_dir_lock

    with data_dir_lock(settings.data_dir, wait=True):
        done = backup(settings.data_dir, dest)
    _out(say("backed_up", settings.language, messages=done.messages, dest=dest,
             copied=done.copied, size=f"{done.copied_bytes / 1e6:.1f}", kept=done.kept))
    return EXIT_OK


def dispatch(args: argparse.Namespace, settings: Settings) -> int:
    """Run the command named in `args`; return the exit status."""
    command = args.command
    if command == "once":
        return cmd_once(settings)
    if command == "demo":
        return cmd_demo(settings)
    if command == "report":
        return cmd_once(settings, poll=False)
    if command == "assign":
        return cmd_assign(settings, args)
    if command == "unlearn":
        return cmd_unlearn(settings, args)
    if command == "excuse":
        return cmd_excuse(settings, args)
    if command == "extend":
        return cmd_extend(settings, args)
    if command == "check":
        return cmd_check(settings)
    if command == "remind":
        return cmd_remind(settings, args)
    if command == "backup":
        return cmd_backup(settings, args.dest)
    if command == "digest":
        from outputs.digest import cmd_digest
        from pipeline import current_time

        return cmd_digest(settings, args.date, send=args.send, now=current_time())
    if command == "serve":
        from service import serve

        return serve(settings)
    raise AssertionError(command)
