"""Two checkouts of mailtally, measured in turns on a shared, busy machine: CPU time first.

    .venv/bin/python bench/compare.py OLD_CHECKOUT NEW_CHECKOUT            # 3 rounds
    .venv/bin/python bench/compare.py ../base . --rounds 5 --messages 5000

Each checkout runs its own code with its own `.venv` (or this Python when it has none). In
each round, in alternating order, each checkout does:

- rebuild: `run(settings, poll=False, force=True)` on the outputs benchmark's store (300 units x
  20 requests x `--messages`, see bench/outputs.py), 3 times in one process after an untimed
  warm-up; CPU is the process's and that of the copy it forks for the tables (user + system);
- once: a whole `run.py once` process with nothing new on that store, 3 times (`wait4`);
- parse+place: every message of the checkout's tests/corpus received, keyed, parsed and
  placed, 3 times in one process after a warm-up, CPU per message.

The figure of each is the median over all rounds; wall times are printed beside, but on a
machine that others share only CPU time compares versions. Each checkout keeps its own copy of
the store (`compare-<name>/` in the benchmark cache; a newer version migrates and re-parses
what an older one wrote, and an older one may not read what a newer one wrote); the first run
makes it with that checkout's bench/outputs.py, which takes minutes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._common import cache_root

# Run inside a checkout's own Python: argv = root, settings.toml, repeats; prints JSON.
REBUILD = """
import inspect, json, resource, sys, time
from pathlib import Path
root, config, repeats = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
sys.path.insert(0, str(root))
from config import load_config
try:
    from app.runner import run
except ImportError:  # before the app/ layer
    from pipeline import run
settings = load_config(config)
kw = {"force": True} if "force" in inspect.signature(run).parameters else {}
def cpu():
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
run(settings, poll=False, **kw)
out = []
for _ in range(repeats):
    t, c = time.perf_counter(), cpu()
    run(settings, poll=False, **kw)
    out.append((time.perf_counter() - t, cpu() - c))
print(json.dumps(out))
"""

PARSE_PLACE = """
import json, sys, time
from pathlib import Path
root, repeats = Path(sys.argv[1]), int(sys.argv[2])
sys.path.insert(0, str(root))
from config import load_config
from ingest.sources import receipt_time_from_headers
from ingest.store import message_key_for
from matching.placement import MatchContext, place_message
from parsers.message import parse_message
settings = load_config(root / "tests" / "corpus" / "settings.toml")
folder = [s.path for s in settings.sources if s.kind == "eml_dir"][0]
raws = [p.read_bytes() for p in sorted(folder.glob("*.eml"))]
ctx = MatchContext(units=settings.units, requests=settings.requests,
                   own_addresses=settings.own_addresses, abbreviations=settings.abbreviations)
def once():
    for raw in raws:
        key, message_id = message_key_for(raw)
        parsed, _ = parse_message(raw, key, message_id, receipt_time_from_headers(raw))
        place_message(parsed, ctx)
once()
out = []
for _ in range(repeats):
    t, c = time.perf_counter(), time.process_time()
    once()
    out.append(((time.perf_counter() - t) / len(raws), (time.process_time() - c) / len(raws)))
print(json.dumps(out))
"""


def python_of(root: Path) -> str:
    own = root / ".venv" / "bin" / "python"
    return str(own) if own.exists() else sys.executable


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installation keeps its bytecode
    env.pop("MAILTALLY_NOW", None)
    return env


def store_for(root: Path, messages: int, seed: int) -> Path:
    """The checkout's own copy of the outputs benchmark's store; its settings.toml."""
    name = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    cache = cache_root() / f"compare-{root.name}-{name}"
    env = clean_env() | {"MAILTALLY_BENCH_CACHE": str(cache)}
    found = sorted(cache.glob(f"mailtally-bench/outputs-v*-n{messages}-s{seed}/ready"))
    if not found:
        print(f"{root}: making its store (bench/outputs.py --messages {messages}) ...",
              file=sys.stderr, flush=True)
        subprocess.run([python_of(root), str(root / "bench" / "outputs.py"), "--messages",
                        str(messages), "--seed", str(seed), "--repeats", "1"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        found = sorted(cache.glob(f"mailtally-bench/outputs-v*-n{messages}-s{seed}/ready"))
    return found[-1].parent / "settings.toml"


def child(root: Path, *args: str) -> list[tuple[float, float]]:
    done = subprocess.run([python_of(root), "-c", *args], env=clean_env(), check=True,
                          capture_output=True, text=True)
    return [(w, c) for w, c in json.loads(done.stdout.strip().splitlines()[-1])]


def once_process(root: Path, config: Path) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen([python_of(root), str(root / "run.py"), "--config", str(config),
                             "once"], env=clean_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{root}: `once` failed")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("checkouts", type=Path, nargs=2, metavar="CHECKOUT")
    parser.add_argument("--rounds", type=int, default=3, help="default 3")
    parser.add_argument("--messages", type=int, default=20_000, help="default 20000")
    parser.add_argument("--seed", type=int, default=1, help="default 1")
    args = parser.parse_args(argv)
    roots = [c.resolve() for c in args.checkouts]
    configs = {root: store_for(root, args.messages, args.seed) for root in roots}
    results: dict[Path, dict[str, list[tuple[float, float]]]] = {
        root: {"rebuild": [], "once": [], "parse+place": []} for root in roots}
    loads = [os.getloadavg()[0]]
    for n in range(args.rounds):
        for root in roots if n % 2 == 0 else roots[::-1]:
            config = configs[root]
            results[root]["rebuild"] += child(root, REBUILD, str(root), str(config), "3")
            results[root]["once"] += [once_process(root, config) for _ in range(3)]
            results[root]["parse+place"] += child(root, PARSE_PLACE, str(root), "3")
        loads.append(os.getloadavg()[0])
        print(f"round {n + 1}/{args.rounds} done, load {loads[-1]:.1f}", file=sys.stderr,
              flush=True)
    print(f"{'checkout':<28} {'figure':<12} {'CPU median':>12} {'CPU min':>10} {'wall median':>12}")
    for root in roots:
        for figure, pairs in results[root].items():
            scale, unit = (1000, "ms") if figure != "rebuild" else (1, "s")
            cpu = [c * scale for _, c in pairs]
            wall = [w * scale for w, _ in pairs]
            print(f"{str(root)[-28:]:<28} {figure:<12} {statistics.median(cpu):>9.3f} {unit} "
                  f"{min(cpu):>7.3f} {unit} {statistics.median(wall):>9.3f} {unit}")
    print(f"1-minute load average: {', '.join(f'{x:.1f}' for x in loads)} "
          f"({os.cpu_count()} cores); parse+place is per message")
    return 0


if __name__ == "__main__":
    sys.exit(main())
