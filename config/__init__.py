"""Configuration: load and validate settings.toml, units.csv and requests.toml into frozen records.

`load_config(path)` is the only entry point; it collects every problem and raises one
`ConfigError` listing them, before anything connects anywhere.
"""

from config.access import AccessError
from config.loader import default_config_path, load_config
from config.model import (
    ConfigError,
    DigestConfig,
    NotifyConfig,
    Problem,
    Request,
    ScheduleConfig,
    Settings,
    SmtpConfig,
    SourceConfig,
    Unit,
)

__all__ = [
    "AccessError",
    "ConfigError",
    "DigestConfig",
    "NotifyConfig",
    "Problem",
    "Request",
    "ScheduleConfig",
    "Settings",
    "SmtpConfig",
    "SourceConfig",
    "Unit",
    "default_config_path",
    "load_config",
]
