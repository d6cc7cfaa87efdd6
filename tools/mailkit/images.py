"""Photos and logos from a seed: the pixels come from a seeded generator, so the bytes repeat."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont, ImageOps


@dataclass(frozen=True, slots=True)
class PhotoStyle:
    """How busy a photo is and where its banner is: the demo's are large, the corpus's small."""

    crowd: tuple[int, int]  # how many people (randrange bounds)
    radius: tuple[int, int]  # a head's radius (randrange bounds)
    grain: float  # how much noise is blended in
    banner: tuple[int, int, int]  # the red banner: inset left and right, top, bottom
    quality: int  # JPEG quality


def hall(seed: int, size: tuple[int, int], style: PhotoStyle) -> Image.Image:
    """A gradient 'hall', a crowd of shapes and a red banner across the top."""
    rng = random.Random(seed)
    width, height = size
    top = (rng.randrange(90, 230), rng.randrange(90, 230), rng.randrange(90, 230))
    bottom = (rng.randrange(20, 120), rng.randrange(20, 120), rng.randrange(20, 120))
    img = ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom)
    draw = ImageDraw.Draw(img)
    for _ in range(rng.randrange(*style.crowd)):
        x, y = rng.randrange(0, width), rng.randrange(height // 3, height)
        r = rng.randrange(*style.radius)
        shirt = (rng.randrange(0, 80), rng.randrange(90, 200), rng.randrange(0, 90))
        draw.ellipse((x - r, y - 2 * r, x + r, y), fill=(230, 190, 150))
        draw.rectangle((x - r, y, x + r, y + 3 * r), fill=shirt)
    grain_size = (width // 4, height // 4)
    grain = Image.frombytes("L", grain_size, rng.randbytes(grain_size[0] * grain_size[1]))
    grain_rgb = grain.resize(size, Image.Resampling.BICUBIC).convert("RGB")
    img = Image.blend(img, grain_rgb, style.grain)
    inset, banner_top, banner_bottom = style.banner
    ImageDraw.Draw(img).rectangle(
        (inset, banner_top, width - inset, banner_bottom), fill=(196, 22, 28)
    )
    return img


def jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def photo(seed: int, size: tuple[int, int], style: PhotoStyle) -> bytes:
    """A JPEG of a `hall`."""
    return jpeg(hall(seed, size, style), style.quality)


def logo(size: tuple[int, int], disc: int, text: str | None = None) -> bytes:
    """A small PNG signature logo: a white disc inset by `disc`, then `text` beside it."""
    height = size[1]
    img = Image.new("RGB", size, (0, 84, 166))
    draw = ImageDraw.Draw(img)
    draw.ellipse((disc, disc, height - disc, height - disc), fill=(255, 255, 255))
    if text:
        draw.text(
            (height + 2, 12), text, fill=(255, 255, 255), font=ImageFont.load_default(size=14)
        )
    out = io.BytesIO()
    img.save(out, "PNG", optimize=True)
    return out.getvalue()
