"""A throwaway Dovecot 2.3 IMAP server on 127.0.0.1 for integration tests.

One `DovecotServer` owns a short temp dir (unix socket paths must stay under 108 bytes, so
pytest's `tmp_path` is too long), a self-signed certificate for localhost/127.0.0.1, a
passwd-file per user and a `dovecot -F` process listening on two free ports: plain IMAP
(`port`) and IMAPS (`tls_port`). It follows the verified recipe in the project's library notes
(section 7, "Dovecot as a throwaway test server"), including the root/non-root differences.

    with DovecotServer() as server:
        user = server.add_user("unit-a")                  # ImapUser(name, password)
        uid = server.append(user, "INBOX", raw, internaldate=aware_dt)
        server.flags(user, "INBOX")                       # {uid: (b"\\Seen",), ...}
        server.halt(); server.restart()                   # gone away, back on the same ports

Every helper opens its own short connection, so tests can interleave them with the program
under test without sharing IMAP state.
"""

from __future__ import annotations

import contextlib
import grp
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, NamedTuple

from imapclient import IMAPClient, SocketTimeout

__all__ = ["DovecotServer", "DovecotUnavailableError", "ImapUser"]

from servers.net import HOST, free_port, make_certificate

START_TIMEOUT_SECONDS = 20.0
LOGIN_TIMEOUT_SECONDS = 15.0
_EX_NOUSER = 68  # doveadm kick: no session of that user

# Dovecot's default auth_username_chars: keep usernames inside it.
_USERNAME_RE = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
_APPENDUID_RE = re.compile(rb"\[APPENDUID \d+ (\d+)\]")

_CONF_TEMPLATE = """\
# Generated for one test session; see the project's library notes, section 7.
protocols = imap
listen = {host}
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
mail_location = maildir:{d}/mail/%u
mail_fsync = never
# Process titles show each session's user and state (`IDLE`): see idle_sessions().
verbose_proctitle = yes
first_valid_uid = {uid}
namespace inbox {{
  inbox = yes
  separator = /
}}
auth_mechanisms = plain login
disable_plaintext_auth = no
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users/%u
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/home/%u
}}
service anvil {{
  chroot =
  # Nobody may connect here, so the auth process runs without the per-IP auth penalty:
  # otherwise one test's wrong password delays the next test's logins from 127.0.0.1.
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}
ssl = yes
ssl_cert = <{d}/cert.pem
ssl_key = <{d}/key.pem
"""


class DovecotUnavailableError(RuntimeError):
    """Dovecot is missing, has the wrong version, or did not start; the message says why."""


class ImapUser(NamedTuple):
    """A mailbox on the test server: `name, password = user` also works."""

    name: str
    password: str


class _Identity(NamedTuple):
    internal_user: str
    internal_group: str
    login_user: str
    uid: int  # owner of the mail files (userdb); never 0, Dovecot refuses it
    gid: int


def _children(pid: int) -> list[int]:
    """The ids of the processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue  # gone meanwhile
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        fields = stat.rsplit(")", 1)[-1].split()
        if len(fields) > 1 and fields[1] == str(pid):
            found.append(int(entry.name))
    return found


def _identity() -> _Identity:
    """Pick the users Dovecot runs as: its own system users under root, else the caller."""
    try:
        if os.geteuid() == 0:
            pwd.getpwnam("dovecot")
            grp.getgrnam("dovecot")
            pwd.getpwnam("dovenull")
            nobody = pwd.getpwnam("nobody")
            # auth runs as `dovecot` and mail as `nobody`: uid 0 is refused for mail.
            return _Identity("dovecot", "dovecot", "dovenull", nobody.pw_uid, nobody.pw_gid)
        me = pwd.getpwuid(os.geteuid())
        group = grp.getgrgid(os.getegid())
    except KeyError as exc:
        raise DovecotUnavailableError(
            f"a user or group Dovecot needs is missing from the system: {exc}"
        ) from exc
    # Without default_internal_group, a non-root Dovecot fails with
    # "chown(... stats-writer) Operation not permitted".
    return _Identity(me.pw_name, group.gr_name, me.pw_name, me.pw_uid, me.pw_gid)


def _check_installed() -> tuple[str, str]:
    """Return the paths of `dovecot` and `doveadm`, after checking the version is 2.3."""
    search_path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
    dovecot = shutil.which("dovecot", path=search_path)
    doveadm = shutil.which("doveadm", path=search_path)
    if dovecot is None or doveadm is None:
        raise DovecotUnavailableError(
            "Dovecot is not installed (no `dovecot`/`doveadm` on PATH); "
            "on Debian/Ubuntu: apt-get install dovecot-imapd"
        )
    out = subprocess.run(
        [dovecot, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    version = out.stdout.strip()
    if out.returncode != 0 or not version.startswith("2.3"):
        raise DovecotUnavailableError(
            f"Dovecot 2.3 is required (this config uses 2.3 syntax, which 2.4 rejects); "
            f"`dovecot --version` said {version or out.stderr.strip()!r}"
        )
    return dovecot, doveadm


class DovecotServer:
    """A Dovecot 2.3 instance of our own, on free ports of 127.0.0.1.

    Attributes, valid after `start()`:
        host: "127.0.0.1"
        port: plain IMAP port (no TLS; LOGIN allowed)
        tls_port: IMAPS port (implicit TLS)
        cafile: the self-signed certificate (PEM) to trust for `tls_port`
        directory: the server's temp dir (config, users/, mail/, log)

    Args:
        tz: value of TZ for the server process, which decides the offset in which Dovecot
            reports INTERNALDATE (the instant does not change). None inherits ours.
    """

    def __init__(self, tz: str | None = None) -> None:
        self.host = HOST
        self.port = 0
        self.tls_port = 0
        self.tz = tz
        self.directory: Path | None = None
        self._dovecot = ""
        self._doveadm = ""
        self._proc: subprocess.Popen[bytes] | None = None
        self._users: dict[str, str] = {}

    # -- lifecycle -------------------------------------------------------------------------

    @property
    def cafile(self) -> Path:
        return self._dir / "cert.pem"

    @property
    def config_path(self) -> Path:
        return self._dir / "dovecot.conf"

    @property
    def _dir(self) -> Path:
        if self.directory is None:
            raise RuntimeError("DovecotServer is not started")
        return self.directory

    def start(self) -> DovecotServer:
        """Create the temp dir, config and certificate, start Dovecot and wait for its ports.

        Raises DovecotUnavailableError (with the log's tail) when it cannot run here.
        """
        self._dovecot, self._doveadm = _check_installed()
        ident = _identity()
        if shutil.which("openssl") is None:
            raise DovecotUnavailableError("the `openssl` command is needed to make a certificate")
        self.directory = Path(tempfile.mkdtemp(prefix="dv", dir="/tmp"))
        try:
            self._prepare(ident)
            last_error: DovecotUnavailableError | None = None
            # A free port can be taken between our probe and Dovecot's bind: retry that.
            for _attempt in range(3):
                try:
                    self._launch(ident)
                    return self
                except DovecotUnavailableError as exc:
                    last_error = exc
                    if "in use" not in str(exc):
                        break
            assert last_error is not None
            raise last_error
        except BaseException:
            self.stop()
            raise

    def _prepare(self, ident: _Identity) -> None:
        d = self._dir
        for sub in ("run", "state", "mail", "home", "users"):
            (d / sub).mkdir()
        (d / "users").chmod(0o755)
        make_certificate(d / "cert.pem", d / "key.pem")
        (d / "cert.pem").chmod(0o644)
        if os.geteuid() == 0:
            # auth runs as `dovecot` and must read users/; mail is written as nobody.
            d.chmod(0o755)
            for sub in ("mail", "home"):
                os.chown(d / sub, ident.uid, ident.gid)

    def _launch(self, ident: _Identity, keep_ports: bool = False) -> None:
        d = self._dir
        if not keep_ports:
            self.port, self.tls_port = free_port(), free_port()
            while self.tls_port == self.port:
                self.tls_port = free_port()
        self.config_path.write_text(
            _CONF_TEMPLATE.format(
                host=self.host, d=d, port=self.port, tls_port=self.tls_port, **ident._asdict()
            ),
            encoding="utf-8",
        )
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        if self.tz is not None:
            env["TZ"] = self.tz  # Dovecot's default import_environment passes TZ on
        with (d / "stderr.log").open("ab") as err:
            self._proc = subprocess.Popen(
                [self._dovecot, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err, env=env,
            )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        pending = [self.port, self.tls_port]
        while pending:
            if self._proc.poll() is not None:
                self._proc = None
                raise DovecotUnavailableError(f"Dovecot exited at start:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self._terminate()
                raise DovecotUnavailableError(
                    f"Dovecot did not accept on {self.host}:{pending} within "
                    f"{START_TIMEOUT_SECONDS:.0f} s:\n{self.log_tail()}"
                )
            try:
                with socket.create_connection((self.host, pending[0]), timeout=1):
                    pending.pop(0)
            except OSError:
                time.sleep(0.05)

    def halt(self) -> None:
        """Stop Dovecot as a server restart would, but keep its ports, users and mail for
        `restart()`: open sessions get `BYE Server shutting down.` and are closed, new
        connections are refused.

        Stopping only the master is not enough: Dovecot 2.3 leaves running sessions behind
        (an IDLE client would go on seeing new mail). So the master is paused (no new
        sessions), its children are told to stop, then the master is stopped.
        """
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGSTOP)
            try:
                for child in self._sessions():
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(child, signal.SIGTERM)
                os.kill(proc.pid, signal.SIGTERM)  # acted on when it continues
            finally:
                os.kill(proc.pid, signal.SIGCONT)
        self._terminate()

    def restart(self) -> None:
        """Start Dovecot again after `halt()`, on the same ports, with the same users and mail.

        Raises DovecotUnavailableError when it does not come back (e.g. a port was taken).
        """
        if self._proc is not None:
            raise RuntimeError("Dovecot is running; halt() it first")
        self._launch(_identity(), keep_ports=True)

    def stop(self) -> None:
        """Stop Dovecot and delete its temp dir. Safe to call twice."""
        self._terminate()
        if self.directory is not None:
            shutil.rmtree(self.directory, ignore_errors=True)
            self.directory = None

    def _terminate(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.terminate()  # SIGTERM: the master stops its children and exits
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)

    def __enter__(self) -> DovecotServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of Dovecot's log and stderr, for error messages."""
        parts = []
        for name in ("stderr.log", "dovecot.log"):
            path = self._dir / name
            if path.exists():
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()
                parts.append(f"--- {name}\n" + "\n".join(text[-lines:]))
        return "\n".join(parts) or "(no log)"

    # -- users -----------------------------------------------------------------------------

    def add_user(self, name: str) -> ImapUser:
        """Create a mailbox user with a random password and check that it can log in.

        `name` may use letters, digits and `._@-`. Returns ImapUser(name, password).
        """
        if not _USERNAME_RE.fullmatch(name) or name.startswith("."):
            raise ValueError(f"username {name!r}: use 1-100 of A-Z a-z 0-9 . _ @ -")
        if name in self._users:
            raise ValueError(f"user {name!r} already exists")
        password = secrets.token_hex(12)
        # One passwd-file per user (the passdb path ends in %u). Dovecot re-checks a
        # passwd-file at most once a second, so adding lines to one shared file made the
        # first login fail, and each failure then costs seconds of auth delay and penalty.
        # Written aside and renamed, so that Dovecot never reads half a line.
        tmp = self._dir / f"users.{name}.tmp"
        tmp.write_text(f"{name}:{{PLAIN}}{password}::::::\n", encoding="utf-8")
        tmp.chmod(0o644)  # read by the auth process, which runs as `dovecot` under root
        tmp.replace(self._dir / "users" / name)
        self._users[name] = password
        user = ImapUser(name, password)
        deadline = time.monotonic() + LOGIN_TIMEOUT_SECONDS
        while True:
            try:
                self.client(user).logout()
                return user
            except Exception as exc:
                if time.monotonic() > deadline:
                    raise DovecotUnavailableError(
                        f"new user {name!r} cannot log in: {exc}\n{self.log_tail()}"
                    ) from exc
                time.sleep(0.2)

    def _user(self, user: str | ImapUser) -> ImapUser:
        name = user.name if isinstance(user, ImapUser) else user
        try:
            return ImapUser(name, self._users[name])
        except KeyError:
            raise KeyError(f"no user {name!r} on this server; call add_user first") from None

    # -- mailbox helpers -------------------------------------------------------------------

    def client(self, user: str | ImapUser) -> Any:
        """An IMAPClient logged in as `user` on the plain port, with normalise_times off.

        The caller logs out (or uses it as a context manager).
        """
        name, password = self._user(user)
        c = IMAPClient(
            self.host, port=self.port, ssl=False, timeout=SocketTimeout(connect=10, read=60)
        )
        try:
            c.normalise_times = False
            c.login(name, password)
        except BaseException:
            with contextlib.suppress(Exception):
                c.shutdown()
            raise
        return c

    @contextlib.contextmanager
    def _session(self, user: str | ImapUser) -> Iterator[Any]:
        c = self.client(user)
        try:
            yield c
        finally:
            with contextlib.suppress(Exception):
                c.logout()

    def append(
        self,
        user: str | ImapUser,
        folder: str,
        raw: bytes,
        internaldate: datetime,
        flags: Iterable[bytes | str] = (),
    ) -> int:
        """APPEND `raw` to `folder` with INTERNALDATE `internaldate` (must be aware).

        Returns the new message's UID (from Dovecot's APPENDUID).
        """
        if internaldate.tzinfo is None or internaldate.utcoffset() is None:
            # imapclient would read a naive time in this machine's zone.
            raise ValueError("internaldate must be an aware datetime")
        with self._session(user) as c:
            response = c.append(folder, raw, flags=tuple(flags), msg_time=internaldate)
        match = _APPENDUID_RE.search(response)
        if match is None:
            raise RuntimeError(f"APPEND gave no APPENDUID: {response!r}")
        return int(match.group(1))

    def create_folder(self, user: str | ImapUser, name: str) -> None:
        """Create and subscribe `name` (str; imapclient encodes modified UTF-7, so Vietnamese
        names work). Use `/` for hierarchy."""
        with self._session(user) as c:
            c.create_folder(name)
            c.subscribe_folder(name)

    def flags(self, user: str | ImapUser, folder: str) -> dict[int, tuple[bytes, ...]]:
        """Stored flags of every message in `folder`, read with EXAMINE.

        `\\Recent` is left out: it belongs to a session, not to the message.
        Example: {1: (b"\\Seen",), 2: ()}
        """
        with self._session(user) as c:
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            if not uids:
                return {}
            fetched = c.fetch(list(uids), ["FLAGS"])
        return {
            uid: tuple(sorted(f for f in data[b"FLAGS"] if f != b"\\Recent"))
            for uid, data in sorted(fetched.items())
        }

    def kick(self, user: str | ImapUser) -> bool:
        """Drop every IMAP session of `user` from the server side (doveadm kick).

        Returns False when `user` had no session to drop.
        """
        name = self._user(user).name
        done = subprocess.run(
            [self._doveadm, "-c", str(self.config_path), "kick", name],
            capture_output=True, text=True, timeout=30, check=False,
        )  # fmt: skip
        if done.returncode == _EX_NOUSER:
            return False
        if done.returncode != 0:
            raise RuntimeError(f"doveadm kick {name} failed: {done.stderr.strip()}")
        return True

    def append_many(
        self,
        user: str | ImapUser,
        folder: str,
        messages: Sequence[tuple[bytes, datetime]],
        chunk: int = 100,
    ) -> None:
        """APPEND many `(raw, internaldate)` pairs to `folder` with MULTIAPPEND (RFC 3502),
        `chunk` per command, in order (so UIDs follow the list). Dates must be aware."""
        for _raw, when in messages:
            if when.tzinfo is None or when.utcoffset() is None:
                raise ValueError("internaldate must be an aware datetime")
        with self._session(user) as c:
            for start in range(0, len(messages), chunk):
                c.multiappend(
                    folder,
                    [{"msg": raw, "date": when} for raw, when in messages[start : start + chunk]],
                )

    def uidvalidity(self, user: str | ImapUser, folder: str) -> int:
        """The folder's current UIDVALIDITY (from STATUS)."""
        with self._session(user) as c:
            status = c.folder_status(folder, [b"UIDVALIDITY"])
        return int(status[b"UIDVALIDITY"])

    def delete_folder(self, user: str | ImapUser, name: str) -> None:
        """Unsubscribe and delete `name` with every message in it. Creating it again gives
        it a new UIDVALIDITY, as after a server migration or a restore."""
        with self._session(user) as c:
            c.unsubscribe_folder(name)
            c.delete_folder(name)

    def rename_folder(self, user: str | ImapUser, old: str, new: str) -> None:
        """RENAME `old` to `new` and move the subscription. Messages and UIDs are kept."""
        with self._session(user) as c:
            c.rename_folder(old, new)
            with contextlib.suppress(Exception):
                c.unsubscribe_folder(old)
            c.subscribe_folder(new)

    def expunge(self, user: str | ImapUser, folder: str, uids: Iterable[int]) -> None:
        """Delete the messages `uids` from `folder` for good (STORE \\Deleted, UID EXPUNGE)."""
        wanted = list(uids)
        with self._session(user) as c:
            c.select_folder(folder)
            c.add_flags(wanted, [b"\\Deleted"])
            c.expunge(wanted)

    def _sessions(self) -> dict[int, str]:
        """This server's logged-in IMAP sessions: {pid: title}, the title (verbose_proctitle)
        being "USER IP" or "USER IP STATE", e.g. {4242: "unit-a 127.0.0.1 IDLE"}."""
        if self._proc is None:
            return {}
        found = {}
        for pid in _children(self._proc.pid):
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue  # gone meanwhile
            text = cmdline.rstrip(b"\0").decode("utf-8", errors="replace")
            if text.startswith("dovecot/imap [") and text.endswith("]"):
                found[pid] = text.removeprefix("dovecot/imap [").removesuffix("]")
        return found

    def idle_sessions(self, user: str | ImapUser) -> list[int]:
        """The process ids of `user`'s IMAP sessions on this server that are in IDLE now
        (one process per session; a reconnected session has a new id)."""
        name = self._user(user).name
        return sorted(
            pid
            for pid, title in self._sessions().items()
            if title.startswith(f"{name} ") and title.endswith(" IDLE")
        )
