"""The office's decisions as the workspace makes them: the one place the workspace names the
application's decision use cases (app/decisions.py), with the author of each being the account
that is logged in. The forms and pages only ever call these names.
"""

from __future__ import annotations

from app.decisions import (
    AlreadyUndoneError,
    AmbiguousKeyError,
    Decision,
    DecisionError,
    accept,
    assign,
    excuse,
    extend,
    ignore,
    list_decisions,
    undo,
)

__all__ = ["AlreadyUndoneError", "AmbiguousKeyError", "Decision", "DecisionError", "accept",
           "assign", "excuse", "extend", "ignore", "list_decisions", "undo"]
