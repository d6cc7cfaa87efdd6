"""Text of attached documents (PDF, docx, odt, ods, xlsx, txt), bounded in bytes, characters, time.

The text is only used to find a unit's name, so a document that cannot be read costs a note, never
the message. Three bounds apply to every document:

- bytes inflated: office files are zips of XML, read member by member with a budget
  (`max_inflate_bytes`) that counts what is really decompressed, not what the zip declares;
  PDF streams get the same budget through pypdf's configuration;
- characters kept (`max_text_chars`);
- time (`max_extract_seconds`): a PDF can make any parser loop (a page tree of 60,000 pages
  costs a kilobyte). In the main thread a `setitimer` alarm interrupts the extraction where it is;
  elsewhere (no signals there) it runs in a child process that is killed at the deadline.
  Measured on the 2-core development box: the alarm costs nothing measurable, the child process
  about 0.15 s per document (interpreter start and the pypdf import).
"""

from __future__ import annotations

import io
import logging
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from types import FrameType

from parsers.limits import Limits

log = logging.getLogger("mailtally.parse")

_XML_TAG = re.compile(r"<[^<>]{0,4000}>")
_XML_BREAK = re.compile(r"</(?:w:p|text:p|text:h|si|row)>")
_XML_ENTITIES = {"&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&amp;": "&"}
_XML_ENTITY = re.compile(r"&(?:lt|gt|quot|apos|amp);")
_SPACES = re.compile(r"[ \t]+")
_CHUNK = 64 * 1024

# The XML members that hold a document's words, per extension.
OFFICE_MEMBERS: dict[str, tuple[str, ...]] = {
    "docx": (r"word/document\.xml", r"word/header\d*\.xml"),
    "odt": (r"content\.xml",),
    "ods": (r"content\.xml",),
    "xlsx": (r"xl/sharedStrings\.xml", r"xl/worksheets/sheet\d{1,4}\.xml"),
}
# In a worksheet, only the text of inline strings (<is><t>…</t></is>, as exporters other than
# Excel write cells) is words: numbers and formulas are not.
_INLINE_TEXT = re.compile(r"<t(?:\s[^<>]{0,400})?>([^<]{0,100000})</t>")
READABLE = frozenset({"pdf", "txt", *OFFICE_MEMBERS})


class ExtractTimeoutError(BaseException):
    """The time for one document ran out.

    A BaseException, like KeyboardInterrupt, so that a library's `except Exception` (pypdf has
    many) cannot swallow it and carry on looping."""


class InflateLimitError(Exception):
    """A document decompresses to more than the inflate budget."""


# -- the time limit ---------------------------------------------------------------------------


def can_alarm() -> bool:
    """True where a SIGALRM timer can interrupt this code: the main thread of a POSIX process."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float, error: type[BaseException] = ExtractTimeoutError
               ) -> Iterator[None]:
    """Raise `error` in the with-block once `seconds` have passed (main thread only).

    Limits nest: an inner one (one document) must end before the outer one (one message), and
    the outer timer goes on, less the time spent inside, once the inner one is done.

    The alarm repeats every 50 ms after the first, in case a library catches BaseException
    once; a timer set by someone else is restored afterwards, less the time spent here."""
    armed = True

    def on_alarm(signum: int, frame: FrameType | None) -> None:
        if armed:
            raise error(f"over {seconds:g} s")

    started = time.monotonic()
    previous_handler = signal.signal(signal.SIGALRM, on_alarm)
    previous_timer = signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001), 0.05)
    try:
        yield
    finally:
        armed = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM,
                      signal.SIG_DFL if previous_handler is None else previous_handler)
        if previous_timer[0] > 0:
            left = previous_timer[0] - (time.monotonic() - started)
            signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), previous_timer[1])


# -- readers ----------------------------------------------------------------------------------


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """A member's bytes, reading at most `budget` decompressed bytes whatever the zip declares."""
    out = bytearray()
    with zf.open(info) as fh:
        while True:
            chunk = fh.read(min(_CHUNK, budget - len(out) + 1))
            if not chunk:
                return bytes(out)
            out += chunk
            if len(out) > budget:
                raise InflateLimitError(f"{info.filename} inflates past {budget} bytes")


def office_text(data: bytes, ext: str, limits: Limits) -> str:
    """Words of a docx/odt/ods/xlsx file: its text members with the XML tags taken out.

    Raises:
        InflateLimitError: the members inflate past `limits.max_inflate_bytes`.
        zipfile.BadZipFile and the like: not a readable zip.
    """
    out: list[str] = []
    budget = limits.max_inflate_bytes
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()[:10_000]
        for member in OFFICE_MEMBERS[ext]:
            for info in sorted((i for i in infos if re.fullmatch(member, i.filename)),
                               key=lambda i: i.filename):
                if info.file_size > budget:  # declared too big: not even started
                    raise InflateLimitError(f"{info.filename} declares {info.file_size} bytes")
                xml = _read_member(zf, info, budget)
                budget -= len(xml)
                text = xml.decode("utf-8", "replace")
                if "/worksheets/" in info.filename:
                    text = "\n".join(_INLINE_TEXT.findall(text))
                text = _XML_TAG.sub(" ", _XML_BREAK.sub("\n", text))
                out.append(_XML_ENTITY.sub(lambda m: _XML_ENTITIES[m.group(0)], text))
                if sum(len(t) for t in out) > limits.max_text_chars * 2:
                    break
    return _SPACES.sub(" ", "\n".join(out))


@contextmanager
def _quiet(logger_name: str) -> Iterator[None]:
    """Keep a library's complaints about a stranger's file out of our log (errors still pass)."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def pdf_text(data: bytes, limits: Limits) -> str:
    """Text of a PDF's pages, in order, until `limits.max_text_chars` characters are read.

    pypdf's own resource limits are tightened to the inflate budget; it never calls an outside
    program (jbig2dec) for us.
    """
    import pypdf

    budget = limits.max_inflate_bytes
    out: list[str] = []
    total = 0
    # pypdf 7 takes its resource limits from a configuration; older releases (pyproject allows
    # 4 and up) have fixed ones, and there only the time limit guards.
    configure = getattr(pypdf, "apply_configuration", None)
    config = configure(
        zlib_maximum_output_length=budget, lzw_maximum_output_length=budget,
        run_length_maximum_output_length=budget, brotli_maximum_output_length=budget,
        jbig2_maximum_output_length=budget, image_maximum_buffer_size=budget,
        array_based_stream_maximum_output_length=budget, maximum_declared_stream_length=budget,
        stream_decoding_work_maximum_length=budget * 4, jbig2dec_binary=None,
    ) if configure is not None else nullcontext()
    with warnings.catch_warnings(), _quiet("pypdf"), config:
        warnings.simplefilter("ignore")
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            reader.decrypt("")  # many "protected" PDFs open with the empty password
        for page in reader.pages:
            text = page.extract_text() or ""
            out.append(text)
            total += len(text)
            if total >= limits.max_text_chars:
                break
    return "\n".join(out)


def plain_text(data: bytes, limits: Limits) -> str:
    from parsers.text import decode_bytes

    return decode_bytes(data[: limits.max_text_chars * 4])


def read_document(ext: str, data: bytes, limits: Limits) -> str:
    """The text of one document of a READABLE type, with no time limit (see `document_text`)."""
    if ext == "pdf":
        return pdf_text(data, limits)
    if ext == "txt":
        return plain_text(data, limits)
    return office_text(data, ext, limits)


# -- in a child process (when no alarm can be set) --------------------------------------------


def _child_main() -> None:
    """Entry point of the child process: document bytes on stdin, text on stdout (UTF-8)."""
    ext, *numbers = sys.argv[1:]
    limits = Limits(max_text_chars=int(numbers[0]), max_inflate_bytes=int(numbers[1]))
    text = read_document(ext, sys.stdin.buffer.read(), limits)
    sys.stdout.buffer.write(text.encode("utf-8", "replace"))


def _in_child(ext: str, data: bytes, limits: Limits, seconds: float) -> str:
    root = str(Path(__file__).resolve().parents[1])
    code = (f"import sys; sys.path.insert(0, {root!r}); "
            "from parsers.extract import _child_main; _child_main()")
    try:
        done = subprocess.run(
            [sys.executable, "-I", "-c", code, ext, str(limits.max_text_chars),
             str(limits.max_inflate_bytes)],
            input=data, capture_output=True, timeout=seconds, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ExtractTimeoutError(f"over {seconds:g} s") from exc
    if done.returncode != 0:
        last = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["?"]
        raise ValueError(f"reader failed: {last[0][:200]}")
    return done.stdout.decode("utf-8", "replace")


# -- the entry point --------------------------------------------------------------------------


def document_text(ext: str, data: bytes, limits: Limits, seconds: float) -> tuple[str, str]:
    """(text, note) for one document: at most `limits.max_text_chars` characters, read in at most
    `seconds`. `note` says why the text is missing or cut ('' when all went well); the text
    read before a limit struck is not kept."""
    if ext not in READABLE:
        return "", ""
    if seconds <= 0:
        return "", "not read: no time left for this message's documents"
    try:
        if ext == "txt":
            text = read_document(ext, data, limits)
        elif can_alarm():
            with time_limit(seconds):
                text = read_document(ext, data, limits)
        else:
            text = _in_child(ext, data, limits, seconds)
    except ExtractTimeoutError:
        return "", f"not read: took longer than {seconds:g} s (max_extract_seconds)"
    except InflateLimitError:
        return "", (f"not read: inflates past {limits.max_inflate_bytes} bytes "
                    "(max_inflate_bytes)")
    except RecursionError:
        return "", "not read: nested too deeply"
    except MemoryError:
        return "", "not read: out of memory"
    except Exception as exc:  # a third-party reader fails in many ways on a broken document
        log.debug("text of a %s not read", ext, exc_info=True)
        return "", f"not read: {type(exc).__name__}"
    if len(text) > limits.max_text_chars:
        return text[: limits.max_text_chars], (
            f"cut at {limits.max_text_chars} characters (max_text_chars)")
    return text, ""
