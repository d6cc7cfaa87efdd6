"""mailtally's command line, the only one: `python run.py [--config PATH] COMMAND` (installed as
`mailtally`).

Each sub-command has a handler that parses its arguments, calls one use case of the application
layer (`app/`) and says the outcome in the office's words (outputs/i18n.py). `main` is the one
place where errors become a sentence and the contract's exit status: 0 done, 1 the run failed
(a source, the store, a busy data dir, the mail), 2 the configuration or an argument is invalid.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from config.model import Settings
    from ingest.decisions import Decision

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

Handler = Callable[["Settings", argparse.Namespace], int]


class UsageError(Exception):
    """An argument the office typed cannot be used: said as SENTENCES[name] (exit 2)."""

    def __init__(self, name: str, **values: object):
        super().__init__(name)
        self.name = name
        self.values = values


def say(key: str, language: str, /, **values: object) -> str:
    from outputs.i18n import say as catalog_say

    return catalog_say(key, language, **values)


def _out(text: str) -> None:
    print(text)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _language(settings: object | None = None) -> str:
    lang = getattr(settings, "language", None)
    return str(lang or os.environ.get("MAILTALLY_LANG", "vi"))


def _author() -> str:
    """Who decides from the command line: the OS user."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a bare container)
        return f"uid {os.getuid()}"


def _lock_wait() -> float:
    from app.lock import command_wait

    return command_wait()


def _local(value: datetime, settings: Settings) -> str:
    """'28/11/2026 09:30': an instant as the office reads it, in its zone."""
    return value.astimezone(settings.timezone).strftime("%d/%m/%Y %H:%M")


def parse_local_datetime(value: str, tz: object) -> datetime:
    """A date and time typed by the office, as written in Vietnam or ISO 8601 (see
    matching.lookup.parse_when); a date alone is the end of that day; without an offset it is in
    the configured zone."""
    from zoneinfo import ZoneInfo

    from matching.lookup import parse_when

    assert isinstance(tz, ZoneInfo)
    return parse_when(value, tz, end_of_day=True)


# -- handlers ---------------------------------------------------------------------------------


def cmd_once(settings: Settings, args: argparse.Namespace) -> int:
    from app.runner import run

    poll = args.command != "report"
    result = run(settings, poll=poll, force=not poll, wait=_lock_wait())
    lang = settings.language
    for error in result.errors:
        _err(say("source_failed", lang, source=error.source, reason=error.text(lang)))
    _out(say("done", lang, messages=result.messages, placed=result.placed,
             needs=result.needs_person))
    _out(say("report_at", lang, path=settings.output_dir / "report.html"))
    return EXIT_FAILED if result.errors else EXIT_OK


def _digest(settings: Settings, date_str: str | None, *, send: bool) -> int:
    from app.clock import current_time
    from app.digest import send as send_digest
    from app.digest import write_day
    from outputs.digest import parse_day
    from outputs.mail import server_name

    lang = settings.language
    now = current_time()
    day = parse_day(date_str, now, settings.timezone)
    if day is None:
        raise UsageError("digest_bad_date", value=date_str)
    digest, path = write_day(settings, day, now, wait=_lock_wait())
    _out(say("digest_file_at", lang, path=path))
    if not send:
        return EXIT_OK
    if settings.digest is None:
        raise UsageError("digest_no_smtp", file=settings.config_path.name)
    recipients = send_digest(settings, digest, now=now)
    _out(say("digest_sent", lang, to=", ".join(recipients), server=server_name(settings.digest)))
    return EXIT_OK


def cmd_digest(settings: Settings, args: argparse.Namespace) -> int:
    return _digest(settings, args.date, send=args.send)


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    """`once` on the bundled sample, the sample office's decisions (config/sample.py), then
    the digest of the deadline day of its first notice, which rebuilds the outputs (the sample's
    mail is from 2023: a digest for today would have nothing to tell)."""
    from app.decisions import ensure_accepted
    from config.sample import DEMO_ACCEPTS

    status = cmd_once(settings, args)
    if status != EXIT_OK or not settings.requests:
        return status
    for unit, rid, why in DEMO_ACCEPTS:  # shown once the digest rebuilds the outputs
        ensure_accepted(settings, unit, rid, author="demo", reason=why)
    day = settings.requests[0].deadline.astimezone(settings.timezone).date()
    return _digest(settings, day.isoformat(), send=False)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from app.service import serve

    return serve(settings)


def _decided(settings: Settings, text: str, decision: Decision) -> int:
    """Say what was decided and how to undo it; show it in the outputs at once when no run
    holds the data dir."""
    from app.runner import rebuild_if_free

    lang = settings.language
    _out(text)
    from outputs.tables import command_for

    _out(say("undo_hint", lang, id=decision.id, command=command_for(settings.config_path)))
    if not rebuild_if_free(settings):
        _out(say("outputs_later", lang))
    return EXIT_OK


def cmd_assign(settings: Settings, args: argparse.Namespace) -> int:
    from app import decisions

    lang = settings.language
    if args.ignore:
        d = decisions.ignore(settings, args.message_key, author=_author(), reason=args.reason)
        return _decided(settings, say("ignored", lang, id=d.id, key=d.message_key), d)
    if not args.unit_code:
        raise UsageError("assign_usage")
    codes = [c.strip() for c in args.unit_code.split(",") if c.strip()]
    d = decisions.assign(settings, args.message_key, codes, args.request_id,
                         author=_author(), reason=args.reason)
    text = say("assigned", lang, id=d.id, key=d.message_key, units=", ".join(d.unit_codes),
               req=f" / {d.request_id}" if d.request_id else "")
    if len(d.unit_codes) > 1:
        text += " " + say("joint", lang)
    elif d.address:
        text += " " + say("learned", lang, addr=d.address, unit=d.unit_codes[0])
    return _decided(settings, text, d)


def cmd_unlearn(settings: Settings, args: argparse.Namespace) -> int:
    from app import decisions

    d = decisions.unlearn(settings, args.address, author=_author(), reason=args.reason)
    return _decided(settings, say("unlearned", settings.language, id=d.id, addr=d.address), d)


def cmd_excuse(settings: Settings, args: argparse.Namespace) -> int:
    from app import decisions

    d = decisions.excuse(settings, args.unit_code, args.request_id, author=_author(),
                         reason=args.reason)
    return _decided(settings, say("excused", settings.language, id=d.id, unit=d.unit_codes[0],
                                  rid=d.request_id), d)


def cmd_extend(settings: Settings, args: argparse.Namespace) -> int:
    from app import decisions

    try:
        until = parse_local_datetime(args.until, settings.timezone)
    except ValueError as exc:
        raise UsageError("bad_datetime", value=args.until) from exc
    d = decisions.extend(settings, args.unit_code, args.request_id, until, author=_author(),
                         reason=args.reason)
    return _decided(settings, say("extended", settings.language, id=d.id, unit=d.unit_codes[0],
                                  rid=d.request_id, until=_local(until, settings)), d)


def cmd_accept(settings: Settings, args: argparse.Namespace) -> int:
    from app import decisions

    d = decisions.accept(settings, args.unit_code, args.request_id, author=_author(),
                         reason=args.reason)
    return _decided(settings, say("accepted", settings.language, id=d.id, unit=d.unit_codes[0],
                                  rid=d.request_id), d)


def describe(d: Decision, settings: Settings) -> str:
    """What a decision is about, in a few words: 'Thư a1b2… → STP / 178-TB/ĐTN'."""
    from outputs.i18n import label

    lang = settings.language
    target = " / ".join(filter(None, [",".join(d.unit_codes), d.request_id or ""]))
    if d.message_key:
        return f"{label('message', lang)} {d.message_key}" + (f" → {target}" if target else "")
    if d.kind == "unlearn":
        return say("address", lang, addr=d.address)
    if d.until is not None:
        return f"{target} {say('until', lang, until=_local(d.until, settings))}"
    return target


def cmd_decisions(settings: Settings, args: argparse.Namespace) -> int:
    from app.decisions import list_decisions
    from outputs.i18n import DECISION_LABELS, pick

    lang = settings.language
    found = list_decisions(settings, include_undone=not args.active)
    if not found:
        _out(say("no_decisions", lang))
        return EXIT_OK
    _out(say("decisions_header", lang))
    for d in found:
        undone = (say("undone_by", lang, who=d.undone_by, at=_local(d.undone_at, settings))
                  if d.undone_at is not None else "")
        _out(" | ".join([str(d.id), pick(DECISION_LABELS, d.kind.value, lang),
                         describe(d, settings), d.author, _local(d.created_at, settings),
                         d.reason, undone]))
    return EXIT_OK


def cmd_undo(settings: Settings, args: argparse.Namespace) -> int:
    from app.decisions import undo
    from app.runner import rebuild_if_free
    from outputs.i18n import DECISION_LABELS, pick

    lang = settings.language
    d = undo(settings, args.decision_id, author=_author())
    _out(say("undone", lang, id=d.id, kind=pick(DECISION_LABELS, d.kind.value, lang),
             what=describe(d, settings)))
    if not rebuild_if_free(settings):
        _out(say("outputs_later", lang))
    return EXIT_OK


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from app.check import check

    lang = settings.language
    _out(say("config_ok", lang, units=len(settings.units), requests=len(settings.requests),
             sources=len(settings.sources)))
    report = check(settings)
    for source in report.sources:
        if source.reason is None:
            _out(say("source_ok", lang, name=source.name))
        else:
            _out(say("source_bad", lang, name=source.name, reason=source.reason))
    _out(say("store", lang, path=report.data_dir, messages=report.messages,
             unparseable=report.unparseable, needs=report.needs_person))
    for poll in report.polls:
        last = _local(poll.last_ok, settings) if poll.last_ok else say("never", lang)
        error = f" ({poll.last_error})" if poll.failures else ""
        _out(say("poll", lang, name=poll.name, last_ok=last, error=error))
    if report.outbox is not None:
        parts = [say(f"outbox_{state}", lang, n=n) for state, n in report.outbox.items() if n]
        _out(say("outbox_summary", lang, parts=", ".join(parts) or say("outbox_none", lang)))
    for warning in report.warnings:
        _out(f"{say('warning', lang)}: {warning.text(lang)}")
    done = report.last_backup
    if done is None:
        _out(say("no_backup", lang))
    else:
        _out(say("backup", lang, at=_local(datetime.fromisoformat(done["at"]), settings),
                 messages=done["messages"], dest=done["dest"]))
    return EXIT_FAILED if report.failed else EXIT_OK


def cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    """`remind REQUEST_ID [--send]`: each owing unit's reminder, shown (or sent now)."""
    from app.clock import current_time
    from app.remind import run_remind
    from outputs.i18n import STATUS_LABELS, pick

    lang = settings.language
    if settings.notify is None:
        raise UsageError("notify_off", file=settings.config_path.name)
    result = run_remind(settings, args.request_id, send=args.send, now=current_time(),
                        wait=_lock_wait())
    rid = result.request_id
    if not result.previews:
        _out(say("remind_nobody", lang, rid=rid))
    for p in result.previews:
        _out(say("remind_unit", lang, code=p.unit_code, name=p.unit_name,
                 status=pick(STATUS_LABELS, p.status, lang)))
        if not p.recipients:
            _out(say("remind_no_address", lang))
            continue
        _out(say("remind_to", lang, to=", ".join(p.recipients)))
        _out(say("remind_subject", lang, subject=p.subject))
        _out("\n" + p.text.rstrip("\n") + "\n")
    d = result.delivery
    if d is None:
        if result.previews:
            _out(say("remind_preview_only", lang, rid=rid))
        return EXIT_OK
    for key, n in (("remind_sent", d.sent), ("remind_held", d.held),
                   ("remind_trouble", d.retry + d.failed + d.unknown)):
        if n:
            _out(say(key, lang, n=n))
    if d.written:
        _out(say("remind_written", lang, n=d.written, folder=settings.output_dir / "outbox"))
    return EXIT_FAILED if d.retry + d.failed + d.unknown else EXIT_OK


def cmd_request(settings: Settings, args: argparse.Namespace) -> int:
    """`request from-notice FILE_OR_MESSAGE_KEY`: print the [[request]] table a notice implies."""
    from app.notices import NoticeInputError, request_from_notice

    try:
        _out(request_from_notice(settings, args.source).rstrip("\n"))
    except NoticeInputError as exc:
        _err(exc.text(settings.language))
        return EXIT_CONFIG
    return EXIT_OK


def cmd_backup(settings: Settings, args: argparse.Namespace) -> int:
    from app.backup import backup

    done = backup(settings, args.dest, wait=_lock_wait())
    _out(say("backed_up", settings.language, messages=done.messages, dest=args.dest,
             copied=done.copied, size=f"{done.copied_bytes / 1e6:.1f}", kept=done.kept))
    return EXIT_OK


def read_password(lang: str) -> str:
    """A new account's password: asked twice on a terminal, else one line of standard input
    (never an argument: it would show in `ps` and the shell's history)."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(say("password_prompt", lang))
        if getpass.getpass(say("password_again", lang)) != first:
            raise UsageError("user_refused_mismatch")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(settings: Settings, args: argparse.Namespace) -> int:
    """`user add|remove|list`: the workspace's accounts (only argon2 hashes are kept)."""
    from ingest.accounts import AccountError, add_account, list_accounts, remove_account
    from ingest.store import Store

    lang = settings.language
    store = Store(settings.data_dir)
    try:
        if args.user_command == "list":
            accounts = list_accounts(store)
            for account in accounts:
                _out(f"{account.name}\t{account.role}\t{account.created_at}")
            if not accounts:
                _out(say("user_none", lang))
            return EXIT_OK
        if args.user_command == "remove":
            if not remove_account(store, args.name):
                raise UsageError("user_missing", account=args.name)
            _out(say("user_removed", lang, name=args.name))
            return EXIT_OK
        try:
            add_account(store, args.name, args.role, read_password(lang))
        except AccountError as exc:
            raise UsageError(f"user_refused_{exc}", account=args.name) from exc
        _out(say("user_added", lang, name=args.name, role=args.role))
        return EXIT_OK
    finally:
        store.close()


def _workspace_argv(settings: Settings, args: argparse.Namespace) -> list[str]:
    """How to start the workspace: its own module, handed the same configuration. (The two
    front doors never import each other: the command line runs it instead.)"""
    argv = [sys.executable, "-m", "web", "--config", str(settings.config_path)]
    return [*argv, "--verbose"] if args.verbose else argv


def _workspace_env() -> dict[str, str]:
    """This process's environment, with this program's folder first on PYTHONPATH, so that
    `-m web` finds the same code from any working directory."""
    here = str(Path(__file__).resolve().parent)
    rest = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": here + (os.pathsep + rest if rest else "")}


def cmd_web(settings: Settings, args: argparse.Namespace) -> int:
    """`web`: the office's workspace in this process's place, until SIGTERM."""
    argv = _workspace_argv(settings, args)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, _workspace_env())  # returns only by raising OSError


def cmd_serve_with_web(settings: Settings, args: argparse.Namespace) -> int:
    """`serve` with [web]: the workspace beside the service loop, started and stopped with
    it (one service for the administrator)."""
    import subprocess

    workspace = subprocess.Popen(_workspace_argv(settings, args), env=_workspace_env())
    try:
        return cmd_serve(settings, args)
    finally:
        workspace.terminate()
        try:
            workspace.wait(timeout=30)
        except subprocess.TimeoutExpired:
            workspace.kill()
            workspace.wait()


# -- the parser -------------------------------------------------------------------------------


class _VersionAction(argparse.Action):
    """`--version`: the version from the package's metadata, read only when asked."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: object):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        from app.clock import program_version

        print(f"mailtally {program_version()}")
        parser.exit()


# argparse's own refusals (English, from the standard library), said in the office's words.
_ARGPARSE_REFUSALS = (
    ("args_missing", re.compile(r"the following arguments are required: (?P<what>.+)")),
    ("args_unknown", re.compile(r"unrecognized arguments: (?P<what>.+)")),
    ("args_choice", re.compile(r"argument (?P<arg>[^:]+): invalid choice: '(?P<value>[^']*)' "
                               r"\(choose from (?P<choices>.+)\)")),
    ("args_number", re.compile(r"argument (?P<arg>[^:]+): invalid int value: '(?P<value>.*)'")),
    ("args_value", re.compile(r"argument (?P<arg>[^:]+): expected one argument")),
)


def argument_refusal(message: str, language: str) -> str:
    """argparse's `message` as one sentence in `language`; a wrong command with the closest
    ones. A message argparse words otherwise is kept as it is, after the same opening."""
    for key, pattern in _ARGPARSE_REFUSALS:
        found = pattern.fullmatch(message)
        if found is None:
            continue
        values = found.groupdict()
        if key == "args_choice":
            import difflib

            choices = [c.strip(" '") for c in values.pop("choices").split(",")]
            near = difflib.get_close_matches(values["value"], choices, n=3, cutoff=0.5)
            values["closest"] = ", ".join(near or choices)
        return say(key, language, **values)
    return say("args_other", language, what=message)


class _Parser(argparse.ArgumentParser):
    """argparse, with its refusals in the office's words (exit 2, as the contract says)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        lang = _language()
        self.exit(EXIT_CONFIG, f"{self.prog}: {argument_refusal(message, lang)} "
                               f"{say('nothing_changed', lang)}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mailtally", description=(
        "Theo dõi thư báo cáo của các đơn vị: đúng hạn, trễ hạn, chưa nộp."))
    parser.add_argument("--config", type=Path, default=None,
                        help="settings.toml (mặc định: $MAILTALLY_CONFIG, "
                             "rồi config/settings.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi log chi tiết")
    parser.add_argument("--version", action=_VersionAction, help="in phiên bản rồi thoát")
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(handler=handler)
        return p

    def reason(p: argparse.ArgumentParser) -> None:
        p.add_argument("--reason", default="", help="lý do (ghi cùng quyết định)")

    command("once", cmd_once, "đọc thư mới một lần rồi dựng lại báo cáo (dùng cho cron)")
    command("serve", cmd_serve, "chạy liên tục: đọc thư định kỳ, gửi bản tóm tắt hằng ngày")
    command("report", cmd_once, "dựng lại báo cáo từ dữ liệu đã lưu, không đọc thư")
    p = command("digest", cmd_digest, "viết bản tóm tắt trong ngày")
    p.add_argument("--date", help="YYYY-MM-DD, yesterday hoặc today (mặc định: trước 12 giờ "
                                  "là hôm qua, từ 12 giờ là hôm nay, theo múi giờ cấu hình)")
    p.add_argument("--send", action="store_true", help="gửi qua email")
    p = command("assign", cmd_assign, "chỉ định đơn vị (và văn bản) cho một thư")
    p.add_argument("message_key")
    p.add_argument("unit_code", nargs="?", help="MÃ_ĐƠN_VỊ, hoặc nhiều mã cách nhau bởi dấu "
                                                "phẩy (báo cáo chung)")
    p.add_argument("request_id", nargs="?")
    p.add_argument("--ignore", action="store_true", help="bỏ qua thư này")
    reason(p)
    p = command("unlearn", cmd_unlearn, "bỏ một địa chỉ đã ghi nhớ cho đơn vị")
    p.add_argument("address")
    reason(p)
    p = command("excuse", cmd_excuse, "miễn nộp cho một đơn vị")
    p.add_argument("unit_code")
    p.add_argument("request_id")
    reason(p)
    p = command("extend", cmd_extend, "gia hạn cho một đơn vị")
    p.add_argument("unit_code")
    p.add_argument("request_id")
    p.add_argument("--until", required=True,
                   help="ví dụ 14/08/2023 17:00, 17g00 14/8/2023, hoặc 14/08/2023 (hết ngày đó)")
    reason(p)
    p = command("accept", cmd_accept, "coi bài một đơn vị đã gửi là đủ")
    p.add_argument("unit_code")
    p.add_argument("request_id")
    reason(p)
    p = command("decisions", cmd_decisions, "liệt kê các quyết định của Văn phòng")
    p.add_argument("--active", action="store_true", help="bỏ qua các quyết định đã hoàn tác")
    p = command("undo", cmd_undo, "hoàn tác một quyết định")
    p.add_argument("decision_id", type=int)
    p = command("request", cmd_request, "văn bản (thông báo) được theo dõi")
    request_sub = p.add_subparsers(dest="request_command", required=True)
    p = request_sub.add_parser("from-notice", help="đọc một văn bản (pdf, docx, txt, eml hoặc mã "
                               "thư đã lưu) và in bảng [[request]] tương ứng")
    p.add_argument("source", metavar="FILE_OR_MESSAGE_KEY")
    p = command("remind", cmd_remind, "xem (hoặc gửi) thư nhắc cho các đơn vị còn nợ báo cáo")
    p.add_argument("request_id")
    p.add_argument("--send", action="store_true", help="gửi ngay")
    command("check", cmd_check, "kiểm tra cấu hình, đăng nhập và tình trạng dữ liệu")
    p = command("backup", cmd_backup, "sao lưu thư mục dữ liệu (chỉ chép phần mới)")
    p.add_argument("dest", type=Path, help="thư mục sao lưu, ngoài thư mục dữ liệu")
    command("demo", cmd_demo, "chạy thử với hộp thư mẫu, kết quả trong ./demo/")
    command("web", cmd_web, "mở trang làm việc của Văn phòng ([web]) cho tới khi bị dừng")
    p = command("user", cmd_user, "tài khoản của trang làm việc: add, remove, list")
    users = p.add_subparsers(dest="user_command", required=True)
    p = users.add_parser("add", help="tạo tài khoản (mật khẩu được hỏi, không ghi trên dòng lệnh)")
    p.add_argument("name")
    p.add_argument("--role", default="clerk", help="clerk (mặc định) hoặc viewer (chỉ xem)")
    p = users.add_parser("remove", help="xoá tài khoản")
    p.add_argument("name")
    users.add_parser("list", help="liệt kê tài khoản")
    return parser


# The office's decisions: a confirmation in words is the whole answer (no log lines after it).
QUIET_COMMANDS = frozenset({"assign", "unlearn", "excuse", "extend", "accept", "undo"})


def _setup_logging(*, verbose: bool, quiet: bool = False) -> None:
    from config.logs import ZoneFormatter

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ZoneFormatter())  # in the office's zone once the config is read
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(level=level, handlers=[handler])
    for noisy in ("imapclient", "imaplib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def demo_settings_path() -> Path:
    import config

    return Path(config.__file__).parent / "demo" / "settings.toml"


def _load(args: argparse.Namespace) -> Settings:
    from config import default_config_path, load_config

    if args.command == "demo":
        from config.sample import write_demo_settings

        return load_config(write_demo_settings(Path.cwd() / "demo"))
    return load_config(args.config or default_config_path())


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status. Every error family becomes one sentence for
    the office here, and nowhere else."""
    from app.decisions import DecisionError, RefusedError
    from app.lock import LockBusyError
    from config import AccessError, ConfigError
    from config.logs import use_zone
    from ingest.errors import SourceError, StorageError
    from outputs.errors import DigestSendError

    args = build_parser().parse_args(argv)
    _setup_logging(verbose=args.verbose, quiet=args.command in QUIET_COMMANDS)
    lang = _language()
    try:
        settings = _load(args)
        lang = _language(settings)
        use_zone(settings.timezone)
        handler: Handler = args.handler
        if handler is cmd_serve and settings.web is not None:
            handler = cmd_serve_with_web
        return handler(settings, args)
    except ConfigError as exc:
        lang = exc.language or lang  # settings.toml's, when that much could be read
        _err(say("config_invalid", lang))
        _err(exc.render(lang))
        return EXIT_CONFIG
    except UsageError as exc:
        _err(say(exc.name, lang, **exc.values))
        return EXIT_CONFIG
    except RefusedError as exc:
        _err(exc.text(lang))
        return EXIT_CONFIG
    except DecisionError as exc:
        _err(exc.text(lang))
        if exc.closest:
            _err(say("closest", lang, closest=", ".join(exc.closest)))
        _err(say("nothing_changed", lang))
        return EXIT_CONFIG
    except LockBusyError as exc:
        _err(say("busy", lang, path=exc.data_dir, seconds=f"{exc.waited:.0f}"))
        return EXIT_FAILED
    except SourceError as exc:
        _err(say("source_failed", lang, source=exc.source, reason=exc.text(lang)))
        return EXIT_FAILED
    except StorageError as exc:
        _err(say("storage_failed", lang, reason=exc.text(lang)))
        return EXIT_FAILED
    except AccessError as exc:  # a config the service user may not read: the path and the fix
        _err(exc.text(lang))
        return EXIT_FAILED
    except DigestSendError as exc:
        reason = say(exc.kind, lang, detail=exc.detail)
        _err(say("digest_send_failed", lang, server=exc.server, reason=reason))
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
