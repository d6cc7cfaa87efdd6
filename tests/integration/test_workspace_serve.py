"""`serve` with `[web]`: one process polls and serves the workspace, and stops on SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from harness import REPO_ROOT
from servers.net import free_port

pytestmark = pytest.mark.integration


def test_serve_with_web_serves_the_workspace_and_stops_on_sigterm(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config" / "demo", config,
                    ignore=shutil.ignore_patterns("data", "out"))
    port = free_port()
    with (config / "settings.toml").open("a", encoding="utf-8") as fh:
        fh.write(f'\n[web]\nport = {port}\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILTALLY_")}
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, str(REPO_ROOT / "run.py"), "--config",
                                 str(config / "settings.toml"), "serve"],
                                env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        page = ""
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    page = answer.read().decode()
                    assert answer.url.endswith("/login?next=/")
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        assert 'name="password"' in page, log.read_text()
        deadline = time.monotonic() + 60  # the service's first poll stores the demo inbox
        while not (config / "out" / "report.html").exists() and time.monotonic() < deadline:
            time.sleep(0.3)
        assert (config / "out" / "report.html").exists(), log.read_text()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()
    with pytest.raises(OSError):  # the workspace stopped with the service
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
