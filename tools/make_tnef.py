"""Write a real TNEF stream (Outlook's winmail.dat) holding the files given, per MS-OXTNEF.

    python tools/make_tnef.py OUT.dat FILE [FILE ...]

Used to build the test corpus's winmail.dat messages (tests/data/eml_builders.py calls
`tnef_stream`). Each file is one attachment: attAttachRenddata opens it, attAttachTitle gives its
8.3-style name, attAttachData its bytes, and attAttachment a MAPI property block with its long
(Unicode) name, PR_ATTACH_LONG_FILENAME, as Outlook writes them. Checked against two independent
readers: tnefparse and Debian's `tnef` program (`tnef --list -f OUT.dat`).
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

SIGNATURE = 0x223E9F78
LEVEL_MESSAGE, LEVEL_ATTACHMENT = 1, 2
# Attribute ids: type in the high word, id in the low word (MS-OXTNEF 2.1.3.1).
ATT_TNEF_VERSION = 0x00089006  # atpDword
ATT_OEM_CODEPAGE = 0x00069007  # atpByte
ATT_MESSAGE_CLASS = 0x00078008  # atpWord (a string)
ATT_ATTACH_RENDDATA = 0x00069002  # atpByte
ATT_ATTACH_TITLE = 0x00018010  # atpString
ATT_ATTACH_DATA = 0x0006800F  # atpByte
ATT_ATTACHMENT = 0x00069005  # atpByte: MAPI properties
PT_UNICODE, PT_LONG = 0x001F, 0x0003
PR_ATTACH_LONG_FILENAME, PR_ATTACH_METHOD = 0x3707, 0x3705
ATTACH_BY_VALUE = 1


def _attribute(level: int, attr_id: int, data: bytes) -> bytes:
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attr_id, len(data)) + data + struct.pack("<H", checksum)


def _pad4(data: bytes) -> bytes:
    return data + b"\x00" * (-len(data) % 4)


def _mapi_props(long_name: str) -> bytes:
    name = long_name.encode("utf-16-le") + b"\x00\x00"
    props = struct.pack("<I", 2)
    props += struct.pack("<HHI", PT_LONG, PR_ATTACH_METHOD, ATTACH_BY_VALUE)
    props += struct.pack("<HHII", PT_UNICODE, PR_ATTACH_LONG_FILENAME, 1, len(name))
    props += _pad4(name)
    return props


def _short_name(name: str) -> bytes:
    """An 8.3-style, 8-bit name for attAttachTitle (the long name is in the MAPI block)."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    ascii_stem = "".join(c for c in stem if c.isascii() and c.isalnum())[:8] or "FILE"
    ascii_ext = "".join(c for c in ext if c.isascii() and c.isalnum())[:3]
    return (ascii_stem + ("." + ascii_ext if ascii_ext else "")).upper().encode() + b"\x00"


def tnef_stream(files: list[tuple[str, bytes]]) -> bytes:
    """A TNEF stream holding `files` ((name, bytes) each)."""
    out = struct.pack("<IH", SIGNATURE, 0x6E2F)  # the key: any value, checked by nobody
    out += _attribute(LEVEL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000))
    out += _attribute(LEVEL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    out += _attribute(LEVEL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00")
    for name, data in files:
        # attAttachRenddata: atyp file, position unknown, no rendering size, flags 0.
        renddata = struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0)
        out += _attribute(LEVEL_ATTACHMENT, ATT_ATTACH_RENDDATA, renddata)
        out += _attribute(LEVEL_ATTACHMENT, ATT_ATTACH_TITLE, _short_name(name))
        out += _attribute(LEVEL_ATTACHMENT, ATT_ATTACH_DATA, data)
        out += _attribute(LEVEL_ATTACHMENT, ATT_ATTACHMENT, _mapi_props(name))
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.stderr.write(__doc__ or "")
        return 2
    out, *inputs = argv
    files = [(Path(p).name, Path(p).read_bytes()) for p in inputs]
    Path(out).write_bytes(tnef_stream(files))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
