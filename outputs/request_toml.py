"""A proposed request as a `[[request]]` TOML table to paste into requests.toml.

Every key has a comment above it saying what words of the notice it was read from. A field the
notice does not state clearly is written commented out, with the reason: the config loader then
names what is missing until the office fills it in. Comments are in the office's `language`.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from matching.notice import Proposal
from outputs.i18n import NOTICE_TABLE_WORDS
from parsers.notice import Field

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def _t(key: str, language: str, **values: object) -> str:
    pair = NOTICE_TABLE_WORDS[key]
    return (pair[1] if language == "en" else pair[0]).format(**values)


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif _CONTROL.match(ch):
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _comment(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _value(value: object) -> str:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day).isoformat(timespec="seconds")
    if isinstance(value, tuple):
        return "[" + ", ".join(toml_string(str(v)) for v in value) + "]"
    return toml_string(str(value))


def _field(key: str, field: Field[Any], language: str, placeholder: str,
           source: str | None = None) -> list[str]:
    lines: list[str] = []
    said = source if source is not None else (
        f"{_t('from', language)} “{field.source}”" if field.source else "")
    if field.value is None or field.value == ():
        reason = field.note[1 if language == "en" else 0] if field.note else ""
        lines.append(_comment(f"# {key}: {_t('empty', language)}: {reason}; "
                              f"{_t('fill', language)}"))
        lines.append(f"# {key} = {placeholder}")
        return lines
    comment = f"# {key}: {said}" if said else ""
    if field.note:
        note = field.note[1 if language == "en" else 0]
        comment = (comment + " " if comment else f"# {key}: ") + f"({_t('note', language)}: {note})"
    if comment:
        lines.append(_comment(comment))
    lines.append(f"{key} = {_value(field.value)}")
    return lines


def render_request(proposal: Proposal, language: str = "vi") -> str:
    """The `[[request]]` table for `proposal`, with its comments, ending in a newline."""
    reading = proposal.reading
    lines = [_comment("# " + _t("head", language, origin=proposal.origin or "-"))]
    if proposal.text_from is not None:
        where = proposal.text_from[1 if language == "en" else 0]
        lines.append(_comment("# " + _t("read_from", language, where=where)))
    lines.append("[[request]]")
    # Placeholders are not valid values: a line uncommented without being filled in is refused.
    lines += _field("id", reading.request_id, language, '"…"')
    lines += _field("title", reading.title, language, '"…"')
    lines += _field("issued", reading.issued, language, "YYYY-MM-DDT00:00:00")
    lines += _field("deadline", reading.deadline, language, "YYYY-MM-DDTHH:MM:00")
    lines.append(_comment(f"# grace_minutes: {_t('grace', language)}"))
    lines.append("grace_minutes = 0")
    units_source = None
    if proposal.units.value == ("*",) and proposal.units.source:
        units_source = (f"{_t('from', language)} “{proposal.units.source}” "
                        f"({_t('units_all', language)})")
    lines += _field("units", proposal.units, language, '["*"]', units_source)
    lines += _field("requires", reading.requires, language, '["report", "images"]')
    lines += _field("keywords", reading.keywords, language, '["…"]',
                    f"{_t('keywords_from', language)}")
    if proposal.notice_message_id:
        lines.append(_comment(f"# notice_message_id: {_t('message_id', language)}"))
        lines.append(f"notice_message_id = {toml_string(proposal.notice_message_id)}")
    return "\n".join(lines) + "\n"
