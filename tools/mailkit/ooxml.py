"""Word and Excel files with reproducible bytes: fixed zip timestamps and core dates, optional
parts dropped, and the body (title, paragraphs, table) a letter of an office has."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

DOCX_TYPE = "vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rezip(
    data: bytes,
    drop: Sequence[str] = (),
    replace: Mapping[str, bytes] | None = None,
    *,
    zip_time: tuple[int, int, int, int, int, int],
    core_when: datetime | None = None,
) -> bytes:
    """Rewrite an OOXML zip: without `drop` (and the relationships to them), parts replaced,
    every entry stamped `zip_time`; with `core_when`, the created and modified dates of
    docProps/core.xml set to it too."""
    replace = replace or {}
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = core_when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if core_when else ""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename in drop:
                continue
            blob = replace.get(info.filename, src.read(info.filename))
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                xml = blob.decode("utf-8")
                for part in drop:
                    leaf = re.escape(part.rsplit("/", 1)[-1])
                    xml = re.sub(rf'<Relationship [^>]*Target="[^"]*{leaf}"\s*/>', "", xml)
                    xml = re.sub(rf'<Override PartName="/{re.escape(part)}"[^>]*/>', "", xml)
                blob = xml.encode("utf-8")
            if stamp and info.filename == "docProps/core.xml":
                xml = blob.decode("utf-8")
                xml = re.sub(
                    r"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rf"\g<1>{stamp}\2", xml
                )
                blob = xml.encode("utf-8")
            entry = zipfile.ZipInfo(info.filename, date_time=zip_time)
            entry.create_system = 0
            entry.external_attr = 0
            dst.writestr(entry, blob, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def add_letter(
    document: Document,
    title: Sequence[str],
    body: Sequence[str],
    table: Sequence[Sequence[str]] = (),
) -> None:
    """The body of a letter: a centred title (its first line bold), paragraphs, a grid table."""
    for i, line in enumerate(title):
        paragraph = document.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        paragraph.add_run(line).bold = i == 0
    for line in body:
        document.add_paragraph(line)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        grid.style = "Table Grid"
        for row, values in zip(grid.rows, table, strict=True):
            for cell, value in zip(row.cells, values, strict=True):
                cell.text = value


def saved(document: Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
