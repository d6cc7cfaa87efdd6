"""`run.py once` interrupted for real while it ingests a few hundred messages from Dovecot: killed
with SIGKILL at several points (fetching, parsing, placing, writing the outputs), and cut off by
a Dovecot restart in the middle of a fetch. After each interruption a plain `once` must finish
the job, and the outputs must be those of a run that was never interrupted, byte for byte.
CONTRACT.md: "One message, once" and "Nothing lost" (issue #6).

Both tests APPEND the same mailbox: 12 units, one request, 292 messages (290 distinct) in two
FETCH batches (200 + 92); replies on time, late, split, by name from a Gmail address, in the
body with a Drive link; one reply delivered twice across the two batches (the second copy, with
a `Received:` line more, is the earlier one), one without a Message-ID delivered twice, unknown
senders and an auto-reply. `MAILTALLY_NOW` freezes the clock of every run.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import pytest
from eml_builders import build_message, docx, jpg, pdf
from harness import PASSWORD_ENV, REPO_ROOT, REQUEST_ID, RunMailtally, WriteConfig
from servers.dovecot import DovecotServer, ImapUser

from app.workers import START_AFTER_NEW_ENV
from ingest.store import message_key_for

pytestmark = pytest.mark.integration


NOW = "2023-08-20T09:00:00+07:00"  # after the deadline: units without a reply are `missing`
FETCH_BATCH = 200  # ingest.sources.FETCH_BATCH: UIDs per FETCH, one commit each
NOTES_PER_UNIT = 23
RUN_TIMEOUT = 60.0
ORPHAN_GRACE = 2.0  # seconds a killed run's own processes get to end by themselves

# code -> (name, roster address)
UNITS = {
    "D01": ("Đoàn Thanh niên Sở Tài chính", "doantn.stc@example.gov.vn"),
    "D02": ("Đoàn Thanh niên Sở Kế hoạch và Đầu tư", "dtn.skhdt@example.gov.vn"),
    "D03": ("Chi đoàn Bảo hiểm xã hội tỉnh", "chidoan.bhxh@example.gov.vn"),
    "D04": ("Đoàn Thanh niên Sở Y tế", "doantn.syt@example.gov.vn"),
    "D05": ("Đoàn Thanh niên Sở Giáo dục và Đào tạo", "doantn.sgddt@example.gov.vn"),
    "D06": ("Đoàn Thanh niên Sở Tư pháp", "doantn.stp@example.gov.vn"),
    "D07": ("Đoàn Thanh niên Sở Xây dựng", "doantn.sxd@example.gov.vn"),
    "D08": ("Đoàn Thanh niên Sở Nội vụ", "doantn.snv@example.gov.vn"),
    "D09": ("Đoàn Thanh niên Sở Khoa học và Công nghệ", "doantn.skhcn@example.gov.vn"),
    "D10": ("Đoàn Thanh niên Cục Thuế tỉnh", "doantn.cucthue@example.gov.vn"),
    "D11": ("Đoàn Thanh niên Sở Công Thương", "doantn.sct@example.gov.vn"),
    "D12": ("Chi đoàn Kho bạc Nhà nước tỉnh", "chidoan.kbnn@example.gov.vn"),
}
UNITS_CSV = "code,name,emails,aliases\n" + "".join(
    f"{code},{name},{address},\n" for code, (name, address) in UNITS.items()
)


def utc(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """August 2023, UTC. The deadline, 2023-08-11 11:00 in Hà Nội, is 04:00 UTC on the 11th."""
    return datetime(2023, 8, day, hour, minute, second, tzinfo=UTC)


# -- the mailbox --------------------------------------------------------------------------------


class Mail(NamedTuple):
    raw: bytes
    internaldate: datetime


def note(code: str, n: int) -> Mail:
    """A small placed message without evidence (a question about the notice)."""
    name, address = UNITS[code]
    when = utc(4, 1) + timedelta(hours=7 * n, minutes=int(code[1:]))  # 4 Aug .. 10 Aug
    raw = build_message(
        sender=address,
        subject=f"Hỏi về Thông báo {REQUEST_ID} (lần {n})",
        body=f"{name} xin hỏi thêm về thời hạn nộp, câu hỏi số {n}.\n",
        date=when,
        message_id=f"<note-{code.lower()}-{n}@example.gov.vn>",
    )
    return Mail(raw, when)


def reply(
    code: str,
    when: datetime,
    *,
    files: tuple[str, ...] = ("docx", "jpg"),
    part: int = 0,
    sender: str | None = None,
    body: str = "",
    message_id: bool = True,
) -> Mail:
    """Unit `code`'s reply to the notice with the files named in `files` (docx, pdf, jpg);
    `part` n > 0 for the n-th email of a reply split over several."""
    name, address = UNITS[code]
    tag = f" phần {part}" if part else ""
    makers = {
        "docx": lambda: docx(f"Báo cáo {code}{tag}.docx", size=9_000 + 700 * int(code[1:])),
        "pdf": lambda: pdf(f"Báo cáo {code}{tag}.pdf", size=11_000),
        "jpg": lambda: jpg(f"Ảnh {code}{tag}.jpg", size=14_000 + 900 * int(code[1:])),
    }
    raw = build_message(
        sender=sender or address,
        sender_name=name,
        subject=f"Báo cáo kết quả Ngày hoạt động cao điểm ({REQUEST_ID}) - {name}{tag}",
        body=body or f"Kính gửi Văn phòng Đoàn Khối,\n{name} xin gửi báo cáo.\nTrân trọng.\n",
        date=when - timedelta(minutes=3),
        message_id=f"<bc-178-{code.lower()}-{part}@example.gov.vn>" if message_id else None,
        attachments=[makers[kind]() for kind in files],
    )
    return Mail(raw, when)


def redelivered(mail: Mail, when: datetime) -> Mail:
    """The same message by a second delivery route: one `Received:` line more, another time."""
    hop = (
        "Received: from relay.example.gov.vn (relay.example.gov.vn [192.0.2.25])\r\n"
        f"\tby mail.example.gov.vn; {when.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\n"
    ).encode("ascii")
    return Mail(hop + mail.raw, when)


def mailbox() -> list[Mail]:
    """The mailbox, in UID order: notes with the replies and the rest spread among them, so
    that both FETCH batches hold replies, and duplicates straddle the batch boundary."""
    sentence = (
        "Đoàn Thanh niên Sở Tư pháp báo cáo kết quả Ngày hoạt động cao điểm: tổ chức tình "
        "nguyện hè, sinh hoạt chuyên đề, thăm hỏi thiếu nhi có hoàn cảnh khó khăn trong kỳ "
        "nghỉ hồng, với 52 đoàn viên tham gia và 14 phần quà được trao. "
    )
    long_body = (  # a report of over 300 characters in the body, photos as a Drive link
        "Kính gửi Văn phòng Đoàn Khối,\n"
        + sentence * 2
        + "\nẢnh hoạt động: https://drive.google.com/drive/folders/1aBcD-stp-178\n"
    )
    d04 = reply("D04", utc(11, 4, 30))  # arrives late at first...
    d09 = reply("D09", utc(11, 3, 45), message_id=False)
    extra = [
        reply("D01", utc(11, 3, 30)),
        reply("D02", utc(11, 5, 10), files=("pdf", "jpg")),
        reply("D03", utc(11, 3, 0), files=("docx",), part=1),
        d04,
        reply("D05", utc(12, 2, 0)),
        reply("D06", utc(11, 2, 15), files=(), body=long_body),
        reply("D07", utc(11, 3, 55), files=("jpg",)),
        d09,
        reply("D10", utc(11, 4, 1, 30), files=("pdf", "jpg")),
        reply("D11", utc(10, 9, 0), sender="bithu.sct.2023@gmail.com"),
        reply("D03", utc(11, 6, 0), files=("jpg",), part=2),
        Mail(
            build_message(
                sender="news@baomoi.example.com",
                subject="Bản tin sáng",
                body="Tin tức trong ngày.\n",
                date=utc(9, 0),
                message_id="<news-1@baomoi.example.com>",
            ),
            utc(9, 0),
        ),
        Mail(
            build_message(
                sender="doantn.snv@example.gov.vn",
                subject="Trả lời tự động: Thông báo 178-TB/ĐTN",
                body="Tôi đang nghỉ phép đến ngày 14/8.\n",
                date=utc(3, 2),
                message_id="<auto-snv@example.gov.vn>",
                extra_headers={"Auto-Submitted": "auto-replied"},
            ),
            utc(3, 2),
        ),
        Mail(
            build_message(
                sender="vanthu@example.com",
                subject="Mời họp",
                body="Kính mời dự họp.\n",
                date=utc(8, 1),
                message_id="<moi-hop@example.com>",
                attachments=[pdf("Giấy mời.pdf", size=9_000)],
            ),
            utc(8, 1),
        ),
    ]
    notes = [note(code, n) for n in range(NOTES_PER_UNIT) for code in UNITS]
    out: list[Mail] = []
    step = len(notes) // len(extra)
    for i, mail in enumerate(notes):
        out.append(mail)
        if i % step == step // 2 and i // step < len(extra):
            out.append(extra[i // step])
    # ...and again by a second route, earlier: the first arrival counts (second batch).
    out.append(redelivered(d04, utc(11, 3, 50)))
    out.append(d09)  # the same bytes again, without a Message-ID
    assert len(out) > FETCH_BATCH and out.index(d04) < FETCH_BATCH
    return out


MAILBOX = mailbox()
DISTINCT = len({message_key_for(m.raw)[0] for m in MAILBOX})


# -- running and observing `once` --------------------------------------------------------------


def child_env(user: ImapUser, workers_from: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    env[PASSWORD_ENV] = user.password
    env["MAILTALLY_NOW"] = NOW
    if workers_from:
        env[START_AFTER_NEW_ENV] = workers_from
    return env


def run_once(run_mailtally: RunMailtally, config: Path, user: ImapUser,
             workers_from: str = "") -> tuple[str, str]:
    env = {"MAILTALLY_NOW": NOW}
    if workers_from:
        env[START_AFTER_NEW_ENV] = workers_from
    code, out, err = run_mailtally(config, "once", password=user.password, env=env)
    assert code == 0, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}"
    return out, err


class State(NamedTuple):
    """What the data dir and output dir hold at one instant."""

    raw: int  # .eml files under data/raw (temporary files not counted)
    messages: int  # rows in the store
    parsed: int  # parse cache rows
    placements: int  # placement cache rows
    outputs_done: bool  # the run recorded its outputs as written
    report_stamp: int  # mtime_ns of out/report.csv, 0 when absent


def raw_files(data: Path) -> int:
    raw = data / "raw"
    return sum(1 for p in raw.rglob("*.eml") if not p.name.startswith(".")) if raw.exists() else 0


@contextlib.contextmanager
def read_store(data: Path) -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(f"file:{data / 'mailtally.db'}?mode=ro", uri=True, timeout=5)
    try:
        yield db
    finally:
        db.close()


def state(config: Path) -> State:
    data, out = config.parent / "data", config.parent / "out"
    counts: tuple[int, int, int, bool] = (0, 0, 0, False)
    if (data / "mailtally.db").exists():
        with contextlib.suppress(sqlite3.Error), read_store(data) as db:
            row = db.execute(
                "SELECT (SELECT count(*) FROM messages), (SELECT count(*) FROM parsed), "
                "(SELECT count(*) FROM placements), "
                "(SELECT count(*) FROM meta WHERE key = 'outputs')"
            ).fetchone()
            counts = (int(row[0]), int(row[1]), int(row[2]), bool(row[3]))
    report = out / "report.csv"
    stamp = report.stat().st_mtime_ns if report.exists() else 0
    return State(raw_files(data), *counts, stamp)


def phase(s: State) -> str:
    """Which stage a run stopped in, judged from what it left."""
    if s.messages < DISTINCT:
        return "fetch"
    if s.parsed < DISTINCT or s.placements < DISTINCT:
        return "parse/place"
    if not s.outputs_done:
        return "outputs"
    return "finished"


@dataclass
class Kill:
    """A point at which to SIGKILL `once`: when `ready(start, now, log)` first holds."""

    name: str
    ready: Callable[[State, State, str], bool]
    outcome: str = "not run"
    seconds: float = 0.0
    stopped_in: str = ""
    orphans: list[str] = field(default_factory=list)


def session_processes(sid: int) -> list[int]:
    """The processes of session `sid` that are still alive (zombies left out)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
            fields = stat.rsplit(")", 1)[-1].split()
            # fields: state ppid pgrp session ...
            if len(fields) > 3 and fields[3] == str(sid) and fields[0] != "Z":
                found.append(int(entry.name))
    return found


def once_killed_at(kill: Kill, config: Path, user: ImapUser, log_path: Path,
                   workers_from: str = "") -> None:
    """Start `once`, SIGKILL it when `kill.ready` holds (the main process only, as the OOM
    killer or `timeout -s KILL` would), and note in `kill` what happened."""
    start = state(config)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "run.py", "--config", str(config), "once"],
            cwd=REPO_ROOT,
            env=child_env(user, workers_from),
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # what it starts (its parse process) can be found later
        )
    began = time.monotonic()
    try:
        while proc.poll() is None:
            assert time.monotonic() - began < RUN_TIMEOUT, f"{kill.name}: still running"
            text = log_path.read_text(encoding="utf-8", errors="replace")
            if kill.ready(start, state(config), text):
                proc.send_signal(signal.SIGKILL)
                break
            time.sleep(0.01)
        code = proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    kill.seconds = time.monotonic() - began
    kill.outcome = "killed" if code == -signal.SIGKILL else f"exited {code}"
    kill.stopped_in = phase(state(config))
    # A process the killed run started should end by itself once its parent is gone; what is
    # still there after ORPHAN_GRACE is noted, then ended here, by id.
    deadline = time.monotonic() + ORPHAN_GRACE
    while session_processes(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in session_processes(proc.pid):
        kill.orphans.append(f"{pid} {command_line(pid)}")
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def command_line(pid: int) -> str:
    """What `pid` runs, from its `-c` on (the interpreter's path left out)."""
    with contextlib.suppress(OSError):
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
        return " ".join(argv[argv.index("-c") :] if "-c" in argv else argv[1:])[:90]
    return "?"


# -- what the store and the outputs must hold ---------------------------------------------------

STORE_DB = ("mailtally.db", "mailtally.db-wal", "mailtally.db-shm")


def data_files(data: Path) -> dict[str, bytes]:
    """Every file of the data dir that passes for a whole one (relative path -> bytes): not the
    database, not hidden (the lock, temporary files), not named *.tmp."""
    found = {}
    for path in sorted(data.rglob("*")):
        rel = path.relative_to(data)
        if not path.is_file() or str(rel) in STORE_DB or path.name.endswith(".tmp"):
            continue
        if any(part.startswith(".") for part in rel.parts):
            continue
        found[str(rel)] = path.read_bytes()
    return found


def temp_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.tmp") if p.is_file())


def check_store(config: Path, whole: dict[str, bytes], label: str) -> None:
    """What a run leaves, however it ended ("Nothing lost"): every file that looks whole is
    whole (equal to the same file of an uninterrupted run), every stored row names raw bytes
    that are there and are that message, the sync state never runs ahead of the stored rows,
    and the parse cache names only attachment files that are there."""
    data = config.parent / "data"
    for rel, content in data_files(data).items():
        assert whole.get(rel) == content, f"{label}: {rel} is not a whole file of the store"
    if not (data / "mailtally.db").exists():
        return
    with read_store(data) as db:
        keys = set()
        for key, message_id, raw_path in db.execute(
            "SELECT message_key, message_id, raw_path FROM messages"
        ):
            raw = data / raw_path
            assert raw.is_file(), f"{label}: {key} is stored without its raw bytes"
            assert message_key_for(raw.read_bytes()) == (key, message_id), f"{label}: {raw_path}"
            keys.add(key)
        located = {}
        for folder, uidvalidity, uid, key in db.execute(
            "SELECT folder, uidvalidity, uid, message_key FROM locations"
        ):
            assert key in keys, f"{label}: UID {uid} points to a message not stored"
            located[(folder, uidvalidity, uid)] = key
        for folder, uidvalidity, last_uid in db.execute(
            "SELECT folder, uidvalidity, last_uid FROM sync_state"
        ):
            behind = [u for u in range(1, last_uid + 1) if (folder, uidvalidity, u) not in located]
            assert not behind, (
                f"{label}: sync state at UID {last_uid}, but {len(behind)} UIDs from "
                f"{behind[0]} not stored"
            )
        for key, record in db.execute("SELECT message_key, record FROM parsed"):
            assert key in keys, f"{label}: parse cache holds {key}, which is not stored"
            for attachment in json.loads(record)["attachments"]:
                if attachment["stored_path"]:
                    path = data / attachment["stored_path"]
                    assert path.is_file(), f"{label}: {key} names a missing {path.name}"
                    assert path.stat().st_size == attachment["size"], f"{label}: {path.name}"


def check_final(config: Path, clean: Path, clean_files: dict[str, bytes], label: str) -> None:
    """The outputs of `config` after recovery equal those of the uninterrupted run `clean`.

    report.csv and messages.csv hold no time of the run itself (the clock is MAILTALLY_NOW,
    receipt times are INTERNALDATEs), so they must match byte for byte; no column is left out.
    report.xlsx and report.html show when they were made and the last poll: not compared.
    """
    out, clean_out = config.parent / "out", clean.parent / "out"
    for name in ("report.csv", "messages.csv"):
        assert (out / name).read_bytes() == (clean_out / name).read_bytes(), f"{label}: {name}"
    # Every message once: one row each (one request), no key or Message-ID twice.
    with (out / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == DISTINCT, f"{label}: {len(rows)} rows for {DISTINCT} messages"
    assert len({r["message_key"] for r in rows}) == DISTINCT, label
    ids = [r["message_id"] for r in rows if r["message_id"]]
    assert len(ids) == len(set(ids)), f"{label}: a Message-ID is listed twice"
    # Nothing half-written left among the outputs: only the four files, no temporary one.
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in clean_out.iterdir()), (
        f"{label}: {sorted(p.name for p in out.iterdir())}"
    )
    data = config.parent / "data"
    assert data_files(data) == clean_files, f"{label}: the store's files differ"
    with read_store(data) as db:
        stored = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        located = db.execute("SELECT count(*) FROM locations").fetchone()[0]
    assert (stored, located) == (DISTINCT, len(MAILBOX)), label


# -- the tests ----------------------------------------------------------------------------------


def kill_points() -> list[Kill]:
    """Where `once` is killed, in this order, each run going on from what the last one left.
    Each point is a state a run reaches on its way, so that the kill lands inside the stage."""
    return [
        # Fetching the first batch: raw files written, nothing committed yet.
        Kill("fetch, first batch being stored", lambda s0, s, log: s.raw > 0),
        # The first batch committed (the parse process starts on it), the second being fetched.
        Kill("fetch, second batch", lambda s0, s, log: s.messages > s0.messages),
        # Polling done; the parse process is still parsing what this run fetched.
        Kill("parse, in the parse process", lambda s0, s, log: "event=polled" in log),
        # Parsing in this process, 100 messages per transaction: one chunk committed.
        Kill("parse, in this process", lambda s0, s, log: s.parsed > s0.parsed),
        # Placements committed; outputs about to be written.
        Kill("outputs, before report.csv", lambda s0, s, log: "event=placed" in log),
        # report.csv rewritten; messages.csv, report.xlsx and report.html not yet.
        Kill("outputs, after report.csv", lambda s0, s, log: s.report_stamp != s0.report_stamp),
    ]


# Where the messages are parsed: worker processes (as in a first sync of thousands), or the
# run's own process (as in a poll with fewer than app.workers.START_AFTER_NEW new messages).
@pytest.mark.parametrize("workers_from", ["50", str(10**9)],
                         ids=["worker processes", "in the run's process"])
def test_once_killed_at_six_points_ends_as_if_never_interrupted(
    dovecot: DovecotServer,
    imap_user: ImapUser,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    tmp_path: Path,
    workers_from: str,
) -> None:
    dovecot.append_many(imap_user, "INBOX", MAILBOX)
    clean = write_config(user=imap_user, server=dovecot, units_csv=UNITS_CSV, dirname="clean")
    began = time.monotonic()
    _, log = run_once(run_mailtally, clean, imap_user, workers_from)
    clean_seconds = time.monotonic() - began
    assert ("event=parse_process_started" in log) == (int(workers_from) < len(MAILBOX)), log
    clean_files = data_files(clean.parent / "data")

    config = write_config(user=imap_user, server=dovecot, units_csv=UNITS_CSV, dirname="killed")
    kills = kill_points()
    for i, kill in enumerate(kills, start=1):
        once_killed_at(kill, config, imap_user, tmp_path / f"kill-{i}.log", workers_from)
        check_store(config, clean_files, f"after kill {i} ({kill.name})")
    began = time.monotonic()
    run_once(run_mailtally, config, imap_user, workers_from)
    final_seconds = time.monotonic() - began

    print(
        f"\nuninterrupted once: {clean_seconds:.2f} s; final once after the kills: "
        f"{final_seconds:.2f} s; {len(MAILBOX)} messages, {DISTINCT} distinct"
    )
    for i, kill in enumerate(kills, start=1):
        print(
            f"kill {i} ({kill.name}): {kill.outcome} after {kill.seconds:.2f} s, "
            f"stopped in {kill.stopped_in}; left running: {kill.orphans or 'nothing'}"
        )
    print(f"temporary files left in the store: {temp_files(config.parent / 'data')}")

    landed = [k.stopped_in for k in kills if k.outcome == "killed"]
    assert len(landed) >= 4, [(k.name, k.outcome) for k in kills]
    assert {"fetch", "parse/place", "outputs"} <= set(landed), landed

    check_store(config, clean_files, "after recovery")
    check_final(config, clean, clean_files, "after recovery")

    # A killed run must not leave processes behind: a cron job killed every night would pile
    # them up. Checked last, so that the outputs above are judged whatever happens here.
    left = [(k.name, k.orphans) for k in kills if k.orphans]
    assert not left, f"processes of a killed `once` still running {ORPHAN_GRACE} s later: {left}"


def test_dovecot_restarted_mid_fetch_then_once_completes(
    own_dovecot: DovecotServer,
    write_config: WriteConfig,
    run_mailtally: RunMailtally,
    tmp_path: Path,
) -> None:
    server = own_dovecot
    user = server.add_user("restart")
    server.append_many(user, "INBOX", MAILBOX)
    clean = write_config(user=user, server=server, units_csv=UNITS_CSV, dirname="clean")
    run_once(run_mailtally, clean, user)
    clean_files = data_files(clean.parent / "data")

    config = write_config(user=user, server=server, units_csv=UNITS_CSV, dirname="cut")
    data = config.parent / "data"
    log_path = tmp_path / "cut.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "run.py", "--config", str(config), "once"],
            cwd=REPO_ROOT,
            env=child_env(user),
            stdout=log,
            stderr=log,
        )
    try:
        began = time.monotonic()
        # The first raw file: the first FETCH has been answered and is being stored; the
        # second is still to be sent.
        while raw_files(data) == 0 and proc.poll() is None:
            assert time.monotonic() - began < RUN_TIMEOUT, "once stored nothing"
            time.sleep(0.005)
        first_raw = time.monotonic() - began
        server.halt()
        halted = time.monotonic() - began
        code = proc.wait(timeout=RUN_TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    text = log_path.read_text(encoding="utf-8", errors="replace")
    cut = state(config)
    print(
        f"\nfirst raw file {first_raw:.2f} s into once, Dovecot down at {halted:.2f} s; "
        f"once exited {code} with {cut.messages} of {DISTINCT} messages stored"
    )
    source = f"imap:{user.name}@{server.host}"
    if code == 0:  # it had fetched everything before the server went away
        assert cut.messages == DISTINCT, text
    else:
        assert code == 1, text
        named = [line for line in text.splitlines() if f"{source}:" in line]
        assert named, f"no message names the source {source}:\n{text}"
        print(named[-1])
        assert 0 < cut.messages < DISTINCT, f"the halt did not land mid-fetch:\n{text}"
    check_store(config, clean_files, "after the outage")
    # What was stored before the server went away is in that run's outputs already.
    with (config.parent / "out" / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len({r["message_key"] for r in csv.DictReader(fh)}) == cut.messages

    server.restart()
    run_once(run_mailtally, config, user)

    check_store(config, clean_files, "after the restart")
    check_final(config, clean, clean_files, "after the restart")
