"""build_digest on records built inline with a frozen `now`, and the digest's rendering."""

from __future__ import annotations

import email
from dataclasses import replace
from datetime import date, datetime
from email import policy
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from config.model import DigestConfig, Request, ScheduleConfig, Settings, Unit, WebConfig
from matching.evidence import evidence_kinds
from matching.placement import MatchKind, Placement, Reason
from outputs.digest import (
    Digest,
    build_digest,
    default_digest_day,
    digest_message,
    digest_subject,
    parse_day,
    render_digest,
    workspace_url,
    write_digest,
)
from outputs.snapshot import Snapshot
from outputs.status import PlacedMessage, Status, compute_status
from parsers.records import ParsedMessage

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
HOSTILE = "<script>alert('x')</script> Báo cáo & hình ảnh"


def at(text: str) -> datetime:
    """A local time in Asia/Ho_Chi_Minh."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


NOW = at("2023-08-12T07:30:00")
REQUEST = Request(
    id="178-TB/ĐTN",
    title="Báo cáo kết quả Ngày hoạt động cao điểm",
    issued=at("2023-08-03T00:00:00"),
    deadline=at("2023-08-11T11:00:00"),
    grace_minutes=0,
    requires=("report",),
)
UNITS = (
    Unit("BHXH", "Đoàn Bảo hiểm Xã hội Thành phố", ("bhxh@example.gov.vn",)),
    Unit("SNV", "Đoàn Sở Nội vụ", ("snv@example.gov.vn",)),
    Unit("STP", "Đoàn Sở Tư pháp", ("stp@example.gov.vn",)),
    Unit("SXD", "Đoàn Sở Xây dựng", ("sxd@example.gov.vn",)),
    Unit("VPUB", "Đoàn Văn phòng UBND Thành phố", ("vpub@example.gov.vn",)),
)
# (message key, unit, receipt time, subject): BHXH on time, SNV 7 minutes late (both on the
# 11th), STP on the 10th, SXD on the 12th after the digest's day; VPUB never reports.
SUBMISSIONS = [
    ("k-bhxh", "BHXH", at("2023-08-11T08:30:44"), HOSTILE),
    ("k-snv", "SNV", at("2023-08-11T11:06:45"), "Bao cao 178/TB-DTN - Doan So Noi vu"),
    ("k-stp", "STP", at("2023-08-10T16:00:00"), "Đoàn Sở Tư pháp báo cáo"),
    ("k-sxd", "SXD", at("2023-08-12T07:00:00"), "Báo cáo Sở Xây dựng"),
]
UNPLACED = ParsedMessage(
    "k-amb",
    "<amb@example.com>",
    at("2023-08-11T10:48:00"),
    sender="lehoanganh.tn@gmail.com",
    subject="<b>hai đơn vị</b>",
)


def make_settings(
    tmp_path: Path, language: str = "vi", digest: DigestConfig | None = None
) -> Settings:
    return Settings(
        config_path=tmp_path / "settings.toml",
        timezone=TZ,
        language=language,
        office_addresses=("doankhoi@example.gov.vn",),
        data_dir=tmp_path / "data",
        output_dir=tmp_path / "out",
        sources=(),
        schedule=ScheduleConfig(),
        digest=digest,
        units=UNITS,
        requests=(REQUEST,),
    )


def make_snapshot(now: datetime = NOW) -> Snapshot:
    parsed = [
        ParsedMessage(
            key, f"<{key}@example>", when, sender=f"{unit.lower()}@example.gov.vn", subject=subject
        )
        for key, unit, when, subject in SUBMISSIONS
    ]
    placements = [
        Placement(key, unit, REQUEST.id, MatchKind.ADDRESS, None) for key, unit, _, _ in SUBMISSIONS
    ]
    placements.append(Placement("k-amb", None, None, None, Reason.AMBIGUOUS_UNIT, ("SNV", "STP")))
    rows = []
    for unit in UNITS:
        placed = [
            PlacedMessage(
                key, when, ("report",), (), f"{u.lower()}@example.gov.vn", subject, "address"
            )
            for key, u, when, subject in SUBMISSIONS
            if u == unit.code
        ]
        rows.append(compute_status(REQUEST, unit, placed, now))
    evidence = {p.message_key: evidence_kinds(p) for p in [*parsed, UNPLACED]}
    return Snapshot([*parsed, UNPLACED], placements, evidence, rows, now)


def digest_for(tmp_path: Path, day: date, now: datetime = NOW) -> Digest:
    return build_digest(make_settings(tmp_path), make_snapshot(now), day)


def test_new_reports_of_the_day_are_listed(tmp_path: Path) -> None:
    digest = digest_for(tmp_path, date(2023, 8, 11))
    assert [(n.unit_code, n.status, n.minutes_late) for n in digest.new_reports] == [
        ("BHXH", Status.ON_TIME, 0),
        ("SNV", Status.LATE, 7),
    ]
    assert digest.new_reports[1].received_at == at("2023-08-11T11:06:45")


def test_units_that_became_overdue_that_day_are_listed(tmp_path: Path) -> None:
    digest = digest_for(tmp_path, date(2023, 8, 11))
    # SXD reported only on the 12th: as of the end of the 11th it is missing, not late.
    assert [(o.unit_code, o.status) for o in digest.overdue] == [
        ("SNV", Status.LATE),
        ("SXD", Status.MISSING),
        ("VPUB", Status.MISSING),
    ]
    assert all(o.closes_at == REQUEST.deadline for o in digest.overdue)
    assert [(o.unit_code, o.status) for o in digest.outstanding] == [
        ("SXD", Status.MISSING),
        ("VPUB", Status.MISSING),
    ]
    (counts,) = digest.requests
    assert (
        counts.expected,
        counts.received,
        counts.on_time,
        counts.late,
        counts.missing,
        counts.pending,
    ) == (5, 2, 2, 1, 2, 0)


def test_incomplete_units_are_owing_with_their_addresses(tmp_path: Path) -> None:
    request = replace(REQUEST, requires=("report", "images"))
    snap = make_snapshot()
    # SNV sent its report late; BHXH only a report: both are still owing photos.
    rows = [replace(r, status=Status.INCOMPLETE, complete_at=None, minutes_late=None,
                    missing_evidence=("images",)) if r.unit_code in ("BHXH", "SNV") else r
            for r in snap.rows]
    settings = replace(make_settings(tmp_path), requests=(request,))
    digest = build_digest(settings, replace(snap, rows=rows), date(2023, 8, 11))
    owing = {o.unit_code: o for o in digest.outstanding}
    assert owing["BHXH"].status == Status.INCOMPLETE
    assert owing["BHXH"].emails == ("bhxh@example.gov.vn",)
    assert [o.unit_code for o in digest.overdue] == ["BHXH", "SNV", "SXD", "VPUB"]
    assert digest.requests[0].incomplete == 2
    html, text = render_digest(digest, "vi", TZ)
    assert 'data-unit="BHXH" data-status="incomplete"' in html
    assert 'href="mailto:bhxh@example.gov.vn"' in html
    assert "còn thiếu: hình ảnh" in text
    # The counts come before every list: they are what a phone shows first.
    assert html.index('id="counts"') < html.index('id="outstanding"') < html.index(
        'id="new-reports"')


def test_a_past_day_is_seen_as_of_its_end(tmp_path: Path) -> None:
    digest = digest_for(tmp_path, date(2023, 8, 10))
    assert [n.unit_code for n in digest.new_reports] == ["STP"]
    assert digest.overdue == ()
    assert {o.unit_code: o.status for o in digest.outstanding} == {
        "BHXH": Status.PENDING,
        "SNV": Status.PENDING,
        "SXD": Status.PENDING,
        "VPUB": Status.PENDING,
    }
    assert digest.as_of == at("2023-08-11T00:00:00")


def test_today_is_seen_as_of_now(tmp_path: Path) -> None:
    digest = digest_for(tmp_path, date(2023, 8, 12))
    assert [(n.unit_code, n.status, n.minutes_late) for n in digest.new_reports] == [
        ("SXD", Status.LATE, 1200)
    ]
    assert digest.as_of == NOW
    assert [o.unit_code for o in digest.outstanding] == ["VPUB"]


def test_closed_requests_leave_the_outstanding_list(tmp_path: Path) -> None:
    later = at("2023-10-01T08:00:00")  # more than 30 days after the deadline
    digest = digest_for(tmp_path, date(2023, 10, 1), now=later)
    assert digest.outstanding == ()
    assert digest.requests == ()


def test_messages_that_need_a_person_are_listed(tmp_path: Path) -> None:
    digest = digest_for(tmp_path, date(2023, 8, 11))
    (waiting,) = digest.waiting
    assert (waiting.message_key, waiting.reason, waiting.candidates, waiting.new) == (
        "k-amb",
        Reason.AMBIGUOUS_UNIT,
        ("SNV", "STP"),
        True,
    )
    html, text = render_digest(digest, "vi", TZ)
    assert "mailtally assign k-amb SNV" in html
    assert "mailtally assign k-amb STP" in text


def test_html_escapes_a_hostile_subject(tmp_path: Path) -> None:
    html, text = render_digest(digest_for(tmp_path, date(2023, 8, 11)), "vi", TZ)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "<b>hai" not in html
    assert "&lt;b&gt;hai đơn vị&lt;/b&gt;" in html
    assert "Báo cáo &amp; hình ảnh" in html
    # The plain-text part is not HTML: it shows the subject exactly as sent.
    assert HOSTILE in text


def test_vietnamese_by_default(tmp_path: Path) -> None:
    html, text = render_digest(digest_for(tmp_path, date(2023, 8, 11)), "vi", TZ)
    assert "<title>Tóm tắt tình hình nộp báo cáo ngày 11/08/2023</title>" in html
    assert "Báo cáo nhận trong ngày (2)" in text
    assert "Đúng hạn" in html and "Trễ hạn" in html and "trễ 7 phút" in text
    assert "Tính đến: 11/08/2023 23:59" in text  # as people in Vietnam write times
    assert "T23:59" not in html


def test_english_labels_with_language_en(tmp_path: Path) -> None:
    html, text = render_digest(digest_for(tmp_path, date(2023, 8, 11)), "en", TZ)
    assert "<title>Report digest for 2023-08-11</title>" in html
    assert 'lang="en"' in html
    assert "Reports received that day (2)" in html
    assert "On time" in html and "Late" in html and "Missing" in html
    assert "7 min late" in text
    assert "Tóm tắt" not in html and "Đúng hạn" not in text
    assert digest_subject(date(2023, 8, 11), "en") == "Report digest for 2023-08-11"


def test_digest_message_has_both_alternatives_and_the_workbook(tmp_path: Path) -> None:
    cfg = DigestConfig(
        "127.0.0.1",
        2525,
        "none",
        "",
        "",
        None,
        "doankhoi@example.gov.vn",
        ("vanphong@example.gov.vn", "bithu@example.gov.vn"),
    )
    settings = make_settings(tmp_path, digest=cfg)
    settings.output_dir.mkdir()
    (settings.output_dir / "report.csv").write_bytes("\ufeffrequest_id\r\n178\r\n".encode())
    (settings.output_dir / "report.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    msg = digest_message(settings, cfg, digest_for(tmp_path, date(2023, 8, 11)), NOW)
    back = email.message_from_bytes(msg.as_bytes(), policy=policy.default)
    assert isinstance(back, EmailMessage)
    assert back["Subject"] == "Tóm tắt tình hình nộp báo cáo ngày 11/08/2023"
    assert back["To"] == "vanphong@example.gov.vn, bithu@example.gov.vn"
    assert back["Message-ID"].endswith("@example.gov.vn>")
    assert back["Date"] is not None and back["Auto-Submitted"] == "auto-generated"
    html, plain = back.get_body(("html",)), back.get_body(("plain",))
    assert html is not None and plain is not None
    assert "Đoàn Sở Nội vụ" in html.get_content()
    (part,) = back.iter_attachments()  # the workbook, not the CSV Excel may not split
    assert part.get_filename() == "report.xlsx"
    assert part.get_content_type() == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert part.get_payload(decode=True) == b"PK\x03\x04 a workbook"


@pytest.mark.parametrize("value", ["11/08/2023", "2023-13-01", "2023-8-1", "hôm kia", ""])
def test_parse_day_refuses_bad_dates(value: str) -> None:
    assert parse_day(value, NOW, TZ) is None


def test_parse_day_default_is_yesterday_before_noon_and_today_after_in_the_timezone() -> None:
    # cron's `digest --send` at 07:30 and serve's digest at 07:30 report the same day.
    late_utc = datetime.fromisoformat("2023-08-11T20:00:00+00:00")  # 03:00 on the 12th in Hà Nội
    assert parse_day(None, late_utc, TZ) == date(2023, 8, 11)
    assert default_digest_day(late_utc, TZ) == date(2023, 8, 11)
    afternoon = datetime.fromisoformat("2023-08-12T05:00:00+00:00")  # 12:00 in Hà Nội
    assert parse_day(None, afternoon, TZ) == date(2023, 8, 12)
    assert parse_day("2023-08-11", late_utc, TZ) == date(2023, 8, 11)


@pytest.mark.parametrize(("value", "day"), [("yesterday", 11), ("Hôm qua", 11), ("today", 12),
                                            ("hom nay", 12)])
def test_parse_day_reads_yesterday_and_today_in_the_timezone(value: str, day: int) -> None:
    late_utc = datetime.fromisoformat("2023-08-11T20:00:00+00:00")  # the 12th in Hà Nội
    assert parse_day(value, late_utc, TZ) == date(2023, 8, day)


def _demo_config(tmp_path: Path) -> Path:
    import shutil

    import run

    shutil.copytree(run.demo_settings_path().parent, tmp_path / "cfg")
    return tmp_path / "cfg" / "settings.toml"


def test_digest_command_refuses_a_bad_date_with_exit_2_in_vietnamese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import run

    config = _demo_config(tmp_path)
    assert run.main(["--config", str(config), "digest", "--date", "11/08/2023"]) == 2
    err = capsys.readouterr().err
    assert "Ngày không hợp lệ: 11/08/2023" in err and "YYYY-MM-DD" in err
    assert not (config.parent / "data").exists()


def test_digest_command_gives_up_on_a_busy_data_dir_with_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import run
    from app.lock import LOCK_WAIT_ENV, data_dir_lock

    monkeypatch.setenv(LOCK_WAIT_ENV, "0.3")
    config = _demo_config(tmp_path)
    with data_dir_lock(config.parent / "data"):
        assert run.main(["--config", str(config), "digest", "--date", "2023-08-11"]) == 1
    err = capsys.readouterr().err
    assert "đang dùng thư mục dữ liệu" in err and str(config.parent / "data") in err
    assert not (config.parent / "out" / "digest-2023-08-11.html").exists()


def test_links_into_the_workspace_only_when_its_base_url_is_set(tmp_path: Path) -> None:
    """CONTRACT: the digest links into the workspace when `[web] base_url` is set."""
    settings = make_settings(tmp_path)
    digest = build_digest(settings, make_snapshot(), date(2023, 8, 11))
    html, _ = render_digest(digest, "vi", TZ, workspace=workspace_url(settings))
    assert "https://" not in html and "/needs?key=" not in html
    web = replace(settings, web=WebConfig(base_url="https://baocao.example.gov.vn/"))
    html, _ = render_digest(digest, "vi", TZ, workspace=workspace_url(web))
    assert 'href="https://baocao.example.gov.vn/notice/178-TB/%C4%90TN"' in html
    assert 'href="https://baocao.example.gov.vn/needs?key=k-amb">Xử lý trong trang làm việc' in html
    written = write_digest(web, digest).read_text(encoding="utf-8")
    assert 'href="https://baocao.example.gov.vn/needs?key=k-amb"' in written
