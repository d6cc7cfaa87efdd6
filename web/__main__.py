"""`python -m web [--config PATH]`: the office's workspace until SIGTERM.

This is what `mailtally web` runs (and what `mailtally serve` starts beside its loop when
`[web]` is set): the command line hands over to it by running this module, never by importing
the workspace (the two front doors never import each other).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def main(argv: list[str] | None = None) -> int:
    from config import ConfigError, default_config_path, load_config
    from ingest.errors import StorageError
    from outputs.i18n import say
    from web.server import serve_workspace

    parser = argparse.ArgumentParser(prog="mailtally web")
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s",
                        stream=sys.stderr)
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    lang = "vi"
    try:
        settings = load_config(args.config or default_config_path())
        lang = settings.language
        return serve_workspace(settings)
    except ConfigError as exc:
        _err(say("config_invalid", lang))
        _err(exc.render(lang))
        return 2
    except StorageError as exc:
        _err(say("storage_failed", lang, reason=exc))
        return 1
    except OSError as exc:  # the port is taken, or may not be used
        _err(say("web_cannot_listen", lang, reason=exc))
        return 1


if __name__ == "__main__":
    sys.exit(main())
