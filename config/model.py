"""Frozen records for a loaded configuration, and the error that lists what is wrong with one."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parseaddr
from pathlib import Path
from zoneinfo import ZoneInfo

from parsers.limits import Limits

EVIDENCE_KINDS = ("report", "images")
SOURCE_KINDS = ("imap", "maildir", "mbox", "eml_dir")
SECURITY_MODES = ("ssl", "starttls", "none")
LANGUAGES = ("vi", "en")


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a config file, in both languages.

    Example: Problem("settings.toml", "[[source]] 2, security",
    ("một trong ssl, starttls, none", "one of ssl, starttls, none"), '"tls"',
    ("cổng 587 thường là starttls", "port 587 usually means starttls"))
    """

    file: str
    key: str
    expected: tuple[str, str]
    got: str | None = None
    hint: tuple[str, str] | None = None

    def render(self, language: str = "vi") -> str:
        i = 0 if language == "vi" else 1
        want = ("cần", "expected")[i]
        got = ("nhận được", "got")[i]
        where = f"{self.file}, {self.key}" if self.key else self.file
        line = f"{where}: {want} {self.expected[i]}"
        if self.got is not None:
            line += f"; {got} {self.got}"
        if self.hint is not None:
            line += f"\n  {('gợi ý', 'hint')[i]}: {self.hint[i]}"
        return line


class ConfigError(Exception):
    """The configuration is invalid (exit status 2). Holds every problem found."""

    def __init__(self, problems: list[Problem], language: str | None = None):
        super().__init__("; ".join(p.render("en") for p in problems))
        self.problems = problems
        self.language = language  # settings.toml's, when it could be read: the office's

    def render(self, language: str = "vi") -> str:
        return "\n".join(p.render(language) for p in self.problems)


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One `[[source]]`: an IMAP account or a local folder/file of messages."""

    name: str
    kind: str
    host: str = ""
    port: int = 0
    security: str = "ssl"
    username: str = ""
    password_env: str = ""
    password_file: Path | None = None
    folders: tuple[str, ...] = ("INBOX",)
    ca_file: Path | None = None
    path: Path | None = None


@dataclass(frozen=True, slots=True)
class ScheduleConfig:
    poll_minutes: int = 5
    digest_times: tuple[str, ...] = ("07:30",)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """`[smtp]`: the one outgoing server, for the digest and for mail to units."""

    host: str
    port: int
    security: str
    username: str
    password_env: str
    password_file: Path | None
    sender: str  # the office's From
    ca_file: Path | None = None  # extra CA to trust; certificates are always verified


@dataclass(frozen=True, slots=True)
class DigestConfig:
    """`[digest]`: who gets the digest. Its server is `[smtp]`'s, or the old `smtp_*` keys'."""

    smtp_host: str
    smtp_port: int
    security: str
    username: str
    password_env: str
    password_file: Path | None
    sender: str
    to: tuple[str, ...]
    ca_file: Path | None = None  # extra CA to trust; certificates are always verified

    @property
    def smtp(self) -> SmtpConfig:
        return SmtpConfig(self.smtp_host, self.smtp_port, self.security, self.username,
                          self.password_env, self.password_file, self.sender, self.ca_file)


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    """`[notify]`: receipts and reminders to units. Offsets are positive durations.

    `since`, when set, replaces the instant the store recorded when `[notify]` was first seen:
    mail that arrived before it is never answered, and no reminder falls due before it.
    """

    receipts: bool = True
    reminders: tuple[timedelta, ...] = (timedelta(hours=48), timedelta(hours=2))
    overdue: tuple[timedelta, ...] = (timedelta(hours=2),)
    send: bool = False
    max_per_hour: int = 60
    sender: str = ""  # the office's From: [smtp] from, else [digest] from, else office_addresses
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class WebConfig:
    """`[web]`: where the office's workspace listens, and how it is reached."""

    host: str = "127.0.0.1"
    port: int = 8080
    base_url: str = ""  # e.g. "https://baocao.example.gov.vn"; https makes cookies Secure
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-* headers are trusted

    @property
    def secure(self) -> bool:
        """True when the workspace is reached over https (session cookies then Secure)."""
        return self.base_url.lower().startswith("https://")


@dataclass(frozen=True, slots=True)
class Unit:
    """A row of units.csv. `emails` are lower-cased."""

    code: str
    name: str
    emails: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    group: str = ""


@dataclass(frozen=True, slots=True)
class Request:
    """A notice or task from requests.toml. Datetimes are aware."""

    id: str
    title: str
    issued: datetime
    deadline: datetime
    grace_minutes: int = 0
    units: tuple[str, ...] = ("*",)
    requires: tuple[str, ...] = EVIDENCE_KINDS
    keywords: tuple[str, ...] = ()
    notice_message_id: str = ""

    @property
    def closes_at(self) -> datetime:
        """Deadline plus grace: the last instant that is still on time."""
        return self.deadline + timedelta(minutes=self.grace_minutes)

    def expects(self, unit: Unit) -> bool:
        """True when this request asks `unit` to report."""
        for spec in self.units:
            if spec == "*" or spec == unit.code:
                return True
            if spec.startswith("group:") and unit.group and spec[6:] == unit.group:
                return True
        return False


@dataclass(frozen=True, slots=True)
class Settings:
    """A whole loaded configuration; paths are absolute."""

    config_path: Path
    timezone: ZoneInfo
    language: str
    office_addresses: tuple[str, ...]
    data_dir: Path
    output_dir: Path
    sources: tuple[SourceConfig, ...]
    schedule: ScheduleConfig
    digest: DigestConfig | None
    units: tuple[Unit, ...]
    requests: tuple[Request, ...]
    abbreviations: dict[str, str] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)  # [limits]: what parsing one message may cost
    smtp: SmtpConfig | None = None  # [smtp], or the digest's old smtp_* keys
    notify: NotifyConfig | None = None  # [notify]: without it nothing is sent to a unit
    authserv_id: str = ""  # the office's server in Authentication-Results; '' = the topmost
    web: WebConfig | None = None  # [web]: the office's workspace
    # units.csv and requests.toml as found (the workspace edits them in place)
    units_path: Path | None = None
    requests_path: Path | None = None

    @property
    def own_addresses(self) -> frozenset[str]:
        """The office's addresses plus the digest's sender: their mail is never a report."""
        addrs = {a.lower() for a in self.office_addresses}
        if self.digest is not None:
            addrs.add(self.digest.sender.lower())
        if self.smtp is not None and self.smtp.sender:
            addrs.add((parseaddr(self.smtp.sender)[1] or self.smtp.sender).lower())
        return frozenset(addrs)
