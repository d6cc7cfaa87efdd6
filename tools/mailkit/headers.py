"""Headers written as mail clients write them: RFC 2047 encoded words with whole characters and
the spaces kept, ASCII folded at spaces, a display name quoted or encoded as it needs; stored raw
so that the email package does not fold them again."""

from __future__ import annotations

import base64
from email.message import Message

from mailkit import digest

ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To", "Sender")
_SPECIALS = set('()<>@,;:\\".[]|')


def encoded_words(text: str, key: str, charset: str = "utf-8", limit: int = 62) -> list[str]:
    """RFC 2047 encoded-words for `text`, as mail clients write them: whole characters per word,
    spaces kept inside the words, each word at most `limit` characters. (Python's own header
    folder drops the space between two words when it switches from B to Q encoding.)"""
    codec = "cp1258" if charset == "windows-1258" else charset
    q_style = int(digest(key, "q-style")[:2], 16) % 3 == 0

    def enc(chunk: str) -> str:
        data = chunk.encode(codec)
        if not q_style:
            return f"=?{charset.upper()}?B?{base64.b64encode(data).decode()}?="
        body = "".join(
            chr(b)
            if (chr(b).isalnum() and b < 128) or chr(b) in "!*+-/"
            else "_"
            if b == 32
            else f"={b:02X}"
            for b in data
        )
        return f"=?{charset.upper()}?Q?{body}?="

    words: list[str] = []
    chunk = ""
    for ch in text:
        if chunk and len(enc(chunk + ch)) > limit:
            words.append(enc(chunk))
            chunk = ch
        else:
            chunk += ch
    if chunk:
        words.append(enc(chunk))
    return words


def fold_ascii(text: str, room: int = 70) -> str:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n ".join(lines)


def raw_text_header(text: str, key: str, charset: str = "utf-8") -> str:
    """An unstructured header value (Subject), encoded and folded."""
    if text.isascii():
        return fold_ascii(text)
    return "\n ".join(encoded_words(text, key, charset))


def raw_address(value: str, key: str, charset: str = "utf-8") -> str:
    """'Name <addr>' (or a bare address) for an address header, the name encoded if needed."""
    if "<" not in value:
        return value
    name, _, rest = value.rpartition("<")
    name = name.strip().strip('"')
    addr = "<" + rest
    if not name:
        return addr
    if name.isascii():
        if _SPECIALS & set(name):
            name = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{name} {addr}" if len(name) + len(addr) < 68 else f"{name}\n {addr}"
    return "\n ".join(encoded_words(name, key, charset)) + f"\n {addr}"


def set_header(msg: Message, name: str, value: str, key: str) -> None:
    """Store a header exactly as encoded here (no re-folding by the email package)."""
    raw = raw_address(value, key) if name in ADDRESS_HEADERS else raw_text_header(value, key)
    msg.set_raw(name, raw)
