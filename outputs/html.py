"""report.html: one self-contained page for the office (inline CSS, JS and thumbnails).

Everything taken from a message reaches the page through Jinja2's autoescaping; nothing from a
message is ever marked safe.
"""

from __future__ import annotations

import base64
import functools
import io
import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from config.model import Request
from matching.placement import NEEDS_PERSON
from outputs.i18n import LABELS, MATCH_LABELS, REASON_LABELS, STATUS_LABELS, pick
from outputs.status import OWING, STATUS_ORDER, StatusRow
from outputs.tables import (
    LedgerRow,
    assign_commands,
    counted_files,
    local_iso,
    local_short,
    row_notes,
)
from parsers.records import Attachment, ParsedMessage

log = logging.getLogger("mailtally.outputs")

THUMB_PX = 160
# Pixels a photo may declare in its header for a thumbnail to be drawn, checked before a byte
# of it is decoded. A JPEG is decoded already shrunk (1/8 of each side at most: `draft`), so a
# 50-megapixel phone photo costs about 20 MB; any other format is decoded whole, four bytes a
# pixel, so 16 megapixels (a 4000x4000 screenshot) is its most: about 64 MB.
MAX_THUMB_SOURCE_PIXELS = 64_000_000
MAX_FULL_DECODE_PIXELS = 16_000_000
# The only formats ever opened: those a unit's photo comes in. Pillow otherwise tries every
# format it knows, EPS among them, which starts Ghostscript on a stranger's PostScript.
THUMB_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "BMP", "TIFF", "HEIF")
THUMBS_PER_UNIT = 4  # drawn per unit and request; the others are listed by name (page size)
SHARED = ("on_time", "late", "incomplete", "missing", "pending")  # the shares (excused left out)
_THUMB_EXT = {"jpg", "jpeg", "jfif", "png", "gif", "webp", "bmp", "tif", "tiff"}


@dataclass(frozen=True, slots=True)
class PageInputs:
    """Everything the page shows."""

    language: str
    tz: ZoneInfo
    requests: Sequence[Request]
    rows: Sequence[StatusRow]
    ledger: Sequence[LedgerRow]
    parsed: dict[str, ParsedMessage]
    placed_keys: dict[tuple[str, str], list[str]]  # (request_id, unit_code) -> message keys
    data_dir: Path
    output_dir: Path
    generated_at: datetime
    polls: dict[str, dict[str, Any]]
    warnings: list[str]
    roster: dict[str, tuple[str, ...]] = field(default_factory=dict)  # unit code -> emails
    command: str = "mailtally"
    # (stored_path, sha256) -> the photo's thumbnail as JPEG bytes, b"" when it has none
    thumbnail: Callable[[str, str], bytes] = field(default=lambda path, sha: b"")


def can_draw(filename: str) -> bool:
    """Whether Pillow draws this kind of photo (HEIC is counted and named, not drawn)."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext in _THUMB_EXT


@functools.cache
def _register_photo_formats() -> None:
    """Register the photo formats' plugins (and only those: `Image.init` would import every
    plugin Pillow has, about 0.1 s)."""
    from PIL import (  # noqa: F401 (imported to register the formats)
        BmpImagePlugin,
        GifImagePlugin,
        JpegImagePlugin,
        PngImagePlugin,
        TiffImagePlugin,
        WebPImagePlugin,
    )


def draw_thumbnail(photo: Path) -> bytes:
    """A small JPEG of a stored photo; b"" when it cannot be drawn (HEIC, a broken file, too
    many pixels)."""
    try:
        from PIL import Image, ImageOps

        _register_photo_formats()
        formats = [f for f in THUMB_FORMATS if f in Image.OPEN]  # HEIF only with its plugin
        with Image.open(photo, formats=formats) as img:
            width, height = img.size  # read from the header: nothing decoded yet
            most = MAX_THUMB_SOURCE_PIXELS if img.format == "JPEG" else MAX_FULL_DECODE_PIXELS
            if width * height > most:
                return b""
            # JPEG: let the decoder shrink by 1/2, 1/4 or 1/8 as far as the thumbnail's own
            # size allows (a 640x480 photo is decoded straight to 160x120, nothing to resize).
            fit = min(THUMB_PX / width, THUMB_PX / height, 1.0)
            img.draft("RGB", (max(1, int(width * fit)), max(1, int(height * fit))))
            img.thumbnail((THUMB_PX, THUMB_PX))
            # A phone keeps a portrait photo lying on its side with an EXIF Orientation tag,
            # which browsers obey: the thumbnail, which carries no EXIF, is turned upright.
            upright = ImageOps.exif_transpose(img)
            buf = io.BytesIO()
            small = upright.convert("RGB")
            small.info.clear()  # a photo's JPEG comment or EXIF must not ride along
            small.save(buf, "JPEG", quality=70)
            return buf.getvalue()
    except Exception as exc:  # Pillow raises many types for bad or unsupported images
        log.debug("no thumbnail for %s: %s", photo.name, exc)
        return b""


def thumbnails_to_draw(attachments: Sequence[Attachment]) -> list[Attachment]:
    """The photos of one message that the page may show as thumbnails (at most
    THUMBS_PER_UNIT): stored, and of a kind Pillow draws."""
    photos = [a for a in counted_files(attachments)
              if "images" in a.kinds and a.stored_path and can_draw(a.filename)]
    return photos[:THUMBS_PER_UNIT]


def _data_uri(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode() if jpeg else ""


@functools.lru_cache(maxsize=4)
def _data_prefix(data_dir: Path, output_dir: Path) -> str:
    return Path(os.path.relpath(data_dir, output_dir)).as_posix()


def _rel(inputs: PageInputs, stored_path: str) -> str:
    """A stored file's link from the page: relative, so the folders can be zipped together."""
    return f"{_data_prefix(inputs.data_dir, inputs.output_dir)}/{stored_path}"


def _eml_href(inputs: PageInputs, key: str) -> str:
    return _rel(inputs, f"raw/{key[:2]}/{key}.eml")


def _files_for(inputs: PageInputs, keys: list[str]) -> tuple[list[SimpleNamespace],
                                                                list[SimpleNamespace]]:
    photos: list[SimpleNamespace] = []
    files: list[SimpleNamespace] = []
    seen: set[str] = set()
    for key in keys:
        parsed = inputs.parsed[key]
        for a in counted_files(parsed.attachments):
            if a.sha256 in seen or not a.stored_path:
                continue
            seen.add(a.sha256)
            entry = SimpleNamespace(name=a.filename, href=_rel(inputs, a.stored_path), thumb="")
            if "images" in a.kinds:
                if can_draw(a.filename) and sum(1 for p in photos if p.thumb) < THUMBS_PER_UNIT:
                    entry.thumb = _data_uri(inputs.thumbnail(a.stored_path, a.sha256))
                photos.append(entry)
            else:
                files.append(entry)
    return photos, files


def sender_notes(p: ParsedMessage, flags: Sequence[str], lang: str) -> list[str]:
    """Why the sender's address did not count (the placement's flags), and the Sender,
    Reply-To or Return-Path addresses that differ from From: shown next to the message."""
    notes = [f"{pick(LABELS, flag, lang)}: {p.sender or '?'}" for flag in flags]
    notes += [f"{header} {pick(LABELS, 'sender_differs', lang).lower()}: {address}"
              for header, address in p.other_senders]
    return notes


def _unit_notes(inputs: PageInputs, unit_code: str, keys: list[str],
                flags: dict[str, tuple[str, ...]]) -> list[str]:
    """What the office should know about a unit's messages: an address that is not in the
    roster, a sender whose address did not count or whose replies go elsewhere, anything the
    parser skipped."""
    lang = inputs.language
    notes: list[str] = []
    roster = inputs.roster.get(unit_code, ())
    for key in keys:
        p = inputs.parsed[key]
        if p.author and p.author not in roster:
            notes.append(f"{pick(LABELS, 'new_address', lang)}: {p.author}")
        notes.extend(sender_notes(p, flags.get(key, ()), lang))
        notes.extend(p.notes)
    return list(dict.fromkeys(notes))


def _duration(seconds: float, lang: str) -> str:
    seconds = abs(seconds)
    days, rest = divmod(int(seconds), 86400)
    hours = rest // 3600
    d, h = pick(LABELS, "days", lang), pick(LABELS, "hours", lang)
    minutes = pick(LABELS, "minutes", lang)
    return f"{days} {d} {hours} {h}" if days else f"{hours} {h} {(rest % 3600) // 60} {minutes}"


def build_view(inputs: PageInputs) -> dict[str, Any]:
    """The template's context: plain values only, times already in the configured zone."""
    lang, tz = inputs.language, inputs.tz
    flags = {item.placement.message_key: item.placement.flags for item in inputs.ledger
             if item.placement.flags}

    def when(value: datetime) -> str:
        return local_short(value, tz)

    requests_view: list[dict[str, Any]] = []
    for req in inputs.requests:
        rows = sorted((r for r in inputs.rows if r.request_id == req.id), key=lambda r: r.unit_code)
        counts = Counter(r.status.value for r in rows)
        counted = sum(counts[s] for s in SHARED)
        shares = {s: (100.0 * counts[s] / counted if counted else 0.0) for s in SHARED}
        left = (req.deadline - inputs.generated_at).total_seconds()
        units = []
        for r in rows:
            keys = inputs.placed_keys.get((req.id, r.unit_code), [])
            photos, files = _files_for(inputs, keys)
            submission = inputs.parsed.get(r.submission_key)
            # Attributes, not dict keys: Jinja tries getattr first, and 6,000 rows of misses
            # cost a third of the page.
            units.append(SimpleNamespace(
                code=r.unit_code, name=r.unit_name, status=r.status.value,
                status_label=pick(STATUS_LABELS, r.status.value, lang),
                received_at=local_iso(r.received_at, tz),
                received_short=local_short(r.received_at, tz),
                minutes_late="" if r.minutes_late is None else str(r.minutes_late),
                evidence=", ".join(pick(LABELS, k, lang) for k in r.evidence),
                missing_evidence=", ".join(pick(LABELS, k, lang) for k in r.missing_evidence),
                complete_at=local_iso(r.complete_at, tz),
                complete_short=local_short(r.complete_at, tz),
                messages=r.messages, sender=r.sender, subject=r.subject,
                match=pick(MATCH_LABELS, r.match, lang) if r.match else "",
                photos=photos, files=files,
                eml=_eml_href(inputs, r.submission_key) if submission else "",
                all_eml=[_eml_href(inputs, k) for k in keys],
                row_notes=row_notes(r, lang, when),
                notes=_unit_notes(inputs, r.unit_code, keys, flags),
                emails=inputs.roster.get(r.unit_code, ()),
            ))
        requests_view.append({
            "id": req.id, "title": req.title, "anchor": f"req-{len(requests_view) + 1}",
            "deadline": local_short(req.deadline, tz), "deadline_iso": local_iso(req.deadline, tz),
            "issued": local_short(req.issued, tz),
            "overdue": left < 0, "time": _duration(left, lang),
            "requires": ", ".join(pick(LABELS, k, lang) for k in req.requires),
            "expected": len(rows), "counts": {s: counts[s] for s in STATUS_LABELS},
            "shares": shares, "units": units,
            "owing": [u for u in units if u.status in OWING],
        })
    needs: list[dict[str, Any]] = []
    aside: list[dict[str, Any]] = []
    for item in inputs.ledger:
        pl, p = item.placement, item.parsed
        if pl.reason is None:
            continue
        entry = {
            "key": p.message_key, "received_at": local_short(p.received_at, tz),
            "sender": p.author, "subject": p.subject, "reason": pl.reason.value,
            "reason_label": pick(REASON_LABELS, pl.reason.value, lang),
            "candidates": ", ".join(pl.candidates), "unit": pl.unit_code or "",
            "detail": "; ".join(filter(None, [
                p.problem, *sender_notes(p, pl.flags, lang), *p.notes])),
            "eml": _eml_href(inputs, p.message_key),
            "fixes": assign_commands(p.message_key, pl.reason, pl.unit_code, pl.candidates,
                                     inputs.command),
        }
        (needs if pl.reason in NEEDS_PERSON else aside).append(entry)
    sources = [{"name": name, "last_ok": _short_of(info["last_ok"], tz),
                "last_error": info["last_error"] or "", "failures": info["failures"]}
               for name, info in sorted(inputs.polls.items())]
    return {
        "lang": lang, "L": {k: pick(LABELS, k, lang) for k in LABELS},
        "status_labels": {k: pick(STATUS_LABELS, k, lang) for k in STATUS_LABELS},
        "generated_at": local_short(inputs.generated_at, tz),
        "statuses": [s.value for s in STATUS_ORDER], "shared": list(SHARED),
        "requests": requests_view, "needs": needs, "aside": aside, "sources": sources,
        "warnings": inputs.warnings,
        "countdown_words": {k: pick(LABELS, k, lang)
                            for k in ("days", "hours", "minutes", "overdue", "time_left")},
    }


def _short_of(value: str | None, tz: ZoneInfo) -> str:
    return local_short(datetime.fromisoformat(value), tz) if value else ""


def _template() -> Any:
    from outputs.templating import environment

    return environment().get_template("report.html.j2")


def render_report(inputs: PageInputs) -> str:
    return str(_template().render(**build_view(inputs)))


WRITE_CHUNK_CHARS = 1 << 20


def write_report_html(path: Path, inputs: PageInputs,
                      before_rename: Callable[[], None] | None = None) -> None:
    """Write the page as it is rendered, a megabyte at a time: at 10,000 messages it is about
    25 MB, which would otherwise be held three times (pieces, text, encoded bytes). The page
    takes its name last, after `before_rename` (the other outputs), so that a report.html
    that is there means every output is."""
    from ingest.files import atomic_path

    with (atomic_path(path, before_rename=before_rename) as tmp,
          tmp.open("w", encoding="utf-8") as fh):
        pending: list[str] = []
        size = 0
        for piece in _template().generate(**build_view(inputs)):
            pending.append(piece)
            size += len(piece)
            if size >= WRITE_CHUNK_CHARS:
                fh.write("".join(pending))
                pending, size = [], 0
        fh.write("".join(pending))


__all__ = ["PageInputs", "build_view", "render_report", "write_report_html"]
