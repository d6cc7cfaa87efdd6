"""The workspace's changes (POST): the office's decisions and edits of the two files.

Each handler checks its form, calls one use case (web/actions.py, web/editing.py), and sends
the person back to the page they came from, where the change already shows; report.html is
rebuilt in the background (web/rebuild.py). A viewer never gets here (web/app.py refuses it).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, flash, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers.response import Response as BaseResponse

from config.model import Problem
from ingest.accounts import Account
from ingest.errors import StorageError
from matching.notice import Proposal
from outputs.i18n import say
from web import actions
from web.editing import (
    EditRefusedError,
    StaleFileError,
    naive_local,
    read_requests,
    read_roster,
    save_request,
    save_unit,
)
from web.files import KEY_PATTERN
from web.i18n import words
from web.model import Workspace, local_path
from web.rebuild import Rebuilder

DATE_EXPECTED = ("ngày giờ dạng dd/mm/yyyy HH:MM, ví dụ 11/08/2023 11:00",
                 "a date and time as dd/mm/yyyy HH:MM, e.g. 11/08/2023 11:00")
_VN_TIME = re.compile(r"^(\d{1,2})\s*[gh:]\s*(\d{2})?$")


def parse_when(value: str, tz: ZoneInfo, *, end_of_day: bool = False) -> datetime:
    """A date and time as the office types it, in its zone: ISO 8601, `14/08/2023`,
    `14/08/2023 17:00`, `17g00 14/8/2023`. A date alone is the start of that day, or its last
    minute with `end_of_day`.

    Raises:
        ValueError: not a date the office would write.
    """
    text = " ".join(value.strip().split())
    if not text:
        raise ValueError(value)
    try:
        parsed = datetime.fromisoformat(text)
        if len(text) <= 10:
            parsed = datetime.combine(parsed.date(), time(23, 59) if end_of_day else time())
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)
    except ValueError:
        pass
    date_part, clock = "", ""
    for piece in text.split(" "):
        if "/" in piece or "-" in piece:
            date_part = piece
        else:
            clock = (clock + piece).lower()
    day, month, year = (int(x) for x in re.split(r"[/-]", date_part))
    if clock:
        m = _VN_TIME.match(clock)
        if not m:
            raise ValueError(value)
        at = time(int(m.group(1)), int(m.group(2) or 0))
    else:
        at = time(23, 59) if end_of_day else time()
    return datetime(year, month, day, at.hour, at.minute, tzinfo=tz)


def current_account() -> Account:
    """The account logged in (web/app.py's before_request has made sure there is one)."""
    account = g.get("account")
    assert isinstance(account, Account)
    return account


def _list(text: str) -> list[str]:
    return [p.strip() for p in text.replace(",", ";").split(";") if p.strip()]


def register(app: Flask, ws: Workspace) -> None:
    def changed() -> None:
        rebuilder: Rebuilder | None = app.extensions["mailtally_rebuild"]
        if rebuilder is not None:
            rebuilder.request()
        flash(words(ws.settings.language)["saved_rebuild"])

    def refused(exc: actions.DecisionError) -> None:
        lang = ws.settings.language
        text = exc.text(lang)
        if exc.closest:
            text += " " + say("closest", lang, closest=", ".join(exc.closest))
        flash(text, "error")

    def back(default: str) -> BaseResponse:
        return redirect(local_path(request.form.get("back")) or default)

    @app.route("/logout", methods=["POST"])
    def logout() -> BaseResponse:
        session.clear()
        return redirect(url_for("login"))

    @app.route("/needs/<key>/assign", methods=["POST"])
    def assign(key: str) -> BaseResponse:
        codes = request.form.getlist("unit")
        if not codes:
            flash(words(ws.settings.language)["no_choice"], "error")
            return redirect(url_for("needs", key=key, q=request.form.get("q", "")))
        try:
            actions.assign(ws.settings, key, codes, request.form.get("request_id") or None,
                           author=current_account().name, reason=request.form.get("reason", ""))
        except actions.DecisionError as exc:
            refused(exc)
            return redirect(url_for("needs", key=key))
        changed()
        return redirect(url_for("needs"))

    @app.route("/needs/<key>/ignore", methods=["POST"])
    def ignore(key: str) -> BaseResponse:
        try:
            actions.ignore(ws.settings, key, author=current_account().name,
                           reason=request.form.get("reason", ""))
        except actions.DecisionError as exc:
            refused(exc)
        else:
            changed()
        return redirect(url_for("needs"))

    @app.route("/decide", methods=["POST"])
    def decide() -> BaseResponse:
        form = request.form
        kind, code, rid = form.get("kind", ""), form.get("unit", ""), form.get("request_id", "")
        reason = form.get("reason", "").strip()
        author = current_account().name
        settings = ws.settings
        try:
            if kind == "excuse":
                actions.excuse(settings, code, rid, author=author, reason=reason)
            elif kind == "accept":
                actions.accept(settings, code, rid, author=author, reason=reason)
            elif kind == "extend":
                try:
                    until = parse_when(form.get("until", ""), settings.timezone,
                                       end_of_day=True)
                except ValueError:
                    flash(words(settings.language)["bad_until"].format(
                        value=form.get("until", "")), "error")
                    return back(url_for("unit", code=code))
                actions.extend(settings, code, rid, until, author=author, reason=reason)
            else:
                return back(url_for("unit", code=code))
        except actions.DecisionError as exc:
            refused(exc)
        else:
            changed()
        return back(url_for("unit", code=code))

    @app.route("/decisions/<int:decision_id>/undo", methods=["POST"])
    def undo(decision_id: int) -> BaseResponse:
        try:
            actions.undo(ws.settings, decision_id, author=current_account().name)
        except actions.DecisionError as exc:
            refused(exc)
        else:
            changed()
        return redirect(url_for("decisions"))

    @app.route("/roster/save", methods=["POST"])
    def roster_save() -> str | tuple[str, int] | BaseResponse:
        form = request.form
        code = form.get("original") or None
        values = {k: form.get(k, "") for k in ("code", "name", "emails", "aliases", "group")}
        settings = ws.settings
        assert settings.units_path is not None
        try:
            save_unit(settings, form.get("version", ""), code, values)
        except StaleFileError:
            flash(words(settings.language)["file_changed"].format(file="units.csv"), "error")
            return redirect(url_for("roster"))
        except StorageError as exc:  # e.g. units.csv in a configuration folder kept read-only
            flash(exc.text(settings.language), "error")
            return redirect(url_for("roster"))
        except EditRefusedError as exc:
            return render_template("roster_edit.html", roster=read_roster(settings.units_path),
                                   code=code, row=values, problems=exc.problems), 422
        ws.reload()
        changed()
        return redirect(url_for("roster"))

    @app.route("/requests/from-notice", methods=["POST"])
    def request_from_notice() -> str | tuple[str, int] | BaseResponse:
        """A new notice's form, filled in from the notice uploaded (pdf, docx, odt, txt, eml)
        as `request from-notice` reads it; the clerk checks it and saves it as any other."""
        from app.notices import NoticeInputError, read_notice_bytes, read_notice_source

        settings = ws.settings
        assert settings.requests_path is not None
        upload = request.files.get("notice")
        key = request.form.get("message_key", "")
        if (upload is None or not upload.filename) and not KEY_PATTERN.match(key):
            return redirect(url_for("requests_page"))
        try:
            if upload is not None and upload.filename:
                proposal = read_notice_bytes(settings, upload.filename, upload.read())
            else:
                proposal = read_notice_source(settings, key)  # a stored mail of the office's
        except NoticeInputError as exc:
            flash(exc.text(settings.language), "error")
            return redirect(url_for("requests_page"))
        values, notes = proposal_form(proposal, settings.language)
        return render_template("request_edit.html", file=read_requests(settings.requests_path),
                               n=None, values=values, problems=[], notes=notes)

    @app.route("/requests/save", methods=["POST"])
    def request_save() -> str | tuple[str, int] | BaseResponse:
        form = request.form
        settings = ws.settings
        assert settings.requests_path is not None
        n = form.get("n", type=int)
        texts = {k: form.get(k, "").strip() for k in (
            "id", "title", "issued", "deadline", "grace_minutes", "units", "requires",
            "keywords", "notice_message_id")}
        path = settings.requests_path
        problems: list[Problem] = []
        values: dict[str, Any] = {"id": texts["id"], "title": texts["title"]}
        for key in ("issued", "deadline"):
            try:
                values[key] = naive_local(parse_when(texts[key], settings.timezone), settings)
            except ValueError:
                problems.append(Problem(path.name, key, DATE_EXPECTED, repr(texts[key])))
        try:
            values["grace_minutes"] = int(texts["grace_minutes"] or 0)
        except ValueError:
            problems.append(Problem(path.name, "grace_minutes", ("một số nguyên", "a whole number"),
                                    repr(texts["grace_minutes"])))
        values["units"] = _list(texts["units"]) or ["*"]
        values["requires"] = _list(texts["requires"])
        values["keywords"] = _list(texts["keywords"])
        values["notice_message_id"] = texts["notice_message_id"]

        def again(found: list[Problem]) -> tuple[str, int]:
            return render_template("request_edit.html", file=read_requests(path), n=n,
                                   values=texts, problems=found, notes=[]), 422

        if problems:
            return again(problems)
        try:
            save_request(settings, form.get("version", ""), n, values)
        except StaleFileError:
            flash(words(settings.language)["file_changed"].format(file="requests.toml"),
                  "error")
            return redirect(url_for("requests_page"))
        except StorageError as exc:
            flash(exc.text(settings.language), "error")
            return redirect(url_for("requests_page"))
        except EditRefusedError as exc:
            return again(exc.problems)
        except IndexError:
            return redirect(url_for("requests_page"))
        ws.reload()
        changed()
        return redirect(url_for("requests_page"))


def proposal_form(proposal: Proposal, language: str) -> tuple[dict[str, str], list[str]]:
    """A request proposed from a notice (matching.notice.Proposal) as the edit form's fields,
    and what the office should check, field by field."""
    reading = proposal.reading
    i = 1 if language == "en" else 0
    issued = reading.issued.value
    deadline = reading.deadline.value
    values = {
        "id": reading.request_id.value or "", "title": reading.title.value or "",
        "issued": issued.strftime("%d/%m/%Y 00:00") if issued else "",
        "deadline": deadline.strftime("%d/%m/%Y %H:%M") if deadline else "",
        "grace_minutes": "0",
        "units": "; ".join(proposal.units.value or ("*",)),
        "requires": "; ".join(reading.requires.value or ("report", "images")),
        "keywords": "; ".join(reading.keywords.value or ()),
        "notice_message_id": proposal.notice_message_id or "",
    }
    notes = []
    for name, field in (("id", reading.request_id), ("title", reading.title),
                        ("issued", reading.issued), ("deadline", reading.deadline),
                        ("units", proposal.units), ("requires", reading.requires),
                        ("keywords", reading.keywords)):
        if field.note is not None:
            notes.append(f"{name}: {field.note[i]}")
    return values, notes
