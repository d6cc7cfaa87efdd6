"""The summary table: per request, how many units are on time, late, missing, pending, excused."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from config.model import Request
from outputs.i18n import STATUS_LABELS, pick
from outputs.status import StatusRow

STATUSES = ("on_time", "late", "missing", "pending", "excused")


def summary_rows(requests: Sequence[Request], rows: Sequence[StatusRow],
                 language: str) -> tuple[list[str], list[list[str]]]:
    """(columns, rows): counts per status and the on-time share, one row per request."""
    columns = ["request_id", "title", "deadline", "expected",
               *(pick(STATUS_LABELS, s, language) for s in STATUSES), "on_time_share"]
    out = []
    for req in requests:
        mine = [r for r in rows if r.request_id == req.id]
        counts = Counter(r.status.value for r in mine)
        counted = len(mine) - counts["excused"]
        share = f"{100 * counts['on_time'] / counted:.0f}%" if counted else ""
        out.append([req.id, req.title, req.deadline.isoformat(timespec="seconds"),
                    str(len(mine)), *(str(counts[s]) for s in STATUSES), share])
    return columns, out
