"""The Snapshot record: what the store says at one instant, placed and judged, as the outputs
(page, tables, digest) read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from matching.records import Placement
from outputs.status import StatusRow
from parsers.records import ParsedMessage


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Every message (light records), placed, and the status table, as of `now`."""

    parsed: list[ParsedMessage]
    placements: list[Placement]
    evidence: dict[str, tuple[str, ...]]
    rows: list[StatusRow]
    now: datetime
