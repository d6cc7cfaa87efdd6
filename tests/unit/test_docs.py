"""The README lists exactly what the program accepts: the settings (top-level keys and each
section's keys) and the commands with their options."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

import pytest

from config.loader import (
    DIGEST_KEYS,
    NOTIFY_KEYS,
    REQUEST_KEYS,
    SCHEDULE_KEYS,
    SETTINGS,
    SMTP_KEYS,
    SOURCE_KEYS,
    WEB_KEYS,
    load_config,
)
from parsers.limits import LIMIT_HELP
from run import build_parser

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"


def _section(text: str, heading: str) -> str:
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


def test_readme_settings_table_matches_the_declared_settings() -> None:
    text = README.read_text(encoding="utf-8")
    section = text.split("`settings.toml`", 1)[1].split("\n\n| key |", 1)[1].split("\n\n", 1)[0]
    keys = re.findall(r"^\| `(\w+)` \|", section, flags=re.MULTILINE)
    assert keys == list(SETTINGS)


@pytest.mark.parametrize(("table", "keys"), [
    ("[[source]]", SOURCE_KEYS), ("[schedule]", SCHEDULE_KEYS), ("[digest]", DIGEST_KEYS),
    ("[smtp]", SMTP_KEYS), ("[notify]", NOTIFY_KEYS), ("[limits]", set(LIMIT_HELP)),
    ("[web]", WEB_KEYS), ("[[request]]", REQUEST_KEYS),
])
def test_readme_names_every_key_of_each_section(table: str, keys: set[str]) -> None:
    text = README.read_text(encoding="utf-8")
    documented = _section(text, "## Configuration") + _section(text, "## Mail to units")
    named = set(re.findall(r"`(\w+)[` ]", documented)) | set(
        re.findall(r"^#? ?(\w+) *=", documented, flags=re.MULTILINE))
    assert sorted(keys - named) == [], f"{table} keys the README's Configuration does not name"


def _leaves(parser: argparse.ArgumentParser, words: str = ""
            ) -> list[tuple[str, argparse.ArgumentParser]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return [(words, parser)]
    found: list[tuple[str, argparse.ArgumentParser]] = []
    for name, child in subs[0].choices.items():
        found += _leaves(child, f"{words} {name}".strip())
    return found


def test_readme_commands_table_lists_every_command_and_its_options() -> None:
    section = _section(README.read_text(encoding="utf-8"), "## Commands")
    rows = re.findall(r"^\| (`.+?`) \| ", section, flags=re.MULTILINE)
    for words, parser in _leaves(build_parser()):
        cells = [c for c in rows if re.search(rf"`{re.escape(words)}( |`)", c)]
        assert cells, f"`{words}` has no row in the README's Commands table"
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert any(option in c for c in cells), f"`{words} {option}` not in the table"
    for action in build_parser()._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in section, f"the global option {option} is not in Commands"


def test_readme_commands_table_names_no_command_that_does_not_exist() -> None:
    section = _section(README.read_text(encoding="utf-8"), "## Commands")
    known = {words.split()[0] for words, _ in _leaves(build_parser())}
    for cell in re.findall(r"^\| (`.+?`) \| ", section, flags=re.MULTILINE):
        for command in re.findall(r"`(\w[\w-]*)", cell):
            assert command in known, f"the README's Commands table names `{command}`"


@pytest.mark.parametrize("sample", ["docs/server/settings.toml", "config/demo/settings.toml"])
def test_the_samples_commented_smtp_and_digest_are_valid(sample: str, tmp_path: Path) -> None:
    """Uncommenting the sample's [smtp] and [digest] gives a configuration the loader takes."""
    text = (ROOT / sample).read_text(encoding="utf-8")
    lines, on = [], False
    for line in text.splitlines():
        if line in ("# [smtp]", "# [digest]"):
            on = True
        if on and line.startswith("# ") and re.match(r"# (\[\w+\]|\w+ = )", line):
            line = line[2:]
        elif on:
            on = False
        lines.append(line)
    config = tmp_path / "settings.toml"
    config.write_text("\n".join(lines), encoding="utf-8")
    raw = tomllib.loads(config.read_text(encoding="utf-8"))
    assert set(raw["smtp"]) >= {"host", "port", "security", "from"}
    assert raw["digest"]["to"]
    for name in ("units.csv", "requests.toml"):
        (tmp_path / name).write_bytes((ROOT / "config/demo" / name).read_bytes())
    (tmp_path / "inbox").mkdir()
    if sample.startswith("docs/"):
        raw_text = config.read_text(encoding="utf-8").replace("/var/lib/mailtally/", "")
        config.write_text(raw_text, encoding="utf-8")
    settings = load_config(config)
    assert settings.smtp is not None and settings.digest is not None


def test_readme_opens_with_the_two_commands() -> None:
    head = README.read_text(encoding="utf-8")[:1500]
    assert "make demo" in head and "make test" in head
