"""The connection variables of one inventory host, rendered and decrypted.

Inventory values may be templates (``ansible_host: "{{ mgmt_ip }}"``) or vault strings
(``ansible_become_password: !vault …``). The engine renders them with the full play variables;
commands that only need to connect (``edgeauto facts``) use :func:`connection_vars`, which
renders just the keys a transport reads, with the inventory variables as context.
"""

from __future__ import annotations

from edgeauto.transport.factory import BECOME_VARS
from edgeauto.transport.registry import transport_vars
from edgeauto.yamlsrc import to_plain

# Read outside any one transport: the connection kind, become, and the run's timeouts.
GENERIC_KEYS = ("ansible_connection", "ansible_become")
RUN_KEYS = ("ansible_timeout", "fact_caching_timeout")


def connection_keys() -> tuple[str, ...]:
    """Every variable a transport (its class's ``host_vars``), become or the run reads."""
    become = (var for names in BECOME_VARS.values() for var in names)
    return tuple(dict.fromkeys([*GENERIC_KEYS, *transport_vars(), *become, *RUN_KEYS]))


CONNECTION_KEYS = connection_keys()


def connection_vars(inventory, host: str, vault=None) -> dict:
    """``inventory_hostname`` + the rendered connection variables of ``host``."""
    raw = inventory.host_vars(host)
    needed = {k: raw[k] for k in CONNECTION_KEYS if k in raw}
    try:
        from edgeauto.templating.templar import Templar

        templar = Templar({**raw, "inventory_hostname": host}, vault=vault)
        rendered = {k: templar.render(v) for k, v in needed.items()}
    except ImportError:  # templating not available in this checkout: take values as they are
        rendered = needed
    out = {"inventory_hostname": host}
    for key, value in rendered.items():
        if hasattr(value, "decrypt"):
            value = value.decrypt(vault)
        out[key] = to_plain(value)
    return out
