"""The connection variables of one inventory host, rendered and decrypted.

Inventory values may be templates (``ansible_host: "{{ mgmt_ip }}"``) or vault strings
(``ansible_become_password: !vault …``). The engine renders them with the full play variables;
commands that only need to connect (``edgeauto facts``) use :func:`connection_vars`, which
renders just the keys a transport reads, with the inventory variables as context.
"""

from __future__ import annotations

from edgeauto.yamlsrc import to_plain

CONNECTION_KEYS = (
    "ansible_connection",
    "ansible_host",
    "ansible_ssh_host",
    "ansible_port",
    "ansible_ssh_port",
    "ansible_user",
    "ansible_ssh_user",
    "ansible_ssh_private_key_file",
    "ansible_private_key_file",
    "ansible_ssh_common_args",
    "ansible_ssh_extra_args",
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_become",
    "ansible_become_method",
    "ansible_become_user",
    "ansible_become_password",
    "ansible_become_pass",
    "ansible_become_flags",
    "ansible_host_key_checking",
    "ansible_ssh_host_key_checking",
    "ansible_docker_extra_args",
    "ansible_docker_user",
    "ansible_timeout",
    "fact_caching_timeout",
)


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
