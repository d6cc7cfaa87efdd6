"""Serving the workspace with waitress, a production WSGI server: alone (`web`, until SIGTERM)
or on a thread beside the service loop (`serve` with `[web]`)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from config.model import Settings, WebConfig
from web.app import create_app

log = logging.getLogger("mailtally.web")

THREADS = 4


class WorkspaceServer:
    """The workspace listening on `[web] host:port` (port 0: any free port, see `port`)."""

    def __init__(self, settings: Settings, *, rebuild: bool = True):
        from waitress.server import create_server

        web = settings.web or WebConfig()
        self.app = create_app(settings, rebuild=rebuild)
        self._server: Any = create_server(self.app, host=web.host, port=web.port,
                                          threads=THREADS, ident="mailtally",
                                          # forwarded headers reach the app only when [web]
                                          # proxy_hops says a proxy sets them (ProxyFix)
                                          clear_untrusted_proxy_headers=not web.proxy_hops)
        self.host = web.host
        self.port: int = self._server.effective_port
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        """Serve on a daemon thread."""
        self._thread = threading.Thread(target=self._run, name="mailtally-web", daemon=True)
        self._thread.start()
        log.info("event=web_listening url=%s", self.url)

    def _run(self) -> None:
        try:
            self._server.run()
        except OSError:  # the socket closed under the loop by stop()
            log.debug("event=web_loop_ended", exc_info=True)

    def stop(self) -> None:
        rebuilder = self.app.extensions.get("mailtally_rebuild")
        if rebuilder is not None:
            rebuilder.stop()
        self._server.close()
        self._server.task_dispatcher.shutdown(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)


def serve_workspace(settings: Settings) -> int:
    """`web`: serve until SIGTERM or SIGINT; return the exit status (0)."""
    server = WorkspaceServer(settings)
    stopped = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("event=web_stopping signal=%d", signum)
        stopped.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        server.start()
        while not stopped.wait(1.0):
            pass
    finally:
        server.stop()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 0
