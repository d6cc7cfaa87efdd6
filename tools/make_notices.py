"""Write the test notices (tests/notices/*.txt) as the office sends them: .txt, .docx, .pdf, .eml.

    python tools/make_notices.py OUT_DIR [NAME ...]

Each notice is written in a light markup: "LEFT @@ RIGHT" is the two-column letterhead (number
on the left, place and date on the right), a line starting with "|" is a table row with its cells
between bars; every other line is a paragraph. The .docx puts the letterhead and the tables in
real Word tables (python-docx); the PDF (fpdf2, with the DejaVu Sans font from the Debian package
fonts-dejavu-core) puts the two columns side by side and draws the tables as tables, as a notice
printed to PDF looks. The .eml is the office's mail sending the PDF, with a covering note.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

NOTICES = Path(__file__).resolve().parents[1] / "tests" / "notices"
FONT_NAME = "DejaVuSans.ttf"
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
             Path("/usr/local/share/fonts"))
FIXED_DATE = datetime(2024, 1, 1, tzinfo=UTC)


def _rows(markup: str) -> list[tuple[str, list[str]]]:
    """("p", [text]), ("cols", [left, right]) or ("row", cells), line by line."""
    out: list[tuple[str, list[str]]] = []
    for line in markup.splitlines():
        if line.startswith("|"):
            out.append(("row", [c.strip() for c in line.strip().strip("|").split("|")]))
        elif "@@" in line:
            left, right = line.split("@@", 1)
            out.append(("cols", [left.strip(), right.strip()]))
        else:
            out.append(("p", [line]))
    return out


def plain_text(markup: str) -> str:
    """The notice as a .txt saved from a word processor: columns and cells split by tabs."""
    lines = []
    for kind, parts in _rows(markup):
        lines.append("\t".join(p for p in parts if p) if kind != "p" else parts[0])
    return "\n".join(lines) + "\n"


def make_docx(markup: str) -> bytes:
    """The notice as a Word document, letterhead and tables as Word tables."""
    import docx

    document = docx.Document()
    rows = _rows(markup)
    i = 0
    while i < len(rows):
        kind, parts = rows[i]
        if kind == "p":
            document.add_paragraph(parts[0])
            i += 1
            continue
        group = [parts]
        while i + 1 < len(rows) and rows[i + 1][0] == kind:
            i += 1
            group.append(rows[i][1])
        table = document.add_table(rows=len(group), cols=max(len(g) for g in group))
        for r, cells in enumerate(group):
            for c, text in enumerate(cells):
                table.cell(r, c).text = text
        i += 1
    out = io.BytesIO()
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    document.save(out)
    return out.getvalue()


def find_font() -> Path:
    """DejaVu Sans, for every Vietnamese letter (fonts-dejavu-core on Debian)."""
    for folder in FONT_DIRS:
        if (folder / FONT_NAME).is_file():
            return folder / FONT_NAME
    if shutil.which("fc-match"):
        found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True,
                               text=True, check=False).stdout.strip()
        if found.endswith(FONT_NAME):
            return Path(found)
    raise FileNotFoundError(f"{FONT_NAME} not found: install fonts-dejavu-core")


def make_pdf(markup: str) -> bytes:
    """The notice printed to PDF (A4, DejaVu Sans 11 pt, justified paragraphs)."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.add_font("DejaVu", "", str(find_font()))
    pdf.set_font("DejaVu", size=11)
    pdf.set_margins(20, 15, 15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    rows = _rows(markup)
    i = 0
    while i < len(rows):
        kind, parts = rows[i]
        parts = [p.replace("\t", "    ") for p in parts]
        if kind == "p":
            if parts[0].strip():
                pdf.multi_cell(width, 6, parts[0], align="J", new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(3)
        elif kind == "cols":
            pdf.cell(width * 0.45, 6, parts[0], align="C")
            pdf.cell(width * 0.55, 6, parts[1], align="C", new_x="LMARGIN", new_y="NEXT")
        else:
            group = [parts]
            while i + 1 < len(rows) and rows[i + 1][0] == "row":
                i += 1
                group.append(rows[i][1])
            with pdf.table(text_align="LEFT", line_height=6, first_row_as_headings=False) as table:
                for cells in group:
                    row = table.row()
                    for text in cells:
                        row.cell(text)
        i += 1
    return bytes(pdf.output())


def make_eml(pdf: bytes, filename: str, subject: str, *, sender: str, message_id: str) -> bytes:
    """The office's mail sending the notice as a PDF, with a short covering note."""
    msg = EmailMessage()
    msg["From"] = f"Văn phòng Đoàn Khối <{sender}>"
    msg["To"] = "cosodoan@example.gov.vn"
    msg["Subject"] = subject
    msg["Date"] = format_datetime(FIXED_DATE)
    msg["Message-ID"] = message_id
    msg.set_content("Kính gửi các cơ sở Đoàn,\n\nVăn phòng Đoàn Khối gửi văn bản đính kèm, đề "
                    "nghị các đơn vị triển khai thực hiện.\n\nTrân trọng.\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return bytes(msg)


def write_all(out_dir: Path, names: list[str]) -> list[Path]:
    """Write NAME.txt, NAME.docx, NAME.pdf and NAME.eml for each notice; return the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(NOTICES.glob("*.txt")):
        name = source.stem
        if names and name not in names:
            continue
        markup = source.read_text(encoding="utf-8")
        pdf = make_pdf(markup)
        files = {
            ".txt": plain_text(markup).encode("utf-8"),
            ".docx": make_docx(markup),
            ".pdf": pdf,
            ".eml": make_eml(pdf, f"{name}.pdf", f"Văn bản {name}",
                             sender="doankhoi@doankhoi.example.vn",
                             message_id=f"<{name}@doankhoi.example.vn>"),
        }
        for ext, data in files.items():
            path = out_dir / f"{name}{ext}"
            path.write_bytes(data)
            written.append(path)
    return written


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    for path in write_all(Path(argv[0]), argv[1:]):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
