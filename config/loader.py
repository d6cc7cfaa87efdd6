"""Read settings.toml, units.csv and requests.toml; validate every key and collect all problems."""

from __future__ import annotations

import codecs
import contextlib
import csv
import ipaddress
import os
import re
import tomllib
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from config.access import read_problem
from config.model import (
    EVIDENCE_KINDS,
    LANGUAGES,
    SECURITY_MODES,
    SOURCE_KINDS,
    ConfigError,
    DigestConfig,
    NotifyConfig,
    Problem,
    Request,
    ScheduleConfig,
    Settings,
    SmtpConfig,
    SourceConfig,
    Unit,
    WebConfig,
)
from parsers.limits import LIMIT_HELP, LIMIT_MAXIMUM, Limits

# Every top-level key of settings.toml: default and help. The README's settings table is
# checked against this list by tests/unit/test_docs.py.
SETTINGS: dict[str, tuple[object, str]] = {
    "timezone": ("Asia/Ho_Chi_Minh", "zone of every time shown in outputs"),
    "language": ("vi", "vi | en: every word the office and the units read"),
    "office_addresses": ([], "the office's own addresses: their mail is never a report"),
    "authserv_id": ("", "the office's mail server as it names itself in Authentication-Results "
                        "(e.g. mx.example.gov.vn); empty: the topmost such header is its"),
    "units_file": ("units.csv", "the roster, relative to settings.toml"),
    "requests_file": ("requests.toml", "the notices, relative to settings.toml"),
    "data_dir": ("data", "the store: database, raw messages, attachments"),
    "output_dir": ("out", "where report.csv, messages.csv, report.html are written"),
    "source": (None, "one or more [[source]] tables: where mail is read"),
    "schedule": (None, "[schedule] poll_minutes, digest_times (for `serve`)"),
    "digest": (None, "[digest] who gets the digest by email (optional)"),
    "smtp": (None, "[smtp] the outgoing server for the digest and for mail to units"),
    "notify": (None, "[notify] receipts and reminders to units (optional)"),
    "abbreviations": ({}, "[abbreviations] extra short forms, e.g. STP = \"Sở Tư pháp\""),
    "limits": (None, "[limits] what parsing one message may cost: max_message_bytes, "
                     "max_attachment_bytes, max_parts, max_depth, max_text_chars, "
                     "max_extract_seconds, max_inflate_bytes, max_message_seconds"),
    "web": (None, "[web] the office's workspace: host, port, base_url, proxy_hops"),
}
WEB_KEYS = {"host", "port", "base_url", "proxy_hops"}

SOURCE_KEYS = {
    "name", "kind", "host", "port", "security", "username", "password_env",
    "password_file", "folders", "ca_file", "path",
}
DIGEST_KEYS = {
    "smtp_host", "smtp_port", "security", "username", "password_env", "password_file",
    "from", "to", "ca_file",
}
# The digest's old server keys: read when [digest] has smtp_host (configs from before [smtp]).
DIGEST_SERVER_KEYS = DIGEST_KEYS - {"from", "to"}
SMTP_KEYS = {
    "host", "port", "security", "username", "password_env", "password_file", "from", "ca_file",
}
NOTIFY_KEYS = {"receipts", "reminders", "overdue", "send", "max_per_hour", "since"}
SCHEDULE_KEYS = {"poll_minutes", "digest_times"}
_OFFSET = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
REQUEST_KEYS = {
    "id", "title", "issued", "deadline", "grace_minutes", "units", "requires", "keywords",
    "notice_message_id",
}
UNIT_COLUMNS = ["code", "name", "emails", "aliases"]


def default_config_path() -> Path:
    """`$MAILTALLY_CONFIG`, else `config/settings.toml` under the current directory."""
    env = os.environ.get("MAILTALLY_CONFIG")
    return Path(env) if env else Path.cwd() / "config" / "settings.toml"


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Collector:
    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(
        self,
        key: str,
        expected: tuple[str, str],
        got: object = None,
        hint: tuple[str, str] | None = None,
    ) -> None:
        shown = None if got is None else (f'"{got}"' if isinstance(got, str) else repr(got))
        self.problems.append(Problem(self.file, key, expected, shown, hint))


def _str(c: _Collector, table: dict[str, Any], key: str, where: str, default: str | None) -> str:
    value = table.get(key, default)
    if value is None:
        c.add(f"{where}{key}", ("một giá trị (bắt buộc)", "a value (required)"))
        return ""
    if not isinstance(value, str):
        c.add(f"{where}{key}", ("một chuỗi", "a string"), value)
        return ""
    return value


def _str_list(c: _Collector, table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        c.add(f"{where}{key}", ("một danh sách chuỗi", "a list of strings"), value)
        return ()
    return tuple(value)


def _int(c: _Collector, table: dict[str, Any], key: str, where: str, default: int | None) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        c.add(f"{where}{key}", ("một số nguyên", "a whole number"), value)
        return 0
    return value


def _unknown(c: _Collector, table: dict[str, Any], allowed: set[str], where: str) -> None:
    for key in sorted(set(table) - allowed):
        c.add(
            f"{where}{key}",
            ("một khoá đã biết: " + ", ".join(sorted(allowed)),
             "a known key: " + ", ".join(sorted(allowed))),
            key,
            ("kiểm tra chính tả", "check the spelling"),
        )


def _path(base: Path, value: str) -> Path:
    return (base / value).resolve() if value else base


def _read_toml(path: Path, c: _Collector) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        c.add("", ("tệp tồn tại", "the file to exist"), str(path))
    except PermissionError as exc:  # the right file, the wrong owner: exit 1, with the fix
        raise read_problem(path, exc) from exc
    except tomllib.TOMLDecodeError as exc:
        c.add("", ("TOML hợp lệ", "valid TOML"), str(exc))
    except OSError as exc:
        c.add("", ("tệp đọc được", "a readable file"), str(exc))
    return None


def _load_source(c: _Collector, raw: Any, n: int, base: Path) -> SourceConfig | None:
    where = f"[[source]] {n}, "
    if not isinstance(raw, dict):
        c.add(f"[[source]] {n}", ("một bảng", "a table"), raw)
        return None
    _unknown(c, raw, SOURCE_KEYS, where)
    kind = _str(c, raw, "kind", where, None)
    if kind and kind not in SOURCE_KINDS:
        c.add(f"{where}kind", ("một trong " + ", ".join(SOURCE_KINDS),
                               "one of " + ", ".join(SOURCE_KINDS)), kind)
        return None
    if kind == "imap":
        host = _str(c, raw, "host", where, None)
        security = _str(c, raw, "security", where, "ssl")
        port = _int(c, raw, "port", where, {"ssl": 993}.get(security, 143))
        if security and security not in SECURITY_MODES:
            hint = None
            if port == 587 or port == 143:
                hint = (f"cổng {port} thường là starttls", f"port {port} usually means starttls")
            elif port == 993:
                hint = ("cổng 993 thường là ssl", "port 993 usually means ssl")
            c.add(f"{where}security", ("một trong ssl, starttls, none",
                                       "one of ssl, starttls or none"), security, hint)
        if security == "none" and host and not is_loopback(host):
            c.add(f"{where}security",
                  ("ssl hoặc starttls (mật khẩu không được gửi không mã hoá qua mạng)",
                   "ssl or starttls (a password is never sent unencrypted over a network)"),
                  security,
                  ("\"none\" chỉ dùng được với 127.0.0.1/localhost",
                   "\"none\" is only allowed for 127.0.0.1/localhost"))
        if not 0 < port < 65536:
            c.add(f"{where}port", ("một cổng từ 1 đến 65535", "a port from 1 to 65535"), port)
        username = _str(c, raw, "username", where, None)
        password_env = _str(c, raw, "password_env", where, "")
        password_file = _str(c, raw, "password_file", where, "")
        if not password_env and not password_file:
            c.add(f"{where}password_env",
                  ("tên một biến môi trường chứa mật khẩu (hoặc password_file)",
                   "the name of an environment variable holding the password (or password_file)"),
                  hint=("không bao giờ ghi mật khẩu vào tệp cấu hình",
                        "never write the password itself into the config"))
        if "password" in raw:
            pass  # already reported as an unknown key
        folders = _str_list(c, raw, "folders", where) or ("INBOX",)
        ca = _str(c, raw, "ca_file", where, "")
        ca_path = _path(base, ca) if ca else None
        if ca_path is not None and not ca_path.is_file():
            c.add(f"{where}ca_file", ("một tệp chứng chỉ tồn tại", "an existing certificate file"),
                  ca)
        name = _str(c, raw, "name", where, f"imap:{username}@{host}")
        return SourceConfig(
            name=name, kind=kind, host=host, port=port, security=security, username=username,
            password_env=password_env,
            password_file=_path(base, password_file) if password_file else None,
            folders=folders, ca_file=ca_path,
        )
    if kind in ("maildir", "mbox", "eml_dir"):
        p = _str(c, raw, "path", where, None)
        path = _path(base, p) if p else None
        if path is not None and not path.exists():
            c.add(f"{where}path", ("một thư mục hoặc tệp tồn tại", "an existing folder or file"), p)
        name = _str(c, raw, "name", where, f"{kind}:{p}")
        return SourceConfig(name=name, kind=kind, path=path, folders=())
    return None


def _security(c: _Collector, raw: dict[str, Any], where: str, host: str) -> str:
    security = _str(c, raw, "security", where, "starttls")
    if security not in SECURITY_MODES:
        c.add(f"{where}security", ("một trong ssl, starttls, none",
                                   "one of ssl, starttls or none"), security)
    if security == "none" and host and not is_loopback(host):
        c.add(f"{where}security", ("ssl hoặc starttls", "ssl or starttls"), security,
              ("\"none\" chỉ dùng được với 127.0.0.1/localhost",
               "\"none\" is only allowed for 127.0.0.1/localhost"))
    return security


def _ca_file(c: _Collector, raw: dict[str, Any], where: str, base: Path) -> Path | None:
    ca = _str(c, raw, "ca_file", where, "")
    ca_path = _path(base, ca) if ca else None
    if ca_path is not None and not ca_path.is_file():
        c.add(f"{where}ca_file", ("một tệp chứng chỉ tồn tại", "an existing certificate file"), ca)
    return ca_path


def _sender(c: _Collector, raw: dict[str, Any], where: str, *, required: bool) -> str:
    sender = _str(c, raw, "from", where, None if required else "")
    if sender and "@" not in parseaddr(sender)[1]:
        c.add(f"{where}from", ("một địa chỉ email", "an email address"), sender)
    return sender


def _server(c: _Collector, raw: dict[str, Any], where: str, base: Path, *, prefix: str,
            host: str | None, sender_required: bool) -> SmtpConfig:
    """An outgoing server's keys (`prefix` before host and port: `smtp_` in an old [digest])."""
    host_name = _str(c, raw, f"{prefix}host", where, host)
    security = _security(c, raw, where, host_name)
    password_file = _str(c, raw, "password_file", where, "")
    return SmtpConfig(
        host=host_name,
        port=_int(c, raw, f"{prefix}port", where, 465 if security == "ssl" else 587),
        security=security,
        username=_str(c, raw, "username", where, ""),
        password_env=_str(c, raw, "password_env", where, ""),
        password_file=_path(base, password_file) if password_file else None,
        sender=_sender(c, raw, where, required=sender_required),
        ca_file=_ca_file(c, raw, where, base),
    )


def _is_table(c: _Collector, raw: Any, name: str) -> bool:
    """True when an optional section is there as a table; a value that is not one is a problem."""
    if raw is not None and not isinstance(raw, dict):
        c.add(name, ("một bảng", "a table"), raw)
    return isinstance(raw, dict)


def _load_smtp(c: _Collector, raw: Any, base: Path) -> SmtpConfig | None:
    """`[smtp]`: host, port, security, username, password_env/password_file, from, ca_file."""
    if not _is_table(c, raw, "[smtp]"):
        return None
    _unknown(c, raw, SMTP_KEYS, "[smtp] ")
    return _server(c, raw, "[smtp] ", base, prefix="", host=None, sender_required=False)


def _load_digest(c: _Collector, raw: Any, base: Path, smtp: SmtpConfig | None
                 ) -> DigestConfig | None:
    """`[digest]`: `to` (and `from`), on `[smtp]`'s server; an old [digest] with `smtp_host`
    names its own server with the smtp_* keys, as before."""
    if not _is_table(c, raw, "[digest]"):
        return None
    where = "[digest] "
    _unknown(c, raw, DIGEST_KEYS, where)
    to = _str_list(c, raw, "to", where)
    if not to:
        c.add(f"{where}to", ("ít nhất một địa chỉ nhận", "at least one recipient"))
    if "smtp_host" not in raw and smtp is not None:
        for key in sorted(DIGEST_SERVER_KEYS & set(raw)):
            c.add(f"{where}{key}", ("không có khoá này: máy chủ là của [smtp]",
                                    "no such key: the server is [smtp]'s"), key,
                  ("ghi khoá này trong [smtp]", "write it in [smtp]"))
        sender = _sender(c, raw, where, required=False) or smtp.sender
        if not sender:
            c.add(f"{where}from", ("địa chỉ gửi ở [digest] hoặc [smtp]",
                                   "a sender address in [digest] or [smtp]"))
        return DigestConfig(
            smtp_host=smtp.host, smtp_port=smtp.port, security=smtp.security,
            username=smtp.username, password_env=smtp.password_env,
            password_file=smtp.password_file, sender=sender, to=to, ca_file=smtp.ca_file)
    if "smtp_host" not in raw:
        c.add(f"{where}smtp_host", ("một máy chủ gửi thư: mục [smtp] (hoặc smtp_host)",
                                    "an outgoing server: an [smtp] section (or smtp_host)"))
    own = _server(c, raw, where, base, prefix="smtp_", host="", sender_required=True)
    return DigestConfig(
        smtp_host=own.host, smtp_port=own.port, security=own.security, username=own.username,
        password_env=own.password_env, password_file=own.password_file, sender=own.sender,
        to=to, ca_file=own.ca_file)


def parse_offset(text: str) -> timedelta | None:
    """'48h', '2h', '30m', '1d', '1h30m' as a positive duration; None when it is not one."""
    m = _OFFSET.fullmatch(text.strip().lower())
    if m is None or not any(m.groups()):
        return None
    days, hours, minutes = (int(g or 0) for g in m.groups())
    value = timedelta(days=days, hours=hours, minutes=minutes)
    return value if value > timedelta(0) else None


def _offsets(c: _Collector, raw: dict[str, Any], key: str,
             default: tuple[timedelta, ...]) -> tuple[timedelta, ...]:
    if key not in raw:
        return default
    out: list[timedelta] = []
    for text in _str_list(c, raw, key, "[notify] "):
        value = parse_offset(text)
        if value is None:
            c.add(f"[notify] {key}", ('khoảng thời gian như "48h", "2h", "30m", "1d"',
                                      'durations such as "48h", "2h", "30m", "1d"'), text)
        else:
            out.append(value)
    return tuple(sorted(set(out), reverse=True))


def _bool(c: _Collector, raw: dict[str, Any], key: str, where: str, *, default: bool) -> bool:
    value = raw.get(key, default)
    if not isinstance(value, bool):
        c.add(f"{where}{key}", ("true hoặc false", "true or false"), value)
        return default
    return value


def _load_notify(c: _Collector, raw: Any, tz: ZoneInfo, smtp: SmtpConfig | None,
                 sender: str) -> NotifyConfig | None:
    """`[notify]`: receipts, reminders, overdue, send, max_per_hour, since. `sender` is the
    office's From: [smtp] from, else [digest] from, else the first office address."""
    if not _is_table(c, raw, "[notify]"):
        return None
    where = "[notify] "
    _unknown(c, raw, NOTIFY_KEYS, where)
    defaults = NotifyConfig()
    send = _bool(c, raw, "send", where, default=False)
    if send and smtp is None:
        c.add(f"{where}send", ("false khi chưa có mục [smtp]", "false while there is no [smtp]"),
              send, ("thêm mục [smtp] (máy chủ gửi thư)", "add an [smtp] section (the server)"))
    per_hour = _int(c, raw, "max_per_hour", where, defaults.max_per_hour)
    if per_hour < 1:
        c.add(f"{where}max_per_hour", ("ít nhất 1", "at least 1"), per_hour)
    if not sender:
        c.add("[smtp] from", ("địa chỉ gửi của Văn phòng cho [notify] (hoặc office_addresses)",
                              "the office's From for [notify] (or office_addresses)"))
    since = _datetime(c, raw, "since", where, tz) if "since" in raw else None
    return NotifyConfig(
        receipts=_bool(c, raw, "receipts", where, default=True),
        reminders=_offsets(c, raw, "reminders", defaults.reminders),
        overdue=_offsets(c, raw, "overdue", defaults.overdue),
        send=send,
        max_per_hour=max(per_hour, 1),
        sender=sender,
        since=since,
    )


def _load_limits(c: _Collector, raw: Any) -> Limits:
    """The [limits] table: each key a positive number below its ceiling (LIMIT_MAXIMUM)."""
    if not isinstance(raw, dict):
        c.add("[limits]", ("một bảng", "a table"), raw)
        return Limits()
    _unknown(c, raw, set(LIMIT_HELP), "[limits] ")
    values: dict[str, Any] = {}
    for key, ceiling in LIMIT_MAXIMUM.items():
        if key not in raw:
            continue
        value = raw[key]
        seconds = key.endswith("_seconds")
        ok_type = isinstance(value, int | float) if seconds else isinstance(value, int)
        if isinstance(value, bool) or not ok_type or not 0 < value <= ceiling:
            kind = ("một số dương", "a positive number") if seconds else (
                "một số nguyên dương", "a positive whole number")
            c.add(f"[limits] {key}", (f"{kind[0]} không quá {ceiling:g}",
                                      f"{kind[1]} of at most {ceiling:g}"), value)
            continue
        values[key] = float(value) if seconds else value
    return Limits(**values)


SAVE_AS_CSV_UTF8 = ("trong Excel: Tệp > Lưu thành > CSV UTF-8 (Comma delimited) (*.csv)",
                    "in Excel: File > Save As > CSV UTF-8 (Comma delimited) (*.csv)")
UNIT_DELIMITERS = (",", ";")  # "CSV UTF-8" from a Vietnamese Excel separates with ";"


def _load_web(c: _Collector, raw: Any) -> WebConfig | None:
    """The [web] table: where the workspace listens (loopback unless said otherwise)."""
    if not _is_table(c, raw, "[web]"):
        return None
    where = "[web] "
    _unknown(c, raw, WEB_KEYS, where)
    host = _str(c, raw, "host", where, "127.0.0.1")
    port = _int(c, raw, "port", where, 8080)
    if not 0 < port < 65536:
        c.add(f"{where}port", ("một cổng từ 1 đến 65535", "a port from 1 to 65535"), port)
    base_url = _str(c, raw, "base_url", where, "").rstrip("/")
    if base_url and not base_url.lower().startswith(("http://", "https://")):
        c.add(f"{where}base_url", ("địa chỉ bắt đầu bằng https:// hoặc http://",
                                   "an address starting with https:// or http://"), base_url)
    hops = _int(c, raw, "proxy_hops", where, 0)
    if not 0 <= hops <= 5:
        c.add(f"{where}proxy_hops", ("một số từ 0 đến 5", "a number from 0 to 5"), hops,
              ("1 khi chạy sau một nginx", "1 behind one nginx"))
    return WebConfig(host=host, port=port, base_url=base_url, proxy_hops=hops)


def _decode_units(data: bytes) -> tuple[str | None, str]:
    """The roster's text, or None and what its bytes look like instead.

    UTF-8 (with or without the BOM Excel writes) and UTF-16 with a BOM are read. Anything else
    is refused rather than guessed: a roster read in the wrong code page would silently stop
    placing mail by unit name.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None, "UTF-16"
    try:
        return data.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1258")
    except UnicodeDecodeError:
        return None, "?"
    return None, "cp1258"


def _split_header(text: str) -> tuple[str, list[str]]:
    """The delimiter (`,` or `;`) whose split of the first line names the required columns,
    and that header; `,` when neither does (the problem is then the header itself)."""
    first = text.split("\n", 1)[0].strip("\r")
    for delimiter in UNIT_DELIMITERS:
        header = [h.strip() for h in next(csv.reader([first], delimiter=delimiter), [])]
        if all(col in header for col in UNIT_COLUMNS):
            return delimiter, header
    return ",", [h.strip() for h in next(csv.reader([first]), [])]


def _load_units(path: Path) -> tuple[list[Unit], list[Problem], bool]:
    """The roster, its problems, and whether the file itself could be read (when it could not,
    nothing that refers to it is checked: one root cause is reported once)."""
    c = _Collector(path.name)
    units: list[Unit] = []
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        c.add("", ("tệp tồn tại", "the file to exist"), str(path))
        return units, c.problems, False
    except PermissionError as exc:
        raise read_problem(path, exc) from exc
    except OSError as exc:
        c.add("", ("tệp đọc được", "a readable file"), str(exc))
        return units, c.problems, False
    text, encoding = _decode_units(data)
    if text is None:
        looks = {"cp1258": ("bảng mã Windows tiếng Việt (cp1258, \"CSV (Comma delimited)\")",
                            "the Windows Vietnamese code page (cp1258, \"CSV (Comma delimited)\")"),
                 "UTF-16": ("UTF-16 hỏng", "broken UTF-16")}.get(
                     encoding, ("một bảng mã không nhận ra được", "an unknown encoding"))
        c.add("", ("tệp CSV UTF-8", "a CSV UTF-8 file"),
              hint=(f"tệp đang ở {looks[0]}; {SAVE_AS_CSV_UTF8[0]}",
                    f"the file is in {looks[1]}; {SAVE_AS_CSV_UTF8[1]}"))
        return units, c.problems, False
    return _parse_units(text, c)


def _parse_units(text: str, c: _Collector) -> tuple[list[Unit], list[Problem], bool]:
    units: list[Unit] = []
    delimiter, header = _split_header(text)
    missing = [col for col in UNIT_COLUMNS if col not in header]
    if missing:
        c.add("header", ("các cột " + ",".join(UNIT_COLUMNS) + "[,group], phân cách bằng , "
                         "hoặc ;",
                         "columns " + ",".join(UNIT_COLUMNS) + "[,group], separated by , or ;"),
              ",".join(header))
        return units, c.problems, False
    reader = csv.DictReader(text.splitlines(), delimiter=delimiter)
    seen: dict[str, int] = {}
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        code = row.get("code", "")
        if not code:
            if any(row.values()):
                c.add(f"line {line}, code", ("mã đơn vị", "a unit code"), "")
            continue
        if code in seen:
            c.add(f"line {line}, code", (f"mã không trùng (đã có ở dòng {seen[code]})",
                                         f"a unique code (already on line {seen[code]})"), code)
            continue
        seen[code] = line
        if not row.get("name"):
            c.add(f"line {line}, name", ("tên đơn vị", "the unit's name"), "")
        units.append(Unit(
            code=code,
            name=row.get("name", ""),
            emails=tuple(e.strip().lower() for e in row.get("emails", "").split(";") if e.strip()),
            aliases=tuple(a.strip() for a in row.get("aliases", "").split(";") if a.strip()),
            group=row.get("group", ""),
        ))
    return units, c.problems, True


def _datetime(c: _Collector, raw: dict[str, Any], key: str, where: str,
              tz: ZoneInfo) -> datetime | None:
    value = raw.get(key)
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        c.add(f"{where}{key}", ("ngày giờ, ví dụ 2023-08-11T11:00:00",
                                "a date and time, e.g. 2023-08-11T11:00:00"), value)
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=tz)


def _load_requests(path: Path, tz: ZoneInfo, unit_codes: set[str] | None,
                   groups: set[str] | None) -> tuple[list[Request], list[Problem]]:
    """The requests and their problems. `unit_codes` and `groups` are None when units.csv could
    not be read: its problem is reported once, not again for every request that names a unit."""
    c = _Collector(path.name)
    data = _read_toml(path, c)
    if data is None:
        return [], c.problems
    return _parse_requests(data, c, tz, unit_codes, groups)


def _parse_requests(data: dict[str, Any], c: _Collector, tz: ZoneInfo,
                    unit_codes: set[str] | None, groups: set[str] | None
                    ) -> tuple[list[Request], list[Problem]]:
    out: list[Request] = []
    _unknown(c, data, {"request"}, "")
    raw_list = data.get("request", [])
    if not isinstance(raw_list, list):
        c.add("request", ("các bảng [[request]]", "[[request]] tables"), raw_list)
        return out, c.problems
    ids: set[str] = set()
    for n, raw in enumerate(raw_list, start=1):
        where = f"[[request]] {n}, "
        if not isinstance(raw, dict):
            continue
        _unknown(c, raw, REQUEST_KEYS, where)
        rid = _str(c, raw, "id", where, None)
        if rid in ids:
            c.add(f"{where}id", ("một mã không trùng", "a unique id"), rid)
        ids.add(rid)
        issued = _datetime(c, raw, "issued", where, tz)
        deadline = _datetime(c, raw, "deadline", where, tz)
        if issued and deadline and deadline < issued:
            c.add(f"{where}deadline", ("sau ngày ban hành (issued)", "after issued"),
                  deadline.isoformat())
        units = _str_list(c, raw, "units", where) or ("*",)
        for spec in units:
            if spec == "*" or unit_codes is None or groups is None:
                continue
            if spec.startswith("group:"):
                if spec[6:] not in groups:
                    c.add(f"{where}units", ("một nhóm có trong units.csv",
                                            "a group present in units.csv"), spec)
            elif spec not in unit_codes:
                c.add(f"{where}units", ("mã đơn vị có trong units.csv",
                                        "unit codes present in units.csv"), spec)
        requires = _str_list(c, raw, "requires", where) if "requires" in raw else EVIDENCE_KINDS
        for kind in requires:
            if kind not in EVIDENCE_KINDS:
                c.add(f"{where}requires", ("report và/hoặc images", "report and/or images"), kind)
        grace = _int(c, raw, "grace_minutes", where, 0)
        if grace < 0:
            c.add(f"{where}grace_minutes", ("một số không âm", "zero or more"), grace)
        if issued is None or deadline is None or not rid:
            continue
        out.append(Request(
            id=rid,
            title=_str(c, raw, "title", where, ""),
            issued=issued,
            deadline=deadline,
            grace_minutes=grace,
            units=units,
            requires=tuple(k for k in EVIDENCE_KINDS if k in requires),
            keywords=_str_list(c, raw, "keywords", where),
            notice_message_id=_str(c, raw, "notice_message_id", where, ""),
        ))
    return out, c.problems


def load_config(path: Path) -> Settings:
    """Load and validate a whole configuration.

    Raises:
        ConfigError: listing every problem, each with file, key, expected and got.
    """
    path = path.resolve()
    base = path.parent
    c = _Collector(path.name)
    data = _read_toml(path, c)
    if data is None:
        raise ConfigError(c.problems)
    _unknown(c, data, set(SETTINGS), "")

    tz_name = _str(c, data, "timezone", "", "Asia/Ho_Chi_Minh")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        c.add("timezone", ("tên múi giờ IANA, ví dụ Asia/Ho_Chi_Minh",
                           "an IANA zone name, e.g. Asia/Ho_Chi_Minh"), tz_name)
        tz = ZoneInfo("Asia/Ho_Chi_Minh")
    language = _str(c, data, "language", "", "vi")
    if language not in LANGUAGES:
        c.add("language", ("vi hoặc en", "vi or en"), language)
    office = tuple(a.lower() for a in _str_list(c, data, "office_addresses", ""))
    authserv_id = _str(c, data, "authserv_id", "", "").strip().lower()
    if any(ch.isspace() or ch == ";" for ch in authserv_id):
        c.add("authserv_id", ("một tên máy chủ, ví dụ mx.example.gov.vn",
                              "one server name, e.g. mx.example.gov.vn"), authserv_id)

    sources_raw = data.get("source", [])
    if not isinstance(sources_raw, list) or not sources_raw:
        c.add("[[source]]", ("ít nhất một bảng [[source]]", "at least one [[source]] table"))
        sources_raw = []
    sources = [s for n, raw in enumerate(sources_raw, 1) if (s := _load_source(c, raw, n, base))]
    names = [s.name for s in sources]
    for name in {n for n in names if names.count(n) > 1}:
        c.add("[[source]] name", ("tên nguồn không trùng", "unique source names"), name)

    sched_raw = data.get("schedule", {})
    schedule = ScheduleConfig()
    if isinstance(sched_raw, dict):
        _unknown(c, sched_raw, SCHEDULE_KEYS, "[schedule] ")
        poll = _int(c, sched_raw, "poll_minutes", "[schedule] ", 5)
        if poll < 1:
            c.add("[schedule] poll_minutes", ("ít nhất 1", "at least 1"), poll)
        times = _str_list(c, sched_raw, "digest_times", "[schedule] ") if (
            "digest_times" in sched_raw) else ("07:30",)
        for t in times:
            try:
                datetime.strptime(t, "%H:%M")
            except ValueError:
                c.add("[schedule] digest_times", ("giờ dạng HH:MM", "times as HH:MM"), t)
        schedule = ScheduleConfig(poll_minutes=max(poll, 1), digest_times=times)
    smtp = _load_smtp(c, data.get("smtp"), base)
    digest = _load_digest(c, data.get("digest"), base, smtp)
    if smtp is None and digest is not None and digest.smtp_host:
        smtp = digest.smtp  # an old config: the digest's server is the one server
    sender = ((smtp.sender if smtp is not None else "")
              or (digest.sender if digest is not None else "") or next(iter(office), ""))
    notify = _load_notify(c, data.get("notify"), tz, smtp, sender)

    abbrev_raw = data.get("abbreviations", {})
    abbreviations: dict[str, str] = {}
    if isinstance(abbrev_raw, dict) and all(isinstance(v, str) for v in abbrev_raw.values()):
        abbreviations = {str(k): v for k, v in abbrev_raw.items()}
    else:
        c.add("[abbreviations]", ("các cặp VIẾT_TẮT = \"tên đầy đủ\"",
                                  "pairs SHORT = \"full form\""), abbrev_raw)

    limits = _load_limits(c, data.get("limits", {}))
    web = _load_web(c, data.get("web"))

    problems = list(c.problems)
    units_path = _path(base, _str(c, data, "units_file", "", "units.csv"))
    units, unit_problems, roster_read = _load_units(units_path)
    problems += unit_problems
    requests_path = _path(base, _str(c, data, "requests_file", "", "requests.toml"))
    requests, request_problems = _load_requests(
        requests_path, tz, {u.code for u in units} if roster_read else None,
        {u.group for u in units if u.group} if roster_read else None)
    problems += request_problems
    problems += [p for p in c.problems if p not in problems]
    if problems:
        raise ConfigError(problems, language if language in LANGUAGES else None)
    return Settings(
        config_path=path,
        timezone=tz,
        language=language,
        office_addresses=office,
        authserv_id=authserv_id,
        data_dir=_path(base, _str(c, data, "data_dir", "", "data")),
        output_dir=_path(base, _str(c, data, "output_dir", "", "out")),
        sources=tuple(sources),
        schedule=schedule,
        digest=digest,
        units=tuple(units),
        requests=tuple(requests),
        abbreviations=abbreviations,
        limits=limits,
        smtp=smtp,
        notify=notify,
        web=web,
        units_path=units_path,
        requests_path=requests_path,
    )


def check_units_text(text: str, name: str = "units.csv") -> tuple[list[Unit], list[Problem]]:
    """The roster that `text` (units.csv's content, BOM allowed) holds, and what is wrong with
    it, exactly as `load_config` would say: for an edit made in the workspace."""
    units, problems, _ = _parse_units(text.removeprefix("\ufeff"), _Collector(name))
    return units, problems


def check_requests_text(text: str, tz: ZoneInfo, units: list[Unit] | tuple[Unit, ...],
                        name: str = "requests.toml") -> tuple[list[Request], list[Problem]]:
    """The requests that `text` (requests.toml's content) holds given the roster `units`, and
    what is wrong with them, exactly as `load_config` would say."""
    c = _Collector(name)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        c.add("", ("TOML hợp lệ", "valid TOML"), str(exc))
        return [], c.problems
    return _parse_requests(data, c, tz, {u.code for u in units},
                           {u.group for u in units if u.group})


def roster_layout(data: bytes) -> tuple[str, str, list[str]] | None:
    """How units.csv's bytes are written, as the loader reads them: (text, delimiter, header),
    or None when the loader would refuse the encoding. For the workspace, which rewrites one
    row in the same layout."""
    text, _ = _decode_units(data)
    if text is None:
        return None
    delimiter, header = _split_header(text)
    return text, delimiter, header
