"""Parsing and placement of typical replies: forwards, quotes, evidence, ids, reasons."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from eml_builders import docx_bytes, jpeg_bytes

from config.model import Request, Unit
from matching.evidence import evidence_kinds
from matching.fold import Folder, fold
from matching.placement import MatchContext, MatchKind, Override, Reason, place_message
from parsers.auth import authentication_verdict
from parsers.message import parse_message
from parsers.records import Attachment, Original, ParsedMessage, from_json, to_json

DEMO_INBOX = Path(__file__).resolve().parents[2] / "config" / "demo" / "inbox"

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2023, 8, 11, 10, 0, tzinfo=VN)
UNITS = (
    Unit("STP", "Đoàn Sở Tư pháp", ("doan@stp.example.vn",), ("STP",)),
    Unit("SXD", "Đoàn Sở Xây dựng", ("doan@sxd.example.vn",)),
    Unit("TTSXD", "Chi đoàn Thanh tra Sở Xây dựng", ()),
    Unit("SKHDT", "Đoàn Sở Kế hoạch và Đầu tư", ()),
    Unit("STC", "Đoàn Sở Tài chính", ()),
)
REQ178 = Request("178-TB/ĐTN", "Hoạt động cao điểm", datetime(2023, 8, 3, tzinfo=VN),
                 datetime(2023, 8, 11, 11, tzinfo=VN), keywords=("hoạt động cao điểm",),
                 notice_message_id="<notice178@doankhoi.vn>")
REQ185 = Request("185-TB/ĐTN", "Chủ nhật xanh", datetime(2023, 8, 4, tzinfo=VN),
                 datetime(2023, 8, 21, 17, tzinfo=VN), keywords=("chủ nhật xanh",))


def ctx(**kw: object) -> MatchContext:
    return MatchContext(units=UNITS, requests=(REQ178, REQ185),
                        own_addresses=frozenset({"doankhoi@x.vn"}), **kw)  # type: ignore[arg-type]


def build(sender: str = "someone@gmail.com", subject: str = "Báo cáo", body: str = "Kính gửi",
          files: tuple[tuple[str, bytes], ...] = (), **headers: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "doankhoi@x.vn"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@x.vn>"
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(body)
    for name, data in files:
        maintype, subtype = ("image", "jpeg") if name.endswith(".jpg") else ("application",
                                                                              "octet-stream")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def parse(raw: bytes) -> ParsedMessage:
    parsed, _ = parse_message(raw, "k1", "<m1@x.vn>", AT)
    return parsed


def test_fold_drops_diacritics_case_and_spells_out_abbreviations() -> None:
    f = Folder()
    assert fold("ĐOÀN Sở Tư Pháp") == "doan so tu phap"
    assert f("Đoàn Sở KH&ĐT") == f("doan so ke hoach va dau tu")
    assert f("BHXH TP") == "bao hiem xa hoi thanh pho"
    assert fold("hoà") == fold("hòa")


def test_unit_found_by_roster_address_then_request_by_id_variant() -> None:
    p = parse(build("Doan@STP.example.vn", "Bao cao 178/TB-DTN",
                    files=(("bao-cao.docx", b"x" * 50), ("anh.jpg", b"y" * 20000))))
    [pl] = place_message(p, ctx())
    assert (pl.unit_code, pl.match, pl.request_id, pl.request_match) == (
        "STP", MatchKind.ADDRESS, "178-TB/ĐTN", "id")
    assert evidence_kinds(p) == ("report", "images")


@pytest.mark.parametrize("subject", ["Báo cáo theo TB 178", "thong bao so 178 - bao cao",
                                     "V/v 178-TB/ĐTN", "Thông báo số 178"])
def test_request_id_variants(subject: str) -> None:
    [pl] = place_message(parse(build("doan@sxd.example.vn", subject)), ctx())
    assert pl.request_id == "178-TB/ĐTN"


def test_two_ids_place_the_message_under_both() -> None:
    placements = place_message(parse(build("doan@sxd.example.vn", "BC 178-TB/ĐTN và 185-TB/ĐTN")),
                               ctx())
    assert sorted(p.request_id or "" for p in placements) == ["178-TB/ĐTN", "185-TB/ĐTN"]


def test_gmail_sender_placed_by_name_without_diacritics_and_longest_name_wins() -> None:
    p = parse(build("x@gmail.com", "Chi doan Thanh tra So Xay dung bao cao hoat dong cao diem"))
    [pl] = place_message(p, ctx())
    assert (pl.unit_code, pl.match, pl.request_id, pl.request_match) == (
        "TTSXD", MatchKind.NAME, "178-TB/ĐTN", "keyword")


def test_two_units_named_equally_is_ambiguous_with_both_candidates() -> None:
    [pl] = place_message(parse(build("x@gmail.com", "Sở Tài chính và Sở Xây dựng báo cáo")), ctx())
    assert pl.reason == Reason.AMBIGUOUS_UNIT
    assert pl.candidates == ("STC", "SXD")


def test_reply_in_the_notice_thread_finds_the_request() -> None:
    raw = build("doan@sxd.example.vn", "Re: thông báo", In_Reply_To="<notice178@doankhoi.vn>")
    [pl] = place_message(parse(raw), ctx())
    assert (pl.request_id, pl.request_match) == ("178-TB/ĐTN", "thread")


def test_single_open_request_rule_and_no_request_when_two_are_open() -> None:
    early = parse_message(build("doan@sxd.example.vn", "Gửi Văn phòng"), "k", "",
                          datetime(2023, 8, 3, 12, tzinfo=VN))[0]
    [pl] = place_message(early, ctx())
    assert (pl.request_id, pl.request_match) == ("178-TB/ĐTN", "open")
    [both_open] = place_message(parse(build("doan@sxd.example.vn", "Gửi Văn phòng")), ctx())
    assert both_open.reason == Reason.NO_REQUEST
    assert both_open.unit_code == "SXD"


def test_reasons_in_contract_order() -> None:
    own = parse(build("doankhoi@x.vn", "TB 178", Auto_Submitted="auto-replied"))
    assert place_message(own, ctx())[0].reason == Reason.OWN_ADDRESS
    auto = parse(build("doan@stp.example.vn", "Trả lời tự động: TB 178"))
    assert place_message(auto, ctx())[0].reason == Reason.AUTO_REPLY
    nobody = parse(build("x@gmail.com", "Xin chào"))
    assert place_message(nobody, ctx())[0].reason == Reason.NO_UNIT
    ignored = ctx(overrides={"k1": Override(None, ignore=True)})
    assert place_message(own, ignored)[0].reason == Reason.IGNORED


def test_override_and_learned_address() -> None:
    p = parse(build("x@gmail.com", "Xin chào, báo cáo TB 178"))
    [pl] = place_message(p, ctx(overrides={"k1": Override("STC")}))
    assert (pl.unit_code, pl.match, pl.request_id) == ("STC", MatchKind.OVERRIDE, "178-TB/ĐTN")
    [learned] = place_message(p, ctx(learned={"x@gmail.com": "STC"}))
    assert (learned.unit_code, learned.match) == ("STC", MatchKind.LEARNED)


def test_inline_gmail_forward_is_judged_by_its_original() -> None:
    body = ("Chuyển tiếp giúp đơn vị.\n\n---------- Forwarded message ---------\n"
            "From: Đoàn Sở Tư pháp <doan@stp.example.vn>\nDate: Fri, 11 Aug 2023\n"
            "Subject: Báo cáo TB 178\nTo: <doankhoi@x.vn>\n\n" + "Nội dung báo cáo. " * 30)
    p = parse(build("doan@sxd.example.vn", "Fwd: Báo cáo TB 178", body))
    assert p.forwarded is not None and p.forwarded.sender == "doan@stp.example.vn"
    [pl] = place_message(p, ctx())
    assert (pl.unit_code, pl.match) == ("STP", MatchKind.ADDRESS)
    assert "report" in evidence_kinds(p)


def test_rfc822_forward_attachments_count_as_the_forwards_own() -> None:
    inner = EmailMessage()
    inner["From"] = "Đoàn Sở Tư pháp <doan@stp.example.vn>"
    inner["Subject"] = "Báo cáo 178-TB/ĐTN"
    inner.set_content("Gửi báo cáo")
    inner.add_attachment(b"%PDF-1.4", maintype="application", subtype="pdf", filename="bc.pdf")
    outer = EmailMessage()
    outer["From"] = "secretary@gmail.com"
    outer["Subject"] = "Fwd"
    outer.set_content("xem thư dưới")
    outer.add_attachment(inner)
    p = parse(outer.as_bytes())
    assert p.forwarded is not None and p.forwarded.sender == "doan@stp.example.vn"
    assert [a.filename for a in p.attachments] == ["bc.pdf"]
    assert evidence_kinds(p) == ("report",)
    assert place_message(p, ctx())[0].unit_code == "STP"


def test_quoted_reply_is_not_own_text_and_300_characters_make_a_report() -> None:
    quoted = "\n".join("> " + "chữ " * 20 for _ in range(20))
    short = parse(build(body="Đã nhận.\n\nOn Fri, Aug 11, 2023 VP wrote:\n" + quoted))
    assert short.own_text.startswith("Đã nhận") and "chữ" not in short.own_text
    assert evidence_kinds(short) == ()
    exactly = parse(build(body=("a  " * 150).strip()))  # 150 letters + 149 spaces = 299
    assert evidence_kinds(exactly) == ()
    assert evidence_kinds(parse(build(body=("a  " * 151).strip()))) == ("report",)


def test_drive_link_small_inline_logo_and_zip_contents() -> None:
    assert evidence_kinds(parse(build(body="Ảnh: https://drive.google.com/drive/folders/abc"))) == (
        "images",)
    import io
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("anh1.jpg", b"x")
        zf.writestr("bao cao.docx", b"x")
    p = parse(build(files=(("hinh.zip", buf.getvalue()),)))
    assert evidence_kinds(p) == ("report", "images")


def test_parsed_record_round_trips_through_json() -> None:
    p = parse(build("doan@stp.example.vn", "TB 178", files=(("a.jpg", b"y" * 20000),)))
    assert from_json(to_json(p)) == p


def test_garbage_and_empty_messages_are_unparseable_not_crashes() -> None:
    assert parse(b"").problem
    assert parse(b"\x00\xff" * 10).problem
    [pl] = place_message(parse(b""), ctx())
    assert pl.reason == Reason.UNPARSEABLE


def test_a_typo_in_the_subject_is_forgiven_only_when_nothing_matches_exactly() -> None:
    [pl] = place_message(parse(build("x@gmail.com", "Doan So Ke hoach va Dau ut bao cao TB 178")),
                         ctx())
    assert (pl.unit_code, pl.match) == ("SKHDT", MatchKind.NAME)
    [far] = place_message(parse(build("x@gmail.com", "So Ke toan bao cao TB 178")), ctx())
    assert far.reason == Reason.NO_UNIT


def test_so_tp_means_so_tu_phap() -> None:
    [pl] = place_message(parse(build("x@gmail.com", "Đoàn Sở TP báo cáo TB 178")), ctx())
    assert pl.unit_code == "STP"


@pytest.mark.parametrize(("header", "verdict"), [
    ("mx.doankhoi.vn; spf=fail smtp.mailfrom=stp.example.vn; dkim=none; dmarc=fail", "fail"),
    ("mx.doankhoi.vn; spf=softfail smtp.mailfrom=x; dkim=none", "fail"),
    ("mx.doankhoi.vn; spf=fail smtp.mailfrom=x; dkim=pass header.d=stp.example.vn", "pass"),
    ("mx.doankhoi.vn; dkim=pass; spf=pass; dmarc=pass", "pass"),
    ("mx.doankhoi.vn; none", ""),
])
def test_authentication_results_verdict(header: str, verdict: str) -> None:
    parsed = parse(build("doan@stp.example.vn", "TB 178", Authentication_Results=header))
    assert authentication_verdict(parsed.auth_results, parsed.sender) == verdict


def test_a_spoofed_roster_address_does_not_place_by_address() -> None:
    spoofed = parse(build("doan@stp.example.vn", "Báo cáo TB 178",
                          Authentication_Results="mx; spf=fail; dkim=none; dmarc=fail"))
    assert place_message(spoofed, ctx())[0].reason == Reason.NO_UNIT
    named = parse(build("doan@stp.example.vn", "Đoàn Sở Xây dựng báo cáo TB 178",
                        Authentication_Results="mx; spf=fail; dkim=none; dmarc=fail"))
    [pl] = place_message(named, ctx())
    assert (pl.unit_code, pl.match) == ("SXD", MatchKind.NAME)


def test_a_record_is_cached_as_asdict_would_give_it() -> None:
    """records.to_json walks the records itself (no deep copy); it must give what asdict gives."""
    import json
    from dataclasses import asdict

    raw = (DEMO_INBOX / sorted(p.name for p in DEMO_INBOX.glob("*.eml"))[0]).read_bytes()
    parsed, _ = parse_message(raw, "k", "<m@x>", datetime(2023, 8, 11, tzinfo=UTC))
    forwarded = Original(sender="a@x.vn", sender_name="A", subject="s", text="t",
                         date=datetime(2023, 8, 10, tzinfo=UTC))
    attachment = Attachment(filename="ảnh.jpg", content_type="image/jpeg", size=3, sha256="ab",
                            inline=False, kinds=("images",), inner_names=("x",))
    for record in (parsed, replace(parsed, forwarded=forwarded, attachments=(attachment,) * 2)):
        expected = asdict(record)
        expected["received_at"] = record.received_at.isoformat()
        expected["date"] = record.date.isoformat() if record.date else None
        if record.forwarded is not None:
            expected["forwarded"]["date"] = record.forwarded.date.isoformat()  # type: ignore[union-attr]
        assert json.dumps(to_json(record), sort_keys=True) == json.dumps(expected, sort_keys=True)


CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "messages"


@pytest.mark.parametrize(
    ("raw_path", "failed"),
    [
        (DEMO_INBOX / "13_bounce_stnmt_mailbox_full.eml", ("doanthanhnien@stnmt.example.gov.vn",)),
        (CORPUS / "092_bounce-qmail-failure-notice-quotes-notice-178.eml",
         ("doan.sngv@sngv.example.gov.vn",)),
    ],
)
def test_a_bounce_names_the_recipients_it_could_not_reach(raw_path: Path,
                                                        failed: tuple[str, ...]) -> None:
    parsed = parse(raw_path.read_bytes())
    assert parsed.bounce
    assert parsed.failed_recipients == failed


def test_a_bounce_from_a_units_address_carries_that_unit() -> None:
    raw = build("MAILER-DAEMON@mx.x.vn", "Undelivered Mail Returned to Sender", "failed",
                X_Failed_Recipients="Doan@STP.example.vn")
    parsed = parse(raw)
    assert parsed.failed_recipients == ("doan@stp.example.vn",)
    (placement,) = place_message(parsed, ctx())
    assert (placement.reason, placement.unit_code, placement.request_id) == (
        Reason.BOUNCE, "STP", None)
    stranger = parse(build("MAILER-DAEMON@mx.x.vn", "Undelivered", "failed",
                           X_Failed_Recipients="someone@else.vn"))
    (placement,) = place_message(stranger, ctx())
    assert (placement.reason, placement.unit_code) == (Reason.BOUNCE, None)


def _raw_with_part(content_type: str, filename: str, data: bytes) -> bytes:
    msg = EmailMessage()
    msg["From"] = "doan@stp.example.vn"
    msg["To"] = "doankhoi@x.vn"
    msg["Subject"] = "Báo cáo TB 178"
    msg["Message-ID"] = "<m1@x.vn>"
    msg.set_content("Kính gửi Văn phòng.")
    maintype, subtype = content_type.split("/")
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return msg.as_bytes()


def test_jfif_photos_count_as_images() -> None:
    p = parse(_raw_with_part("image/jpeg", "ảnh hoạt động.jfif", b"\xff\xd8" + b"j" * 20_000))
    assert evidence_kinds(p) == ("images",)
    unnamed = parse(_raw_with_part("image/pjpeg", "", b"\xff\xd8" + b"j" * 20_000))
    assert evidence_kinds(unnamed) == ("images",)


def test_a_video_alone_is_not_images() -> None:
    for name, ctype in (("hoat dong.mp4", "video/mp4"), ("clip.mov", "video/quicktime"), ("",
                        "video/mp4")):
        assert evidence_kinds(parse(_raw_with_part(ctype, name, b"\x00" * 30_000))) == ()
    video_link = parse(build(body="Video: https://www.youtube.com/watch?v=abc123"))
    assert evidence_kinds(video_link) == ()


@pytest.mark.parametrize(
    ("url", "photos"),
    [
        ("https://zalo.me/album/8c1f0a2b3c", True),
        ("https://zalo.me/l/8c1f0a2b3c4d5e6f", True),
        ("https://photo.zalo.me/abc", True),
        ("https://f21-zpc.zdn.vn/1234567890/abcdef.jpg", True),
        ("https://zalo.me/0903123456", False),  # a person's chat, in a signature
        ("https://zalo.me/g/abcdefgh", False),  # a group invitation
        ("https://zalo.me", False),
    ],
)
def test_zalo_albums_count_as_images_but_not_a_chat_link(url: str, photos: bool) -> None:
    kinds = evidence_kinds(parse(build(body=f"Hình ảnh hoạt động: {url}")))
    assert kinds == (("images",) if photos else ())


def test_files_inside_an_outlook_winmail_dat_are_the_messages_own() -> None:
    import importlib.util

    tool = Path(__file__).resolve().parents[2] / "tools" / "make_tnef.py"
    spec = importlib.util.spec_from_file_location("make_tnef", tool)
    assert spec is not None and spec.loader is not None
    make_tnef = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_tnef)
    tnef_stream = make_tnef.tnef_stream
    report = docx_bytes("Đoàn Sở Tư pháp báo cáo kết quả Ngày hoạt động cao điểm " * 3)
    photo = jpeg_bytes(size=15_000)
    stream = tnef_stream([("Báo cáo kết quả.docx", report), ("ảnh 1.jfif", photo)])
    raw = _raw_with_part("application/ms-tnef", "winmail.dat", stream)
    parsed, payloads = parse_message(raw, "k1", "<m1@x.vn>", AT)
    names = [a.filename for a in parsed.attachments]
    assert names == ["Báo cáo kết quả.docx", "ảnh 1.jfif"]
    assert payloads == [report, photo]
    assert evidence_kinds(parsed) == ("report", "images")
    assert "hoạt động cao điểm" in parsed.attachments[0].text.lower()
    # A winmail.dat that is not TNEF stays a file of its own, with a note.
    broken = parse(_raw_with_part("application/ms-tnef", "winmail.dat", b"\x78\x9f\x3e\x22junk"))
    assert [a.filename for a in broken.attachments] == ["winmail.dat"]
    assert any("TNEF" in n for n in broken.notes)
