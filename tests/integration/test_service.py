"""`run.py serve` as the administrator runs it (a subprocess, stopped with SIGTERM), against a
real Dovecot: IMAP IDLE brings new mail in seconds, not at the next poll; a dropped connection
and a server that goes away and comes back cost no mail and no crash; and a SIGTERM in the
middle of a poll stops it at once without losing or doubling a message.

Each serve test has a Dovecot of its own, which it may stop and restart without disturbing the
other tests. `poll_minutes = 1`, so whatever arrives within a few seconds came through IDLE.
Every wait polls for its condition against a deadline.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from eml_builders import UNITS, UNITS_CSV, build_message, docx, jpg, utc
from harness import PASSWORD_ENV, REPO_ROOT, REQUEST_ID, ReadCsv, RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser

pytestmark = pytest.mark.integration


POLL_SECONDS = 60  # poll_minutes = 1
IDLE_PICKUP_SECONDS = 15.0  # well under POLL_SECONDS: only IDLE (or a reconnect) explains it
STOP_SECONDS = 10.0





def message_id_of(code: str, n: int = 1) -> str:
    return f"<178-{code.lower()}-{n}@example.gov.vn>"


def bare_id(message_id: str) -> str:
    return message_id.strip().removeprefix("<").removesuffix(">")


def reply(code: str) -> bytes:
    """Unit `code`'s complete reply (a .docx report and a photo) from its roster address."""
    name, address = UNITS[code]
    return build_message(
        sender=address,
        sender_name=name,
        subject=f"Báo cáo kết quả Ngày hoạt động cao điểm ({REQUEST_ID}) - {name}",
        body=f"Kính gửi Văn phòng Đoàn Khối,\n{name} xin gửi báo cáo.\nTrân trọng.\n",
        date=utc(3, 0),
        message_id=message_id_of(code),
        attachments=[docx(f"Báo cáo {code}.docx", size=8_000), jpg(f"Ảnh {code}.jpg", 12_000)],
    )


def short_note(code: str, n: int) -> bytes:
    """A small placed message without evidence (a question): cheap to send by the hundred."""
    name, address = UNITS[code]
    return build_message(
        sender=address,
        subject=f"Hỏi về Thông báo {REQUEST_ID} (lần {n})",
        body=f"{name} xin hỏi thêm về thời hạn nộp, câu hỏi số {n}.\n",
        date=utc(2, 0),
        message_id=f"<note-{code.lower()}-{n}@example.gov.vn>",
    )


def serve_config(write_config: WriteConfig, user: ImapUser, server: DovecotServer) -> Path:
    """A config on `server` (TLS) that polls every minute and writes no digest."""
    config = write_config(user=user, server=server, units_csv=UNITS_CSV)
    with config.open("a", encoding="utf-8") as fh:
        fh.write("\n[schedule]\npoll_minutes = 1\ndigest_times = []\n")
    return config


class Serve:
    """`python run.py --config CONFIG serve` in the background, its log in a file."""

    def __init__(self, config: Path, password: str) -> None:
        self.config = config
        self.log_path = config.parent / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
        env[PASSWORD_ENV] = password
        with self.log_path.open("wb") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "run.py", "--config", str(config), "serve"],
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def log(self, start: int = 0) -> str:
        """The log from byte `start` on."""
        with self.log_path.open("rb") as fh:
            fh.seek(start)
            return fh.read().decode("utf-8", errors="replace")

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def reported(self) -> dict[str, str]:
        """report.csv now, as {unit_code: messages} (empty before the first run writes it)."""
        path = self.config.parent / "out" / "report.csv"
        try:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                return {r["unit_code"]: r["messages"] for r in csv.DictReader(fh)}
        except FileNotFoundError:
            return {}

    def wait_for(
        self, condition: Callable[[], bool], timeout: float, what: str, every: float = 0.05
    ) -> float:
        """Poll `condition` every `every` seconds until true; return the seconds it took.
        Fails (with the log) on timeout or when serve exits meanwhile."""
        start = time.monotonic()
        while not condition():
            if self.proc.poll() is not None:
                pytest.fail(
                    f"serve exited ({self.proc.returncode}) while waiting for {what}:\n{self.log()}"
                )
            if time.monotonic() - start > timeout:
                pytest.fail(f"no {what} within {timeout:.0f} s; serve's log:\n{self.log()}")
            time.sleep(every)
        return time.monotonic() - start

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, float]:
        """Send `signum`; return (exit status, seconds to exit). Kills it after STOP_SECONDS."""
        start = time.monotonic()
        self.proc.send_signal(signum)
        try:
            code = self.proc.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
            pytest.fail(
                f"serve did not stop within {STOP_SECONDS:.0f} s of signal {signum}:\n{self.log()}"
            )
        return code, time.monotonic() - start

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def serving() -> Iterator[Callable[[Path, str], Serve]]:
    """Callable starting `serve`; whatever is still running at the end is killed."""
    started: list[Serve] = []

    def start(config: Path, password: str) -> Serve:
        started.append(Serve(config, password))
        return started[-1]

    yield start
    for s in started:
        s.kill()


def retry_delays(log: str) -> list[float]:
    """The delays of the poll retries in a part of serve's log (`event=poll_retry seconds=N`)."""
    return [float(s) for s in re.findall(r"event=poll_retry seconds=(\d+(?:\.\d+)?)", log)]


def test_serve_idle_wakeup_reconnect_outage_and_stop(
    own_dovecot: DovecotServer,
    write_config: WriteConfig,
    serving: Callable[[Path, str], Serve],
    read_csv: ReadCsv,
) -> None:
    server = own_dovecot
    user = server.add_user("serve-idle")
    server.append(user, "INBOX", reply("D01"), utc(3, 30))
    config = serve_config(write_config, user, server)

    out = config.parent / "out"
    serve = serving(config, user.password)
    # report.html is the last output a run writes.
    serve.wait_for(lambda: (out / "report.html").exists(), 30, "the first poll's report.html")
    assert serve.reported() == {"D01": "1", "D02": "0", "D03": "0", "D04": "0"}

    # IDLE wake-up: once serve is IDLE on INBOX, new mail shows up in seconds, announced by
    # the server (an EXISTS in the IDLE session, which serve logs as `reason=new_mail`).
    serve.wait_for(lambda: bool(server.idle_sessions(user)), 20, "IDLE session on the server")
    mark = serve.log_size()
    server.append(user, "INBOX", reply("D02"), utc(3, 40))
    took = serve.wait_for(
        lambda: serve.reported().get("D02") == "1", IDLE_PICKUP_SECONDS, "D02 in report.csv"
    )
    serve.wait_for(
        lambda: "event=idle_wakeup reason=new_mail" in serve.log(mark),
        IDLE_PICKUP_SECONDS,
        "IDLE wake-up for D02 in the log",
    )
    print(f"IDLE pickup: {took:.1f} s")

    # The server drops every connection (doveadm kick); mail arrives at once. Serve must
    # still see it well before the next timed poll, and go back to IDLE on a new session.
    kicked = set(server.idle_sessions(user))
    assert server.kick(user), "serve had no session to kick"
    server.append(user, "INBOX", reply("D03"), utc(3, 50))
    took = serve.wait_for(
        lambda: serve.reported().get("D03") == "1", IDLE_PICKUP_SECONDS, "D03 after the kick"
    )
    print(f"pickup after kick: {took:.1f} s")
    serve.wait_for(
        lambda: bool(set(server.idle_sessions(user)) - kicked), 20, "IDLE again after the kick"
    )

    # The server goes away. Serve logs the failure, keeps running and retries with growing
    # delays (no reconnect storm); mail that arrives as the server comes back is picked up.
    mark = serve.log_size()
    down_at = time.monotonic()
    server.halt()
    serve.wait_for(
        lambda: len(retry_delays(serve.log(mark))) >= 2,
        30,
        "two poll retries while the server is down",
    )
    down_for = time.monotonic() - down_at
    outage = serve.log(mark)
    delays = retry_delays(outage)
    assert delays[1] > delays[0], outage
    assert re.search(r"event=poll_failed .*(127\.0\.0\.1|không kết nối)", outage), outage
    attempts = len(re.findall(r"event=(poll_failed|idle_lost|idle_failed)", outage))
    assert attempts <= 2 + down_for / 2, f"{attempts} failures in {down_for:.0f} s:\n{outage}"
    assert serve.proc.poll() is None

    server.restart()
    server.append(user, "INBOX", reply("D04"), utc(4, 40))
    took = serve.wait_for(
        lambda: serve.reported().get("D04") == "1",
        POLL_SECONDS / 2,
        "D04 after the server came back",
    )
    print(f"down {down_for:.1f} s; pickup after restart: {took:.1f} s")

    code, took = serve.stop(signal.SIGTERM)
    print(f"stop: {took:.1f} s")
    log = serve.log()
    assert code == 0, log
    assert "event=serve_stopped" in log, log
    assert "Traceback" not in log, log

    messages = read_csv(out / "messages.csv")
    assert sorted(bare_id(r["message_id"]) for r in messages) == sorted(
        bare_id(message_id_of(c)) for c in UNITS
    )
    assert serve.reported() == {c: "1" for c in UNITS}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_a_poll_stops_promptly_and_loses_nothing(
    signum: int,
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    serving: Callable[[Path, str], Serve],
    read_csv: ReadCsv,
) -> None:
    notes = [
        (short_note(code, n), utc(2, 0) + timedelta(seconds=n)) for n in range(75) for code in UNITS
    ]
    dovecot.append_many(imap_user, "INBOX", notes)
    config = serve_config(write_config, imap_user, dovecot)
    raw = config.parent / "data" / "raw"

    def stored() -> int:
        return (
            sum(1 for p in raw.rglob("*.eml") if not p.name.startswith(".")) if raw.exists() else 0
        )

    serve = serving(config, imap_user.password)
    serve.wait_for(lambda: stored() > 0, 60, "the first message stored", every=0.002)
    # The outputs come last in a run: the signal is sure to land in the middle of it.
    in_time = not (config.parent / "out" / "messages.csv").exists()
    code, took = serve.stop(signum)
    log = serve.log()
    print(f"stop during the poll: {took:.1f} s, {stored()} of {len(notes)} stored")
    assert in_time, f"the signal came after the run:\n{log}"
    assert code == 0, log
    assert "event=serve_stopped" in log, log
    assert "Traceback" not in log, log

    code_once, out, err = run_mailtally(config, "once", password=imap_user.password)
    assert code_once == 0, f"exit {code_once}\nstdout:\n{out}\nstderr:\n{err}"
    rows = read_csv(config.parent / "out" / "messages.csv")
    assert len(rows) == len(notes)
    assert len({r["message_key"] for r in rows}) == len(notes)
    assert len({r["message_id"] for r in rows}) == len(notes)
    report = read_csv(config.parent / "out" / "report.csv")
    assert {r["unit_code"]: r["messages"] for r in report} == {c: "75" for c in UNITS}
