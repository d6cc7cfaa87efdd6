"""The bundled demo: `run.py demo` gives every unit the status the labels say, by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import run

DATA = Path(__file__).parent / "data"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(cwd)
        assert run.main(["demo"]) == 0
    return cwd / "demo" / "out"


def test_demo_writes_every_output(demo_out: Path) -> None:
    for name in ("report.csv", "messages.csv", "report.xlsx", "report.html",
                 "digest-2023-08-11.html"):
        assert (demo_out / name).stat().st_size > 0, name


def test_demo_statuses_match_the_hand_made_labels(demo_out: Path) -> None:
    got = {(r["request_id"], r["unit_code"]): r for r in read_csv(demo_out / "report.csv")}
    expected = read_csv(DATA / "demo_expected.csv")
    assert set(got) == {(e["request_id"], e["unit_code"]) for e in expected}
    for e in expected:
        row = got[(e["request_id"], e["unit_code"])]
        for column in ("status", "minutes_late", "evidence", "missing_evidence", "match"):
            assert row[column] == e[column], (e["request_id"], e["unit_code"], column)


def test_demo_messages_set_aside_with_their_reasons(demo_out: Path) -> None:
    ledger = read_csv(demo_out / "messages.csv")
    inbox = Path(run.demo_settings_path()).parent / "inbox"
    for e in read_csv(DATA / "demo_expected_reasons.csv"):
        raw = (inbox / e["file"]).read_bytes()
        mid = next(line.split(b":", 1)[1].strip().decode() for line in raw.splitlines()
                   if line.lower().startswith(b"message-id:"))
        rows = [r for r in ledger if r["message_id"] == mid]
        assert [r["reason"] for r in rows] == [e["reason"]], e["file"]


def test_demo_shows_incomplete_late_completion_accepted_and_a_bounced_notice(
        demo_out: Path) -> None:
    report = {(r["request_id"], r["unit_code"]): r for r in read_csv(demo_out / "report.csv")}
    # Photos only: incomplete, never counted on time.
    assert report[("178-TB/ĐTN", "SYT")]["status"] == "incomplete"
    # A report on time, the photos 40 minutes after the deadline: late, from complete_at.
    bhxh = report[("178-TB/ĐTN", "BHXH")]
    assert (bhxh["status"], bhxh["minutes_late"]) == ("late", "40")
    assert bhxh["received_at"] < bhxh["complete_at"]
    # The notice bounced from STNMT's mailbox: its row says so, the ledger carries its code.
    assert "doanthanhnien@stnmt.example.gov.vn" in report[("178-TB/ĐTN", "STNMT")]["notes"]
    bounces = [r for r in read_csv(demo_out / "messages.csv") if r["reason"] == "bounce"]
    assert [r["unit_code"] for r in bounces] == ["STNMT"]
    # The office accepted SCT's report without photos (they went to its Zalo group): complete
    # at the report's receipt, on time, and the row says why.
    sct = report[("178-TB/ĐTN", "SCT")]
    assert (sct["status"], sct["evidence"], sct["complete_at"]) == (
        "on_time", "report", sct["received_at"])
    assert sct["notes"] == ("Văn phòng chấp nhận phần đã gửi là đủ: Ảnh hoạt động đã gửi trong "
                            "nhóm Zalo của Đoàn Khối")
    # A question for more time is counted, submits nothing, and is noted.
    vpub = report[("178-TB/ĐTN", "VPUB")]
    assert (vpub["status"], vpub["messages"]) == ("missing", "1")
    assert vpub["notes"].startswith("1 thư không kèm báo cáo")


def test_demo_writes_its_receipts_and_reminders_to_the_outbox_folder(demo_out: Path) -> None:
    import email
    from email import policy

    files = sorted((demo_out / "outbox").glob("*.eml"))
    kinds = {f.name.split("-")[3] for f in files}
    assert kinds == {"receipt", "overdue"}  # the sample's notices are long past their deadline
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=policy.default)
        assert msg["From"] == "doankhoi@doankhoi.example.vn"
        assert msg["Auto-Submitted"] in ("auto-replied", "auto-generated")
    # Đoàn Sở Y tế sent photos only: its receipt names what is missing.
    (syt,) = [f for f in files if "receipt-178" in f.name and f.name.endswith("-SYT.eml")]
    body = email.message_from_bytes(syt.read_bytes(), policy=policy.default).get_body(("plain",))
    assert body is not None
    assert "Còn thiếu: báo cáo." in str(body.get_content())
