"""in_effect: what the office's decisions add up to (pure; records built inline)."""

from __future__ import annotations

from dataclasses import FrozenInstanceError, replace
from datetime import UTC, datetime

import pytest

from ingest.decisions import Decision, DecisionKind, MessageDecision, in_effect

T = datetime(2023, 8, 20, 9, 0, tzinfo=UTC)


def decision(id_: int, kind: DecisionKind, *, key: str | None = None,
             units: tuple[str, ...] = (), rid: str | None = None, address: str = "",
             reason: str = "", until: datetime | None = None, undone: bool = False) -> Decision:
    return Decision(id_, kind, key, units, rid, until, address, reason, "lan", T,
                    T if undone else None, "minh" if undone else None)


def test_the_latest_decision_on_a_message_wins_and_an_undone_one_does_not_count() -> None:
    first = decision(1, DecisionKind.ASSIGN, key="k1", units=("STC",), address="a@x.vn")
    second = decision(2, DecisionKind.ASSIGN, key="k1", units=("SCT",), rid="178")
    assert in_effect([second, first]).messages["k1"] == MessageDecision(("SCT",), "178",
                                                                        ignore=False)
    undone = replace(second, undone_at=T, undone_by="minh")
    assert in_effect([first, undone]).messages["k1"] == MessageDecision(("STC",), None,
                                                                        ignore=False)
    ignored = in_effect([first, decision(3, DecisionKind.IGNORE, key="k1")])
    assert ignored.messages["k1"] == MessageDecision((), None, ignore=True)
    assert ignored.learned == {"a@x.vn": "STC"}  # ignoring the message keeps what it taught


def test_an_address_is_learned_from_one_unit_only_and_forgotten_by_a_later_unlearn() -> None:
    joint = decision(1, DecisionKind.ASSIGN, key="k1", units=("STC", "SCT"), address="a@x.vn")
    assert in_effect([joint]).learned == {}
    taught = decision(2, DecisionKind.ASSIGN, key="k2", units=("STC",), address="a@x.vn")
    forgot = decision(3, DecisionKind.UNLEARN, address="a@x.vn")
    assert in_effect([taught]).learned == {"a@x.vn": "STC"}
    assert in_effect([taught, forgot]).learned == {}
    again = decision(4, DecisionKind.ASSIGN, key="k3", units=("STC",), address="a@x.vn")
    assert in_effect([taught, forgot, again]).learned == {"a@x.vn": "STC"}
    assert in_effect([taught, replace(forgot, undone_at=T)]).learned == {"a@x.vn": "STC"}


def test_excuse_extend_and_accept_are_per_unit_and_request() -> None:
    until = datetime(2023, 8, 12, 17, 0, tzinfo=UTC)
    effect = in_effect([
        decision(1, DecisionKind.EXCUSE, units=("STNMT",), rid="178", reason="sáp nhập"),
        decision(2, DecisionKind.EXTEND, units=("SXD",), rid="178", until=until),
        decision(3, DecisionKind.ACCEPT, units=("SYT",), rid="178"),
        decision(4, DecisionKind.ACCEPT, units=("SYT",), rid="185", undone=True),
    ])
    assert effect.excuses == {("STNMT", "178"): "sáp nhập"}
    assert effect.extensions == {("SXD", "178"): until}
    assert effect.accepted == {("SYT", "178"): ""}


def test_a_decision_is_a_frozen_record() -> None:
    d = decision(1, DecisionKind.ACCEPT, units=("SYT",), rid="178")
    with pytest.raises(FrozenInstanceError):
        d.reason = "x"  # type: ignore[misc]
    assert not d.undone and replace(d, undone_at=T).undone
