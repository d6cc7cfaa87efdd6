"""The workspace offers the office's own mail that carries a notice no request tracks, and
starts the new request's form from it (app.notices), for the clerk to check and save."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

from harness import REPO_ROOT

from app.runner import run
from config import load_config
from ingest.accounts import add_account
from ingest.store import Store
from web.app import create_app


def test_a_notice_found_in_the_office_mail_starts_a_new_request(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config" / "demo", config,
                    ignore=shutil.ignore_patterns("data", "out"))
    requests = config / "requests.toml"
    text = requests.read_text(encoding="utf-8")
    requests.write_text(text[:text.index("[[request]]", text.index("185-TB") - 40)],
                        encoding="utf-8")  # 185 left out: its notice is in the inbox
    settings = load_config(config / "settings.toml")
    assert [r.id for r in settings.requests] == ["178-TB/ĐTN"]
    run(settings, poll=True)
    store = Store(settings.data_dir)
    add_account(store, "lan", "clerk", "mat-khau-dai")
    store.close()
    client = create_app(settings, rebuild=False).test_client()

    def token(path: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(
            as_text=True))
        assert found is not None
        return found.group(1)

    client.post("/login", data={"csrf_token": token("/login"), "username": "lan",
                                "password": "mat-khau-dai"})
    keys: list[str] = []
    deadline = time.monotonic() + 30  # looked for on a thread of its own: shown once found
    while not keys and time.monotonic() < deadline:
        page = client.get("/requests").get_data(as_text=True)
        keys = re.findall(r'class="card found-notice"[^>]*data-key="([0-9a-f]{16})"', page)
        time.sleep(0.2)
    assert len(keys) == 1, "the office's own mail of notice 185"
    form = client.post("/requests/from-notice", data={"csrf_token": token("/requests"),
                                                      "message_key": keys[0]})
    filled = form.get_data(as_text=True)
    assert 'value="185-TB/ĐTN"' in filled and 'value="21/08/2023 17:00"' in filled
    assert 'value="group:khoi-tai-chinh"' in filled
