"""The one Jinja environment of every template in outputs/templates.

Autoescaping is on for every template but the plain-text ones (`*.txt.j2`): the plain-text part
of the digest must show `<` and `&` as they are. Nothing taken from a message is ever marked
safe. StrictUndefined makes a missing value an error instead of an empty string. A template
ends as its file ends (`keep_trailing_newline`).
"""

from __future__ import annotations

import functools

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@functools.cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("outputs", "templates"),
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "html.j2"),
            disabled_extensions=("txt", "txt.j2"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
