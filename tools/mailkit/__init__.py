"""What the test-data generators share for building mail and documents: the fixed clock of 2023
in Hà Nội's zone, stable pseudo-random names from a key, Vietnamese without diacritics or in the
windows-1258 form, text blocks, zip archives with a fixed timestamp, attachments by file suffix,
and the bytes of a message with boundaries derived from its key (so that every run writes the same
bytes).

The modules beside this one build the rest: `headers` (encoded words, folded address and subject
headers), `replies` (quoted replies and forwards as Gmail and Outlook write them), `ooxml` (.docx
and .xlsx with fixed bytes), `pdf` (hand-written PDF files) and `images` (photos and logos).

Used by the make_*.py generators in this folder (run as scripts from it).
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email import policy
from email.generator import BytesGenerator
from email.message import EmailMessage, Message
from pathlib import Path

POLICY = policy.default
ICT = timezone(timedelta(hours=7), "ICT")  # Asia/Ho_Chi_Minh has no DST

Boundary = Callable[[str, int], str]  # (message key, n-th multipart) -> boundary


def at(month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A local (UTC+7) time in 2023."""
    return datetime(2023, month, day, hour, minute, second, tzinfo=ICT)


def digest(*parts: object) -> str:
    """A stable hex digest of `parts` (seeds, boundaries, identifiers)."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def unaccent(text: str) -> str:
    """Vietnamese text without diacritics ("Đoàn Sở" -> "Doan So")."""
    text = text.replace("Đ", "D").replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


TONES = "\u0300\u0301\u0303\u0309\u0323"  # the five Vietnamese tone marks, combining


def cp1258_form(text: str, *, precomposed: bool = False) -> str:
    """`text` in the form windows-1258 can encode: tone marks as separate combining characters
    after the base letter (with its circumflex, breve or horn). With `precomposed`, a letter the
    code page has whole (à, é, ...) stays whole, as Windows writes it; without, every tone is
    split off, as some older mailers write it."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if precomposed:
            try:
                ch.encode("cp1258")
            except UnicodeEncodeError:
                pass
            else:
                out.append(ch)
                continue
        parts = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in parts if c not in TONES)
        out.append(unicodedata.normalize("NFC", base) + "".join(c for c in parts if c in TONES))
    return "".join(out)


def text_block(text: str) -> str:
    """A body from an indented triple-quoted block: each line stripped, one trailing newline,
    never more than one blank line in a row."""
    lines = [line.strip() for line in text.strip("\n").splitlines()]
    out = "\n".join(lines).strip() + "\n"
    return re.sub(r"\n{3,}", "\n\n", out)


def para(text: str) -> str:
    """One paragraph from a wrapped triple-quoted block."""
    return " ".join(line.strip() for line in text.strip().splitlines())


def make_zip(files: Sequence[tuple[str, bytes]], when: datetime) -> bytes:
    """A zip of already-compressed files (stored), with a fixed timestamp."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files:
            entry = zipfile.ZipInfo(name, date_time=when.timetuple()[:6])
            entry.create_system = 0
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, data)
    return out.getvalue()


MIME_BY_SUFFIX: dict[str, tuple[str, str]] = {
    ".docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".pdf": ("application", "pdf"),
    ".jpg": ("image", "jpeg"),
    ".jpeg": ("image", "jpeg"),
    ".png": ("image", "png"),
    ".zip": ("application", "zip"),
    ".txt": ("text", "plain"),
}


def mime_type(filename: str) -> tuple[str, str]:
    """(maintype, subtype) of a file by its suffix."""
    return MIME_BY_SUFFIX[Path(filename).suffix.lower()]


def attach(msg: EmailMessage, filename: str, data: bytes) -> None:
    """Attach a file, its type from its suffix, its name as the email package writes it."""
    maintype, subtype = mime_type(filename)
    msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)


def html_of(text: str, *, paragraphs: str = "div", nbsp_names: Sequence[str] = ()) -> str:
    """A simple HTML body for `text`: with `paragraphs` "div", a <div> per paragraph and an empty
    line between them, as Gmail and Outlook write it; with "p", a <p> per paragraph. Lines are
    kept with <br>; each of `nbsp_names` is written with non-breaking spaces."""
    out = []
    for block in text.strip().split("\n\n"):
        lines = [html.escape(line, quote=False) for line in block.split("\n")]
        out.append(f"<{paragraphs}>" + "<br>\n".join(lines) + f"</{paragraphs}>")
    body = ("\n<div><br></div>\n" if paragraphs == "div" else "\n").join(out)
    for name in nbsp_names:
        escaped = html.escape(name, quote=False)
        body = body.replace(escaped, escaped.replace(" ", "&nbsp;"))
    return f'<div dir="ltr">\n{body}\n</div>\n'


def boundaries(zeros: int, width: int) -> Boundary:
    """Boundaries as a mail client writes them: `zeros` zeros, then `width` hex digits derived
    from the message key and the multipart's number."""

    def boundary(key: str, n: int) -> str:
        return "0" * zeros + digest(key, "boundary", n)[:width]

    return boundary


def _tidy(
    part: Message, count: list[int], key: str, boundary: Boundary, *, is_message: bool
) -> None:
    """Fix the boundaries below `part`; drop the MIME-Version the email package puts on parts."""
    if not is_message:
        del part["MIME-Version"]
    if part.get_content_maintype() == "multipart":
        part.set_boundary(boundary(key, count[0]))
        count[0] += 1
    if part.is_multipart():
        nested = part.get_content_type() == "message/rfc822"
        for child in part.get_payload():
            if isinstance(child, Message):
                _tidy(child, count, key, boundary, is_message=nested)


def serialise(key: str, msg: EmailMessage, boundary: Boundary) -> bytes:
    """The message's bytes, every multipart boundary fixed by `boundary` from the file key."""
    _tidy(msg, [0], key, boundary, is_message=True)
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=POLICY).flatten(msg)
    return out.getvalue()


def differences(out: Path, files: Mapping[str, bytes], pattern: str) -> list[str]:
    """What a generator's --check reports: the names (relative to `out`) of files the generator
    would write with other bytes, or that it would not write although they match `pattern`."""
    stale = [
        str(path.relative_to(out))
        for path in out.glob(pattern)
        if str(path.relative_to(out)) not in files
    ]
    differ = [
        name
        for name, data in files.items()
        if not (out / name).is_file() or (out / name).read_bytes() != data
    ]
    return sorted(stale + differ)
