"""`run.py web` as a real process for the workspace's browser tests: started, waited for until
its login page answers, and stopped with SIGTERM."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

RUN_PY = Path(__file__).resolve().parents[2] / "run.py"


class WorkspaceStartError(Exception):
    """`run.py web` ended or did not answer in time; the message holds its log."""


@contextmanager
def running_workspace(settings: Path, url: str, env: Mapping[str, str],
                      log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`run.py --config SETTINGS web` until the block ends, its output in `log`.

    Raises:
        WorkspaceStartError: it did not answer `url`/login within 30 s.
    """
    with log.open("wb") as out:
        server = subprocess.Popen([sys.executable, str(RUN_PY), "--config", str(settings), "web"],
                                  env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url + "/login", timeout=2):
                    break
            except (urllib.error.URLError, ConnectionError):
                if server.poll() is not None or time.monotonic() > deadline:
                    raise WorkspaceStartError(
                        f"`run.py web` did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield server
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
