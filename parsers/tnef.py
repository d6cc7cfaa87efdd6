"""Outlook's winmail.dat (TNEF, MS-OXTNEF): the files inside it, read with tnefparse.

A message from Outlook in "Rich Text" format carries its attachments inside one
`application/ms-tnef` part named winmail.dat; the contract counts those files as the message's
own. The stream is a stranger's bytes: anything tnefparse raises means "not readable", and the
winmail.dat is then kept as it is.
"""

from __future__ import annotations

import logging

log = logging.getLogger("mailtally.parse")

TNEF_TYPES = frozenset({"application/ms-tnef", "application/vnd.ms-tnef"})
TNEF_SIGNATURE = b"\x78\x9f\x3e\x22"  # 0x223E9F78, little-endian


def is_tnef(filename: str, content_type: str) -> bool:
    """Whether an attachment is a TNEF stream by its name or declared type."""
    return content_type.lower() in TNEF_TYPES or filename.strip().lower() == "winmail.dat"


def tnef_files(data: bytes, max_files: int) -> list[tuple[str, bytes]] | None:
    """(name, bytes) of each file inside a TNEF stream, at most `max_files`; None when `data` is
    not a TNEF stream tnefparse can read, or holds no file. A file's long (Unicode) name wins
    over its 8.3 one."""
    if not data.startswith(TNEF_SIGNATURE):
        return None
    try:
        from tnefparse import TNEF

        with _quiet():
            stream = TNEF(data, do_checksum=False)
        files = []
        for attachment in stream.attachments[:max_files]:
            name = attachment.long_filename()
            if isinstance(name, bytes):
                name = name.decode("utf-8", "replace")
            files.append((str(name).strip("\x00").strip(), bytes(attachment.data or b"")))
        return files or None  # nothing inside: keep the winmail.dat as it is
    except Exception as exc:  # a stranger's bytes: tnefparse raises many types
        log.debug("winmail.dat not read: %s", exc)
        return None


class _quiet:
    """tnefparse logs every odd byte at ERROR level; a hostile stream must not fill the log."""

    def __enter__(self) -> None:
        self.logger = logging.getLogger("tnefparse")
        self.level = self.logger.level
        self.logger.setLevel(logging.CRITICAL)

    def __exit__(self, *exc: object) -> None:
        self.logger.setLevel(self.level)
