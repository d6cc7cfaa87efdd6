"""Quality of the message matcher on the labelled corpus (tests/corpus/).

Every message of the corpus is parsed and placed as `mailtally once` would (receipt time from the
newest `Received:` header, the store's message key), then compared with tests/corpus/labels.csv:
the unit and the requests a careful clerk would give it, or the reason a clerk would set it aside.

Printed: unit precision (of the messages the matcher gave a unit, the share with the right one;
a unit given to a message that should get none counts as wrong), unit recall (placeable messages
that got the right unit), request precision and recall (the set of request ids), the share placed
among placeable messages, the set-aside messages with the right reason, the time per message,
then every difference, one per line, and every message the matcher did not place with its reason
and candidates.

Usage: python bench/matching.py [--corpus DIR] [--strict]
Exit status 0, unless --strict and unit precision < 100% or placed < 97% (then 1).
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path.pop(0)  # bench/ itself: this file would shadow the `matching` package
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from config import load_config  # noqa: E402
from ingest.sources import receipt_time_from_headers  # noqa: E402
from ingest.store import message_key_for  # noqa: E402
from matching.placement import MatchContext, place_message  # noqa: E402
from parsers.message import parse_message  # noqa: E402

DEFAULT_CORPUS = ROOT / "tests" / "corpus"
TARGET_PLACED = 0.97


@dataclass(frozen=True, slots=True)
class Label:
    """One row of labels.csv: what a careful clerk would do with the message."""

    file: str
    unit: str
    requests: frozenset[str]
    reason: str
    candidates: frozenset[str]
    note: str

    @property
    def placeable(self) -> bool:
        return not self.reason

    @property
    def case(self) -> str:
        return self.note.split(":", 1)[0] if ":" in self.note else ""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the matcher did with one message."""

    label: Label
    unit: str
    requests: frozenset[str]
    reason: str
    candidates: frozenset[str]
    match: str
    seconds: float

    @property
    def placed(self) -> bool:
        return not self.reason

    @property
    def wrong_unit(self) -> bool:
        """Given a unit that is not the labelled one (or any unit where none applies)."""
        return bool(self.unit) and self.unit != self.label.unit

    @property
    def problems(self) -> list[str]:
        """Every way this outcome differs from its label ([] when it agrees)."""
        lab = self.label
        out: list[str] = []
        if self.wrong_unit:
            out.append("WRONG UNIT" if lab.unit else f"UNIT GIVEN (expected {lab.reason})")
        if lab.placeable and not self.placed:
            out.append(f"NOT PLACED ({self.reason})")
        elif not lab.placeable and self.reason != lab.reason:
            out.append(f"REASON {self.reason or 'placed'} != {lab.reason}")
        elif (
            lab.reason == "ambiguous_unit"
            and self.reason == lab.reason
            and self.candidates != lab.candidates
        ):
            out.append("CANDIDATES")
        if self.placed and self.requests != lab.requests:
            out.append("WRONG REQUEST")
        return out


@dataclass
class Result:
    """The figures of one run over the corpus, and every outcome."""

    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.outcomes)

    @property
    def placeable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.label.placeable]

    @property
    def set_aside(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.label.placeable]

    @property
    def with_unit(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.unit]

    @property
    def wrong_unit(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.wrong_unit]

    @property
    def unit_precision(self) -> float:
        given = self.with_unit
        return 1.0 if not given else sum(not o.wrong_unit for o in given) / len(given)

    @property
    def unit_recall(self) -> float:
        want = self.placeable
        return 1.0 if not want else sum(o.unit == o.label.unit for o in want) / len(want)

    @property
    def request_precision(self) -> float:
        given = [o for o in self.outcomes if o.placed and o.requests]
        return 1.0 if not given else sum(o.requests == o.label.requests for o in given) / len(given)

    @property
    def request_recall(self) -> float:
        want = self.placeable
        return (
            1.0
            if not want
            else sum(o.placed and o.requests == o.label.requests for o in want) / len(want)
        )

    @property
    def placed_share(self) -> float:
        want = self.placeable
        return 1.0 if not want else sum(o.placed for o in want) / len(want)

    @property
    def reasons_right(self) -> float:
        aside = self.set_aside
        return 1.0 if not aside else sum(o.reason == o.label.reason for o in aside) / len(aside)

    @property
    def unplaced(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.placed]

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.problems]

    @property
    def seconds_per_message(self) -> float:
        return self.seconds / self.messages if self.messages else 0.0


def read_labels(corpus_dir: Path) -> dict[str, Label]:
    with (corpus_dir / "labels.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))

    def split(value: str) -> frozenset[str]:
        return frozenset(v.strip() for v in value.split(";") if v.strip())

    return {
        row["file"]: Label(
            row["file"],
            row["unit_code"].strip(),
            split(row["request_ids"]),
            row["reason"].strip(),
            split(row["candidates"]),
            row["note"],
        )
        for row in rows
    }


def evaluate(corpus_dir: Path = DEFAULT_CORPUS) -> Result:
    """Parse and place every labelled message of `corpus_dir`; compare with its label."""
    corpus_dir = Path(corpus_dir)
    settings = load_config(corpus_dir / "settings.toml")
    labels = read_labels(corpus_dir)
    sources = [s.path for s in settings.sources if s.kind == "eml_dir" and s.path is not None]
    folder = sources[0] if sources else corpus_dir / "messages"
    on_disk = {p.name for p in folder.glob("*.eml")}
    if on_disk != set(labels):
        missing = sorted(set(labels) - on_disk)[:5]
        unlabelled = sorted(on_disk - set(labels))[:5]
        raise ValueError(
            f"labels.csv and {folder.name}/ disagree: missing files {missing}, "
            f"unlabelled files {unlabelled}"
        )
    ctx = MatchContext(
        units=settings.units,
        requests=settings.requests,
        own_addresses=settings.own_addresses,
        abbreviations=settings.abbreviations,
    )
    result = Result()
    started = time.perf_counter()
    for name in sorted(labels):
        raw = (folder / name).read_bytes()
        t0 = time.perf_counter()
        received = receipt_time_from_headers(raw)
        if received is None:
            raise ValueError(f"{name}: no receipt time (every corpus message has a Received:)")
        key, message_id = message_key_for(raw)
        parsed, _ = parse_message(raw, key, message_id, received)
        placements = place_message(parsed, ctx)
        seconds = time.perf_counter() - t0
        first = placements[0]
        result.outcomes.append(
            Outcome(
                label=labels[name],
                unit=first.unit_code or "",
                requests=frozenset(p.request_id for p in placements if p.request_id),
                reason=first.reason.value if first.reason is not None else "",
                candidates=frozenset(first.candidates),
                match=first.match.value if first.match is not None else "",
                seconds=seconds,
            )
        )
    result.seconds = time.perf_counter() - started
    return result


def _pct(value: float) -> str:
    return f"{100 * value:6.2f}%"


def _show(unit: str, requests: frozenset[str], reason: str, candidates: frozenset[str]) -> str:
    if reason:
        cands = f" [{';'.join(sorted(candidates))}]" if candidates else ""
        return f"{reason}{cands}" + (f" unit={unit}" if unit else "")
    return f"{unit or '-'} {';'.join(sorted(requests)) or '(no request)'}"


def report(result: Result) -> str:
    """The whole printout: figures, errors, unplaced messages."""
    placeable, aside = result.placeable, result.set_aside
    lines = [
        f"messages                 {result.messages:4d}  "
        f"(placeable {len(placeable)}, set aside {len(aside)})",
        f"unit precision         {_pct(result.unit_precision)}  "
        f"({len(result.with_unit) - len(result.wrong_unit)}/{len(result.with_unit)} "
        "messages given a unit got the right one)",
        f"unit recall            {_pct(result.unit_recall)}  "
        f"({sum(o.unit == o.label.unit for o in placeable)}/{len(placeable)} placeable)",
        f"request precision      {_pct(result.request_precision)}",
        f"request recall         {_pct(result.request_recall)}",
        f"placed among placeable {_pct(result.placed_share)}  "
        f"({sum(o.placed for o in placeable)}/{len(placeable)}; target "
        f"{100 * TARGET_PLACED:.0f}%)",
        f"set aside, right reason{_pct(result.reasons_right)}  "
        f"({sum(o.reason == o.label.reason for o in aside)}/{len(aside)})",
        f"time per message       {1000 * result.seconds_per_message:6.1f} ms  "
        f"(total {result.seconds:.2f} s)",
    ]
    by_case: Counter[str] = Counter(o.label.case for o in result.outcomes)
    bad_case: Counter[str] = Counter(o.label.case for o in result.errors)
    lines.append("")
    lines.append(
        "by case (errors/messages): "
        + ", ".join(f"{case} {bad_case[case]}/{n}" for case, n in sorted(by_case.items()))
    )
    lines.append("")
    lines.append(f"errors ({len(result.errors)}): file | expected | got | problem | note")
    for o in result.errors:
        lab = o.label
        expected = _show(lab.unit, lab.requests, lab.reason, lab.candidates)
        got = _show(o.unit, o.requests, o.reason, o.candidates)
        lines.append(f"  {lab.file} | {expected} | {got} | {', '.join(o.problems)} | {lab.note}")
    lines.append("")
    lines.append(f"not placed ({len(result.unplaced)}): file | reason | candidates")
    for o in result.unplaced:
        cands = ";".join(sorted(o.candidates)) or "-"
        unit = f" (unit {o.unit})" if o.unit else ""
        lines.append(f"  {o.label.file} | {o.reason}{unit} | {cands}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help="corpus folder with settings.toml and labels.csv",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 unless unit precision is 100%% and 97%% are placed",
    )
    args = parser.parse_args(argv)
    result = evaluate(args.corpus)
    print(report(result))
    if args.strict and (result.wrong_unit or result.placed_share < TARGET_PLACED):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
