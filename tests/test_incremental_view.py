"""After the office's decisions the workspace computes its view from the last one, redoing only
what they touch (app.runner.snapshot_after): the placements of the messages a decision concerns
and the status rows of the (request, unit) pairs it reaches. That view must be exactly the one a
whole snapshot gives: a series of decisions of every kind (and a deadline passing), each
followed by a comparison with a fresh snapshot of the same store at the same instant."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
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

NOW_W = datetime(2023, 8, 25, tzinfo=UTC)
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


def test_an_address_learned_reaches_mail_that_writes_it_in_from(tmp_path: Path) -> None:
    """Learning an address changes the placement of mail that only writes it in From's display
    name (a roster or learned address outside its mailbox is a doubt): the placement cache and
    the view after the assign see that mail too, as a placement from nothing does."""
    from email.message import EmailMessage

    from app.caches import match_context, parsed_message, place_for_cache
    from ingest.decisions import in_effect

    (tmp_path / "units.csv").write_text(
        "code,name,emails,aliases\nSTC,Đoàn Sở Tài chính,doan@stc.example.vn,\n"
        "SCT,Đoàn Sở Công Thương,doan@sct.example.vn,\n", encoding="utf-8")
    (tmp_path / "requests.toml").write_text(
        '[[request]]\nid = "178-TB/ĐTN"\ntitle = "x"\nissued = 2023-08-01T00:00:00\n'
        'deadline = 2023-08-11T11:00:00\n', encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    (tmp_path / "settings.toml").write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n',
                                            encoding="utf-8")
    settings = load_config(tmp_path / "settings.toml")
    store = Store(settings.data_dir)
    keys = []
    for n, sender in enumerate(["an@gmail.com", '"an@gmail.com" <mallory@evil.example>'], 1):
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = "doankhoi@example.gov.vn"
        msg["Subject"] = "Báo cáo 178-TB/ĐTN"
        msg["Date"] = f"Thu, 10 Aug 2023 0{n}:00:00 +0700"
        msg["Message-ID"] = f"<w{n}@test.example>"
        msg.set_content("Đoàn Sở Công Thương kính gửi báo cáo.")
        keys.append(store.store_message(msg.as_bytes(), NOW_W, "t")[0])
    ws = Workspace(settings)
    ws.view(NOW_W)
    decisions.assign(settings, keys[0], ["STC"], None, author="lan")
    full = parsed_message(store, keys[1], limits=settings.limits)
    assert full is not None and full.written_addresses == ("an@gmail.com",)
    ctx = match_context(settings, in_effect(store.decisions()))
    from_nothing, _, _ = place_for_cache(full, ctx)
    cached = [pl for pl in snapshot(settings, store, NOW_W).placements
              if pl.message_key == keys[1]]
    shown = [pl for pl in ws.view(NOW_W).snap.placements if pl.message_key == keys[1]]
    store.close()
    assert cached == from_nothing and shown == from_nothing
