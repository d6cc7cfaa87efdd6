"""Generate a realistic office mailbox and load it into a throwaway Dovecot.

    .venv/bin/python bench/make_mailbox.py                     # 10,000 messages, seed 1
    .venv/bin/python bench/make_mailbox.py --messages 2000     # a quick one
    .venv/bin/python bench/make_mailbox.py --keep DIR          # leave the server running

The mailbox (see bench/_common.py): replies of 300 units to 20 notices, with Vietnamese subjects
(some without diacritics), questions, the office's own notices, auto-replies, bounces,
newsletters and duplicate deliveries; about 30% of messages carry 50 KB-25 MB of real files
(.docx, .pdf, .jpg photos with real image data, .zip). INTERNALDATEs follow the notices: replies
between a notice and its deadline, some late. Same (messages, seed), same bytes.

Generation is cached under the temp dir (or $MAILTALLY_BENCH_CACHE), keyed by (messages, seed),
so a second run only loads. `sync.py` imports `ensure_mailbox` and `running_mailbox` and does
everything in one process; this script alone prints what it made and how fast it loaded.
With `--keep DIR` the server stays up until Ctrl-C or SIGTERM, and DIR gets `server.json`
(host, port, user, password, ca.pem) and `config/settings.toml` for running mailtally against
it by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

# The repo first (its `outputs` package, not this folder's outputs.py), then the test helpers.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from servers.dovecot import DovecotServer, ImapUser

from bench._common import (
    GENERATOR_VERSION,
    MAILBOX_SIZES,
    PASSWORD_ENV,
    Plan,
    bench_roster,
    build_raw,
    cache_root,
    human_bytes,
    imap_source_toml,
    photo_pool,
    plan_messages,
    progress,
    write_config,
)

APPEND_MESSAGES = 100  # messages per MULTIAPPEND...
APPEND_BYTES = 48 * 1024 * 1024  # ...and at most this many bytes (a bigger message goes alone)
EXTRA_MESSAGES = 100  # generated beside the mailbox, for the "poll with 100 new" figure
IMAP_USER = "doankhoi"


@dataclass(frozen=True, slots=True)
class Entry:
    """One generated message on disk."""

    name: str  # relative to the mailbox's folder
    arrival: datetime  # the INTERNALDATE to give it
    size: int
    kind: str
    attach: int  # bytes of attached files before encoding
    seen: bool

    def line(self) -> str:
        return "\t".join((self.name, self.arrival.isoformat(), str(self.size), self.kind,
                          str(self.attach), str(int(self.seen))))

    @classmethod
    def parse(cls, line: str) -> Entry:
        name, arrival, size, kind, attach, seen = line.rstrip("\n").split("\t")
        return cls(name, datetime.fromisoformat(arrival), int(size), kind, int(attach),
                   seen == "1")


@dataclass(frozen=True, slots=True)
class GeneratedMailbox:
    """A generated mailbox in the cache: `entries` in arrival order, `extra` to append later."""

    directory: Path
    messages: int
    seed: int
    entries: tuple[Entry, ...]
    extra: tuple[Entry, ...]
    generation_seconds: float  # 0 when it came from the cache

    @property
    def total_bytes(self) -> int:
        return sum(e.size for e in self.entries)

    def raw(self, entry: Entry) -> bytes:
        return (self.directory / entry.name).read_bytes()

    def describe(self) -> list[str]:
        with_files = [e for e in self.entries if e.attach]
        kinds = Counter(e.kind for e in self.entries)
        biggest = max(self.entries, key=lambda e: e.size)
        lines = [
            f"mailbox: {len(self.entries):,} messages, {human_bytes(self.total_bytes)} "
            f"({self.total_bytes / 1e9:.2f} GB), seed {self.seed}",
            f"  with attachments: {len(with_files):,} "
            f"({100 * len(with_files) / max(len(self.entries), 1):.1f}%), files "
            f"{human_bytes(min((e.attach for e in with_files), default=0))}-"
            f"{human_bytes(max((e.attach for e in with_files), default=0))} per message, "
            f"median {human_bytes(sorted(e.attach for e in with_files)[len(with_files) // 2])}"
            if with_files else "  with attachments: none",
            f"  biggest message {human_bytes(biggest.size)}; "
            f"kinds: {', '.join(f'{k} {v}' for k, v in kinds.most_common())}",
            f"  INTERNALDATEs {self.entries[0].arrival:%Y-%m-%d} .. "
            f"{self.entries[-1].arrival:%Y-%m-%d}; {len(self.extra)} more kept for a later poll",
            f"  cached in {self.directory}",
        ]
        if self.generation_seconds:
            lines.append(f"  generated in {self.generation_seconds:.1f} s")
        return lines


def _build_one(task: tuple[Plan, int, str]) -> int:
    """Build one message and write it (atomically) unless a previous run already did."""
    plan, seed, path_text = task
    path = Path(path_text)
    if path.exists():
        return path.stat().st_size
    raw = build_raw(plan, seed)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(raw)
    tmp.replace(path)
    return len(raw)


def _generate(folder: Path, plans: Sequence[Plan], seed: int, workers: int, label: str
              ) -> list[Entry]:
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"{folder.name}/{i:06d}.eml" for i in range(1, len(plans) + 1)]
    tasks = [(plan, seed, str(folder.parent / name)) for plan, name in zip(plans, names,
                                                                          strict=True)]
    # Biggest first, so that the workers finish together.
    order = sorted(range(len(tasks)), key=lambda i: -plans[i].attach)
    sizes: dict[int, int] = {}
    done_bytes = 0
    step = max(len(tasks) // 10, 1)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_build_one, tasks[i]): i for i in order}
        for n, future in enumerate(as_completed(futures), start=1):
            sizes[futures[future]] = future.result()
            done_bytes += sizes[futures[future]]
            if n % step == 0 or n == len(tasks):
                progress(f"  {label}: {n:,}/{len(tasks):,} messages, {human_bytes(done_bytes)}")
    return [Entry(names[i], plans[i].arrival, sizes[i], plans[i].kind, plans[i].attach,
                  plans[i].seen) for i in range(len(plans))]


def ensure_mailbox(messages: int = 10_000, seed: int = 1, *, extra: int = EXTRA_MESSAGES,
                   workers: int | None = None) -> GeneratedMailbox:
    """The generated mailbox for (messages, seed): from the cache, or made now (in parallel)."""
    folder = cache_root() / f"mailbox-v{GENERATOR_VERSION}-n{messages}-s{seed}"
    index, extra_index = folder / "index.tsv", folder / "extra.tsv"
    started = time.perf_counter()
    fresh = not (index.exists() and extra_index.exists())
    if fresh:
        progress(f"generating {messages:,} messages (seed {seed}) into {folder} ...")
        roster = bench_roster()
        photo_pool()  # made once here, not in every worker
        workers = workers or os.cpu_count() or 1
        plans = plan_messages(messages, seed, roster, MAILBOX_SIZES)
        end = roster.period_end
        more = plan_messages(extra, seed, roster, MAILBOX_SIZES,
                             window=(end + timedelta(hours=1), end + timedelta(days=1)))
        entries = _generate(folder / "main", plans, seed, workers, "mailbox")
        # A seed of their own, so that the extra messages are not copies of the first ones.
        extra_entries = _generate(folder / "extra", more, -seed - 1, workers, "extra")
        for path, items in ((extra_index, extra_entries), (index, entries)):
            tmp = path.with_suffix(".tmp")
            tmp.write_text("".join(e.line() + "\n" for e in items), encoding="utf-8")
            tmp.replace(path)
    read = [
        tuple(Entry.parse(line) for line in p.read_text(encoding="utf-8").splitlines() if line)
        for p in (index, extra_index)
    ]
    return GeneratedMailbox(folder, messages, seed, read[0], read[1],
                            time.perf_counter() - started if fresh else 0.0)


# -- loading ------------------------------------------------------------------------------------


def append_entries(client: Any, mailbox: GeneratedMailbox, entries: Sequence[Entry],
                   folder: str = "INBOX", label: str = "") -> None:
    """MULTIAPPEND `entries` with their INTERNALDATEs and flags, in chunks."""
    batch: list[dict[str, Any]] = []
    batch_bytes = 0
    step = max(len(entries) // 10, 1)

    def flush() -> None:
        nonlocal batch, batch_bytes
        if batch:
            client.multiappend(folder, batch)
            batch, batch_bytes = [], 0

    for done, entry in enumerate(entries, start=1):
        if batch and (len(batch) >= APPEND_MESSAGES or batch_bytes + entry.size > APPEND_BYTES):
            flush()
        batch.append({"msg": mailbox.raw(entry), "date": entry.arrival,
                      "flags": [b"\\Seen"] if entry.seen else []})
        batch_bytes += entry.size
        if label and done % step == 0:
            progress(f"  {label}: {done:,}/{len(entries):,}")
    flush()


@dataclass(frozen=True, slots=True)
class LiveMailbox:
    """A started Dovecot holding the generated mailbox in INBOX."""

    server: DovecotServer
    user: ImapUser
    mailbox: GeneratedMailbox
    load_seconds: float

    @property
    def host(self) -> str:
        return self.server.host

    @property
    def port(self) -> int:
        return self.server.port

    def client(self) -> Any:
        """A logged-in IMAPClient on the plain port, with imaplib's debug trace off."""
        c = self.server.client(self.user)
        c._imap.debug = 0
        return c

    def append_extra(self, count: int | None = None) -> int:
        """Deliver the extra messages (all, or the first `count`); return how many."""
        entries = self.mailbox.extra[:count]
        c = self.client()
        try:
            append_entries(c, self.mailbox, entries)
        finally:
            with suppress(Exception):
                c.logout()
        return len(entries)


@contextmanager
def running_mailbox(mailbox: GeneratedMailbox) -> Iterator[LiveMailbox]:
    """Start a throwaway Dovecot, load `mailbox` into INBOX, yield it; stop it afterwards."""
    server = DovecotServer()
    server.start()
    try:
        user = server.add_user(IMAP_USER)
        progress(f"loading {len(mailbox.entries):,} messages into Dovecot "
                 f"({server.host}:{server.port}) ...")
        started = time.perf_counter()
        c = server.client(user)
        c._imap.debug = 0
        try:
            append_entries(c, mailbox, mailbox.entries, label="loaded")
            count = c.select_folder("INBOX", readonly=True)[b"EXISTS"]
        finally:
            with suppress(Exception):
                c.logout()
        if count != len(mailbox.entries):
            raise RuntimeError(f"INBOX holds {count} messages, expected {len(mailbox.entries)}")
        yield LiveMailbox(server, user, mailbox, time.perf_counter() - started)
    finally:
        server.stop()


def _keep(live: LiveMailbox, folder: Path) -> None:
    """Write server.json and a mailtally config into `folder`, then wait for Ctrl-C."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(live.server.cafile, folder / "ca.pem")
    info = {
        "host": live.host, "port": live.port, "tls_port": live.server.tls_port,
        "username": live.user.name, "password": live.user.password, "cafile": "ca.pem",
        "messages": len(live.mailbox.entries), "bytes": live.mailbox.total_bytes,
        "seed": live.mailbox.seed,
    }
    (folder / "server.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    config = write_config(folder / "config", bench_roster(),
                          imap_source_toml(live.host, live.port, live.user.name))
    print(json.dumps(info, indent=2))
    print(f"\nmailtally against it:\n  {PASSWORD_ENV}={live.user.password} "
          f"{sys.executable} run.py --config {config} once")
    print("\nDovecot keeps running; Ctrl-C (or SIGTERM) stops it and deletes its mail.",
          flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, signal.default_int_handler)  # even if started in background
    with suppress(KeyboardInterrupt):
        while True:
            time.sleep(3600)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=10_000, help="default 10000")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="leave Dovecot running; write server.json and config/ into DIR")
    parser.add_argument("--no-load", action="store_true",
                        help="only generate (or find in the cache); no Dovecot")
    args = parser.parse_args(argv)
    mailbox = ensure_mailbox(args.messages, args.seed)
    print("\n".join(mailbox.describe()))
    if args.no_load:
        return 0
    with running_mailbox(mailbox) as live:
        rate = mailbox.total_bytes / live.load_seconds / 1e6
        print(f"loaded into Dovecot in {live.load_seconds:.1f} s ({rate:.0f} MB/s, "
              f"{len(mailbox.entries) / live.load_seconds:.0f} msg/s, MULTIAPPEND of "
              f"<= {APPEND_MESSAGES} messages / {APPEND_BYTES // 2**20} MiB)")
        if args.keep:
            _keep(live, args.keep)
    return 0


if __name__ == "__main__":
    sys.exit(main())
