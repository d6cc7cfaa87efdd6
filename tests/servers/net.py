"""What every throwaway test server needs: a free port on 127.0.0.1, a self-signed certificate."""

from __future__ import annotations

import shutil
import socket
import subprocess
from pathlib import Path

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def make_certificate(cert: Path, key: Path) -> None:
    """Write a self-signed certificate for localhost and 127.0.0.1 to `cert`, its key to `key`.

    Raises:
        RuntimeError: the `openssl` command is missing.
    """
    if shutil.which("openssl") is None:
        raise RuntimeError("the `openssl` command is needed to make a certificate")
    cert.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=localhost",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            # Explicit extensions keep the cert acceptable to VERIFY_X509_STRICT,
            # which Python 3.13+ sets in create_default_context().
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
            "-addext", "extendedKeyUsage=serverAuth",
            "-keyout", str(key), "-out", str(cert),
        ],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
