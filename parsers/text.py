"""Text helpers for parsing: decoding bytes leniently, cleaning text, HTML to text, cutting quoted
replies, finding forwards and links.

Every function here takes text a stranger wrote. None may take more than linear time: regular
expressions are anchored or bounded, and lines are looked at one at a time.
"""

from __future__ import annotations

import codecs
import html
import re
import unicodedata

from parsers.records import Original

_SKIP_TAGS = {"style", "script", "head", "title", "blockquote"}
_RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp")  # content up to </tag> is text
_VOID_TAGS = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source",
              "wbr", "param", "track"}
_STACK_SEARCH = 64  # open tags searched for the match of an end tag
_MAX_STACK = 10_000
_BREAK_TAGS = {"br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "hr"}

_TAG_NAME = re.compile(r"(/?)([A-Za-z][^\s/<>]{0,60})")
_ATTR_RUN = re.compile(r"[^<>\"']*")
_ATTR = re.compile(r"""([^\s=/<>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s<>"']*)))?""")
_BLANK_LINES = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+")


_INVISIBLE_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|"
    r"max-height\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])", re.IGNORECASE)


def _hidden(attrs: dict[str, str]) -> bool:
    """Whether an element is one a reader never sees (`hidden`, display:none and the like):
    its text is not the sender's own (a newsletter's preheader, or a forward a stranger hides
    to pass for a unit)."""
    return "hidden" in attrs or bool(_INVISIBLE_STYLE.search(attrs.get("style", "")[:2000]))


class _TextExtractor:
    """Visible text of an HTML body, quoted parts (blockquote, Gmail/Outlook quote blocks) left out;
    link targets are kept after their text so that a Drive link in an <a href> is still seen.

    A small scanner of our own rather than html.parser: the standard one takes quadratic time on
    inputs such as "<a" repeated (CPython gh-135462 and kin; 800 kB took nine minutes). Here every
    character is looked at a bounded number of times: a tag that never closes ends the document
    (as in a browser), and one broken by a stray "<" is skipped up to it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: dict[str, str]) -> None:
        classes = attrs.get("class", "")
        quoted = tag in _SKIP_TAGS or "gmail_quote" in classes or attrs.get("id", "") in (
            "divRplyFwdMsg", "appendonsend") or "moz-cite-prefix" in classes or _hidden(attrs)
        if tag not in _VOID_TAGS and len(self.stack) < _MAX_STACK:
            self.stack.append((tag, quoted))
            if quoted:
                self.skip_depth += 1
        if tag in _BREAK_TAGS:
            self.parts.append("\n")
        href = attrs.get("href", "").strip()
        if tag == "a" and not self.skip_depth and href.lower().startswith(("http://", "https://")):
            self.parts.append(f" {href} ")

    def handle_endtag(self, tag: str) -> None:
        # Pop to the matching tag; HTML in mail is often not well nested. Only the innermost
        # tags are searched: thousands of unclosed tags would otherwise cost quadratic time.
        for i in range(len(self.stack) - 1, max(len(self.stack) - _STACK_SEARCH, 0) - 1, -1):
            if self.stack[i][0] == tag:
                for _, quoted in self.stack[i:]:
                    if quoted:
                        self.skip_depth -= 1
                del self.stack[i:]
                break
        if tag in _BREAK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if data and not self.skip_depth:
            self.parts.append(html.unescape(data))

    def feed(self, text: str) -> None:
        lower = text.lower()
        n = len(text)
        i = 0
        while i < n:
            lt = text.find("<", i)
            if lt < 0:
                self.handle_data(text[i:])
                return
            self.handle_data(text[i:lt])
            i = self._markup(text, lower, lt)

    def _markup(self, text: str, lower: str, lt: int) -> int:
        """Read the markup at text[lt] == "<"; return where reading goes on."""
        n = len(text)
        if text.startswith("<!--", lt):
            end = text.find("-->", lt + 4)
            return n if end < 0 else end + 3
        if text.startswith("<![CDATA[", lt):
            end = text.find("]]>", lt + 9)
            self.handle_data(text[lt + 9: n if end < 0 else end])
            return n if end < 0 else end + 3
        if text.startswith(("<!", "<?", "</ ", "</>"), lt):
            end = text.find(">", lt + 2)
            return n if end < 0 else end + 1
        m = _TAG_NAME.match(text, lt + 1)
        if m is None:
            self.handle_data("<")
            return lt + 1
        # The attributes run up to ">", quoted values skipped whole. A stray "<" outside quotes
        # means a broken tag: it is dropped and reading goes on at that "<".
        j = m.end()
        while True:
            j = _ATTR_RUN.match(text, j).end()  # type: ignore[union-attr]
            if j >= n:
                return n
            ch = text[j]
            if ch in "\"'":
                close = text.find(ch, j + 1)
                if close < 0:
                    return n
                j = close + 1
                continue
            if ch == "<":
                return j
            break  # ">"
        tag = m.group(2).lower()
        if m.group(1):
            self.handle_endtag(tag)
            return j + 1
        attrs: dict[str, str] = {}
        for a in _ATTR.finditer(text, m.end(), j):
            value = a.group(2) if a.group(2) is not None else (a.group(3) or a.group(4) or "")
            attrs.setdefault(a.group(1).lower(), html.unescape(value))
        self.handle_starttag(tag, attrs)
        if tag in _RAW_TEXT_TAGS and not text.startswith("/>", j - 1):
            end = lower.find(f"</{tag}", j + 1)
            self.handle_data(text[j + 1: n if end < 0 else end])
            if end < 0:
                return n
            self.handle_endtag(tag)
            close = text.find(">", end)
            return n if close < 0 else close + 1
        return j + 1


def html_to_text(text: str) -> str:
    """The visible text of an HTML body (scripts, styles and quoted blocks left out)."""
    parser = _TextExtractor()
    parser.feed(text)
    return _BLANK_LINES.sub("\n\n", "".join(parser.parts)).strip()


# A line that starts the quoted part of a reply, in the forms mail clients write in Vietnamese
# and English. Everything from it on is not the sender's own text. Each pattern is matched against
# one stripped line (joined with the next when a client wrapped "wrote:" onto it), at most
# _ATTRIBUTION_CHARS long, so that no pattern can backtrack over a whole body.
_REPLY_HEADER = re.compile(
    r"(?:"
    r"On .{0,200}wrote:"
    r"|Vào .{0,200}đã viết:"
    r"|.{0,200}<[^<>@]{1,200}@[^<>@]{1,200}>\s*(?:đã viết|wrote):"
    r"|-{2,}\s*Original Message\s*-{2,}.*"
    r"|-{2,}\s*Thư gốc\s*-{2,}.*"
    r"|_{20,}"
    r")",
    re.IGNORECASE,
)
_ATTRIBUTION_CHARS = 600
_WROTE = ("wrote:", "đã viết:")

# A line that starts an inline forwarded message.
_FORWARD_MARKER = re.compile(
    r"^[ \t>]*(?:"
    r"-{3,}[ \t]*(?:Forwarded message|Thư đã chuyển tiếp|Thư được chuyển tiếp"
    r"|Tin nhắn đã chuyển tiếp|Tin nhắn được chuyển tiếp|Original Message|Thư gốc)[ \t]*-{3,}"
    r"|Begin forwarded message:"
    r"|Bắt đầu thư được chuyển tiếp:"
    r")[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)

_OUTLOOK_SEPARATOR = re.compile(r"^[ \t]*_{20,}[ \t]*$", re.MULTILINE)
# A subject that says the message is a forward (Gmail, Outlook, Vietnamese clients).
FORWARD_SUBJECT = re.compile(r"^\s*(?:\[[^\]]{0,40}\]\s*)?(?:fwd?|fw|chuyển tiếp|chuyen tiep)\s*:",
                             re.IGNORECASE)

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
# An address: it starts where a run of address characters starts (the look-behind), and every
# piece is bounded, so a long run without "@" is rejected in linear time.
_ADDRESS = re.compile(r"(?<![\w.+\-])[\w.+\-]{1,64}@[\w\-]{1,63}(?:\.[\w\-]{1,63}){1,8}")
_URL = re.compile(r"https?://[^\s<>\"'()\[\]]+", re.IGNORECASE)
_MAX_URL_CHARS = 2000
_MAX_LINKS = 200


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


# -- decoding bytes a stranger labelled -------------------------------------------------------

# Codecs Python has that are not character sets: a part "labelled" with one must not be run
# through it (unicode-escape, for one, turns "\\ud800" into a lone surrogate).
_NOT_CHARSETS = frozenset({
    "unicode-escape", "raw-unicode-escape", "unicode_escape", "raw_unicode_escape", "punycode",
    "idna", "undefined", "mbcs", "oem", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
    "utf-32-le", "utf-32-be",
})
_UTF8_NAMES = frozenset({"utf-8", "utf_8", "us-ascii", "ascii"})
_UNKNOWN_NAMES = frozenset({"unknown-8bit", "x-unknown", "unknown", "x-user-defined", "default"})
# VISCII (RFC 1456), still met in old Vietnamese mail; Python has no codec for it. The table
# was taken from glibc's iconv: bytes 0x80-0xFF, and the six C0 bytes VISCII reuses.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲÕắằặấầẩậẽẹếềểễệốồổỗỠƠộờởịỰỨỪỬơớƯÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳĐứÒÓÔạỷừửÙÚ"
    "ỹỵÝỡưàáâãảăữẫèéêẻìíĩỉđựòóôõỏọụùúũủýợỮ"
)
_VISCII = str.maketrans({0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ",
                         **{0x80 + i: ch for i, ch in enumerate(_VISCII_HIGH)}})


def charset_name(declared: object) -> str:
    """The codec name for a declared charset, '' when unknown, empty or not a charset."""
    if not isinstance(declared, str):
        return ""
    name = declared.strip().strip("\"'").lower()
    if not name or len(name) > 40 or name in _UNKNOWN_NAMES:
        return ""
    if name in ("viscii", "csviscii", "viscii1.1-1"):
        return "viscii"
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError, TypeError):
        return ""
    return "" if codec in _NOT_CHARSETS else codec


def _is_multibyte_utf8(data: bytes) -> bool:
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_bytes(data: bytes, declared: object = None) -> str:
    """Text of bytes whose label may lie: the declared charset, then UTF-8, then windows-1258,
    then latin-1 (which never fails). Valid multi-byte UTF-8 wins over a declared single-byte
    charset, since old Vietnamese mail clients label UTF-8 text windows-1252 or latin-1 and the
    reverse accident (a single-byte text that happens to be valid UTF-8) is all but impossible.
    The result is cleaned (see `clean_text`)."""
    name = charset_name(declared)
    candidates: list[str] = []
    if name and name not in _UTF8_NAMES and _is_multibyte_utf8(data):
        candidates.append("utf-8")
    if name:
        candidates.append(name)
    candidates += ["utf-8", "cp1258"]
    for enc in candidates:
        try:
            if enc == "viscii":
                text = data.decode("latin-1").translate(_VISCII)
            else:
                text = data.decode(enc)
        except (LookupError, UnicodeError, ValueError):
            continue
        return clean_text(text)
    return clean_text(data.decode("latin-1"))


# -- cleaning ------------------------------------------------------------------------------

# C0 and C1 controls except tab and newline; DEL. Excel refuses most of them in a cell, and a
# terminal or log reader should never receive an escape sequence from a stranger.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
# Bidirectional overrides and isolates: "báo cáo\u202efdp.exe" shows as "báo cáoexe.pdf".
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_text(text: str) -> str:
    """Body text made safe to keep: line ends as \\n, no control characters (tab and newline
    kept), lone surrogates as U+FFFD, NFC."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))
    return nfc(text)


def clean_line(text: str, max_chars: int = 1000) -> str:
    """One-line text (a subject, a name, a file name): whitespace runs made one space, no
    control or bidirectional-override characters, NFC, at most `max_chars` characters."""
    text = _BIDI.sub("", _SURROGATES.sub("\ufffd", text))
    text = " ".join(_CONTROLS.sub(" ", text).split())
    return nfc(text)[:max_chars]


def _is_reply_header(line: str, following: str) -> bool:
    s = line.strip()
    if not s or len(s) > _ATTRIBUTION_CHARS:
        return False
    nxt = following.strip()
    if nxt.lower() in _WROTE:  # "Name <a@b>" / "wrote:" wrapped over two lines
        s = f"{s} {nxt}"
    return _REPLY_HEADER.fullmatch(s) is not None


def cut_quoted(text: str) -> str:
    """The sender's own part of a plain-text body: no `>` lines, nothing after a reply header."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if _is_reply_header(line, lines[i + 1] if i + 1 < len(lines) else ""):
            lines = lines[:i]
            break
    return "\n".join(ln for ln in lines if not ln.lstrip().startswith(">")).strip()


def _outlook_separator(text: str) -> re.Match[str] | None:
    """Outlook's line of underscores, when the next non-blank line is a From/Từ header field."""
    for m in _OUTLOOK_SEPARATOR.finditer(text):
        following = text[m.end():m.end() + 2000].lstrip("\n").split("\n", 1)[0]
        fm = _FWD_FIELD.match(following)
        if fm and _FIELD_NAMES[fm.group(1).lower()] == "from":
            return m
    return None


def split_inline_forward(text: str, *, forwarded: bool = False) -> tuple[str, Original | None]:
    """Split a body at an inline forward marker.

    Returns (text before the marker, the forwarded original) or (text, None) when there is no
    marker. The original's sender, subject and date come from the header lines after the marker.
    With `forwarded` (the subject says Fwd:), Outlook's separator (a line of underscores, then
    From/Từ, Sent/Đã gửi...) counts as a marker too; in a reply it only starts the quote.
    """
    m = _FORWARD_MARKER.search(text) or (_outlook_separator(text) if forwarded else None)
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
    sender_field = fields.get("from", "")[:2000]
    addr = _ADDRESS.search(sender_field)
    name = sender_field
    if addr:
        name = sender_field.replace(addr.group(0), "")
    name = name.replace("<", "").replace(">", "").replace("mailto:", "").strip(' "\'')
    original = Original(
        sender=addr.group(0).lower() if addr else "",
        sender_name=clean_line(name, 300),
        subject=clean_line(fields.get("subject", ""), 1000),
        text=cut_quoted(body),
    )
    return before.strip(), original


def find_links(text: str) -> list[str]:
    """http(s) URLs in `text` (never javascript:, data: or other schemes)."""
    return [u.rstrip(".,;:!?")[:_MAX_URL_CHARS] for u in _URL.findall(text)][:_MAX_LINKS]


def squeeze(text: str) -> str:
    """Whitespace runs made one space: the form whose length the evidence rule counts."""
    return " ".join(text.split())
