"""The fast MIME splitter gives the same parts and bytes as the email package, or declines."""

from __future__ import annotations

import email
from email.message import EmailMessage, Message
from email.policy import compat32
from pathlib import Path

import pytest

from parsers.mime import fast_message_from_bytes

DEMO = Path(__file__).parents[2] / "config" / "demo" / "inbox"
LEAF_MESSAGE_TYPES = {"message/delivery-status", "message/disposition-notification"}


def leaves(msg: Message) -> list[tuple[str, str | None, bytes]]:
    if msg.get_content_type() in LEAF_MESSAGE_TYPES:
        return [("dsn", None, b"")]
    if msg.is_multipart():
        out = []
        for part in msg.get_payload():
            assert isinstance(part, Message)
            out += leaves(part)
        return out
    payload = msg.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return [(msg.get_content_type(), msg.get_filename(), payload.rstrip(b"\r\n"))]


@pytest.mark.parametrize("path", sorted(DEMO.glob("*.eml")), ids=lambda p: p.name)
def test_same_leaves_as_the_email_package(path: Path) -> None:
    raw = path.read_bytes()
    fast = fast_message_from_bytes(raw)
    assert fast is not None
    assert leaves(fast) == leaves(email.message_from_bytes(raw, policy=compat32))


def test_crlf_nested_forward_with_big_attachment() -> None:
    inner = EmailMessage()
    inner["From"] = "a@x.vn"
    inner["Subject"] = "Báo cáo"
    inner.set_content("nội dung")
    inner.add_attachment(bytes(range(256)) * 40000, maintype="image", subtype="jpeg",
                         filename="ảnh.jpg")
    outer = EmailMessage()
    outer["From"] = "b@gmail.com"
    outer.set_content("chuyển tiếp")
    outer.add_attachment(inner)
    raw = outer.as_bytes().replace(b"\n", b"\r\n")
    fast = fast_message_from_bytes(raw)
    assert fast is not None
    assert leaves(fast) == leaves(email.message_from_bytes(raw, policy=compat32))
    assert any(name == "ảnh.jpg" and len(data) == 256 * 40000 for _, name, data in leaves(fast)
               if name)


@pytest.mark.parametrize("raw", [
    b"Content-Type: multipart/mixed\n\nno boundary parameter\n",
    b'Content-Type: multipart/mixed; boundary="b"\n\nthe boundary never comes\n',
    b'Content-Type: multipart/mixed; boundary="b"\n\n--b\n\nx\n--b--\n--b\n\ny\n',
    b"Subject: old mac\rFrom: a@b\r\rbody\r",
])
def test_declines_what_it_cannot_vouch_for(raw: bytes) -> None:
    assert fast_message_from_bytes(raw) is None
