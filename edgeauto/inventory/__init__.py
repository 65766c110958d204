"""Ansible-compatible inventory: INI/YAML/dynamic sources, host patterns, variable layers.

``load_inventory(["-i values"], playbook_dir=..., vault=...)`` returns an :class:`Inventory`;
``Inventory.select(pattern, limit)`` picks hosts and ``Inventory.host_vars(name)`` merges
their inventory variables by Ansible's precedence rules.
"""

from edgeauto.inventory.model import Group, Host, Inventory
from edgeauto.inventory.sources import load_inventory, register_source

__all__ = ["Group", "Host", "Inventory", "load_inventory", "register_source"]
