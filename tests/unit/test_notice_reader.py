"""The notice reader field by field, the [[request]] table it renders, and the command."""

from __future__ import annotations

import sys
import tomllib
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import run
from app.caches import parse_stored
from app.notices import notices_found, request_from_notice
from config.loader import _load_requests, load_config
from config.model import Settings
from ingest.store import Store
from matching.context import MatchContext
from matching.notice import propose_request
from outputs.request_toml import render_request
from parsers.notice import read_notice

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "config" / "demo" / "settings.toml"
SEED = ROOT / "tests" / "notices" / "seed_178.txt"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")

sys.path.insert(0, str(ROOT / "tools"))
import make_notices  # noqa: E402


def notice(body: str, *, number: str = "Số: 178-TB/ĐTN",
           dated: str = "TP. Hồ Chí Minh, ngày 03 tháng 8 năm 2023") -> str:
    return (f"THÀNH ĐOÀN TP. HỒ CHÍ MINH\n{number}\t{dated}\n\nTHÔNG BÁO\n"
            f"V/v báo cáo kết quả Ngày hoạt động cao điểm\n-----\n{body}\n")


@pytest.fixture(scope="module")
def demo() -> Settings:
    return load_config(DEMO)


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Các cơ sở Đoàn báo cáo kết quả về Văn phòng trước 11g00 ngày 11/8/2023.",
     datetime(2023, 8, 11, 11, 0)),
    ("Các cơ sở Đoàn gửi báo cáo trước 11 giờ 00 ngày 11/8/2023 (thứ Sáu).",
     datetime(2023, 8, 11, 11, 0)),
    ("Đề nghị gửi báo cáo về Văn phòng trước 11h00 ngày 11/8/2023.",
     datetime(2023, 8, 11, 11, 0)),
    ("Các đơn vị gửi báo cáo trước 17h00 thứ Sáu ngày 18/8 để tổng hợp.",
     datetime(2023, 8, 18, 17, 0)),
    ("Các đơn vị gửi báo cáo trước 17h00, thứ Sáu, ngày 18/8.",
     datetime(2023, 8, 18, 17, 0)),
    ("Báo cáo gửi về Văn phòng trước 11 giờ ngày 11 tháng 8 năm 2023.",
     datetime(2023, 8, 11, 11, 0)),
    ("Gửi báo cáo về Văn phòng chậm nhất ngày 15/8/2023.",
     datetime(2023, 8, 15, 23, 59, 59)),
    ("Gửi báo cáo về Văn phòng hạn chót 9 giờ 30 phút ngày 12-8-2023.",
     datetime(2023, 8, 12, 9, 30)),
    ("Gửi báo cáo về Văn phòng trước 2 giờ chiều ngày 12/8/2023.",
     datetime(2023, 8, 12, 14, 0)),
    ("Gửi báo cáo về Văn phòng ngày 12/8/2023 lúc 16g30 là hạn cuối.",
     datetime(2023, 8, 12, 16, 30)),
    ("Thời gian: 08g00 ngày 11/8/2023 (thứ Sáu). Các cơ sở Đoàn báo cáo kết quả trước "
     "17g00 ngày 14/8/2023.", datetime(2023, 8, 14, 17, 0)),
])
def test_deadline_as_notices_write_it(sentence: str, expected: datetime) -> None:
    reading = read_notice(notice(sentence))
    assert reading.deadline.value == expected
    assert reading.deadline.source


def test_a_missing_year_is_the_notices_own_or_the_next() -> None:
    text = notice("Các đơn vị gửi báo cáo trước 17h00 ngày 05/01 (thứ Sáu).",
                  dated="Hà Nội, ngày 20 tháng 12 năm 2023")
    assert read_notice(text).deadline.value == datetime(2024, 1, 5, 17, 0)


@pytest.mark.parametrize("body", [
    "Thời gian: 08g00 ngày 11/8/2023 (thứ Sáu). Địa điểm: Hội trường B.",
    "Thực hiện Thông báo số 170-TB/ĐTN ngày 01/8/2023 về việc báo cáo, Văn phòng nhắc lại.",
    "Các đơn vị tham dự đầy đủ.",
])
def test_no_report_deadline_is_left_empty_with_a_note(body: str) -> None:
    reading = read_notice(notice(body))
    assert reading.deadline.value is None
    assert reading.deadline.note is not None


def test_two_different_deadlines_are_not_chosen_between() -> None:
    reading = read_notice(notice(
        "Các đơn vị đăng ký danh sách trước 17h00 ngày 07/8/2023; báo cáo kết quả trước "
        "17h00 ngày 20/8/2023 và gửi báo cáo tổng hợp trước 17h00 ngày 25/8/2023."))
    assert reading.deadline.value is None
    assert reading.deadline.note is not None and "20/08/2023" in reading.deadline.note[0]


@pytest.mark.parametrize(("line", "expected"), [
    ("Số: 178-TB/ĐTN", "178-TB/ĐTN"),
    ("Số 178/TB-ĐTN", "178/TB-ĐTN"),
    ("Số:178 - TB/ĐTN", "178-TB/ĐTN"),
    ("So: 12-KH/DTN", "12-KH/DTN"),
    ("Số: 05/2024/CV-ĐTN", "05/2024/CV-ĐTN"),
])
def test_number_variants(line: str, expected: str) -> None:
    assert read_notice(notice("x", number=line)).request_id.value == expected


def test_a_blank_number_or_an_address_is_no_id() -> None:
    blank = read_notice(notice("x", number="Số:      /TB-ĐTN"))
    assert blank.request_id.value is None and blank.request_id.note is not None
    street = read_notice(notice("x", number="Số 99 – 99A Trần Quốc Thảo"))
    assert street.request_id.value is None


def test_requires_comes_from_the_asking_sentence_only() -> None:
    reading = read_notice(notice(
        "- Báo cáo cấp ủy đơn vị tạo điều kiện.\n- Các cơ sở Đoàn gửi hình ảnh hoạt động về "
        "Văn phòng trước 17h00 ngày 14/8/2023."))
    assert reading.requires.value == ("images",)


def _proposal(settings: Settings, text: str) -> str:
    ctx = MatchContext(units=settings.units, requests=(), own_addresses=frozenset(),
                       abbreviations=settings.abbreviations)
    return render_request(propose_request(read_notice(text), ctx, origin="t.txt"),
                          settings.language)


def test_the_table_parses_and_loads_as_a_request(demo: Settings, tmp_path: Path) -> None:
    table = _proposal(demo, SEED.read_text(encoding="utf-8"))
    data = tomllib.loads(table)
    assert data["request"][0]["id"] == "178-TB/ĐTN"
    path = tmp_path / "requests.toml"
    path.write_text(table, encoding="utf-8")
    requests, problems = _load_requests(path, TZ, {u.code for u in demo.units},
                                        {u.group for u in demo.units if u.group})
    assert problems == []
    (request,) = requests
    assert request.id == "178-TB/ĐTN"
    assert request.issued == datetime(2023, 8, 3, tzinfo=TZ)
    assert request.deadline == datetime(2023, 8, 11, 11, 0, tzinfo=TZ)
    assert request.requires == ("report", "images")
    assert request.units == ("*",)
    assert "# deadline: từ “" in table and "trước 11g00 ngày 11/8/2023" in table


def test_an_empty_field_is_commented_out_and_the_loader_says_so(demo: Settings,
                                                                tmp_path: Path) -> None:
    table = _proposal(replace(demo, language="en"), notice("Các đơn vị tham dự đầy đủ."))
    assert "# deadline: LEFT EMPTY: the notice gives no deadline for the report" in table
    assert "\ndeadline =" not in table
    path = tmp_path / "requests.toml"
    path.write_text(table, encoding="utf-8")
    requests, problems = _load_requests(path, TZ, set(), set())
    assert requests == []
    assert [p.key for p in problems] == ["[[request]] 1, deadline"]


def test_named_units_and_groups_match_the_roster(demo: Settings) -> None:
    text = notice("Kính gửi:\n- Đoàn Sở Tư pháp;\n- Đoàn Sở KH&ĐT;\n- Đoàn Sở Hư cấu.\n\n"
                  "Đề nghị các đơn vị gửi báo cáo trước 17h00 ngày 14/8/2023.")
    ctx = MatchContext(units=demo.units, requests=(), own_addresses=frozenset())
    units = propose_request(read_notice(text), ctx).units
    assert units.value == ("STP", "SKHDT")
    assert units.note is not None and "Đoàn Sở Hư cấu" in units.note[0]
    group = notice("Kính gửi: Các cơ sở Đoàn Khối Văn phòng.\n\nĐề nghị gửi báo cáo trước "
                   "17h00 ngày 14/8/2023.")
    assert propose_request(read_notice(group), ctx).units.value == ("group:khoi-van-phong",)


def test_command_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "178.docx"
    path.write_bytes(make_notices.make_docx(SEED.read_text(encoding="utf-8")))
    assert run.main(["--config", str(DEMO), "request", "from-notice", str(path)]) == 0
    out = capsys.readouterr().out
    request = tomllib.loads(out)["request"][0]
    assert request["deadline"] == datetime(2023, 8, 11, 11, 0)
    assert request["units"] == ["*"]


@pytest.mark.parametrize(("name", "data"), [
    ("broken.pdf", b"%PDF-1.4 not really"),
    ("empty.docx", b""),
    ("photo.jpg", b"\xff\xd8\xff"),
])
def test_command_refuses_an_unreadable_file(name: str, data: bytes, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    assert run.main(["--config", str(DEMO), "request", "from-notice", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"Không đọc được văn bản {name}:")
    assert "Traceback" not in err


def test_command_reads_a_stored_message_by_its_key(demo: Settings, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    settings = replace(demo, data_dir=tmp_path / "data")
    markup = (ROOT / "tests" / "notices" / "nhom_don_vi.txt").read_text(encoding="utf-8")
    raw = make_notices.make_eml(make_notices.make_pdf(markup), "88.pdf", "Thông báo 88",
                                sender="doankhoi@doankhoi.example.vn", message_id="<88@vp>")
    store = Store(settings.data_dir)
    try:
        key, _ = store.store_message(raw, datetime(2024, 10, 2, 9, 0, tzinfo=UTC), "test")
    finally:
        store.close()
    table = tomllib.loads(request_from_notice(settings, key[:10]))["request"][0]
    assert table["id"] == "88/TB-ĐTN"
    assert table["notice_message_id"] == "<88@vp>"
    assert table["units"] == ["group:khoi-tai-chinh"]


def test_notices_sent_by_the_office_are_found(demo: Settings, tmp_path: Path) -> None:
    """Real messages in a real store: the office's mail of a new notice is proposed; its mail
    of a notice already tracked (178) and a unit's mail naming a notice number are not."""
    settings = replace(demo, data_dir=tmp_path / "data")
    office = demo.office_addresses[0]

    def mail(name: str, sender: str, message_id: str) -> bytes:
        markup = (ROOT / "tests" / "notices" / f"{name}.txt").read_text(encoding="utf-8")
        return make_notices.make_eml(make_notices.make_pdf(markup), f"{name}.pdf",
                                     f"Văn bản {name}", sender=sender, message_id=message_id)

    store = Store(settings.data_dir)
    try:
        when = datetime(2024, 10, 2, 9, 0, tzinfo=UTC)
        store.store_message(mail("seed_178", office, "<178@vp>"), when, "sent")
        store.store_message(mail("nhom_don_vi", office, "<88@vp>"), when, "sent")
        store.store_message(mail("han_trong_bang", "doanthanhnien@stp.example.gov.vn",
                                 "<118@stp>"), when, "inbox")
        parse_stored(store, limits=settings.limits)
        found = notices_found(settings, store)
    finally:
        store.close()
    assert [f.proposal.reading.request_id.value for f in found] == ["88/TB-ĐTN"]
    (new,) = found
    assert new.proposal.notice_message_id == "<88@vp>"
    assert new.proposal.reading.deadline.value == datetime(2024, 10, 9, 10, 0)
    assert new.proposal.reading.issued.value == date(2024, 10, 2)
    assert "[[request]]" in render_request(new.proposal, settings.language)


def test_hostile_characters_stay_inside_strings_and_comments(demo: Settings) -> None:
    """A notice's words end up in TOML strings and comments: no character may break either."""
    odd = "".join(chr(c) for c in range(0x00, 0xA0)) + "\u2028\u2029\ufeff\"\"\"'''\\"
    text = notice("Các cơ sở Đoàn gửi báo cáo trước 17h00 ngày 14/8/2023.").replace(
        "V/v báo cáo kết quả", f"V/v báo cáo {odd} kết quả")
    data = tomllib.loads(_proposal(demo, text))
    assert data["request"][0]["title"].startswith("Báo cáo")
    assert data["request"][0]["deadline"] == datetime(2023, 8, 14, 17, 0)


def test_issued_source_leaves_the_number_out_when_pdf_joins_the_columns() -> None:
    text = ("Số: 205-TB/ĐTN TP. Hồ Chí Minh, ngày 05 tháng 9 năm 2024\nV/v x\n"
            "Gửi báo cáo trước 17h00 ngày 10/9/2024.")
    issued = read_notice(text).issued
    assert issued.value == date(2024, 9, 5)
    assert issued.source == "TP. Hồ Chí Minh, ngày 05 tháng 9 năm 2024"


def test_the_workspace_can_read_an_upload(demo: Settings) -> None:
    from app.notices import read_notice_bytes

    markup = SEED.read_text(encoding="utf-8")
    proposal = read_notice_bytes(demo, "tb.pdf", make_notices.make_pdf(markup))
    assert proposal.reading.deadline.value == datetime(2023, 8, 11, 11, 0)
    assert proposal.origin == "tb.pdf"


@pytest.mark.parametrize(("eml", "request_id"), [
    ("00_doankhoi_notice178_own_copy.eml", "178-TB/ĐTN"),  # the notice attached as a docx
    ("18_doankhoi_notice185_own_copy.eml", "185-TB/ĐTN"),  # the notice written in the mail
])
def test_the_demo_notices_give_the_demo_requests(eml: str, request_id: str,
                                                 demo: Settings) -> None:
    """The demo's requests.toml was written by hand from its notices: reading the notices'
    mails gives the same number, dates, units, evidence and Message-ID."""
    table = request_from_notice(demo, str(DEMO.parent / "inbox" / eml))
    got = tomllib.loads(table)["request"][0]
    (want,) = [r for r in demo.requests if r.id == request_id]
    assert got["id"] == want.id
    assert got["issued"] == want.issued.replace(tzinfo=None)
    assert got["deadline"] == want.deadline.replace(tzinfo=None)
    assert tuple(got["units"]) == want.units
    assert tuple(got["requires"]) == want.requires
    assert got["notice_message_id"] == want.notice_message_id
    assert set(got["keywords"]) & {k.lower() for k in want.keywords}


def test_the_demo_inbox_offers_the_notice_no_request_tracks(demo: Settings,
                                                            tmp_path: Path) -> None:
    """After a real run over the demo inbox, with 185 left out of requests.toml: the office's
    own mail of notice 185 (written in the mail) is offered; 178, tracked, is not."""
    from app.runner import run as run_pipeline

    settings = replace(demo, data_dir=tmp_path / "data", output_dir=tmp_path / "out",
                       requests=tuple(r for r in demo.requests if r.id != "185-TB/ĐTN"))
    run_pipeline(settings)
    store = Store(settings.data_dir)
    try:
        found = notices_found(settings, store)
    finally:
        store.close()
    assert [f.proposal.reading.request_id.value for f in found] == ["185-TB/ĐTN"]
    assert found[0].proposal.units.value == ("group:khoi-tai-chinh",)
    assert found[0].proposal.reading.deadline.value == datetime(2023, 8, 21, 17, 0)
