"""The office's workspace: a Flask application over the store and the application's use cases.

Built by `create_app(settings)`; served by waitress (web/server.py). Safe by default: every page
needs a login; the session cookie is HttpOnly, SameSite=Strict, and Secure when `[web] base_url`
is https; every POST carries a CSRF token (Flask-WTF); a viewer cannot change anything; every
page has a strict Content-Security-Policy, and stored files are downloads (web/files.py).
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import StrictUndefined
from werkzeug.wrappers.response import Response as BaseResponse

from config.model import Settings
from ingest.accounts import find_account
from web.editing import UnreadableRosterError
from web.i18n import words
from web.model import Workspace
from web.rebuild import Rebuilder
from web.throttle import LoginThrottle

log = logging.getLogger("mailtally.web")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'")
SECRET_FILE = "web-secret"
SESSION_HOURS = 12
# Pages open without a login: the login form itself and the workspace's own static files.
OPEN_ENDPOINTS = frozenset({"login", "static"})


def session_secret(data_dir: Path) -> bytes:
    """The key that signs session cookies: made once, kept in the data dir (mode 0600), never
    in the config or the repository. Deleting it logs everyone out."""
    path = data_dir / SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_bytes()
        if len(secret) >= 32:
            return secret
        path.unlink()
        return session_secret(data_dir)
    with os.fdopen(fd, "wb") as fh:
        secret = os.urandom(32).hex().encode()
        fh.write(secret)
    return secret


def create_app(settings: Settings, *, rebuild: bool = True) -> Flask:
    """The workspace for `settings` (the configuration file is read again when it changes).

    With `rebuild`, a change made in the workspace also rebuilds report.html when no run holds
    the data dir.
    """
    app = Flask("web", root_path=str(Path(__file__).parent))
    web = settings.web
    app.config.update(
        SECRET_KEY=session_secret(settings.data_dir),
        SESSION_COOKIE_NAME="mailtally_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=bool(web and web.secure),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session
        MAX_CONTENT_LENGTH=32 << 20,  # a notice uploaded as a PDF
        SEND_FILE_MAX_AGE_DEFAULT=3600,
    )
    if web is not None and web.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=web.proxy_hops, x_proto=web.proxy_hops,
            x_host=web.proxy_hops, x_prefix=web.proxy_hops)
    app.jinja_env.undefined = StrictUndefined
    app.jinja_env.autoescape = True
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    CSRFProtect(app)

    secure = bool(web and web.secure)
    workspace = Workspace(settings)
    app.extensions["mailtally"] = workspace
    app.extensions["mailtally_throttle"] = LoginThrottle()
    rebuilder = Rebuilder(lambda: workspace.settings)
    app.extensions["mailtally_rebuild"] = rebuilder if rebuild else None

    @app.template_filter("when")
    def when(value: datetime | None) -> str:
        """'11/08/2023 10:42': a time as the office writes it, in its zone."""
        if value is None:
            return ""
        return value.astimezone(workspace.settings.timezone).strftime("%d/%m/%Y %H:%M")

    @app.context_processor
    def common() -> dict[str, Any]:
        lang = workspace.settings.language
        return {"W": words(lang), "lang": lang, "me": g.get("account"),
                "config_problem": workspace.config_problem}

    @app.before_request
    def begin() -> None:
        workspace.begin_request()

    @app.teardown_request
    def end(_exc: BaseException | None) -> None:
        workspace.end_request()

    @app.before_request
    def require_login() -> BaseResponse | None:
        g.account = None
        name = session.get("user")
        if name:
            with workspace.store() as store:
                account = find_account(store, str(name))
            if account is None:  # removed since: the session ends
                session.clear()
            g.account = account
        if request.endpoint in OPEN_ENDPOINTS:
            return None
        if g.account is None:
            return redirect(url_for("login", next=request.full_path.rstrip("?")))
        if request.method == "POST" and request.endpoint != "logout" and \
                not g.account.can_change:
            return error_page(403)
        return None

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if request.endpoint != "static":
            response.headers.setdefault("Cache-Control", "private, no-store")
        if secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    def error_page(status: int) -> Response:
        key = {403: "forbidden", 404: "not_found", 400: "bad_request"}.get(status, "not_found")
        text = render_template("error.html", message=words(workspace.settings.language)[key])
        return Response(text, status=status)

    @app.errorhandler(CSRFError)
    def csrf_refused(exc: CSRFError) -> Response:
        log.warning("event=csrf_refused path=%s", request.path)
        return error_page(400)

    @app.errorhandler(UnreadableRosterError)
    def roster_unreadable(exc: UnreadableRosterError) -> Response:
        lang = workspace.settings.language
        text = render_template("error.html", message=words(lang)["roster_unreadable"])
        return Response(text, status=409)

    @app.errorhandler(404)
    def not_found(exc: Exception) -> Response:
        return error_page(404)

    @app.errorhandler(403)
    def forbidden(exc: Exception) -> Response:
        return error_page(403)

    from web import changes, pages, reminders

    pages.register(app, workspace)
    changes.register(app, workspace)
    reminders.register(app, workspace)
    return app
