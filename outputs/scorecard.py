"""scorecard.csv: every unit over every request it was expected in (the thi đua view). Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from config.model import Unit
from outputs.status import Status, StatusRow

SCORECARD_COLUMNS = [
    "unit_code", "unit_name", "group", "expected", "on_time", "late", "incomplete", "missing",
    "excused", "pending", "on_time_rate", "minutes_late_total",
]


@dataclass(frozen=True, slots=True)
class Score:
    """One unit's line of the scorecard. `on_time_rate` is None when nothing can be judged
    (every row excused or pending)."""

    unit_code: str
    unit_name: str
    group: str
    expected: int
    on_time: int
    late: int
    incomplete: int
    missing: int
    excused: int
    pending: int
    on_time_rate: float | None
    minutes_late_total: int


def scorecard(units: Sequence[Unit], rows: Sequence[StatusRow]) -> list[Score]:
    """One Score per unit of the roster, in roster code order.

    on_time_rate = on_time / (expected - excused - pending), rounded to two decimals.
    """
    by_unit: dict[str, list[StatusRow]] = {}
    for r in rows:
        by_unit.setdefault(r.unit_code, []).append(r)
    out = []
    for unit in sorted(units, key=lambda u: u.code):
        mine = by_unit.get(unit.code, [])
        n = Counter(r.status for r in mine)
        judged = len(mine) - n[Status.EXCUSED] - n[Status.PENDING]
        out.append(Score(
            unit.code, unit.name, unit.group, len(mine), n[Status.ON_TIME], n[Status.LATE],
            n[Status.INCOMPLETE], n[Status.MISSING], n[Status.EXCUSED], n[Status.PENDING],
            round(n[Status.ON_TIME] / judged, 2) if judged else None,
            sum(r.minutes_late or 0 for r in mine if r.status == Status.LATE),
        ))
    return out


def scorecard_rows(scores: Sequence[Score]) -> list[list[str]]:
    """scorecard.csv cells, in SCORECARD_COLUMNS order (rate with two decimals, '' when none)."""
    from outputs.tables import defuse

    return [[defuse(c) for c in (
        s.unit_code, s.unit_name, s.group, str(s.expected), str(s.on_time), str(s.late),
        str(s.incomplete), str(s.missing), str(s.excused), str(s.pending),
        "" if s.on_time_rate is None else f"{s.on_time_rate:.2f}", str(s.minutes_late_total),
    )] for s in scores]
