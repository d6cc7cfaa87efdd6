"""The bundled sample (config/demo/) as a config of its own under a folder of the user's: what
`mailtally demo` runs, and what the commands it prints (`--config demo/settings.toml`) act on."""

from __future__ import annotations

import json
import re
from pathlib import Path

BUNDLED = Path(__file__).parent / "demo"
# The sample office's decisions, recorded by `mailtally demo` (author "demo"): Sở Công Thương
# sent its report on time and its photos to the office's Zalo group, which mail cannot show.
DEMO_ACCEPTS = (("SCT", "178-TB/ĐTN", "Ảnh hoạt động đã gửi trong nhóm Zalo của Đoàn Khối"),)
# The bundled file's paths that stay in the package (data and outputs go under the new folder).
_KEPT = re.compile(r'^(units_file|requests_file|path) = "([^"]+)"$', re.MULTILINE)


def write_demo_settings(base: Path) -> Path:
    """Write `base/settings.toml`: the bundled sample's settings with its roster, requests and
    inbox read from the package, and its data and outputs in `base/data` and `base/out`.
    Return its path."""
    text = (BUNDLED / "settings.toml").read_text(encoding="utf-8")

    def absolute(m: re.Match[str]) -> str:
        return f"{m.group(1)} = {json.dumps((BUNDLED / m.group(2)).as_posix())}"

    base.mkdir(parents=True, exist_ok=True)
    path = base / "settings.toml"
    path.write_text(_KEPT.sub(absolute, text), encoding="utf-8")
    return path
