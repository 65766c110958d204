"""libvirt dynamic inventory: one host per domain, from one or several hypervisors.

Used three ways, all ending in the same :func:`populate`:

* ``-i kvm.yml`` whose YAML says ``plugin: libvirt`` (or ``community.libvirt.libvirt``);
* from Python: ``libvirt_inventory(["qemu+ssh://ops@kvm1/system"])`` returns an
  :class:`~edgeauto.inventory.model.Inventory` that can be merged with static ones;
* ``populate(inventory, options)`` to add the domains to an inventory you already have.

Option names follow community.libvirt's inventory plugin (``uri``, ``inventory_hostname``)
and add ``uris`` for several hypervisors. Groups: ``hypervisor-<name>``, ``state-<state>``,
``meta-<key>_<value>`` for every label in the edgeauto ``<metadata>`` namespace, and
``<domain name>`` when hosts are named by UUID. A hypervisor that cannot be reached is
reported as a warning and the others still load (unless ``fail_on_errors: true``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import InventoryError, Position, did_you_mean
from edgeauto.inventory.libvirt_fetch import (
    ADDRESS_SOURCES,
    EDGEAUTO_XMLNS,
    DomainRecord,
    FetchResult,
    HypervisorTarget,
    fetch_all,
)
from edgeauto.inventory.model import Inventory
from edgeauto.inventory.plugin_config import (
    check_option_types,
    check_plugin_name,
    host_naming,
    pos_finder,
    positive_timeout,
    safe_group_name,
)

PLUGIN_NAMES = ("libvirt", "community.libvirt.libvirt")

__all__ = [
    "EDGEAUTO_XMLNS",
    "LibvirtOptions",
    "PLUGIN_NAMES",
    "libvirt_inventory",
    "options_from_config",
    "populate",
]


@dataclass
class LibvirtOptions:
    """What to query and how to name things (the YAML options, already checked)."""

    targets: list[HypervisorTarget]
    inventory_hostname: str = "name"  # "name" | "uuid"
    address_sources: tuple[str, ...] = ADDRESS_SOURCES
    readonly: bool = False
    timeout: float = 30.0
    fail_on_errors: bool = False
    warnings: list[str] = field(default_factory=list)


# option -> (accepted Python types, what to say when wrong)
_OPTIONS: dict[str, tuple[tuple[type, ...], str]] = {
    "plugin": ((str,), "a string"),
    "uri": ((str,), "a libvirt URI string"),
    "uris": ((list,), "a list of libvirt URIs (strings or {uri:, name:} mappings)"),
    "inventory_hostname": ((str,), "'name' or 'uuid'"),
    "address_sources": ((list,), "a list out of lease, agent, arp"),
    "readonly": ((bool,), "true or false"),
    "timeout": ((int, float), "a number of seconds"),
    "fail_on_errors": ((bool,), "true or false"),
}


def options_from_config(config: dict, path: str = "<libvirt inventory>") -> LibvirtOptions:
    """Check a ``plugin: libvirt`` YAML mapping; every mistake names its file:line:col."""
    pos_of = pos_finder(config, path)
    check_option_types(config, _OPTIONS, "libvirt", pos_of)
    check_plugin_name(config, PLUGIN_NAMES, "libvirt", pos_of("plugin"))
    targets = []
    if "uri" in config:
        targets.append(HypervisorTarget(str(config["uri"])))
    for item in config.get("uris", []):
        targets.append(_target_from_item(item, getattr(item, "pos", None) or pos_of("uris")))
    if not targets:
        raise InventoryError(
            "a libvirt inventory needs 'uri' or 'uris' (for example uri: qemu:///system)",
            getattr(config, "pos", None) or Position(path),
        )
    naming = host_naming(config, pos_of)
    sources = tuple(str(s) for s in config.get("address_sources", ADDRESS_SOURCES))
    for source in sources:
        if source not in ADDRESS_SOURCES:
            raise InventoryError(
                f"unknown address source '{source}', expected one of {', '.join(ADDRESS_SOURCES)}",
                getattr(source, "pos", None) or pos_of("address_sources"),
                did_you_mean(source, ADDRESS_SOURCES),
            )
    timeout = positive_timeout(config, 30, pos_of)
    return LibvirtOptions(
        targets=targets,
        inventory_hostname=naming,
        address_sources=sources,
        readonly=bool(config.get("readonly", False)),
        timeout=timeout,
        fail_on_errors=bool(config.get("fail_on_errors", False)),
    )


def _target_from_item(item: Any, pos) -> HypervisorTarget:
    if isinstance(item, str):
        return HypervisorTarget(str(item))
    if isinstance(item, dict) and isinstance(item.get("uri"), str):
        extra = set(item) - {"uri", "name"}
        if extra:
            raise InventoryError(
                f"unknown key(s) {', '.join(sorted(map(str, extra)))} in a 'uris' entry "
                "(expected uri and optional name)",
                pos,
            )
        name = item.get("name")
        return HypervisorTarget(str(item["uri"]), str(name) if name is not None else None)
    raise InventoryError(
        f"each 'uris' entry must be a URI string or a mapping with 'uri', found {item!r}", pos
    )


def libvirt_inventory(
    uris: str | list[str | dict] | None = None,
    *,
    inventory: Inventory | None = None,
    **options: Any,
) -> Inventory:
    """Python API: build (or extend) an Inventory from libvirt hypervisors.

    ``libvirt_inventory(["qemu:///system", {"uri": "qemu+ssh://ops@kvm2/system",
    "name": "kvm2"}], inventory_hostname="uuid")``. Keyword options are the YAML ones.
    Warnings about unreachable hypervisors are in ``inventory.warnings``.
    """
    config: dict[str, Any] = dict(options)
    if isinstance(uris, str):
        config["uri"] = uris
    elif uris is not None:
        config["uris"] = list(uris)
    opts = options_from_config(config, "<libvirt_inventory()>")
    inventory = inventory if inventory is not None else Inventory()
    populate(inventory, opts)
    inventory.reconcile()
    return inventory


def populate(inventory: Inventory, options: LibvirtOptions, pos: Position | None = None) -> None:
    """Query the hypervisors and add their domains, groups and host vars to ``inventory``."""
    result = fetch_all(
        options.targets,
        address_sources=options.address_sources,
        readonly=options.readonly,
        timeout=options.timeout,
    )
    _report_errors(inventory, options, result, pos)
    add_records(inventory, result.domains, options.inventory_hostname)


def _report_errors(inventory, options: LibvirtOptions, result: FetchResult, pos) -> None:
    messages = [f"libvirt hypervisor {uri} skipped: {msg}" for uri, msg in result.errors]
    if messages and options.fail_on_errors:
        raise InventoryError("; ".join(messages), pos, "fail_on_errors is true")
    for message in messages:
        options.warnings.append(message)
        inventory.warn(message)


def add_records(inventory: Inventory, records: list[DomainRecord], naming: str = "name") -> None:
    """Turn domain records into hosts + groups (pure: no libvirt calls)."""
    counts: dict[str, int] = {}
    for record in records:
        counts[record.name] = counts.get(record.name, 0) + 1
    for record in records:
        by_uuid = naming == "uuid" or counts[record.name] > 1
        host_name = record.uuid if by_uuid else record.name
        inventory.add_host(host_name, vars=host_vars(record))
        groups = group_names(record)
        if by_uuid:
            groups.insert(0, safe_group_name(record.name))
        for group in groups:
            inventory.add_host(host_name, group)


def host_vars(record: DomainRecord) -> dict[str, Any]:
    """Host variables for one domain (``ansible_host`` only when an address is known)."""
    result: dict[str, Any] = {
        "libvirt_name": record.name,
        "libvirt_uuid": record.uuid,
        "libvirt_uri": record.uri,
        "libvirt_hypervisor": record.hypervisor,
        "libvirt_state": record.state,
        "libvirt_state_number": record.state_number,
        "libvirt_vcpus": record.vcpus,
        "libvirt_memory_mb": record.memory_mb,
        "libvirt_max_memory_mb": record.max_memory_mb,
        "libvirt_title": record.title,
        "libvirt_description": record.description,
        "libvirt_metadata": dict(record.labels),
        "libvirt_metadata_other": {ns: dict(v) for ns, v in record.other_metadata.items()},
        "libvirt_addresses": [
            {
                "interface": a.interface,
                "mac": a.mac,
                "addr": a.addr,
                "prefix": a.prefix,
                "family": a.family,
            }
            for a in record.addresses
        ],
        "libvirt_address_source": record.address_source,
    }
    if record.address_error:
        result["libvirt_address_error"] = record.address_error
    if record.addresses:
        result["ansible_host"] = record.addresses[0].addr
    return result


def group_names(record: DomainRecord) -> list[str]:
    """Groups of one domain: hypervisor, state, and one per edgeauto metadata label."""
    groups = [f"hypervisor-{record.hypervisor}", f"state-{record.state}"]
    for key, value in sorted(record.labels.items()):
        groups.append(f"meta-{key}_{value}")
    return [safe_group_name(g) for g in groups]


# ---- source registration (``-i kvm.yml`` / ``-i libvirt:qemu+ssh://ops@kvm1/system``) ------


def populate_source(inventory: Inventory, source: str) -> None:
    """Entry point for :mod:`edgeauto.inventory.sources`."""
    import os

    if source.startswith("libvirt:") and not os.path.exists(source):
        uri = source.partition(":")[2]
        opts = options_from_config({"uri": uri} if uri else {}, source)
        populate(inventory, opts, Position(source))
        return
    from edgeauto.yamlsrc import load_yaml

    config = load_yaml(source)  # options_from_config checks its plugin: name
    populate(inventory, options_from_config(config, source), config.pos)


def _register() -> None:
    from edgeauto.inventory.sources import register_source

    register_source("libvirt", lambda source: False, populate_source)


_register()
