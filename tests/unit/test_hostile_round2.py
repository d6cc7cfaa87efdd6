"""Hostile input, round 2 (issue 16): one message never fails a run; spoofed mail is not placed
by address; images and browser-run attachments are handled safely; costs stay linear; invisible
characters do not hide a formula; a sender is found behind nested comments; real-world leftovers
(bare CR, unparseable rows, inline-string workbooks) keep what could be read."""

from __future__ import annotations

import csv
import io
import logging
import struct
import subprocess
import time
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import run
from config.model import Request, Unit
from ingest.store import Store, attachment_path, defuse_stored_files, message_key_for
from matching.placement import MatchContext, MatchKind, Reason, place_message
from outputs.html import draw_thumbnail
from outputs.safe_files import download_headers
from outputs.tables import defuse
from parsers.auth import authentication_verdict, organisational_domain, read_authentication_results
from parsers.extract import document_text
from parsers.headers import read_from
from parsers.limits import Limits
from parsers.message import parse_message
from parsers.records import ParsedMessage

AT = datetime(2023, 8, 11, 3, 0, tzinfo=UTC)
UNITS = (Unit("STP", "Đoàn Sở Tư pháp", ("doan@stp.example.gov.vn",)),
         Unit("SXD", "Đoàn Sở Xây dựng", ("doan@sxd.example.gov.vn",)))
REQ = Request("178-TB/ĐTN", "Hoạt động cao điểm", datetime(2023, 8, 3, tzinfo=UTC),
              datetime(2023, 8, 11, 4, tzinfo=UTC), keywords=("hoạt động cao điểm",))
ROSTER = "doan@stp.example.gov.vn"


def ctx(**kw: Any) -> MatchContext:
    return MatchContext(units=UNITS, requests=(REQ,), own_addresses=frozenset({"vp@x.vn"}), **kw)


def raw_mail(sender: str, subject: str = "Báo cáo TB 178", body: str = "Kính gửi",
             headers: tuple[tuple[str, str], ...] = ()) -> bytes:
    head = f"From: {sender}\r\nTo: vp@x.vn\r\nSubject: {subject}\r\nMessage-ID: <m@x>\r\n"
    head += "".join(f"{n}: {v}\r\n" for n, v in headers)
    return (head + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n").encode()


def parse(raw: bytes, limits: Limits | None = None) -> ParsedMessage:
    return parse_message(raw, "k1", "<m@x>", AT, limits=limits or Limits())[0]


def place(raw: bytes, **kw: Any) -> Any:
    return place_message(parse(raw), ctx(**kw))


# -- 1. no single message fails a run ----------------------------------------------------------


def _inbox(tmp_path: Path, n: int, extra: dict[str, bytes] | None = None,
           limits: str = "") -> Path:
    (tmp_path / "inbox").mkdir()
    for i in range(n):
        (tmp_path / "inbox" / f"m{i}.eml").write_bytes(raw_mail(
            ROSTER, f"Báo cáo TB 178 số {i}").replace(b"<m@x>", f"<m{i}@x>".encode()))
    for name, data in (extra or {}).items():
        (tmp_path / "inbox" / name).write_bytes(data)
    (tmp_path / "units.csv").write_text(
        "code,name,emails,aliases\nSTP,Đoàn Sở Tư pháp,doan@stp.example.gov.vn,\n",
        encoding="utf-8")
    (tmp_path / "requests.toml").write_text(
        '[[request]]\nid = "178-TB/ĐTN"\ntitle = "x"\nissued = 2023-08-03T00:00:00\n'
        'deadline = 2023-08-11T11:00:00\nunits = ["*"]\nrequires = []\n', encoding="utf-8")
    path = tmp_path / "settings.toml"
    path.write_text('[[source]]\nkind = "eml_dir"\npath = "inbox"\n'
                    + (f"[limits]\n{limits}" if limits else ""), encoding="utf-8")
    return path


def _ledger(tmp_path: Path) -> dict[str, dict[str, str]]:
    with (tmp_path / "out" / "messages.csv").open(encoding="utf-8-sig", newline="") as fh:
        return {r["message_id"]: r for r in csv.DictReader(fh)}


def test_each_stage_raising_on_one_message_fails_only_that_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    import ingest.boundary
    import ingest.sources

    config = _inbox(tmp_path, 8)
    real_parse, real_place = parse_message, place_message
    real_time = ingest.sources.receipt_time_from_headers

    def parse_or_crash(raw: bytes, key: str, message_id: str, *a: Any, **kw: Any) -> Any:
        if message_id == "<m1@x>":
            raise KeyError("parse boom")
        return real_parse(raw, key, message_id, *a, **kw)

    def place_or_crash(parsed: ParsedMessage, c: MatchContext) -> Any:
        if parsed.message_id == "<m2@x>":
            raise ZeroDivisionError("place boom")
        return real_place(parsed, c)

    def time_or_crash(raw: bytes) -> Any:
        if b"<m3@x>" in raw:
            raise OverflowError("date boom")
        return real_time(raw)

    monkeypatch.setattr(ingest.boundary, "parse_message", parse_or_crash)
    monkeypatch.setattr(ingest.boundary, "place_message", place_or_crash)
    monkeypatch.setattr(ingest.sources, "receipt_time_from_headers", time_or_crash)
    with caplog.at_level(logging.INFO, logger="mailtally"):
        assert run.main(["--config", str(config), "once"]) == 0
    rows = _ledger(tmp_path)
    assert len(rows) == 8
    assert rows["<m1@x>"]["reason"] == "unparseable"
    assert rows["<m1@x>"]["sender"] == ROSTER  # what the headers say is kept
    assert rows["<m2@x>"]["reason"] == "unparseable"
    assert rows["<m3@x>"]["reason"] == ""  # stored with the file's time, placed
    assert sum(r["reason"] == "" for r in rows.values()) == 6
    assert "event=parse_crashed" in caplog.text and "parse boom" in caplog.text
    assert "event=place_crashed" in caplog.text and "place boom" in caplog.text
    assert "event=receipt_time_unreadable" in caplog.text


def test_a_message_over_max_message_seconds_is_unparseable_and_the_run_goes_on(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.boundary

    config = _inbox(tmp_path, 3, limits="max_message_seconds = 0.3\n")
    real_place = place_message

    def slow(parsed: ParsedMessage, c: MatchContext) -> Any:
        if parsed.message_id == "<m0@x>":
            while True:  # a loop that never ends on its own
                time.sleep(0.01)
        return real_place(parsed, c)

    monkeypatch.setattr(ingest.boundary, "place_message", slow)
    started = time.monotonic()
    assert run.main(["--config", str(config), "once"]) == 0
    assert time.monotonic() - started < 10
    rows = _ledger(tmp_path)
    assert rows["<m0@x>"]["reason"] == "unparseable"
    assert rows["<m1@x>"]["reason"] == ""


ABSURD = (b"Received: from x by y; Fri, 31 Dec 99999999999999999999 23:59:59 +99999999999999\r\n"
          b"Received: from a by b; Fri, 11 Aug 2023 09:30:05 +0700\r\n"
          b"From: doan@stp.example.gov.vn\r\nSubject: Bao cao TB 178\r\n"
          b"Date: Mon, 1 Jan 99999999999999999999 00:00:00 +99999999999999\r\n"
          b"Message-ID: <absurd@x>\r\n\r\nx\r\n")


def test_absurd_received_and_date_headers_do_not_stop_once(tmp_path: Path) -> None:
    config = _inbox(tmp_path, 2, {"absurd.eml": ABSURD,
                                  "offset.eml": ABSURD.replace(b"<absurd@x>", b"<offset@x>")
                                  .replace(b"99999999999999999999", b"2023")})
    assert run.main(["--config", str(config), "once"]) == 0
    rows = _ledger(tmp_path)
    assert len(rows) == 4
    # The sane Received header still gives the receipt time.
    assert rows["<absurd@x>"]["received_at"] == "2023-08-11T09:30:05+07:00"
    assert rows["<offset@x>"]["received_at"] == "2023-08-11T09:30:05+07:00"


# -- 2. spoofed mail is not placed by address ---------------------------------------------------


@pytest.mark.parametrize("sender", [
    f"{ROSTER}, attacker@evil.example",
    f"{ROSTER} <attacker@evil.example>",
    f'"{ROSTER}" <attacker@evil.example>',
    f'"{ROSTER}" <>',
    f"attacker@evil.example ({ROSTER})",
])
def test_a_roster_address_outside_the_one_mailbox_does_not_count(sender: str) -> None:
    [pl] = place(raw_mail(sender))
    assert pl.match != MatchKind.ADDRESS and pl.unit_code is None
    assert pl.reason == Reason.NO_UNIT
    assert pl.flags  # the office sees why


def test_a_roster_address_as_a_forwarded_originals_display_name_names_no_unit() -> None:
    raw = (b"From: stranger@evil.example\r\nSubject: Fwd: TB 178\r\nMessage-ID: <f@x>\r\n"
           b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
           b"Content-Type: text/plain\r\n\r\nxem\r\n--b\r\nContent-Type: message/rfc822\r\n\r\n"
           + f'From: "{ROSTER}" <attacker@evil.example>\r\nSubject: TB 178\r\n\r\nx\r\n'.encode()
           + b"--b--\r\n")
    [pl] = place(raw)
    assert (pl.unit_code, pl.reason) == (None, Reason.NO_UNIT)


def test_two_from_headers_are_two_claims() -> None:
    raw = raw_mail("Nobody", headers=(("From", ROSTER),))
    parsed = parse(raw)
    assert (parsed.sender, parsed.from_mailboxes) == (ROSTER, 2)
    assert place_message(parsed, ctx())[0].reason == Reason.NO_UNIT


def test_the_plain_roster_address_still_counts() -> None:
    [pl] = place(raw_mail(f"Đoàn STP <{ROSTER}>", headers=(
        ("Authentication-Results", "mx.x.vn; spf=fail smtp.mailfrom=stp.example.gov.vn; "
                                   "dkim=pass header.d=mail.stp.example.gov.vn"),)))
    assert (pl.unit_code, pl.match, pl.flags) == ("STP", MatchKind.ADDRESS, ())


@pytest.mark.parametrize("results", [
    ["mx.x.vn; spf=fail (dmarc=pass; dkim=pass) smtp.mailfrom=evil.example"],
    ["mx.x.vn; spf=fail smtp.mailfrom=evil.example; dkim=none",
     "mx.x.vn; spf=pass; dkim=pass; dmarc=pass"],
    ["mx.x.vn; spf=fail smtp.mailfrom=evil.example; dkim=pass header.d=evil.example"],
    ["mx.x.vn; dmarc=fail header.from=stp.example.gov.vn; dkim=pass header.d=evil.example"],
])
def test_the_office_servers_failure_is_read_as_dmarc_reads_it(results: list[str]) -> None:
    raw = raw_mail(ROSTER, headers=tuple(("Authentication-Results", r) for r in results))
    [pl] = place(raw)
    assert pl.reason == Reason.NO_UNIT
    assert pl.flags == ("auth_fail",)


def test_authserv_id_picks_the_offices_own_header() -> None:
    raw = raw_mail(ROSTER, headers=(
        ("Authentication-Results", "relay.evil.example; spf=pass; dmarc=pass"),
        ("Authentication-Results", "mx.office.vn; spf=fail smtp.mailfrom=evil.example"),
    ))
    assert place(raw)[0].match == MatchKind.ADDRESS  # default: the topmost header
    assert place(raw, authserv_id="mx.office.vn")[0].reason == Reason.NO_UNIT
    headers = read_authentication_results(["mx.office.vn 1; dkim=pass header.i=@a.b.gov.vn"])
    assert headers[0].authserv_id == "mx.office.vn"
    assert authentication_verdict(headers, "x@gov.vn") == ""  # not aligned, no failure
    assert authentication_verdict(headers, "x@c.b.gov.vn") == "pass"


def test_a_header_without_authserv_id_is_read_whole() -> None:
    # Microsoft 365 leaves the authserv-id out: its first result must still count.
    [header] = read_authentication_results([
        "spf=fail (sender IP is 192.0.2.1) smtp.mailfrom=evil.example; dkim=none (message not "
        "signed) header.d=none;dmarc=none action=none header.from=stp.example.gov.vn"])
    assert header.authserv_id == ""
    assert header.results[0] == ("spf", "fail", "evil.example")
    assert authentication_verdict([header], ROSTER) == "fail"


@pytest.mark.parametrize(("domain", "org"), [
    ("mail.stp.hanoi.gov.vn", "hanoi.gov.vn"), ("example.gov.vn", "example.gov.vn"),
    ("mx.google.com", "google.com"), ("a.b.co.uk", "b.co.uk"), ("vn", "vn"),
])
def test_organisational_domain(domain: str, org: str) -> None:
    assert organisational_domain(domain) == org


def test_a_forward_inside_a_failed_message_does_not_speak_for_a_roster_address() -> None:
    body = f"---------- Forwarded message ---------\nFrom: <{ROSTER}>\nSubject: x\n\nBáo cáo\n"
    failed = ("Authentication-Results", "mx.x.vn; spf=fail smtp.mailfrom=evil.example; "
                                        "dmarc=fail header.from=evil.example")
    [pl] = place(raw_mail("stranger@evil.example", "Fwd: TB 178", body, (failed,)))
    assert pl.reason == Reason.NO_UNIT and pl.flags == ("auth_fail",)
    [ok] = place(raw_mail("stranger@evil.example", "Fwd: TB 178", body))
    assert (ok.unit_code, ok.match) == ("STP", MatchKind.ADDRESS)  # contract: by its original


def test_a_forward_hidden_in_invisible_html_is_not_read() -> None:
    hidden = (f'<p>Gửi văn phòng</p><div style="display:none">---------- Forwarded message '
              f"---------<br>From: &lt;{ROSTER}&gt;<br>Subject: x<br><br>Báo cáo</div>")
    raw = raw_mail("stranger@evil.example", "Fwd: TB 178").replace(
        b"text/plain", b"text/html").replace("Kính gửi".encode(), hidden.encode())
    parsed = parse(raw)
    assert parsed.forwarded is None and ROSTER not in parsed.own_text
    assert place_message(parsed, ctx())[0].reason == Reason.NO_UNIT


def test_sender_reply_to_and_return_path_that_differ_are_kept_for_the_office() -> None:
    parsed = parse(raw_mail(ROSTER, headers=(("Reply-To", "attacker@evil.example"),
                                             ("Return-Path", "<bounce@evil.example>"),
                                             ("Sender", ROSTER))))
    assert parsed.other_senders == (("Reply-To", "attacker@evil.example"),
                                    ("Return-Path", "bounce@evil.example"))


# -- 3. images ------------------------------------------------------------------------------------


def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = zlib.compress((b"\0" + b"\0" * width) * height, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0,
                                                               0, 0, 0))
            + chunk(b"IDAT", rows) + chunk(b"IEND", b""))


def test_postscript_named_jpg_is_never_opened_nor_run(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[object] = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    photo = tmp_path / "anh.jpg"
    photo.write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n")
    assert draw_thumbnail(photo) == b""
    assert started == []


def test_a_png_declaring_7999_by_7999_is_not_decoded(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from PIL import ImageFile

    decoded: list[object] = []
    real_load = ImageFile.ImageFile.load

    def load(self: Any) -> Any:
        decoded.append(self.size)
        return real_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(_png(7999, 7999))
    assert bomb.stat().st_size < 400_000
    assert draw_thumbnail(bomb) == b""
    assert decoded == []
    small = tmp_path / "small.png"
    small.write_bytes(_png(40, 30))
    assert draw_thumbnail(small).startswith(b"\xff\xd8")  # a real photo still is drawn


# -- 4. attachments a browser would run --------------------------------------------------------


@pytest.mark.parametrize("name", ["trang.html", "A.HTM", "logo.svg", "x.xhtml", "d.xml",
                                  "a.mht", "s.js", "noext"])
def test_browser_run_attachments_are_stored_as_text(name: str) -> None:
    path = attachment_path("k", 1, name)
    assert path.endswith(".txt")
    assert attachment_path("k", 1, "bao-cao.pdf").endswith("bao-cao.pdf")


def test_download_headers() -> None:
    headers = dict(download_headers("báo cáo.html.txt"))
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Content-Disposition"].startswith("attachment;")
    assert "UTF-8''b%C3%A1o%20c%C3%A1o.html.txt" in headers["Content-Disposition"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("sandbox")
    assert dict(download_headers("x.svg"))["Content-Type"] == "application/octet-stream"
    assert dict(download_headers("anh.jpg"))["Content-Type"] == "image/jpeg"
    hostile = dict(download_headers('a"\r\nb.pdf; x=1'))["Content-Disposition"]
    assert hostile.count('"') == 2 and "\r" not in hostile and "\n" not in hostile
    assert hostile.endswith("filename*=UTF-8''a%22b.pdf%3B%20x%3D1")


def test_files_stored_by_an_earlier_version_are_renamed_once(tmp_path: Path) -> None:
    folder = tmp_path / "files" / "abc"
    folder.mkdir(parents=True)
    (folder / "01-page.html").write_text("<script>x</script>")
    (folder / "02-bao-cao.pdf").write_bytes(b"%PDF")
    store = Store(tmp_path)
    try:
        assert defuse_stored_files(store) == 1
        assert sorted(p.name for p in folder.iterdir()) == ["01-page.html.txt", "02-bao-cao.pdf"]
        (folder / "03-x.svg").write_text("<svg/>")
        assert defuse_stored_files(store) == 0  # once per data dir
    finally:
        store.close()


# -- 5. costs that grow faster than the message ------------------------------------------------


def _seconds(work: Any) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def test_a_million_semicolons_in_a_parameter_header_cost_linear_time() -> None:
    raw = (raw_mail(ROSTER).split(b"Content-Type")[0]
           + b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
           + b"Content-Type: application/pdf\r\nContent-Disposition: attachment; filename=a.pdf"
           + b";" * 1_000_000 + b"\r\n\r\n%PDF\r\n--b--\r\n")
    assert _seconds(lambda: parse(raw)) < 3


def test_a_body_repeating_a_units_name_is_searched_in_linear_time() -> None:
    body = "Đoàn Sở Tư pháp báo cáo. " * 8000  # 200 kB
    raw = raw_mail("someone@gmail.example", "Báo cáo", body)
    parsed = parse(raw)
    assert _seconds(lambda: place_message(parsed, ctx())) < 3


def test_the_splitter_builds_no_part_past_max_parts() -> None:
    from parsers.mime import fast_message_from_bytes

    parts = b"".join(b"--b\r\nContent-Type: text/plain\r\n\r\nx\r\n" for _ in range(20_000))
    raw = b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n' + parts + b"--b--\r\n"
    msg = fast_message_from_bytes(raw, max_parts=50)
    assert msg is not None and len(msg.get_payload()) == 50
    parsed = parse(b"From: a@b.vn\r\nSubject: s\r\n" + raw, Limits(max_parts=50))
    assert any("max_parts" in n for n in parsed.notes)


# -- 6. invisible characters before a formula -----------------------------------------------


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff", "\u00ad", "\u2060", "\u200d", " ",
                                  "\u00a0", "\u200b\u00ad\ufeff"])
@pytest.mark.parametrize("trigger", ["=", "@", "-", "+"])
def test_invisible_characters_before_a_formula_do_not_hide_it(mark: str, trigger: str) -> None:
    assert defuse(f"{mark}{trigger}1+1") == f"'{mark}{trigger}1+1"
    assert defuse(f"{mark}Báo cáo") == f"{mark}Báo cáo"


# -- 7. a sender behind nested comments -------------------------------------------------------


def test_nested_comments_in_from_fall_back_to_an_address_search() -> None:
    field = read_from(["(" * 5000 + ")" * 5000 + " doan@stp.example.gov.vn"])
    assert (field.address, field.mailboxes) == (ROSTER, 1)
    parsed = parse(raw_mail("(" * 3000 + "x" + ")" * 3000 + " <someone@example.net>"))
    assert not parsed.problem and parsed.sender == "someone@example.net"


# -- 8. real-world leftovers -------------------------------------------------------------------


def test_bare_cr_mail_keeps_its_message_id() -> None:
    raw = b"From: a@b.vn\rSubject: s\rMessage-ID: <old-mac@x>\r\rbody\r"
    assert message_key_for(raw)[1] == "<old-mac@x>"
    assert parse_message(raw, "k", "", AT)[0].message_id == "<old-mac@x>"


def test_an_unparseable_message_keeps_what_its_headers_say(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import ingest.boundary

    def crash(*a: Any, **k: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(ingest.boundary, "parse_message", crash)
    dated = b"Message-ID: <m@x>\r\nDate: Fri, 11 Aug 2023 09:00:00 +0700\r\n"
    raw = raw_mail(ROSTER).replace(b"Message-ID: <m@x>\r\n", dated)
    parsed = ingest.boundary.parse_safely(lambda *a: "", "k", raw, "", AT)
    assert parsed.problem.startswith("parse failed: RuntimeError")
    assert (parsed.message_id, parsed.sender, parsed.received_at) == ("<m@x>", ROSTER, AT)
    assert parsed.date is not None and parsed.subject


def test_an_xlsx_of_inline_strings_is_read() -> None:
    sheet = ('<worksheet><sheetData><row><c t="inlineStr"><is><t xml:space="preserve">Đoàn Sở '
             'Xây dựng</t></is></c><c><f>SUM(1)</f><v>42</v></c></row></sheetData></worksheet>')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    text, note = document_text("xlsx", buf.getvalue(), Limits(), 5)
    assert note == "" and "Đoàn Sở Xây dựng" in text and "42" not in text


