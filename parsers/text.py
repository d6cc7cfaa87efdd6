"""Text helpers for parsing: HTML to text, cutting quoted replies, finding forwards and links."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

from parsers.records import Original

_SKIP_TAGS = {"style", "script", "head", "title", "blockquote"}
_BREAK_TAGS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"}


class _TextExtractor(HTMLParser):
    """Visible text of an HTML body, quoted parts (blockquote, Gmail/Outlook quote blocks) left out;
    link targets are kept after their text so that a Drive link in an <a href> is still seen."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {k: v or "" for k, v in attrs}
        classes = attr.get("class", "")
        quoted = tag in _SKIP_TAGS or "gmail_quote" in classes or attr.get("id", "") in (
            "divRplyFwdMsg", "appendonsend") or "moz-cite-prefix" in classes
        if tag not in ("br", "hr", "img", "meta", "link", "input"):
            self.stack.append((tag, quoted))
            if quoted:
                self.skip_depth += 1
        if tag in _BREAK_TAGS:
            self.parts.append("\n")
        if tag == "a" and not self.skip_depth and attr.get("href", "").startswith("http"):
            self.parts.append(f" {attr['href']} ")

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching tag; HTML in mail is often not well nested.
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for _, quoted in self.stack[i:]:
                    if quoted:
                        self.skip_depth -= 1
                del self.stack[i:]
                break
        if tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser rarely raises; keep what was read so far
        pass
    text = "".join(parser.parts)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip()


# A line that starts the quoted part of a reply, in the forms mail clients write in Vietnamese
# and English. Everything from it on is not the sender's own text.
_REPLY_HEADER = re.compile(
    r"^(?:"
    r"On .{0,200}wrote:\s*$"
    r"|Vào .{0,200}đã viết:\s*$"
    r"|.{0,200}<[^>]+@[^>]+>\s*(?:đã viết|wrote):\s*$"
    r"|-{2,}\s*Original Message\s*-{2,}"
    r"|-{2,}\s*Thư gốc\s*-{2,}"
    r"|_{20,}\s*$"
    r")",
    re.IGNORECASE | re.MULTILINE,
)

# A line that starts an inline forwarded message.
_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:"
    r"-{3,}\s*(?:Forwarded message|Thư đã chuyển tiếp|Thư được chuyển tiếp"
    r"|Tin nhắn đã chuyển tiếp|Tin nhắn được chuyển tiếp|Original Message|Thư gốc)\s*-{3,}"
    r"|Begin forwarded message:"
    r"|Bắt đầu thư được chuyển tiếp:"
    r")[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)

_FWD_FIELD = re.compile(
    r"^[ \t>*]*(From|Từ|Người gửi|Date|Sent|Ngày|Đã gửi|Subject|Tiêu đề|Chủ đề|To|Tới|Đến|Cc)"
    r"\s*:\s*(.*)$",
    re.IGNORECASE,
)
_FIELD_NAMES = {
    "from": "from", "từ": "from", "người gửi": "from",
    "date": "date", "sent": "date", "ngày": "date", "đã gửi": "date",
    "subject": "subject", "tiêu đề": "subject", "chủ đề": "subject",
    "to": "to", "tới": "to", "đến": "to", "cc": "cc",
}
_ADDRESS = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+", re.IGNORECASE)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def cut_quoted(text: str) -> str:
    """The sender's own part of a plain-text body: no `>` lines, nothing after a reply header."""
    m = _REPLY_HEADER.search(text)
    if m:
        text = text[: m.start()]
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith(">")]
    return "\n".join(lines).strip()


def split_inline_forward(text: str) -> tuple[str, Original | None]:
    """Split a body at an inline forward marker.

    Returns (text before the marker, the forwarded original) or (text, None) when there is no
    marker. The original's sender, subject and date come from the header lines after the marker.
    """
    m = _FORWARD_MARKER.search(text)
    if not m:
        return text, None
    before, after = text[: m.start()], text[m.end():]
    fields: dict[str, str] = {}
    lines = after.lstrip("\n").splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        fm = _FWD_FIELD.match(line)
        if fm:
            fields.setdefault(_FIELD_NAMES[fm.group(1).lower()], fm.group(2).strip())
            body_start = i + 1
            continue
        if not line.strip() and fields:
            body_start = i + 1
            break
        if fields:
            break
    body = "\n".join(ln.lstrip(">").lstrip() if ln.startswith(">") else ln
                     for ln in lines[body_start:])
    sender_field = fields.get("from", "")
    addr = _ADDRESS.search(sender_field)
    name = sender_field
    if addr:
        name = sender_field.replace(addr.group(0), "")
    name = name.replace("<", "").replace(">", "").replace("mailto:", "").strip(' "\'')
    original = Original(
        sender=addr.group(0).lower() if addr else "",
        sender_name=name,
        subject=fields.get("subject", ""),
        text=cut_quoted(body),
    )
    return before.strip(), original


def find_links(text: str) -> list[str]:
    return [u.rstrip(".,;:!?") for u in _URL.findall(text)]


def squeeze(text: str) -> str:
    """Whitespace runs made one space: the form whose length the evidence rule counts."""
    return " ".join(text.split())
