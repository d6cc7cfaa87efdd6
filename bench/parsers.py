"""Parse speed: mail-parser, the standard library, mailtally's splitter and its whole parse_message.

Run: `.venv/bin/python bench/parsers.py` (mail-parser is compared when installed:
`.venv/bin/pip install mail-parser==4.8.0`). Prints the best of 3 runs on one 14 MB message with
a 10 MB photo, and best of 2 on the shared corpus when `../shared/corpus` is there.
"""

from __future__ import annotations

import email
import importlib
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import compat32
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers.message import parse_message  # noqa: E402
from parsers.mime import fast_message_from_bytes  # noqa: E402


def best(run: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def contenders(raws: list[bytes]) -> list[tuple[str, Callable[[], object]]]:
    now = datetime.now(UTC)
    out: list[tuple[str, Callable[[], object]]] = []
    try:
        mailparser = importlib.import_module("mailparser")  # optional: only to compare

        def with_mail_parser() -> None:
            for raw in raws:
                try:
                    mailparser.parse_from_bytes(raw)
                except Exception:  # mail-parser raises on some real mail; counted as done
                    continue

        out.append(("mail-parser parse_from_bytes", with_mail_parser))
    except ImportError:
        print("(mail-parser not installed: pip install mail-parser==4.8.0 to compare)")
    out += [
        ("stdlib compat32 parse",
         lambda: [email.message_from_bytes(r, policy=compat32) for r in raws]),
        ("parsers/mime.py splitter", lambda: [fast_message_from_bytes(r) for r in raws]),
        ("mailtally parse_message", lambda: [parse_message(r, "k", "", now) for r in raws]),
    ]
    return out


def main() -> None:
    msg = EmailMessage()
    msg["From"] = "doan@stp.example.vn"
    msg["Subject"] = "Báo cáo kết quả"
    msg["Message-ID"] = "<bench@example.vn>"
    msg.set_content("Kính gửi Văn phòng Đoàn Khối. " * 20)
    msg.add_attachment(os.urandom(10 * 1024 * 1024), maintype="image", subtype="jpeg",
                       filename="anh.jpg")
    big = [msg.as_bytes()]
    mb = len(big[0]) / 1e6
    print(f"one message, {mb:.1f} MB (best of 3):")
    for name, run in contenders(big):
        t = best(run, 3)
        print(f"  {name:30s} {t * 1000:7.0f} ms  {mb / t:6.0f} MB/s")
    corpus = ROOT.parent / "shared" / "corpus"
    if not corpus.is_dir():
        return
    files = [p for p in corpus.rglob("*") if p.is_file() and p.suffix not in (".tsv", ".md")]
    raws = [p.read_bytes() for p in files]
    total = sum(map(len, raws)) / 1e6
    print(f"shared corpus, {len(raws)} messages, {total:.1f} MB (best of 2):")
    for name, run in contenders(raws):
        t = best(run, 2)
        print(f"  {name:30s} {t:7.2f} s  {len(raws) / t:6.0f} msg/s")


if __name__ == "__main__":
    main()
