"""Turning ``-i`` arguments into one :class:`Inventory`.

Each ``-i`` is tried against the registered source kinds in order; the first that accepts
it populates the inventory. Built in, in Ansible's order: comma lists (``h1,h2,``),
directories (every file inside, sorted, as Ansible does), executable inventory scripts,
``plugin:`` YAML files (dispatched to the source registered under that plugin name, e.g.
``openstack``, ``libvirt``, ``vagrant``), YAML inventories and INI inventories. Other
modules add kinds with :func:`register_source` at import time; ``openstack``, ``libvirt``
and ``vagrant`` are imported lazily when their name is asked for. After all sources,
Ansible's implicit groups are reconciled and the ``group_vars``/``host_vars`` directories
beside every source (and beside the playbook, if given) are loaded.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from edgeauto.errors import InventoryError, ParseError, Position
from edgeauto.inventory.model import Inventory
from edgeauto.inventory.varsdirs import load_vars_dirs, source_basedir

# Modules that register a source when imported; looked up by plugin / prefix name.
LAZY_SOURCES = {
    "openstack": "edgeauto.inventory.openstack",
    "libvirt": "edgeauto.inventory.libvirt",
    "vagrant": "edgeauto.inventory.vagrant",
}
YAML_EXTENSIONS = (".yml", ".yaml", ".json")
# Where the sources come from when no -i is given (first one set wins).
INVENTORY_ENV_VARS = ("EDGEAUTO_INVENTORY", "ANSIBLE_INVENTORY")
# Names Ansible skips when it reads a directory of inventory files.
IGNORED_NAMES = ("host_vars", "group_vars", "vars_plugins")
# openstacksdk's own configuration files: often kept beside an ``openstack.yml`` source, they
# are credentials, not inventories (reading them as YAML inventories fails on 'clouds:').
OPENSTACK_CONFIG_NAMES = tuple(
    f"{stem}{ext}" for stem in ("clouds", "secure", "clouds-public") for ext in YAML_EXTENSIONS
)
IGNORED_EXTENSIONS = (
    ".pyc", ".pyo", ".swp", ".bak", "~", ".rpm", ".md", ".txt", ".rst", ".orig", ".cfg",
    ".retry",
)  # fmt: skip


@dataclass(frozen=True)
class SourceKind:
    name: str
    accepts: Callable[[str], bool]
    populate: Callable[[Inventory, str], None]


_REGISTRY: dict[str, SourceKind] = {}


def register_source(
    name: str, accepts: Callable[[str], bool], populate: Callable[[Inventory, str], None]
) -> None:
    """Add (or replace) a source kind. ``accepts(source)`` sees the raw ``-i`` string;
    ``populate(inventory, source)`` adds hosts and groups. A ``plugin: <name>`` YAML file is
    handed to the kind registered as ``<name>`` whatever its ``accepts`` says."""
    _REGISTRY[name] = SourceKind(name, accepts, populate)


def registered_sources() -> dict[str, SourceKind]:
    return dict(_REGISTRY)


def _lazy_kind(name: str) -> SourceKind | None:
    if name not in _REGISTRY and name in LAZY_SOURCES:
        try:
            importlib.import_module(LAZY_SOURCES[name])
        except ModuleNotFoundError as exc:
            if exc.name != LAZY_SOURCES[name]:
                raise InventoryError(
                    f"the '{name}' inventory source needs the Python module '{exc.name}'",
                    hint="install edgeauto with its optional extras",
                ) from None
            return None
    return _REGISTRY.get(name)


def default_sources(environ=None) -> tuple[list[str], str | None]:
    """The sources to read when no ``-i`` was given, and the variable they came from.

    ``EDGEAUTO_INVENTORY``, else ``ANSIBLE_INVENTORY`` (so an existing Ansible setup works
    unchanged); both are comma-separated lists of sources, as Ansible reads its variable.
    Without either, the configured ``inventory`` (ansible.cfg ``[defaults] inventory``, see
    :mod:`edgeauto.config`), or ansible-core's default ``/etc/ansible/hosts`` when it exists.
    """
    env = os.environ if environ is None else environ
    for name in INVENTORY_ENV_VARS:
        items = [item.strip() for item in env.get(name, "").split(",") if item.strip()]
        if items:
            return items, name
    if environ is not None:
        return [], None
    from edgeauto.config import active

    cfg = active()
    if cfg.is_set("inventory"):
        return list(cfg.get("inventory")), cfg.origins["inventory"]
    existing = [p for p in cfg.get("inventory") if os.path.exists(p)]
    return (existing, "ansible-core's default inventory") if existing else ([], None)


def load_inventory(
    sources: list[str] | str | None, *, playbook_dir=None, vault=None, environ=None
) -> Inventory:
    """Parse every source into one inventory (Ansible's merge order), then load vars dirs.

    No sources (``None`` or empty) means the environment's :func:`default_sources`, as
    ``ansible`` falls back to its configured inventory when ``-i`` is absent."""
    if isinstance(sources, str):
        sources = [sources]
    from_env = None
    if not sources:
        sources, from_env = default_sources(environ)
    inventory = Inventory()
    for source in sources:
        if not source:
            continue
        if "," not in source and "://" not in source and not _prefixed(source):
            source = os.path.abspath(os.path.expanduser(source))
        try:
            parse_source(inventory, source, vault=vault)
        except InventoryError as exc:
            if from_env and not exc.hint:
                exc.hint = f"the source comes from ${from_env}"
            raise
        inventory.sources.append(source)
    inventory.reconcile()
    for source in inventory.sources:
        basedir = source_basedir(source)
        if basedir:
            load_vars_dirs(inventory, basedir, "inventory", vault)
    if playbook_dir:
        load_vars_dirs(inventory, playbook_dir, "playbook", vault)
    return inventory


def _prefixed(source: str) -> bool:
    """``vagrant:``, ``vagrant:dir`` and other ``kind:`` sources name a registered kind."""
    head, sep, _ = source.partition(":")
    return bool(sep) and (head in _REGISTRY or head in LAZY_SOURCES) and not os.path.exists(source)


def parse_source(inventory: Inventory, source: str, vault=None) -> None:
    """Populate ``inventory`` from one ``-i`` value (recursing into directories)."""
    if _prefixed(source):  # vagrant:DIR, libvirt:URI, openstack:CLOUD -> that kind
        kind = _lazy_kind(source.partition(":")[0])
        if kind is None:
            raise InventoryError(f"inventory source kind for '{source}' is not available")
        return _run(kind, inventory, source)
    for kind in list(_REGISTRY.values()):
        if kind.name in LAZY_SOURCES:
            continue  # handled above by prefix, or by a plugin: file
        try:
            wanted = kind.accepts(source)
        except Exception:  # noqa: BLE001 - one source kind's sniffing must not stop the others
            wanted = False
        if wanted:
            return _run(kind, inventory, source)
    if "," in source and not os.path.exists(source):
        return _populate_comma_list(inventory, source)
    if os.path.isdir(source):
        for entry in sorted(os.listdir(source)):
            if entry.startswith(".") or entry in IGNORED_NAMES + OPENSTACK_CONFIG_NAMES:
                continue
            if any(entry.endswith(ext) for ext in IGNORED_EXTENSIONS):
                continue
            parse_source(inventory, os.path.join(source, entry), vault)
        return None
    if not os.path.exists(source):
        raise InventoryError("inventory source not found", Position(source))
    return _populate_file(inventory, source)


def _run(kind: SourceKind, inventory: Inventory, source: str) -> None:
    previous = inventory.current_source
    inventory.current_source = source
    try:
        kind.populate(inventory, source)
    finally:
        inventory.current_source = previous


def _populate_comma_list(inventory: Inventory, source: str) -> None:
    """``-i host1,host2:2222,`` — each host in ``ungrouped`` (ranges are not expanded)."""
    from edgeauto.inventory.ranges import split_port

    inventory.current_source = source
    try:
        for item in source.split(","):
            item = item.strip()
            if not item or item in inventory.hosts:
                continue
            name, port = split_port(item) if "[" not in item else (item, None)
            host = inventory.add_host(name, "ungrouped")
            if port is not None:
                host.vars["ansible_port"] = port
    finally:
        inventory.current_source = None


def _populate_file(inventory: Inventory, path: str) -> None:
    from edgeauto.inventory.ini import populate_ini
    from edgeauto.inventory.yamlinv import populate_yaml
    from edgeauto.yamlsrc import load_yaml_text

    raw = Path(path).read_bytes()
    if os.access(path, os.X_OK) and raw.startswith(b"#!"):
        return _populate_script(inventory, path)  # like Ansible's script plugin
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InventoryError(
            f"inventory file is not UTF-8 text ({exc.reason} at byte {exc.start})",
            Position(path),
        ) from None
    ext = os.path.splitext(path)[1]
    data = None
    yaml_error: ParseError | None = None
    if ext != ".ini":  # YAML by extension, or sniffed: a YAML mapping, else INI
        try:
            data = load_yaml_text(text, path)
        except ParseError as exc:
            yaml_error = exc
    inventory.current_source = path
    try:
        if isinstance(data, dict) and data.get("plugin"):
            return _populate_plugin_file(inventory, path, data)
        if ext in YAML_EXTENSIONS:
            if yaml_error is not None:
                raise yaml_error
            return populate_yaml(inventory, path, data)
        if isinstance(data, dict):
            return populate_yaml(inventory, path, data)
        return populate_ini(inventory, path, text)
    finally:
        inventory.current_source = None


def _populate_plugin_file(inventory: Inventory, path: str, data) -> None:
    name = str(data["plugin"])
    short = name.rsplit(".", 1)[-1]  # openstack.cloud.openstack -> openstack
    kind = _lazy_kind(short)
    if kind is None:
        from edgeauto.errors import did_you_mean

        known = sorted(set(_REGISTRY) | set(LAZY_SOURCES))
        raise InventoryError(
            f"unknown inventory plugin '{name}' (known: {', '.join(known)})",
            data.pos_of("plugin") if hasattr(data, "pos_of") else Position(path),
            hint=did_you_mean(short, known),
        )
    kind.populate(inventory, path)


def _populate_script(inventory: Inventory, path: str) -> None:
    """An executable inventory script: ``path --list`` prints ansible-inventory JSON."""
    try:
        proc = subprocess.run([path, "--list"], capture_output=True, text=True, timeout=120)
    except OSError as exc:
        raise InventoryError(f"cannot run inventory script: {exc}", Position(path)) from None
    if proc.returncode != 0:
        raise InventoryError(
            f"inventory script exited with {proc.returncode}: {proc.stderr.strip()[:400]}",
            Position(path),
        )
    try:
        data = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise InventoryError(
            f"inventory script printed invalid JSON: {exc}", Position(path)
        ) from None
    inventory.current_source = path
    try:
        populate_from_json(inventory, data, path)
    finally:
        inventory.current_source = None


def populate_from_json(inventory: Inventory, data: dict, origin: str) -> None:
    """Load the ``ansible-inventory --list`` JSON shape (groups + ``_meta.hostvars``)."""
    if not isinstance(data, dict):
        raise InventoryError("inventory JSON must be an object", Position(origin))
    meta = data.get("_meta", {}) or {}
    hostvars = meta.get("hostvars", {}) or {}
    for name, body in data.items():
        if name == "_meta":
            continue
        inventory.add_group(name)
        if isinstance(body, list):  # old script shape: group -> [hosts]
            body = {"hosts": body}
        body = body or {}
        for host in body.get("hosts", []) or []:
            inventory.add_host(host, name)
        for key, value in (body.get("vars") or {}).items():
            inventory.set_group_var(name, key, value)
    for name, body in data.items():
        if name != "_meta" and isinstance(body, dict):
            for child in body.get("children", []) or []:
                inventory.add_group(child)
                inventory.add_child(name, child)
    for host, hvars in hostvars.items():
        inventory.add_host(host, vars=hvars or {})
