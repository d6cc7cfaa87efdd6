"""Notices read into requests: every notice of tests/notices/, as .txt, .docx, .pdf and .eml,
gives what its NAME.expected.toml says (written by hand, from reading the notice)."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from app.notices import read_notice_source
from config.loader import load_config
from config.model import Settings
from matching.notice import Proposal
from parsers.notice import Field

ROOT = Path(__file__).resolve().parents[1]
NOTICES = ROOT / "tests" / "notices"
NAMES = sorted(p.stem for p in NOTICES.glob("*.txt"))
FORMATS = ("txt", "docx", "pdf", "eml")
FIELDS = ("id", "issued", "title", "deadline", "requires", "units", "keywords")

sys.path.insert(0, str(ROOT / "tools"))
import make_notices  # noqa: E402


@pytest.fixture(scope="session")
def notice_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("notices")
    make_notices.write_all(out, [])
    return out


@pytest.fixture(scope="session")
def demo_settings() -> Settings:
    return load_config(ROOT / "config" / "demo" / "settings.toml")


def _got(proposal: Proposal) -> dict[str, Any]:
    r = proposal.reading
    return {"id": r.request_id.value, "issued": r.issued.value, "title": r.title.value,
            "deadline": r.deadline.value, "requires": r.requires.value,
            "units": proposal.units.value, "keywords": r.keywords.value}


def test_the_set_is_big_enough() -> None:
    assert len(NAMES) >= 11
    for name in NAMES:
        assert (NOTICES / f"{name}.expected.toml").is_file(), name


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_notice_reads_as_expected(name: str, fmt: str, notice_files: Path,
                                  demo_settings: Settings) -> None:
    expected = tomllib.loads((NOTICES / f"{name}.expected.toml").read_text(encoding="utf-8"))
    proposal = read_notice_source(demo_settings, str(notice_files / f"{name}.{fmt}"))
    got = _got(proposal)
    for key in FIELDS:
        if key not in expected:
            continue
        want = expected[key]
        if isinstance(want, list):
            want = tuple(want)
        if key == "keywords":  # the reader may find more; these must be among them
            assert set(want) <= set(got[key] or ()), (key, got[key])
        else:
            assert got[key] == want, (key, got[key])
    for key in expected.get("empty", []):
        assert got[key] in (None, ()), (key, got[key])
        fields: dict[str, Field[Any]] = {
            "deadline": proposal.reading.deadline, "requires": proposal.reading.requires,
            "units": proposal.units, "id": proposal.reading.request_id}
        field = fields[key]
        assert field.note is not None, key  # an empty field always says why
    if fmt == "eml":
        assert proposal.notice_message_id == f"<{name}@doankhoi.example.vn>"
    else:
        assert proposal.notice_message_id == ""
