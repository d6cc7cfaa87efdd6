"""Thumbnails: drawn once per photo, kept in the store's database (never as files), and used by
every later page; a photo that cannot be drawn is remembered as such."""

from __future__ import annotations

import io
import shutil
import sqlite3
from pathlib import Path

import pytest
from eml_builders import jpeg_bytes
from PIL import Image, ImageOps

import run
from app import workers
from ingest.store import Store
from outputs import html

CORPUS = Path(__file__).resolve().parent / "corpus"


def test_a_thumbnail_is_a_small_jpeg_without_the_photos_metadata(tmp_path: Path) -> None:
    photo = tmp_path / "anh.jpg"
    big = Image.new("RGB", (1200, 900), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    big.save(photo, "JPEG", exif=exif, comment=b"secret comment")

    jpeg = html.draw_thumbnail(photo)

    with Image.open(io.BytesIO(jpeg)) as small:
        assert small.format == "JPEG"
        assert max(small.size) <= html.THUMB_PX
        assert "exif" not in small.info and "comment" not in small.info


@pytest.mark.parametrize(("orientation", "upright"), [(1, (160, 80)), (3, (160, 80)),
                                                     (6, (80, 160)), (8, (80, 160))])
def test_a_thumbnail_stands_as_the_photo_is_shown(
        tmp_path: Path, orientation: int, upright: tuple[int, int]) -> None:
    """Phones store a portrait photo as landscape pixels plus an EXIF Orientation tag."""
    photo = tmp_path / "doc.jpg"
    pixels = Image.new("RGB", (400, 200), (255, 255, 255))
    pixels.paste((0, 0, 0), (0, 0, 200, 100))  # the stored image's top left quarter is black
    exif = Image.Exif()
    exif[0x0112] = orientation
    pixels.save(photo, "JPEG", exif=exif)

    with Image.open(io.BytesIO(html.draw_thumbnail(photo))) as small:
        assert small.size == upright
        shown = ImageOps.exif_transpose(Image.open(photo)).resize(upright).convert("L")
        thumb = small.convert("L")
        corners = [(2, 2), (upright[0] - 3, 2), (2, upright[1] - 3),
                   (upright[0] - 3, upright[1] - 3)]
        # The dark quarter is where a browser shows it on the photo itself.
        assert [_dark(thumb, c) for c in corners] == [_dark(shown, c) for c in corners]


def _dark(grey: Image.Image, at: tuple[int, int]) -> bool:
    value = grey.getpixel(at)
    assert isinstance(value, int | float)
    return value < 128


def test_a_photo_that_cannot_be_drawn_gives_no_thumbnail(tmp_path: Path) -> None:
    broken = tmp_path / "hong.jpg"
    broken.write_bytes(jpeg_bytes()[:40])
    assert html.draw_thumbnail(broken) == b""
    assert html.draw_thumbnail(tmp_path / "missing.jpg") == b""


def test_the_store_keeps_thumbnails_and_the_photos_it_cannot_draw(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    try:
        rows = [(f"{n:064x}", f"jpeg {n}".encode()) for n in range(1200)]  # over one query's 500
        rows.append(("f" * 64, b""))
        with store.transaction():
            store.keep_thumbnails(rows)
        asked = [sha for sha, _ in rows] + ["e" * 64]
        assert store.thumbnails(asked) == dict(rows)  # the unknown photo is not in the answer
    finally:
        store.close()


def test_a_second_page_draws_no_thumbnail_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAILTALLY_NOW", "2023-09-30T12:00:00+07:00")
    monkeypatch.setenv(workers.START_AFTER_NEW_ENV, str(10**9))  # parsed in this process
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder, ignore=shutil.ignore_patterns("data", "out"))
    config = folder / "settings.toml"
    old_cache = folder / "data" / "thumbs"  # where earlier versions kept them
    old_cache.mkdir(parents=True)
    (old_cache / "0123.jpg").write_bytes(jpeg_bytes())

    drawn: list[str] = []
    real_draw = html.draw_thumbnail

    def counting_draw(photo: Path) -> bytes:
        drawn.append(str(photo))
        return real_draw(photo)

    monkeypatch.setattr(html, "draw_thumbnail", counting_draw)
    assert run.main(["--config", str(config), "once"]) == 0
    first_page = (folder / "out" / "report.html").read_text(encoding="utf-8")
    assert drawn, "the corpus has photos of placed mail"
    assert not old_cache.exists()
    assert not any((folder / "data").rglob("*.tmp"))
    db = sqlite3.connect(folder / "data" / "mailtally.db")
    kept = db.execute("SELECT count(*) FROM thumbnails").fetchone()[0]
    db.close()
    assert kept == len(drawn) == len(set(drawn))  # each photo drawn once

    def no_drawing(photo: Path) -> bytes:
        raise AssertionError(f"drawn again: {photo.name}")

    monkeypatch.setattr(html, "draw_thumbnail", no_drawing)
    assert run.main(["--config", str(config), "report"]) == 0
    assert (folder / "out" / "report.html").read_text(encoding="utf-8") == first_page
