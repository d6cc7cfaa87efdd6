"""mailtally's command line: `python run.py [--config PATH] COMMAND` (installed as `mailtally`).

Turns each family of errors into one plain line, in Vietnamese by default, and the contract's exit
status: 0 done, 1 the run failed, 2 the configuration is invalid.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2

MESSAGES: dict[str, tuple[str, str]] = {
    "config_invalid": ("Cấu hình không hợp lệ:", "The configuration is invalid:"),
    "source_failed": ("Không đọc được nguồn thư {source}: {reason}",
                      "Could not read source {source}: {reason}"),
    "storage_failed": ("Không ghi được dữ liệu: {reason}", "Could not write the store: {reason}"),
    "busy": ("Một lần chạy khác của mailtally đang dùng thư mục dữ liệu {path}; lần này không "
             "làm gì và thoát.",
             "Another mailtally run is using the data dir {path}; this one does nothing."),
    "done": ("Xong: {messages} thư đã lưu, {placed} thư đã xếp, {needs} thư cần người xử lý.",
             "Done: {messages} messages stored, {placed} placed, {needs} need a person."),
    "report_at": ("Báo cáo: {path}", "Report: {path}"),
    "no_message": ("Không có thư nào mã {key}.", "No message has the key {key}."),
    "ambiguous_key": ("Mã {key} khớp nhiều thư; hãy gõ thêm ký tự.",
                      "The key {key} matches several messages; type more of it."),
    "no_unit": ("Không có đơn vị mã {code} trong {file}.",
                "No unit has the code {code} in {file}."),
    "no_request": ("Không có văn bản mã {rid} trong {file}.",
                   "No request has the id {rid} in {file}."),
    "assigned": ("Đã ghi: thư {key} thuộc {unit}{req}. Địa chỉ {addr} được ghi nhớ cho {unit}.",
                 "Saved: message {key} belongs to {unit}{req}. {addr} is remembered for {unit}."),
    "ignored": ("Đã ghi: thư {key} được bỏ qua.", "Saved: message {key} is ignored."),
    "excused": ("Đã ghi: {unit} được miễn nộp cho {rid}.", "Saved: {unit} is excused from {rid}."),
    "extended": ("Đã ghi: hạn của {unit} cho {rid} là {until}.",
                 "Saved: {unit}'s deadline for {rid} is {until}."),
    "unlearned": ("Đã bỏ ghi nhớ địa chỉ {addr}.", "{addr} is forgotten."),
    "not_learned": ("Địa chỉ {addr} chưa được ghi nhớ.", "{addr} was not remembered."),
    "bad_datetime": ("Ngày giờ không hợp lệ: {value} (ví dụ 2023-08-12T17:00)",
                     "Not a valid date and time: {value} (e.g. 2023-08-12T17:00)"),
    "outputs_later": ("Báo cáo sẽ được cập nhật ở lần chạy tới.",
                      "The report will be updated on the next run."),
    "user_added": ("Đã tạo tài khoản {name} ({role}).", "Account {name} ({role}) created."),
    "user_removed": ("Đã xoá tài khoản {name}.", "Account {name} removed."),
    "user_missing": ("Không có tài khoản {name}.", "There is no account {name}."),
    "user_none": ("Chưa có tài khoản nào: tạo bằng `user add TÊN`.",
                  "No account yet: create one with `user add NAME`."),
    "user_refused": ("Không tạo được tài khoản {name}: {why}",
                     "Cannot create the account {name}: {why}"),
    "user_name": ("tên chỉ gồm chữ, số và . _ - @ (tối đa 64 ký tự)",
                  "a name is letters, digits and . _ - @ (at most 64)"),
    "user_role": ("vai trò là clerk hoặc viewer", "the role is clerk or viewer"),
    "user_password": ("mật khẩu cần ít nhất 8 ký tự", "the password needs at least 8 characters"),
    "user_exists": ("tài khoản này đã có", "that account exists already"),
    "user_mismatch": ("hai lần nhập mật khẩu không giống nhau", "the two passwords differ"),
    "password_prompt": ("Mật khẩu: ", "Password: "),
    "password_again": ("Nhập lại mật khẩu: ", "Password again: "),
    "backed_up": ("Đã sao lưu {messages} thư vào {dest}: {copied} tệp mới ({size} MB), {kept} "
                  "tệp đã có từ lần trước.",
                  "Backed up {messages} messages into {dest}: {copied} new files ({size} MB), "
                  "{kept} already there."),
}


def say(message: str, language: str, **values: object) -> str:
    """The office-facing message `message` in `language`, filled with `values`."""
    pair = MESSAGES[message]
    return (pair[0] if language != "en" else pair[1]).format(**values)


def _language(settings: object | None = None) -> str:
    lang = getattr(settings, "language", None)
    return str(lang or os.environ.get("MAILTALLY_LANG", "vi"))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mailtally", description=(
        "Theo dõi thư báo cáo của các đơn vị: đúng hạn, trễ hạn, chưa nộp."))
    parser.add_argument("--config", type=Path, default=None,
                        help="settings.toml (mặc định: $MAILTALLY_CONFIG, "
                             "rồi config/settings.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="ghi log chi tiết")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("once", help="đọc thư mới một lần rồi dựng lại báo cáo (dùng cho cron)")
    sub.add_parser("serve", help="chạy liên tục: đọc thư định kỳ, gửi bản tóm tắt hằng ngày")
    sub.add_parser("report", help="dựng lại báo cáo từ dữ liệu đã lưu, không đọc thư")
    p = sub.add_parser("digest", help="viết bản tóm tắt trong ngày")
    p.add_argument("--date", help="YYYY-MM-DD (mặc định: hôm nay)")
    p.add_argument("--send", action="store_true", help="gửi qua email")
    p = sub.add_parser("assign", help="chỉ định đơn vị (và văn bản) cho một thư")
    p.add_argument("message_key")
    p.add_argument("unit_code", nargs="?")
    p.add_argument("request_id", nargs="?")
    p.add_argument("--ignore", action="store_true", help="bỏ qua thư này")
    p = sub.add_parser("unlearn", help="bỏ một địa chỉ đã ghi nhớ cho đơn vị")
    p.add_argument("address")
    p = sub.add_parser("excuse", help="miễn nộp cho một đơn vị")
    p.add_argument("unit_code")
    p.add_argument("request_id")
    p.add_argument("--reason", default="")
    p = sub.add_parser("extend", help="gia hạn cho một đơn vị")
    p.add_argument("unit_code")
    p.add_argument("request_id")
    p.add_argument("--until", required=True, help="ví dụ 2023-08-12T17:00")
    p.add_argument("--reason", default="")
    sub.add_parser("check", help="kiểm tra cấu hình, đăng nhập và tình trạng dữ liệu")
    p = sub.add_parser("backup", help="sao lưu thư mục dữ liệu (chỉ chép phần mới)")
    p.add_argument("dest", type=Path, help="thư mục sao lưu, ngoài thư mục dữ liệu")
    sub.add_parser("demo", help="chạy thử với hộp thư mẫu, kết quả trong ./demo/")
    sub.add_parser("web", help="mở trang làm việc của Văn phòng ([web]) cho tới khi bị dừng")
    p = sub.add_parser("user", help="tài khoản của trang làm việc: add, remove, list")
    users = p.add_subparsers(dest="user_command", required=True)
    p = users.add_parser("add", help="tạo tài khoản (mật khẩu được hỏi, không ghi trên dòng lệnh)")
    p.add_argument("name")
    p.add_argument("--role", default="clerk", help="clerk (mặc định) hoặc viewer (chỉ xem)")
    p = users.add_parser("remove", help="xoá tài khoản")
    p.add_argument("name")
    users.add_parser("list", help="liệt kê tài khoản")
    return parser


def _setup_logging(*, verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("imapclient", "imaplib", "PIL"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def demo_settings_path() -> Path:
    import config

    return Path(config.__file__).parent / "demo" / "settings.toml"


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit status."""
    from config import ConfigError, default_config_path, load_config
    from ingest.errors import SourceError, StorageError
    from pipeline import LockBusyError

    args = build_parser().parse_args(argv)
    _setup_logging(verbose=args.verbose)
    lang = _language()
    try:
        if args.command == "demo":
            settings = load_config(demo_settings_path())
            base = Path.cwd() / "demo"
            settings = replace(settings, data_dir=base / "data", output_dir=base / "out")
        else:
            settings = load_config(args.config or default_config_path())
        lang = _language(settings)
        if args.command in ("web", "user") or (args.command == "serve" and settings.web):
            return front_door(args, settings)
        import commands

        return commands.dispatch(args, settings)
    except ConfigError as exc:
        print(say("config_invalid", lang), file=sys.stderr)
        print(exc.render(lang), file=sys.stderr)
        return EXIT_CONFIG
    except LockBusyError as exc:
        print(say("busy", lang, path=exc), file=sys.stderr)
        return EXIT_OK
    except SourceError as exc:
        print(say("source_failed", lang, source=exc.source, reason=exc.reason), file=sys.stderr)
        return EXIT_FAILED
    except StorageError as exc:
        print(say("storage_failed", lang, reason=exc), file=sys.stderr)
        return EXIT_FAILED


def read_password(lang: str) -> str:
    """The new account's password: asked twice on a terminal, else one line of stdin."""
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass(say("password_prompt", lang))
        if getpass.getpass(say("password_again", lang)) != first:
            raise ValueError("mismatch")
        return first
    return sys.stdin.readline().rstrip("\r\n")


def cmd_user(args: argparse.Namespace, settings: Any) -> int:
    """`user add|remove|list`: the workspace's accounts (passwords only ever hashed)."""
    from ingest.accounts import AccountError, add_account, list_accounts, remove_account
    from ingest.store import Store

    lang = _language(settings)
    store = Store(settings.data_dir)
    try:
        if args.user_command == "list":
            accounts = list_accounts(store)
            for account in accounts:
                print(f"{account.name}\t{account.role}\t{account.created_at}")
            if not accounts:
                print(say("user_none", lang))
            return EXIT_OK
        if args.user_command == "remove":
            done = remove_account(store, args.name)
            print(say("user_removed" if done else "user_missing", lang, name=args.name),
                  file=sys.stdout if done else sys.stderr)
            return EXIT_OK if done else EXIT_CONFIG
        try:
            add_account(store, args.name, args.role, read_password(lang))
        except (AccountError, ValueError) as exc:
            why = say(f"user_{exc}" if str(exc) in (
                "name", "role", "password", "exists", "mismatch") else "user_password", lang)
            print(say("user_refused", lang, name=args.name, why=why), file=sys.stderr)
            return EXIT_CONFIG
        print(say("user_added", lang, name=args.name, role=args.role))
        return EXIT_OK
    finally:
        store.close()


def front_door(args: argparse.Namespace, settings: Any) -> int:
    """`web`, `user`, and `serve` with [web] (the workspace on a thread beside the service)."""
    if args.command == "user":
        return cmd_user(args, settings)
    if args.command == "web":
        from web.server import serve_workspace

        return serve_workspace(settings)
    import commands
    from web.server import WorkspaceServer

    server = WorkspaceServer(settings)
    server.start()
    try:
        return commands.dispatch(args, settings)
    finally:
        server.stop()


def parse_local_datetime(value: str, tz: object) -> datetime:
    """An ISO date-time typed by the office; without an offset it is in the configured zone."""
    dt = datetime.fromisoformat(value)
    if dt.tzinfo is None:
        from zoneinfo import ZoneInfo

        assert isinstance(tz, ZoneInfo)
        dt = dt.replace(tzinfo=tz)
    return dt


if __name__ == "__main__":
    sys.exit(main())
