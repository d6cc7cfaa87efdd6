"""After the office's decisions the workspace computes its view from the last one, redoing only
what they touch (app.runner.snapshot_after): the placements of the messages a decision concerns
and the status rows of the (request, unit) pairs it reaches. That view must be exactly the one a
whole snapshot gives: a series of decisions of every kind (and a deadline passing), each
followed by a comparison with a fresh snapshot of the same store at the same instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

import web.model
from app import decisions
from app.runner import snapshot
from bench._common import SizeModel, bench_roster, build_raw, plan_messages, write_config
from config import load_config
from ingest.store import Store
from matching.placement import NEEDS_PERSON
from outputs.snapshot import Snapshot
from outputs.status import Status
from web.model import Workspace, build_view

SMALL = SizeModel(median=1_500, sigma=0.3, low=800, high=3_000, share=0.3)


def test_the_view_after_each_decision_is_the_whole_snapshot(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    roster = bench_roster(units=40, requests=3)
    (tmp_path / "inbox").mkdir()
    settings = load_config(write_config(tmp_path, roster,
                                        '[[source]]\nkind = "eml_dir"\npath = "inbox"\n'))
    store = Store(settings.data_dir)
    with store.transaction():
        for plan in plan_messages(300, 3, roster, SMALL):
            store.store_message(build_raw(plan, 3, roster), plan.arrival, "t")
    whole: list[int] = []

    def counted(*args: object, **kwargs: object) -> Snapshot:
        whole.append(1)
        return snapshot(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(web.model, "snapshot", counted)
    ws = Workspace(settings)
    second = settings.requests[1]
    now = second.deadline - timedelta(hours=1)  # the second notice is still open
    first = ws.view(now)
    assert len(whole) == 1
    needs = [pl for pl in first.needs if pl.reason in NEEDS_PERSON]
    bounce = next(pl for pl in first.snap.placements if pl.reason == "bounce")
    placed = next(pl for pl in first.snap.placements if pl.reason is None and pl.unit_code)
    personal = next(pl for pl in needs
                    if sum(p.sender == first.parsed[pl.message_key].sender
                           for p in first.parsed.values()) > 1)
    codes = [u.code for u in settings.units]
    rid = [r.id for r in settings.requests]
    made: list[int] = []

    def decide(step: Callable[[], decisions.Decision | None]) -> None:
        decision = step()
        if decision is not None:
            made.append(decision.id)

    steps: list[Callable[[], decisions.Decision | None]] = [
        # a member's Gmail to one unit: learns the address, so the sender's other mail moves
        lambda: decisions.assign(settings, personal.message_key, [codes[0]], None, author="a"),
        lambda: decisions.ignore(settings, needs[-1].message_key, author="a"),
        lambda: decisions.excuse(settings, codes[1], rid[0], author="a", reason="nghỉ"),
        lambda: decisions.extend(settings, codes[2], rid[1], second.deadline + timedelta(days=2),
                                 author="a"),
        lambda: decisions.accept(settings, codes[3], rid[2], author="a"),
        # a placed message given to two units and another notice (a joint report)
        lambda: decisions.assign(settings, placed.message_key, [codes[4], codes[5]], rid[2],
                                 author="a"),
        lambda: decisions.ignore(settings, bounce.message_key, author="a"),  # a unit's bounce
        lambda: None,  # the second notice's deadline passes: pending becomes missing
        lambda: decisions.undo(settings, made[0], author="a"),  # the learned address is gone
        lambda: decisions.undo(settings, made[2], author="a"),
        lambda: decisions.assign(settings, personal.message_key, [codes[6]], rid[0],
                                 author="a"),
        lambda: decisions.undo(settings, made[5], author="a"),
    ]
    for n, step in enumerate(steps):
        decide(step)
        if n == 7:
            assert any(r.status == Status.PENDING for r in ws.view(now).rows_by_request[rid[1]])
            now = second.deadline + timedelta(hours=1)
        view = ws.view(now)
        incremental = view.snap
        fresh = snapshot(settings, store, now)
        assert incremental.placements == fresh.placements, f"step {n}"
        assert incremental.evidence == fresh.evidence, f"step {n}"
        assert incremental.rows == fresh.rows, f"step {n}"
        assert incremental == fresh, f"step {n}"
        assert view == build_view(settings, fresh), f"step {n}: the pages' indexes"
    store.close()
    assert len(whole) == 1, "every view after the first was computed from the one before"
    final = {(r.request_id, r.unit_code): r for r in ws.view(now).snap.rows}
    assert final[(rid[2], codes[3])].accepted and final[(rid[1], codes[2])].extended
    assert final[(rid[0], codes[1])].status != Status.EXCUSED  # its excuse was undone
    assert any(r.status == Status.MISSING for r in final.values() if r.request_id == rid[1])
