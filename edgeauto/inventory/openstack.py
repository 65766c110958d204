"""OpenStack dynamic inventory: one host per server, from one or several clouds and regions.

Used three ways, all ending in :func:`populate`:

* ``-i openstack.yml`` whose YAML says ``plugin: openstack`` (or ``openstack.cloud.openstack``),
  with the option names of Ansible's openstack.cloud inventory plugin;
* ``-i openstack:`` (every cloud in clouds.yaml) or ``-i openstack:CLOUD``;
* from Python: ``openstack_inventory(only_clouds=["edge"])`` returns an
  :class:`~edgeauto.inventory.model.Inventory` to merge with static ones.

Credentials come from ``clouds.yaml`` through openstacksdk (never from our files, never into
our cache). Groups follow Ansible's plugin: ``<cloud>``, ``<region>``, ``<cloud>_<region>``,
``<az>``, ``<region>_<az>``, ``<cloud>_<region>_<az>``, ``flavor-<name>``, ``image-<name>``,
``meta-<key>_<value>``, ``instance-<id>``, metadata ``group``/``groups``; plus
``server_group-<name>`` (edgeauto). Host vars: ``ansible_host`` and ``openstack`` (the server
record: metadata, addresses, flavor, image, …).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import InventoryError, Position, did_you_mean
from edgeauto.inventory import openstack_cache
from edgeauto.inventory.model import Inventory
from edgeauto.inventory.plugin_config import (
    check_option_types,
    check_plugin_name,
    host_naming,
    pos_finder,
    positive_timeout,
    safe_group_name,
)

PLUGIN_NAMES = ("openstack", "openstack.cloud.openstack")
log = logging.getLogger("edgeauto.inventory.openstack")

_BOOL = ((bool,), "true or false")
_STR_LIST = ((list, str), "a list of names")
# option -> (accepted Python types, what to say when wrong)
_OPTIONS: dict[str, tuple[tuple[type, ...], str]] = {
    "plugin": ((str,), "a string"),
    "clouds_yaml_path": ((list, str), "a path or a list of paths to clouds.yaml files"),
    "only_clouds": _STR_LIST,
    "regions": _STR_LIST,
    "private": _BOOL,
    "network": ((str,), "a network name"),
    "inventory_hostname": ((str,), "'name' or 'uuid'"),
    "use_names": _BOOL,
    "show_all": _BOOL,
    "expand_hostvars": _BOOL,
    "fail_on_errors": _BOOL,
    "all_projects": _BOOL,
    "legacy_groups": _BOOL,
    "strict": _BOOL,
    "timeout": ((int, float), "a number of seconds"),
    "cache": _BOOL,
    "cache_timeout": ((int,), "a number of seconds"),
    "cache_connection": ((str,), "a directory"),
    "cache_prefix": ((str,), "a file name prefix"),
    "cache_plugin": ((str,), "a cache plugin name (edgeauto always uses its JSON files)"),
}
_UNSUPPORTED = ("compose", "groups", "keyed_groups", "use_extra_vars", "leading_separator")


@dataclass
class OpenStackOptions:
    """The checked options of one OpenStack inventory source."""

    clouds_yaml_path: list[str] = field(default_factory=list)
    only_clouds: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    private: bool = False
    network: str | None = None
    inventory_hostname: str = "name"
    use_names: bool = False
    show_all: bool = False
    fail_on_errors: bool = False
    all_projects: bool = False
    legacy_groups: bool = True
    timeout: float = 30.0
    cache: bool = False
    cache_timeout: int = 3600
    cache_dir: str | None = None
    cache_prefix: str = "openstack_"
    source: str = "<openstack_inventory()>"
    pos: Position | None = None
    positions: dict[str, Position] = field(default_factory=dict)


def options_from_config(config: dict, path: str = "<openstack inventory>") -> OpenStackOptions:
    """Check a ``plugin: openstack`` mapping; every mistake names its file:line:col."""
    pos_of = pos_finder(config, path)
    for key in config:
        if key in _UNSUPPORTED:
            raise InventoryError(
                f"option '{key}' (constructed groups/vars) is not supported by edgeauto's "
                "OpenStack inventory yet",
                pos_of(key),
                "use group_vars or group_by in a play instead",
            )
    check_option_types(config, _OPTIONS, "openstack", pos_of, also_known=["only_clouds"])
    check_plugin_name(config, PLUGIN_NAMES, "OpenStack", pos_of("plugin"))
    naming = host_naming(config, pos_of)
    timeout = positive_timeout(config, 30, pos_of)
    base = os.path.dirname(os.path.abspath(path)) if not path.startswith("<") else os.getcwd()
    raw_paths = config.get("clouds_yaml_path", [])
    clouds_yaml = [raw_paths] if isinstance(raw_paths, str) else list(raw_paths)
    opts = OpenStackOptions(
        clouds_yaml_path=[os.path.join(base, os.path.expanduser(str(p))) for p in clouds_yaml],
        only_clouds=_as_list(config.get("only_clouds", [])),
        regions=_as_list(config.get("regions", [])),
        private=bool(config.get("private", False)),
        network=str(config["network"]) if config.get("network") else None,
        inventory_hostname=naming,
        use_names=bool(config.get("use_names", False)),
        show_all=bool(config.get("show_all", False)),
        fail_on_errors=bool(config.get("fail_on_errors", False)),
        all_projects=bool(config.get("all_projects", False)),
        legacy_groups=bool(config.get("legacy_groups", True)),
        timeout=timeout,
        cache=bool(config.get("cache", False)),
        cache_timeout=int(config.get("cache_timeout", 3600)),
        cache_dir=str(config["cache_connection"]) if config.get("cache_connection") else None,
        cache_prefix=str(config.get("cache_prefix", "openstack_")),
        source=path,
        pos=getattr(config, "pos", None) or Position(path),
        positions={str(k): pos_of(k) for k in config},
    )
    for original, resolved in zip(clouds_yaml, opts.clouds_yaml_path, strict=True):
        if not os.path.isfile(resolved):
            raise InventoryError(
                f"clouds.yaml file '{resolved}' does not exist",
                getattr(original, "pos", None) or pos_of("clouds_yaml_path"),
            )
    return opts


def _as_list(value) -> list[str]:
    """``only_clouds: edge`` and ``only_clouds: [edge]`` mean the same."""
    if isinstance(value, str):
        return [str(value)]
    return [str(v) for v in value]


def openstack_inventory(
    *, inventory: Inventory | None = None, refresh: bool = False, **options: Any
) -> Inventory:
    """Python API: build (or extend) an Inventory from OpenStack clouds.

    ``openstack_inventory(only_clouds=["edge"], regions=["RegionOne"], cache=True)``; keyword
    options are the YAML ones. ``refresh=True`` ignores (and rewrites) a fresh cache.
    Warnings (a cloud that failed while others worked) are in ``inventory.warnings``.
    """
    opts = options_from_config(options, "<openstack_inventory()>")
    inventory = inventory if inventory is not None else Inventory()
    populate(inventory, opts, refresh=refresh)
    inventory.reconcile()
    return inventory


def populate(inventory: Inventory, options: OpenStackOptions, refresh: bool = False) -> None:
    """Fetch (or read from cache) the servers and add hosts, groups and vars.

    ``refresh`` (or ``EDGEAUTO_INVENTORY_REFRESH=1`` from the command line) skips a fresh
    cache and rewrites it."""
    refresh = refresh or os.environ.get("EDGEAUTO_INVENTORY_REFRESH", "") in ("1", "true", "yes")
    servers, warnings = _cached_or_fetched(options, refresh)
    for message in warnings:
        inventory.warn(message)
    add_records(inventory, servers, options)


def _cached_or_fetched(options: OpenStackOptions, refresh: bool) -> tuple[list[dict], list[str]]:
    from edgeauto.inventory import openstack_fetch as fetch

    path = None
    if options.cache:
        directory = (
            Path(options.cache_dir).expanduser()
            if options.cache_dir
            else openstack_cache.default_cache_dir()
        )
        path = openstack_cache.cache_file(directory, options.cache_prefix, _cache_key(options))
        if not refresh:
            cached = openstack_cache.load(path, options.cache_timeout)
            if cached is not None:
                log.debug("OpenStack inventory read from cache %s", path)
                return cached, []
    config = fetch.load_cloud_config(options.clouds_yaml_path)
    targets = fetch.list_targets(config, options.only_clouds, options.regions)
    _check_selection(options, config, targets)
    result = fetch.fetch_all(
        config, targets, all_projects=options.all_projects, timeout=options.timeout
    )
    warnings = _check_errors(options, result, targets)
    if path is not None and not result.errors:
        openstack_cache.save(path, result.servers)
    return result.servers, warnings


def _cache_key(options: OpenStackOptions) -> dict:
    """What changes the fetched data (naming options do not: they apply after the cache)."""
    return {
        "source": os.path.abspath(options.source) if not options.source.startswith("<") else "",
        "clouds_yaml_path": options.clouds_yaml_path,
        "only_clouds": sorted(options.only_clouds),
        "regions": sorted(options.regions),
        "all_projects": options.all_projects,
        "cwd": os.getcwd(),  # ./clouds.yaml is searched first by openstacksdk
    }


def _check_selection(options: OpenStackOptions, config, targets) -> None:
    from edgeauto.inventory.openstack_fetch import cloud_names

    known = sorted(cloud_names(config))
    for cloud in options.only_clouds:
        if cloud not in known:
            raise InventoryError(
                f"cloud '{cloud}' is not in clouds.yaml (known: {', '.join(known) or 'none'})",
                options.positions.get("only_clouds", options.pos),
                did_you_mean(cloud, known),
            )
    if not targets:
        raise InventoryError(
            "no OpenStack cloud selected: clouds.yaml has "
            + (f"clouds {', '.join(known)}" if known else "no clouds")
            + (f" but none in regions {', '.join(options.regions)}" if options.regions else ""),
            options.pos,
            "put clouds.yaml in ./, ~/.config/openstack/ or /etc/openstack/, or set "
            "clouds_yaml_path",
        )


def _check_errors(options: OpenStackOptions, result, targets) -> list[str]:
    """Raise when nothing usable came back (or fail_on_errors); else return warnings."""
    messages = [
        f"OpenStack cloud '{cloud}'" + (f" region '{region}'" if region else "") + f": {message}"
        for cloud, region, message in result.errors
    ]
    if messages and (options.fail_on_errors or len(result.errors) == len(targets)):
        why = "fail_on_errors is true" if options.fail_on_errors else "no cloud could be read"
        raise InventoryError("; ".join(messages), options.pos, why)
    return [*messages, *result.notes]


def add_records(inventory: Inventory, servers: list[dict], options: OpenStackOptions) -> None:
    """Server records -> hosts, groups and host vars (pure: no network)."""
    usable = []
    for server in servers:
        server = dict(server)
        server["interface_ip"] = interface_ip(server, options.private, options.network)
        if server["interface_ip"] or options.show_all:
            usable.append(server)
    by_name: dict[str, set[str]] = {}
    for server in usable:
        by_name.setdefault(server["name"], set()).add(server["id"])
    seen: set[str] = set()
    for server in usable:
        by_uuid = options.inventory_hostname == "uuid" or len(by_name[server["name"]]) > 1
        host_name = server["id"] if by_uuid else server["name"]
        if host_name in seen:
            continue  # the same server listed twice (e.g. two regions sharing one Nova)
        seen.add(host_name)
        inventory.add_host(host_name, vars=host_vars(server, options.use_names))
        if options.legacy_groups:
            for group in group_names(server, name_group=by_uuid):
                inventory.add_host(host_name, group)


def interface_ip(server: dict, private: bool, network: str | None) -> str:
    """The address edgeauto connects to (see docs/dynamic-inventory.md for the order)."""
    from edgeauto.inventory.openstack_fetch import first_address

    if network:
        addresses = server.get("addresses") or {}
        floating = first_address(addresses, "floating", 4, network)
        fixed = first_address(addresses, "fixed", 4, network)
        v6 = first_address(addresses, None, 6, network)
        order = [fixed, floating, v6] if private else [floating, fixed, v6]
    else:
        public, internal = server.get("public_v4"), server.get("private_v4")
        v6 = server.get("public_v6")
        order = [internal, public, v6] if private else [public, internal, v6]
    return next((ip for ip in order if ip), "")


def host_vars(server: dict, use_names: bool = False) -> dict[str, Any]:
    result: dict[str, Any] = {"openstack": server}
    address = server["name"] if use_names else server.get("interface_ip")
    if address:
        result["ansible_host"] = address
    return result


def group_names(server: dict, name_group: bool = False) -> list[str]:
    """Ansible's openstack inventory groups for one server, plus server groups."""
    cloud, region = server["cloud"], server.get("region") or ""
    metadata = server.get("metadata") or {}
    groups = [cloud]
    if region:
        groups += [region, f"{cloud}_{region}"]
    if metadata.get("group"):
        groups.append(metadata["group"])
    groups += [g.strip() for g in str(metadata.get("groups", "")).split(",") if g.strip()]
    groups.append(f"instance-{server['id']}")
    if name_group:
        groups.append(server["name"])
    for kind in ("flavor", "image"):
        name = (server.get(kind) or {}).get("name")
        if name:
            groups.append(f"{kind}-{name}")
    groups += [f"meta-{k}_{v}" for k, v in sorted(metadata.items())]
    az = server.get("az")
    if az:
        groups += (
            [az, f"{region}_{az}", f"{cloud}_{region}_{az}"] if region else [az, f"{cloud}_{az}"]
        )
    groups += [f"server_group-{g}" for g in server.get("server_groups") or []]
    result: list[str] = []
    for group in groups:
        safe = safe_group_name(group)
        if safe and safe not in result:
            result.append(safe)
    return result


# ---- source registration (``-i openstack.yml`` / ``-i openstack:CLOUD``) ----------------------


def populate_source(inventory: Inventory, source: str) -> None:
    """Entry point for :mod:`edgeauto.inventory.sources`."""
    if source.startswith("openstack:") and not os.path.exists(source):
        cloud = source.partition(":")[2]
        opts = options_from_config({"only_clouds": [cloud]} if cloud else {}, source)
    else:
        from edgeauto.yamlsrc import load_yaml

        opts = options_from_config(load_yaml(source), source)
    populate(inventory, opts)


def _register() -> None:
    from edgeauto.inventory.sources import register_source

    register_source("openstack", lambda source: False, populate_source)


_register()
