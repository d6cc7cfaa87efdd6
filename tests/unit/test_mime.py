"""The fast MIME splitter gives the same parts and bytes as the email package, or declines."""

from __future__ import annotations

import base64
import email
import warnings
from email.message import EmailMessage, Message
from email.policy import compat32
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parsers.mime import LazyLeaf, fast_message_from_bytes

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


def _leaf_message(body: bytes, cte: str = "base64", eol: bytes = b"\r\n") -> bytes:
    head = (b'Content-Type: multipart/mixed; boundary="b"' + eol + eol + b"--b" + eol
            + b"Content-Type: image/jpeg" + eol + b"Content-Transfer-Encoding: " + cte.encode()
            + eol + eol)
    return head + body + eol + b"--b--" + eol


@settings(max_examples=2000, deadline=None)
@given(data=st.binary(max_size=400), width=st.sampled_from([76, 64, 4, 1000]),
       eol=st.sampled_from([b"\r\n", b"\n"]),
       damage=st.sampled_from(["none", "no_padding", "junk", "space", "inner_pad",
                               "urlsafe", "trailing_blank", "one_pad", "cut", "tab_eol"]),
       cte=st.sampled_from(["base64", "BASE64", " base64", "7bit", "quoted-printable"]))
def test_base64_leaves_decode_as_the_email_package_does(
        data: bytes, width: int, eol: bytes, damage: str, cte: str) -> None:
    encoded = base64.b64encode(data)
    line_end = eol
    if damage == "no_padding":
        encoded = encoded.rstrip(b"=")
    elif damage == "junk":
        encoded = encoded[: len(encoded) // 2] + b"*!" + encoded[len(encoded) // 2:]
    elif damage == "space":
        encoded = encoded[: len(encoded) // 3] + b" " + encoded[len(encoded) // 3:]
    elif damage == "inner_pad":
        encoded = encoded + b"QUJD"
    elif damage == "one_pad":
        encoded = encoded.rstrip(b"=") + b"="
    elif damage == "cut":
        encoded = encoded[:-1]
    elif damage == "tab_eol":
        line_end = b" \t" + eol
    elif damage == "urlsafe":
        encoded = encoded.replace(b"+", b"-").replace(b"/", b"_")
    body = line_end.join(encoded[i:i + width] for i in range(0, len(encoded), width))
    if damage == "trailing_blank":
        body += eol
    raw = _leaf_message(body, cte, eol)
    fast = fast_message_from_bytes(raw)
    assert fast is not None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the email package may warn on a broken body
        assert leaves(fast) == leaves(email.message_from_bytes(raw, policy=compat32))


def test_a_clean_base64_body_is_decoded_without_the_email_package() -> None:
    data = bytes(range(256)) * 1000
    raw = _leaf_message(base64.encodebytes(data))
    fast = fast_message_from_bytes(raw)
    assert fast is not None
    children = fast.get_payload()
    assert isinstance(children, list)
    leaf = children[0]
    assert isinstance(leaf, LazyLeaf)
    assert leaf.get_payload(decode=True) == data
    assert leaf._payload is None  # decoded from the buffer: no text copy was made
    assert leaf.get_payload(decode=False).startswith("AAECAwQF")  # and the text is still there
