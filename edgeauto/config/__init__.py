"""ansible.cfg, ``ANSIBLE_*`` environment variables and edgeauto.cfg (see :mod:`.load`)."""

from edgeauto.config.load import Config, ConfigError, active, defaults, load_config, set_active
from edgeauto.config.settings import BY_NAME, SETTINGS, Setting

__all__ = [
    "BY_NAME",
    "SETTINGS",
    "Config",
    "ConfigError",
    "Setting",
    "active",
    "defaults",
    "load_config",
    "set_active",
]
