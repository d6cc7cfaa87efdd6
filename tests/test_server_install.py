"""The README's server install, followed under a temporary root: the package installed into a
fresh venv (/srv/mailtally/.venv), the configuration in /etc/mailtally readable but not
writable by the service user, the store and the outputs in /var/lib/mailtally, the password in a
password_file of mode 0600; then `check`, `once` and `backup` as a user that is not root, with
the units' UMask, against the real Dovecot over TLS. The shipped systemd units are checked with
`systemd-analyze verify` against that installed tree.

The test runs as root in CI: `nobody` stands in for the `mailtally` system user (a test does not
add users to the machine). Run as another user, everything belongs to that user instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import REPO_ROOT
from servers.dovecot import DovecotServer, ImapUser

from ingest.sources import receipt_time_from_headers

pytestmark = pytest.mark.integration

NOBODY = 65534
AS_ROOT = os.geteuid() == 0
UNITS = ("mailtally.service", "mailtally-web.service", "mailtally-backup.service",
         "mailtally-backup.timer")


@pytest.fixture
def root() -> Iterator[Path]:
    """The temporary `/`: reachable by every user (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="mt-root-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _own(path: Path, mode: int, *, service: bool) -> None:
    """chmod, and chown as the README says: the service user's (`service`), or root's with the
    service user's group."""
    path.chmod(mode)
    if AS_ROOT:
        os.chown(path, NOBODY if service else 0, NOBODY)


def _sources(root: Path) -> Path:
    """The files the package is built from (pyproject's modules and packages), copied so that
    building leaves nothing in the repository."""
    src = root / "build-src"
    src.mkdir()
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setup = project["tool"]["setuptools"]
    for name in ("pyproject.toml", "README.md", *(f"{m}.py" for m in setup["py-modules"])):
        shutil.copy2(REPO_ROOT / name, src / name)
    for package in setup["packages"]:
        top = package.split(".")[0]
        if not (src / top).exists():
            shutil.copytree(REPO_ROOT / top, src / top,
                            ignore=shutil.ignore_patterns("__pycache__", "data", "out"))
    return src


def _install(root: Path) -> Path:
    """`python3 -m venv /srv/mailtally/.venv && .venv/bin/pip install .`, offline: the wheel is
    built with this interpreter's pip, installed with --no-deps, and the dependencies are this
    test environment's own (a .pth line; its editable install of mailtally stays inactive)."""
    venv = root / "srv" / "mailtally" / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    wheels = root / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w",
                    str(wheels), str(_sources(root))], check=True, timeout=240)
    (wheel,) = wheels.glob("mailtally-*.whl")
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                    "--no-deps", "--no-index", str(wheel)], check=True, timeout=120)
    site = Path(subprocess.run([str(python), "-c",
                                "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv / "bin" / "mailtally"


def _lay_out(root: Path, server: DovecotServer, user: ImapUser) -> Path:
    """The README's steps 2-4: folders, owners, configuration, secret."""
    etc, state, backup = root / "etc" / "mailtally", root / "var/lib/mailtally", root / "backup"
    for folder in (etc, state, backup / "mailtally"):
        folder.mkdir(parents=True)
    text = (REPO_ROOT / "docs" / "server" / "settings.toml").read_text(encoding="utf-8")
    for old, new in (('"/var/lib/mailtally/', f'"{state}/'),
                     ('host = "mail.example.gov.vn"\nport = 993',
                      f'host = "127.0.0.1"\nport = {server.tls_port}'),
                     ('\nusername = "doankhoi@example.gov.vn"\n', f'\nusername = "{user.name}"\n'),
                     ('# ca_file = "ca.pem"     #', 'ca_file = "ca.pem"     #')):
        assert old in text, old
        text = text.replace(old, new)
    (etc / "settings.toml").write_text(text, encoding="utf-8")
    for name in ("units.csv", "requests.toml"):
        shutil.copy(REPO_ROOT / "config" / "demo" / name, etc / name)
    shutil.copy(server.cafile, etc / "ca.pem")
    for name in ("settings.toml", "units.csv", "requests.toml", "ca.pem"):
        _own(etc / name, 0o640, service=False)
    secret = etc / "imap.password"
    secret.write_text(user.password + "\n", encoding="utf-8")
    _own(secret, 0o600, service=True)
    _own(etc, 0o750, service=False)
    _own(root / "etc", 0o755, service=False)
    _own(state, 0o750, service=True)
    _own(backup / "mailtally", 0o750, service=True)
    for folder in (root / "var", root / "var/lib", backup):
        folder.chmod(0o755)
    return etc / "settings.toml"


def _as_service_user(mailtally: Path, config: Path, *args: str) -> tuple[int, str, str]:
    prefix = (["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
              if AS_ROOT else [])
    argv = [*prefix, str(mailtally), "--config", str(config), *args]
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    # The units' UMask=0027; `cd /`: the units have a WorkingDirectory of their own.
    done = subprocess.run(argv, capture_output=True, text=True, env=env, cwd="/", timeout=120,
                          check=False, umask=0o027)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout, done.stderr


def test_the_readme_install_runs_as_a_service_user_with_a_read_only_config(
        root: Path, dovecot: DovecotServer, imap_user: ImapUser) -> None:
    mailtally = _install(root)
    config = _lay_out(root, dovecot, imap_user)
    inbox = sorted((REPO_ROOT / "config" / "demo" / "inbox").glob("*.eml"))
    for path in inbox:
        raw = path.read_bytes()
        received = receipt_time_from_headers(raw)
        assert received is not None
        dovecot.append(imap_user, "INBOX", raw, received)
    etc_before = sorted((p.name, p.stat().st_mtime_ns) for p in config.parent.iterdir())

    code, out, err = _as_service_user(mailtally, config, "check")
    assert code == 0, out + err
    assert f"[đạt] imap:{imap_user.name}@127.0.0.1" in out

    code, out, err = _as_service_user(mailtally, config, "once")
    assert code == 0, err
    assert f"Xong: {len(inbox)} thư đã lưu" in out
    assert f"event=run_done messages={len(inbox)}" in err
    state = root / "var/lib/mailtally"
    assert (state / "out" / "report.html").is_file()

    code, out, err = _as_service_user(mailtally, config, "backup", str(root / "backup/mailtally"))
    assert code == 0, err
    assert f"Đã sao lưu {len(inbox)} thư" in out
    assert (root / "backup/mailtally/mailtally.db").is_file()

    # Nothing written under /etc; nothing the service wrote is readable by other users.
    assert sorted((p.name, p.stat().st_mtime_ns) for p in config.parent.iterdir()) == etc_before
    written = [*state.rglob("*"), *(root / "backup").rglob("*")]
    assert len(written) > 24
    loose = [str(p) for p in written if p.stat().st_mode & 0o007]
    assert loose == []
    if AS_ROOT:
        assert {p.stat().st_uid for p in written} == {NOBODY}

    _verify_units(root)


def _verify_units(root: Path) -> None:
    """`systemd-analyze verify` on the shipped units, as copied into the installed tree (it
    checks that ExecStart's program exists, so it runs against the venv installed above)."""
    analyze = shutil.which("systemd-analyze")
    system_units = Path("/usr/lib/systemd/system")
    if analyze is None or not system_units.is_dir():
        # Not a systemd machine (a container image without systemd): the units were read
        # against systemd.exec(5) instead; see the README, "Install on a server".
        pytest.skip("systemd-analyze is not installed here")
    target = root / "etc" / "systemd" / "system"
    target.mkdir(parents=True)
    for name in UNITS:
        shutil.copy(REPO_ROOT / "docs" / name, target / name)
    # --root needs the system's own units (sysinit.target and the like) under the same root.
    shutil.copytree(system_units, root / "usr" / "lib" / "systemd" / "system", symlinks=True)
    done = subprocess.run([analyze, "verify", f"--root={root}",
                           *(str(target / name) for name in UNITS)],
                          capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "", done.stderr
