"""Ingestion benchmark: mailtally against a generated mailbox in a throwaway Dovecot.

    .venv/bin/python bench/sync.py                      # 10,000 messages (about 3.5 GB)
    .venv/bin/python bench/sync.py --messages 2000      # quicker
    .venv/bin/python bench/sync.py --profile DIR        # and where the time goes

In one run, on one mailbox (bench/make_mailbox.py: generated once, cached, loaded into a fresh
Dovecot on 127.0.0.1 with its INTERNALDATEs), it measures and prints with the targets of issue
#3 item 6:

- the floor: bare imapclient, batches of 200 UIDs of `INTERNALDATE BODY.PEEK[]`, every message
  written to disk, imaplib's debug trace off (best of two runs, one before and one after
  mailtally's first sync);
- mailtally's first sync, end to end (`run.py once` in a child process: fetch, store, parse,
  place, outputs), and its ratio to the floor, with the phases read from its log;
- a poll with nothing new inside a process (`ingest.sources.poll_source` on an open `Store`),
  and a whole `run.py once` process with nothing new (and whether it imported pandas
  or any other library that writes outputs);
- a `run.py once` after 100 new messages were delivered, and what they cost beyond a poll with
  nothing new, against what 100 messages cost in the first sync;
- peak RSS of every mailtally process (wait4's ru_maxrss);
- rebuilding the outputs for 300 units x 20 requests x 20,000 stored messages (bench/outputs.py).

Exit status: 0 when every target is met, 1 when one is not, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

# The repo first (its `outputs` package, not this folder's outputs.py), then the test helpers.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import (
    PASSWORD_ENV,
    ChildRun,
    Figure,
    bench_roster,
    code_version,
    heavy_imports,
    human_bytes,
    imap_source_toml,
    mailtally_argv,
    mailtally_env,
    median,
    print_profile,
    print_table,
    progress,
    run_child,
    summarise_cprofile,
    summarise_pyspy,
    write_config,
)
from bench.make_mailbox import LiveMailbox, ensure_mailbox, running_mailbox

FLOOR_BATCH = 200  # UIDs per FETCH, as the library notes measured the floor
RATIO_TARGET = 1.5  # first sync <= 1.5 x the floor
POLL_TARGET = 0.050  # seconds, a poll with nothing new inside the process
ONCE_TARGET = 1.5  # seconds, a whole `once` process with nothing new
RSS_TARGET = 300 * 2**20  # bytes
# The target names pandas; mailtally no longer uses it, and the libraries that write the outputs
# stand in for it: a poll with nothing new writes nothing, so it imports none of them.
OUTPUT_LIBRARIES = {"pandas", "openpyxl", "jinja2", "PIL"}
PROPORTION_SLACK = 2.0  # 100 new messages may cost up to 2x their share of the first sync
MIB = 2**20


@dataclass(frozen=True, slots=True)
class Floor:
    seconds: float
    messages: int
    bytes: int
    sync_seconds: float  # one os.sync() afterwards, not counted in `seconds`

    @property
    def rate(self) -> float:
        return self.bytes / self.seconds / 1e6


def fetch_floor(live: LiveMailbox, dest: Path, *, debug: bool = False) -> Floor:
    """Bare imapclient: every message's INTERNALDATE and BODY.PEEK[] to a file of its own."""
    from imapclient import IMAPClient
    from imapclient.imapclient import SocketTimeout

    dest.mkdir(parents=True)
    started = time.perf_counter()
    client = IMAPClient(live.host, port=live.port, ssl=False,
                        timeout=SocketTimeout(connect=15, read=120))
    if not debug:
        client._imap.debug = 0  # imapclient turns imaplib's trace on: 4x slower (notes, §1)
    client.normalise_times = False
    client.login(live.user.name, live.user.password)
    client.select_folder("INBOX", readonly=True)
    uids = sorted(client.search(["UID", "1:*"]))
    count = total = 0
    dates = []
    for start in range(0, len(uids), FLOOR_BATCH):
        response = client.fetch(uids[start:start + FLOOR_BATCH], ["INTERNALDATE", "BODY.PEEK[]"])
        for uid, data in response.items():
            body = data[b"BODY[]"]
            (dest / f"{uid}.eml").write_bytes(body)
            dates.append(f"{uid}\t{data[b'INTERNALDATE'].isoformat()}\n")
            count += 1
            total += len(body)
    (dest / "internaldates.tsv").write_text("".join(dates), encoding="utf-8")
    client.logout()
    seconds = time.perf_counter() - started
    synced = time.perf_counter()
    os.sync()
    return Floor(seconds, count, total, time.perf_counter() - synced)


def best_floor(live: LiveMailbox, work: Path, label: str, floors: list[Floor]) -> None:
    dest = work / "floor"
    floor = fetch_floor(live, dest)
    shutil.rmtree(dest)
    floors.append(floor)
    progress(f"  floor ({label}): {floor.seconds:.1f} s, {floor.rate:.0f} MB/s, "
             f"{floor.messages:,} messages (+{floor.sync_seconds:.1f} s os.sync)")
    expected = len(live.mailbox.entries)
    if floor.messages < expected:
        raise RuntimeError(f"the floor fetched {floor.messages} messages, expected {expected}")


def poll_in_process(config: Path, password: str, repeats: int) -> tuple[float, list[float]]:
    """(first call, later calls) of `poll_source` with nothing new, on one open Store."""
    from config import load_config
    from ingest.sources import poll_source
    from ingest.store import Store

    settings = load_config(config)
    os.environ[PASSWORD_ENV] = password
    store = Store(settings.data_dir)
    times = []
    try:
        for _ in range(repeats + 1):
            started = time.perf_counter()
            result = poll_source(settings.sources[0], store)
            times.append(time.perf_counter() - started)
            if result.new:
                raise RuntimeError(f"a poll with nothing new stored {result.new} messages")
    finally:
        store.close()
        del os.environ[PASSWORD_ENV]
    return times[0], times[1:]


_DONE = re.compile(r"(\d+)\D+(\d+)\D+(\d+)")


def counts(run: ChildRun) -> str:
    """'N stored, P placed, K need a person' from `once`'s last line but one."""
    for line in run.stdout.splitlines():
        m = _DONE.search(line)
        if m:
            return f"{int(m.group(1)):,} stored, {int(m.group(2)):,} placed, " \
                   f"{int(m.group(3)):,} need a person"
    return "?"


def phases(run: ChildRun) -> list[tuple[str, float, float]]:
    """The phases of a `once` from its log lines (spawn -> polled -> parsed -> done -> exit),
    as (label, start, end) in seconds from spawn."""
    polled = run.event_time("event=polled")
    parsed = run.event_time("event=parsed")
    done = run.event_time("event=run_done") or run.event_time("event=outputs_current")
    out = []
    if polled is not None:
        out.append(("start, connect, fetch + store (to `polled`)", 0.0, polled))
    if parsed is not None and polled is not None:
        out.append(("parse new messages (to `parsed`)", polled, parsed))
    if done is not None:
        before = parsed if parsed is not None else polled
        if before is not None:
            out.append(("place, status, outputs (to `run_done`)", before, done))
        out.append(("exit", done, run.seconds))
    return out


def phase_figures(run: ChildRun, digits: int) -> list[Figure]:
    return [Figure(f"  {label}", f"{end - start:.{digits}f} s")
            for label, start, end in phases(run)]


def peak_phase(run: ChildRun) -> str:
    """The phase in which the highest RSS was sampled."""
    for label, start, end in phases(run):
        if start <= run.peak_at <= end:
            return label.split(" (")[0]
    return "?"


def run_once(config: Path, password: str, label: str, *, python_flags: tuple[str, ...] = (),
             profile: Path | None = None, profiler: str = "cprofile") -> ChildRun:
    argv = mailtally_argv(config, "once", python_flags=python_flags, profile=profile,
                          profiler=profiler)
    run = run_child(argv, mailtally_env(password)).check(f"`once` ({label})")
    progress(f"  once ({label}): {run.seconds:.2f} s, peak RSS {run.max_rss / MIB:.0f} MiB; "
             f"{counts(run)}")
    return run


@dataclass
class Results:
    floors: list[Floor]
    firsts: list[ChildRun]
    poll_first: float
    polls: list[float]
    nothing: list[ChildRun]
    imports: dict[str, float]
    new: ChildRun
    new_count: int
    new_bytes: int
    messages: int
    total_bytes: int
    load_seconds: float


    @property
    def first(self) -> ChildRun:
        """The better first sync: the figure, as the better floor is."""
        return min(self.firsts, key=lambda c: c.seconds)


def figures(r: Results) -> list[Figure]:
    floor = min(r.floors, key=lambda f: f.seconds)
    ratio = r.first.seconds / floor.seconds
    every = ", ".join(f"{c.seconds:.1f}" for c in r.firsts)
    out = [
        Figure("mailbox", f"{r.messages:,} messages, {r.total_bytes / 1e9:.2f} GB, loaded in "
                          f"{r.load_seconds:.0f} s"),
        Figure("floor: imapclient batch fetch to disk, debug off",
               f"{floor.seconds:.1f} s ({floor.rate:.0f} MB/s), best of {len(r.floors)}"),
        Figure("  then one os.sync() of what it wrote (not counted)",
               f"{floor.sync_seconds:.1f} s"),
        Figure("first sync, end to end (`run.py once`)",
               f"{r.first.seconds:.1f} s = {ratio:.2f}x floor, best of {len(r.firsts)} "
               f"({every} s)", f"<= {RATIO_TARGET}x floor", ratio <= RATIO_TARGET),
    ]
    out += phase_figures(r.first, 1)
    cpu = r.first.cpu_user + r.first.cpu_system
    cores = os.cpu_count() or 1
    out.append(Figure("  CPU time, its workers included",
                      f"{cpu:.1f} s (user {r.first.cpu_user:.1f}, system "
                      f"{r.first.cpu_system:.1f}) = {cpu / r.first.seconds:.2f} cores busy on "
                      f"average, of {cores}"))
    # However well fetching, storing and parsing overlap, the run cannot end before its CPU
    # time spread over every core (the server's own CPU not even counted).
    out.append(Figure(f"  least wall time that CPU allows on {cores} cores",
                      f"{cpu / cores:.1f} s = {cpu / cores / floor.seconds:.2f}x floor"))
    out.append(Figure("  result", counts(r.first)))
    poll = median(r.polls)
    out.append(Figure("poll, nothing new, in process (`poll_source`)",
                      f"{poll * 1000:.1f} ms median of {len(r.polls)} "
                      f"(first call {r.poll_first * 1000:.0f} ms)",
                      f"<= {POLL_TARGET * 1000:.0f} ms", poll <= POLL_TARGET))
    once = median([n.seconds for n in r.nothing])
    writers = sorted(OUTPUT_LIBRARIES & r.imports.keys())
    out.append(Figure("`run.py once` process, nothing new",
                      f"{once:.2f} s median of {len(r.nothing)}", f"< {ONCE_TARGET} s",
                      once < ONCE_TARGET))
    out += phase_figures(r.nothing[0], 2)
    out.append(Figure("  pandas, or any library that writes outputs, imported on that path",
                      ", ".join(f"{n} ({r.imports[n]:.2f} s)" for n in writers) or "no", "no",
                      not writers))
    if r.imports:
        out.append(Figure("  notable imports (cumulative ms)", ", ".join(
            f"{k} {v * 1000:.0f}" for k, v in sorted(r.imports.items(), key=lambda kv: -kv[1]))))
    extra = r.new.seconds - once
    share = r.first.seconds * r.new_count / r.messages
    out.append(Figure(f"`run.py once` with {r.new_count} new messages",
                      f"{r.new.seconds:.2f} s: {extra:.2f} s beyond nothing new",
                      f"<= {PROPORTION_SLACK:.0f}x {share:.2f} s",
                      extra <= PROPORTION_SLACK * share))
    out.append(Figure("  (their share of the first sync)",
                      f"{r.new_count}/{r.messages:,} of {r.first.seconds:.1f} s = {share:.2f} s;"
                      f" {human_bytes(r.new_bytes)} vs {human_bytes(r.total_bytes)}"))
    out += phase_figures(r.new, 2)
    runs = [("first sync", max(r.firsts, key=lambda c: c.max_rss)),
            ("nothing new", max(r.nothing, key=lambda c: c.max_rss)),
            (f"{r.new_count} new", r.new)]
    peak = max(c.max_rss for _, c in runs)
    out.append(Figure("peak RSS of a mailtally process", f"{peak / MIB:.0f} MiB ("
                      + ", ".join(f"{n} {c.max_rss / MIB:.0f}" for n, c in runs) + ")",
                      f"<= {RSS_TARGET // MIB} MiB", peak <= RSS_TARGET))
    out += [Figure(f"  {n}: highest RSS sampled during", peak_phase(c)) for n, c in runs
            if c.max_rss > RSS_TARGET]
    return out


def measure(args: argparse.Namespace, work: Path) -> Results:
    mailbox = ensure_mailbox(args.messages, args.seed)
    for line in mailbox.describe():
        progress(line)
    with running_mailbox(mailbox) as live:
        progress(f"  loaded in {live.load_seconds:.1f} s")
        os.sync()  # the load's dirty pages are not mailtally's to flush
        password = live.user.password
        config = write_config(work / "config", bench_roster(),
                              imap_source_toml(live.host, live.port, live.user.name))
        floors: list[Floor] = []
        progress("floor ...")
        best_floor(live, work, "before", floors)
        progress("mailtally first sync ...")
        first = run_once(config, password, "first sync")
        progress("floor again ...")
        best_floor(live, work, "after", floors)
        firsts = [first]
        for n in range(2, args.first_repeats + 1):  # as the floor: the better run counts
            again = write_config(work / f"config-{n}", bench_roster(),
                                 imap_source_toml(live.host, live.port, live.user.name))
            os.sync()
            firsts.append(run_once(again, password, f"first sync, run {n}"))
            shutil.rmtree(again.parent / "data", ignore_errors=True)
            shutil.rmtree(again.parent / "out", ignore_errors=True)
            os.sync()
        progress("polls with nothing new ...")
        poll_first, polls = poll_in_process(config, password, args.poll_repeats)
        nothing = [run_once(config, password, "nothing new") for _ in range(args.once_repeats)]
        traced = run_once(config, password, "nothing new, -X importtime",
                          python_flags=("-X", "importtime"))
        imports = heavy_imports(traced.stderr)
        progress(f"delivering {args.new} new messages ...")
        count = live.append_extra(args.new)
        new = run_once(config, password, f"{count} new")
        if args.debug_floor:
            dest = work / "floor-debug"
            slow = fetch_floor(live, dest, debug=True)
            shutil.rmtree(dest)
            progress(f"  floor with imaplib's debug trace on: {slow.seconds:.1f} s "
                     f"({slow.rate:.0f} MB/s), "
                     f"{slow.seconds / min(f.seconds for f in floors):.1f}x the floor")
        if args.profile is not None:
            profile_first_sync(live, work, args.profile, args.profiler)
    return Results(floors, firsts, poll_first, polls, nothing, imports, new, count,
                   sum(e.size for e in mailbox.extra[:count]), len(mailbox.entries),
                   mailbox.total_bytes, live.load_seconds)


def profile_first_sync(live: LiveMailbox, work: Path, folder: Path, profiler: str) -> None:
    """A second first sync, into an empty data dir, under cProfile or py-spy."""
    folder.mkdir(parents=True, exist_ok=True)
    config = write_config(work / "profile-config", bench_roster(),
                          imap_source_toml(live.host, live.port, live.user.name))
    os.sync()
    path = folder / ("first_sync.prof" if profiler == "cprofile" else "first_sync.pyspy.txt")
    progress(f"profiling a first sync with {profiler} ...")
    run = run_once(config, live.user.password, f"first sync under {profiler}", profile=path,
                   profiler=profiler)
    summary = summarise_cprofile(path) if profiler == "cprofile" else summarise_pyspy(path)
    print_profile(f"profile of a first sync ({profiler}, {run.seconds:.1f} s wall; {path})",
                  summary, top=25)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=10_000, help="default 10000")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    parser.add_argument("--new", type=int, default=100, help="new messages for the poll "
                                                             "(default 100, at most 100)")
    parser.add_argument("--first-repeats", type=int, default=2,
                        help="first syncs, each into an empty data dir; the better one counts, "
                             "as for the floor (default 2)")
    parser.add_argument("--poll-repeats", type=int, default=10, help="default 10")
    parser.add_argument("--once-repeats", type=int, default=3, help="default 3")
    parser.add_argument("--outputs-messages", type=int, default=20_000,
                        help="stored messages for the outputs rebuild (default 20000)")
    parser.add_argument("--skip-outputs", action="store_true",
                        help="leave out the outputs rebuild (bench/outputs.py)")
    parser.add_argument("--debug-floor", action="store_true",
                        help="also fetch the floor with imaplib's debug trace on (slow)")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also profile a first sync and an outputs rebuild into DIR")
    parser.add_argument("--profiler", choices=("cprofile", "py-spy"), default="cprofile",
                        help="for the first sync (py-spy: pip install py-spy; needs ptrace)")
    parser.add_argument("--keep-data", action="store_true",
                        help="keep the work dir (mailtally's config, store and outputs)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="mailtally-bench-sync-"))
    try:
        results = measure(args, work)
        table = figures(results)
        if not args.skip_outputs:
            from bench import outputs as outputs_bench

            progress(f"outputs rebuild, {args.outputs_messages:,} stored messages ...")
            rebuild = outputs_bench.measure(args.outputs_messages, args.seed,
                                            profile_dir=args.profile)
            table += rebuild.figures()
    except Exception:
        traceback.print_exc()
        print("the benchmark itself failed (above)", file=sys.stderr)
        return 2
    finally:
        if args.keep_data:
            progress(f"work dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    print_table(f"mailtally ingestion benchmark ({results.messages:,} messages, seed {args.seed}; "
                f"code {code_version()})", table)
    return 0 if all(f.ok is not False for f in table) else 1


if __name__ == "__main__":
    sys.exit(main())
