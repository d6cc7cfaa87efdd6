"""PDF files written by hand: the objects, the cross-reference table and the trailer.

Every generator that writes a PDF (a text page, a scanned page, a hostile page tree) gives its
objects here; the offsets, the xref and the trailer are written the same way for all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

BINARY_MARK = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"  # the header with a comment of high bytes
PLAIN = b"%PDF-1.4\n"


def numbered(objects: Sequence[bytes]) -> dict[int, bytes]:
    """Objects numbered from 1 in the order given."""
    return dict(enumerate(objects, start=1))


def pdf_file(
    objects: Mapping[int, bytes],
    *,
    header: bytes = BINARY_MARK,
    info: int | None = None,
    size: int | None = None,
) -> bytes:
    """A PDF of `objects` (object 1 the catalog) with a correct xref table. A number missing
    from `objects` gets offset 0; `info` names the /Info object; `size` overrides /Size (a
    hostile file may lie about it)."""
    out = bytearray(header)
    offsets: dict[int, int] = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + objects[number] + b"\nendobj\n"
    xref = len(out)
    count = max(objects) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % count
    out += b"".join(b"%010d 00000 n \n" % offsets.get(i, 0) for i in range(1, count))
    info_ref = b"" if info is None else b" /Info %d 0 R" % info
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size or count,
        info_ref,
        xref,
    )
    return bytes(out)


def stream(data: bytes, *, extra: bytes = b"") -> bytes:
    """A stream object: its dictionary (/Length and `extra`), then the data."""
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"
