"""The reminders page: per open notice, the units that still owe something and the reminder each
would get now; "send now" per notice; and the outbox's mails that did not go, or may not have.

Sending is the command line's use case (`remind REQUEST --send`, app/remind.py), run with the
data dir's lock like the command, so the outbox records it exactly as the command does: at most
once (one slot per minute: a second click in the same minute sends nothing twice) and within
`max_per_hour`. A viewer never gets to the POST (web/app.py refuses it with 403).
"""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers.response import Response as BaseResponse

from app.clock import current_time
from app.lock import LockBusyError
from app.notify import eml_name, outbox_counts
from app.remind import Preview, remind, run_remind
from ingest.errors import StorageError
from ingest.outbox import MailState, Outbox, OutboxMail
from outputs.i18n import say
from outputs.safe_files import download_headers
from web import actions
from web.i18n import words
from web.model import OWES, View, Workspace
from web.rebuild import Rebuilder

SEND_WAIT_SECONDS = 5.0  # a person waits at most this long for a run that holds the data dir
TROUBLE_SHOWN = 100  # the newest mails in trouble the page lists (the counts say how many)


def open_notices(v: View) -> list[dict[str, Any]]:
    """The notices with at least one unit that still owes something, in the file's order."""
    items = []
    for req in v.settings.requests:
        counts = v.counts(req.id)
        owing = sum(counts[s] for s in OWES)
        if owing:
            items.append({"request": req, "owes": owing, "counts": counts})
    return items


def _trouble_line(mail: OutboxMail, v: View) -> dict[str, Any]:
    unit = v.units.get(mail.unit_code)
    return {"mail": mail, "unit_name": unit.name if unit is not None else "",
            "at": mail.attempted_at or mail.created_at}


def register(app: Flask, ws: Workspace) -> None:
    def outbox_state(v: View) -> dict[str, Any] | None:
        """The outbox as the page shows it: counts by state and the mails in trouble."""
        if v.settings.notify is None:
            return None
        with ws.store() as store:
            counts = outbox_counts(v.settings, store) or {}
            trouble = Outbox(store).trouble()
        return {"counts": counts, "trouble": [_trouble_line(m, v) for m in
                                              trouble[:TROUBLE_SHOWN]],
                "more": max(0, len(trouble) - TROUBLE_SHOWN)}

    # (id of the view, request, minute) -> (that view, kept so that its id is not reused, and
    # its previews)
    cache: dict[tuple[int, str, datetime], tuple[View, list[Preview]]] = {}
    cache_lock = threading.Lock()

    def previews_of(v: View, request_id: str) -> list[Preview]:
        """What `remind REQUEST` shows, as of this minute. Composing a mail takes the email
        library about 15 ms, so a notice's previews are kept until the view or the minute
        changes: a reload, or the page after a send, does not compose them all again."""
        minute = current_time().replace(second=0, microsecond=0)
        key = (id(v), request_id, minute)
        with cache_lock:
            found = cache.get(key)
        if found is not None:
            return found[1]
        with ws.store() as store:
            made = list(remind(v.settings, store, v.snap, request_id, send=False,
                               now=max(minute, v.snap.now)).previews)
        with cache_lock:
            for old in [k for k in cache if k[0] != key[0] or k[2] != minute]:
                del cache[old]
            cache[key] = (v, made)
        return made

    def folder() -> str:
        return f"{ws.settings.output_dir.name}/outbox/"

    @app.route("/reminders")
    def reminders() -> str:
        v = ws.view()
        return render_template("reminders.html", notify=v.settings.notify,
                               notices=open_notices(v), outbox=outbox_state(v),
                               folder=folder(), config_name=v.settings.config_path.name,
                               states=_state_words(v.settings.language))

    @app.route("/reminders/<path:request_id>")
    def reminder_notice(request_id: str) -> str:
        v = ws.view()
        req = v.requests.get(request_id)
        if req is None:
            abort(404)
        previews = previews_of(v, req.id) if v.settings.notify is not None else []
        return render_template("reminder_notice.html", req=req, notify=v.settings.notify,
                               previews=previews, folder=folder(),
                               config_name=v.settings.config_path.name,
                               sendable=sum(1 for p in previews if p.recipients),
                               statuses={s: words(v.settings.language).get(s, s)
                                         for s in OWES})

    @app.route("/reminders/send", methods=["POST"])
    def send_reminders() -> BaseResponse:
        settings = ws.settings
        lang = settings.language
        typed = request.form.get("request_id", "")
        back = redirect(url_for("reminders"))
        if settings.notify is None:
            flash(say("notify_off", lang, file=settings.config_path.name), "error")
            return back
        try:
            result = run_remind(settings, typed, send=True, now=current_time(),
                                wait=SEND_WAIT_SECONDS)
        except actions.DecisionError as exc:
            text = say(f"unknown_{exc.what}", lang, value=exc.value)
            if exc.closest:
                text += " " + say("closest", lang, closest=", ".join(exc.closest))
            flash(text, "error")
            return back
        except LockBusyError:
            flash(words(lang)["send_busy"], "error")
            return back
        except StorageError as exc:
            flash(say("storage_failed", lang, reason=str(exc)), "error")
            return back
        d = result.delivery
        assert d is not None
        app.logger.info("event=reminders_sent_from_web user=%s request=%s sent=%d written=%d "
                        "held=%d retry=%d failed=%d unknown=%d", g.account.name,
                        result.request_id, d.sent, d.written, d.held, d.retry, d.failed,
                        d.unknown)
        w = words(lang)
        said = False
        for key, n in (("sent_n", d.sent), ("written_n", d.written), ("held_n", d.held),
                       ("retry_n", d.retry), ("failed_n", d.failed), ("unknown_n", d.unknown)):
            if n:
                flash(w[key].format(n=n, folder=folder()),
                      "error" if key in ("retry_n", "failed_n", "unknown_n") else "message")
                said = True
        if not said:
            flash(w["sent_nothing"] if result.previews else
                  say("remind_nobody", lang, rid=result.request_id))
        rebuilder: Rebuilder | None = app.extensions["mailtally_rebuild"]
        if rebuilder is not None:  # report.html shows the outbox's trouble
            rebuilder.request()
        return redirect(url_for("reminder_notice", request_id=result.request_id))

    @app.route("/outbox/<int:mail_id>.eml")
    def outbox_mail(mail_id: int) -> Response:
        """A mail of the outbox, exactly the bytes sent (or to be sent), as a download."""
        with ws.store() as store:
            mail = Outbox(store).mail(mail_id)
        if mail is None:
            abort(404)
        return Response(mail.raw, headers=download_headers(eml_name(mail, ws.settings.timezone)))


def _state_words(language: str) -> dict[str, str]:
    w = words(language)
    return {s.value: w.get(f"state_{s.value}", s.value) for s in MailState}
