"""The store: one message once, raw bytes kept, receipt time from headers, safe file names."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.sources import receipt_time_from_headers
from ingest.store import (
    HASH_CHUNK,
    Store,
    content_fingerprint,
    kept_header_lines,
    message_key_for,
    safe_filename,
)

MSG = (b"Received: from a by mx; Fri, 11 Aug 2023 10:42:07 +0700\r\n"
       b"Message-ID: <abc@x.vn>\r\nFrom: a@x.vn\r\nSubject: hi\r\n"
       b"Date: Fri, 11 Aug 2023 09:00:00 +0700\r\n\r\nbody\r\n")


def test_same_message_via_another_route_has_the_same_key() -> None:
    other_route = (b"Delivered-To: doankhoi@x.vn\nReceived: from b by mx2; Fri, 11 Aug 2023 "
                   b"11:00:00 +0700\n" + MSG.replace(MSG.split(b"\r\n")[0] + b"\r\n", b"")
                   .replace(b"\r\n", b"\n"))
    assert message_key_for(MSG) == message_key_for(other_route)


def test_reused_message_id_with_other_content_is_another_message() -> None:
    assert message_key_for(MSG)[0] != message_key_for(MSG.replace(b"body", b"other"))[0]


def test_without_message_id_only_same_bytes_are_the_same() -> None:
    bare = MSG.replace(b"Message-ID: <abc@x.vn>\r\n", b"")
    assert message_key_for(bare) == message_key_for(bare)
    assert message_key_for(bare)[0] != message_key_for(b"X-A: 1\r\n" + bare)[0]
    assert message_key_for(bare)[1] == ""


def test_store_keeps_raw_bytes_and_first_arrival(tmp_path: Path) -> None:
    store = Store(tmp_path)
    late = datetime(2023, 8, 11, 5, 0, tzinfo=UTC)
    early = datetime(2023, 8, 11, 3, 0, tzinfo=UTC)
    key, new = store.store_message(MSG, late, "s", "INBOX")
    assert new
    key2, new2 = store.store_message(MSG, early, "s", "Other")
    assert (key2, new2) == (key, False)
    [stored] = store.messages()
    assert stored.received_at == early
    assert store.read_raw(stored) == MSG
    store.close()


def test_receipt_time_is_the_newest_received_header_else_date() -> None:
    two_hops = (b"Received: from b by mx; Fri, 11 Aug 2023 04:00:30 +0000\n"
                b"Received: from a by relay; Fri, 11 Aug 2023 10:59:00 +0700\n"
                b"Date: Fri, 11 Aug 2023 10:55:00 +0700\n\nx")
    assert receipt_time_from_headers(two_hops) == datetime(2023, 8, 11, 4, 0, 30, tzinfo=UTC)
    only_date = b"Date: Fri, 11 Aug 2023 10:55:00 +0700\n\nx"
    assert receipt_time_from_headers(only_date) == datetime(2023, 8, 11, 3, 55, tzinfo=UTC)
    assert receipt_time_from_headers(b"Subject: none\n\nx") is None


def test_safe_filename_strips_paths_devices_and_control_characters() -> None:
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("C:\\Windows\\evil.exe") == "evil.exe"
    assert safe_filename("CON.txt") == "_CON.txt"
    assert safe_filename("a\x00b\x1f.pdf") == "ab.pdf"
    assert safe_filename("..") == "file"
    assert safe_filename("Báo cáo kết quả.docx") == "Báo_cáo_kết_quả.docx"
    assert len(safe_filename("x" * 400 + ".pdf").encode()) <= 100


def _fingerprint_as_specified(raw: bytes) -> str:
    """The fingerprint's definition, written plainly: the whole message without CRs, the kept
    header lines, a blank line, the body without its final line breaks."""
    text = raw.translate(None, b"\r")
    head, _, body = text.partition(b"\n\n")
    return hashlib.sha256(b"\n".join(kept_header_lines(head)) + b"\n\n"
                          + body.rstrip(b"\n")).hexdigest()


@settings(max_examples=500, deadline=None)
@given(head=st.lists(st.sampled_from([b"Received: x", b"From: a@b.vn", b" folded", b"Subject: s",
                                      b"X-Spam-Score: 1", b"\tmore", b""]), max_size=6),
       body=st.binary(max_size=300), eol=st.sampled_from([b"\r\n", b"\n", b"\r\r\n"]),
       trailer=st.sampled_from([b"", b"\n", b"\r\n\r\n", b"\r"]))
def test_the_fingerprint_is_what_its_definition_says(
        head: list[bytes], body: bytes, eol: bytes, trailer: bytes) -> None:
    raw = eol.join(head) + eol + eol + body + trailer
    assert content_fingerprint(raw) == _fingerprint_as_specified(raw)


def test_a_big_body_is_hashed_in_pieces_to_the_same_fingerprint() -> None:
    body = (b"A\r\n" * (HASH_CHUNK // 3 + 7)) + b"\r\n" * 3 + b"x" * (HASH_CHUNK + 5)
    raw = b"From: a@b.vn\r\nSubject: big\r\n\r\n" + body + b"\r\n"
    assert content_fingerprint(raw) == _fingerprint_as_specified(raw)
