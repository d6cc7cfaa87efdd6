"""The workspace's pages (GET): notices, a notice's units, a unit, the messages that need a
person, the decisions, the roster and the notices files, and the stored files as downloads.

Handlers only read: they take the current view (web/model.py) and render a template.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers.response import Response as BaseResponse

from app.caches import parsed_message
from ingest.accounts import verify_login
from ingest.decisions import in_effect
from ingest.store import Store
from outputs.html import can_draw, draw_thumbnail
from outputs.i18n import DECISION_LABELS, pick
from outputs.safe_files import download_headers
from outputs.tables import local_short, row_notes
from parsers.records import Attachment
from web import actions
from web.editing import read_requests, read_roster
from web.files import KEY_PATTERN, inside
from web.i18n import words
from web.model import OWES, View, Workspace, local_path, photos_and_files, search_units
from web.throttle import LoginThrottle

FILTERS = ("all", "owes", "late", "incomplete")
NEEDS_PER_PAGE = 50  # a phone shows a page of them; the rest are a link away


def _safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this site only, never another host."""
    return local_path(target) or url_for("notices")


def _row_filter(name: str, status: str) -> bool:
    if name == "owes":
        return status in OWES
    if name == "late":
        return status == "late"
    if name == "incomplete":
        return status == "incomplete"
    return True


def register(app: Flask, ws: Workspace) -> None:
    throttle: LoginThrottle = app.extensions["mailtally_throttle"]

    def when(value: datetime) -> str:
        return local_short(value, ws.settings.timezone)

    def view() -> View:
        return ws.view()

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | tuple[str, int] | BaseResponse:
        lang = ws.settings.language
        error = ""
        name = ""
        status = 200
        if request.method == "POST":
            name = request.form.get("username", "").strip()
            password = request.form.get("password", "")
            address = request.remote_addr or ""
            wait = throttle.wait_seconds(name, address)
            if wait:
                error = words(lang)["login_slowed"].format(seconds=wait)
                status = 429
            else:
                with ws.store() as store:
                    account = verify_login(store, name, password)
                if account is None:
                    throttle.failed(name, address)
                    app.logger.warning("event=login_failed user=%s", name[:64])
                    error = words(lang)["login_failed"]
                else:
                    throttle.succeeded(name, address)
                    session.clear()
                    session["user"] = account.name
                    session.permanent = True
                    app.logger.info("event=login user=%s", account.name)
                    return redirect(_safe_next(request.args.get("next")))
        return render_template("login.html", error=error, name=name), status

    @app.route("/")
    def notices() -> str:
        v = view()
        items = []
        for req in ws.settings.requests:
            counts = v.counts(req.id)
            items.append({"request": req, "counts": counts,
                          "expected": sum(counts.values()),
                          "owes": sum(counts[s] for s in OWES)})
        return render_template("notices.html", items=items, needs=len(v.needs),
                               now=v.snap.now, statuses=_statuses(v))

    @app.route("/notice/<path:request_id>")
    def notice(request_id: str) -> str:
        v = view()
        req = v.requests.get(request_id)
        if req is None:
            abort(404)
        show = request.args.get("show", "all")
        if show not in FILTERS:
            show = "all"
        rows = v.rows_by_request.get(req.id, [])
        shown = [r for r in rows if _row_filter(show, r.status.value)]
        units = []
        for r in shown:
            messages = v.messages_of(req.id, r.unit_code)
            photos: list[dict[str, Any]] = []
            files: list[dict[str, Any]] = []
            for m in messages:
                ph, fi = photos_and_files(m.attachments)
                # a photo Pillow cannot draw (HEIC, a zip of photos) is named, not shown
                photos += [{"key": m.message_key, "n": n, "a": a} for n, a in ph
                           if can_draw(a.filename)]
                files += [{"key": m.message_key, "n": n, "a": a} for n, a in fi]
                files += [{"key": m.message_key, "n": n, "a": a} for n, a in ph
                          if not can_draw(a.filename)]
            units.append({"row": r, "messages": messages, "photos": photos[:4],
                          "more_photos": photos[4:], "files": files,
                          "notes": row_notes(r, v.settings.language, when)})
        return render_template("notice.html", req=req, counts=v.counts(req.id), show=show,
                               filters=FILTERS, units=units, total=len(rows),
                               statuses=_statuses(v))

    @app.route("/unit/<code>")
    def unit(code: str) -> str:
        v = view()
        u = v.units.get(code)
        if u is None:
            abort(404)
        with ws.store() as store:
            learned = sorted(a for a, c in in_effect(store.decisions()).learned.items()
                             if c == code)
        record = []
        for r in v.rows_by_unit.get(code, []):
            record.append({"row": r, "request": v.requests[r.request_id],
                           "messages": v.messages_of(r.request_id, code),
                           "notes": row_notes(r, v.settings.language, when)})
        return render_template("unit.html", unit=u, learned=learned, record=record,
                               statuses=_statuses(v))

    @app.route("/needs")
    def needs() -> str:
        v = view()
        key = request.args.get("key", "")
        query = request.args.get("q", "").strip()
        found = search_units(v, query) if key and query else []
        page = max(request.args.get("page", 0, type=int), 0)
        if key:  # the page that holds the message being fixed
            at = next((n for n, pl in enumerate(v.needs) if pl.message_key == key), 0)
            page = at // NEEDS_PER_PAGE
        pages = max(1, -(-len(v.needs) // NEEDS_PER_PAGE))
        page = min(page, pages - 1)
        items = []
        for pl in v.needs[page * NEEDS_PER_PAGE:(page + 1) * NEEDS_PER_PAGE]:
            p = v.parsed[pl.message_key]
            photos, files = photos_and_files(p.attachments)
            items.append({"p": p, "pl": pl, "files": photos + files,
                          "candidates": [v.units[c] for c in pl.candidates if c in v.units]})
        return render_template("needs.html", items=items, key=key, query=query, found=found,
                               requests=ws.settings.requests, units=ws.settings.units,
                               total=len(v.needs), page=page, pages=pages)

    @app.route("/units.json")
    def units_json() -> Response:
        found = search_units(view(), request.args.get("q", ""))
        return jsonify([{"code": u.code, "name": u.name} for u in found])

    @app.route("/decisions")
    def decisions() -> str:
        lang = ws.settings.language
        return render_template("decisions.html",
                               decisions=actions.list_decisions(ws.settings)[::-1],
                               kinds={k: pick(DECISION_LABELS, k, lang) for k in DECISION_LABELS})

    @app.route("/roster")
    def roster() -> str:
        path = ws.settings.units_path
        assert path is not None
        return render_template("roster.html", roster=read_roster(path))

    @app.route("/roster/edit")
    def roster_edit() -> str:
        path = ws.settings.units_path
        assert path is not None
        roster = read_roster(path)
        code = request.args.get("code")
        row = next((r for r in roster.rows if r.get("code") == code), None)
        if code and row is None:
            abort(404)
        return render_template("roster_edit.html", roster=roster, code=code,
                               row=row or {}, problems=[])

    @app.route("/requests")
    def requests_page() -> str:
        path = ws.settings.requests_path
        assert path is not None
        file = read_requests(path)
        return render_template("requests.html", items=[form_values(t) for t in file.tables],
                               found=ws.found_notices())

    @app.route("/requests/edit")
    def request_edit() -> str:
        path = ws.settings.requests_path
        assert path is not None
        file = read_requests(path)
        index = request.args.get("n", type=int)
        if index is not None and not 0 <= index < len(file.tables):
            abort(404)
        table = file.tables[index] if index is not None else {}
        return render_template("request_edit.html", file=file, n=index,
                               values=form_values(table), problems=[], notes=[])

    @app.route("/message/<key>.eml")
    def raw_message(key: str) -> Response:
        if not KEY_PATTERN.match(key):
            abort(404)
        with ws.store() as store:
            stored = store.message(key)
        path = inside(ws.settings.data_dir, stored.raw_path) if stored else None
        if path is None:
            abort(404)
        return Response(path.read_bytes(), headers=download_headers(f"{key}.eml"))

    def nth_attachment(store: Store, key: str, n: int) -> Attachment:
        """The message's attachment number `n`; 404 for a key or number that is not there."""
        if not KEY_PATTERN.match(key):
            abort(404)
        parsed = parsed_message(store, key, limits=ws.settings.limits) \
            if store.message(key) else None
        if parsed is None or not 0 <= n < len(parsed.attachments):
            abort(404)
        return parsed.attachments[n]

    @app.route("/message/<key>/file/<int:n>")
    def attachment(key: str, n: int) -> Response:
        with ws.store() as store:
            a = nth_attachment(store, key, n)
        path = inside(ws.settings.data_dir, a.stored_path) if a.stored_path else None
        if path is None:
            abort(404)
        return Response(path.read_bytes(), headers=download_headers(a.filename))

    @app.route("/message/<key>/thumb/<int:n>.jpg")
    def thumbnail(key: str, n: int) -> Response:
        """A photo's thumbnail, as the report shows it: kept in the store, or drawn now (and
        kept) when no run has drawn it yet."""
        with ws.store() as store:
            a = nth_attachment(store, key, n)
            jpeg = store.thumbnails([a.sha256]).get(a.sha256)
            if jpeg is None and a.stored_path and can_draw(a.filename):
                path = inside(ws.settings.data_dir, a.stored_path)
                jpeg = draw_thumbnail(path) if path is not None else b""
                with store.transaction():
                    store.keep_thumbnails([(a.sha256, jpeg)])
        if not jpeg:
            abort(404)
        return Response(jpeg, mimetype="image/jpeg",
                        headers={"Cache-Control": "private, max-age=86400"})

    @app.route("/whoami")
    def whoami() -> Response:
        return jsonify({"user": g.account.name, "role": g.account.role})


def _statuses(v: View) -> dict[str, str]:
    lang = v.settings.language
    w = words(lang)
    return {s: w.get(s, s) for s in ("on_time", "late", "incomplete", "missing", "pending",
                                      "excused")}


def form_values(table: dict[str, Any]) -> dict[str, str]:
    """A [[request]] table as the edit form's text fields."""
    def when(value: Any) -> str:
        return value.strftime("%d/%m/%Y %H:%M") if hasattr(value, "strftime") else str(
            value or "")

    return {
        "id": str(table.get("id", "")), "title": str(table.get("title", "")),
        "issued": when(table.get("issued")), "deadline": when(table.get("deadline")),
        "grace_minutes": str(table.get("grace_minutes", 0)),
        "units": "; ".join(table.get("units", ["*"])),
        "requires": "; ".join(table.get("requires", ["report", "images"])),
        "keywords": "; ".join(table.get("keywords", [])),
        "notice_message_id": str(table.get("notice_message_id", "")),
    }
