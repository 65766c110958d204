"""Read servers from OpenStack clouds into plain, JSON-able records (no inventory logic here).

Why a separate layer: this is the only part that talks to Keystone/Nova/Glance, the part that
fails (bad password, endpoint down, slow API) and the part whose output is cached. Records are
plain dicts so the cache can store them as JSON and the inventory layer can name hosts and
groups without touching the network.

One cloud × region is one job; jobs run in parallel threads, each bounded by ``api_timeout``
so a dead endpoint costs at most one timeout. Every failure is turned into a one-line message
(auth failure, unreachable endpoint, timeout, missing service) -- never a traceback.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import InventoryError

for _name in ("openstack", "keystoneauth"):
    # These libraries log connection trouble at WARNING; we report it ourselves, once.
    # A NullHandler only stops Python's last-resort stderr printer; apps that configure
    # logging still receive the records.
    logging.getLogger(_name).addHandler(logging.NullHandler())


def require_openstacksdk():
    """Import openstacksdk or fail with the install hint (it is an optional extra)."""
    try:
        import openstack  # noqa: F401
        import openstack.config.loader  # noqa: F401
        import openstack.connection  # noqa: F401
    except ImportError as exc:
        raise InventoryError(
            "the OpenStack inventory source needs the openstacksdk package",
            hint="install edgeauto[dynamic]",
        ) from exc
    import openstack

    return openstack


@dataclass
class CloudTarget:
    """One cloud × region from clouds.yaml."""

    cloud: str
    region: str


@dataclass
class FetchResult:
    servers: list[dict] = field(default_factory=list)
    #: (cloud, region, message) for every cloud × region that could not be read
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    #: non-fatal: data that was partly missing (image names, server groups)
    notes: list[str] = field(default_factory=list)


def load_cloud_config(config_files: list[str] | None):
    """openstacksdk's clouds.yaml loader; extra files are searched before the standard ones."""
    openstack = require_openstacksdk()
    from openstack.config import loader

    files = list(config_files or []) + list(loader.CONFIG_FILES)
    try:
        return loader.OpenStackConfig(config_files=files)
    except openstack.exceptions.ConfigException as exc:
        raise InventoryError(f"clouds.yaml could not be read: {exc}") from None


def list_targets(config, only_clouds: list[str], regions: list[str]) -> list[CloudTarget]:
    """Every cloud × region the user selected, in clouds.yaml order.

    Names and regions are read without building auth plugins, so a cloud whose entry is
    incomplete (no auth_url…) is still listed and then reported as such, instead of being
    silently dropped the way ``OpenStackConfig.get_all()`` does.
    """
    targets = []
    for cloud in cloud_names(config):
        if only_clouds and cloud not in only_clouds:
            continue
        for region in _regions_of(config, cloud):
            if regions and region not in regions:
                continue
            targets.append(CloudTarget(cloud, region))
    return targets


def cloud_names(config) -> list[str]:
    openstack = require_openstacksdk()
    try:
        return list(config.get_cloud_names())
    except openstack.exceptions.ConfigException as exc:
        raise InventoryError(f"clouds.yaml is not valid: {exc}") from None


def _regions_of(config, cloud: str) -> list[str]:
    try:
        found = [r.get("name") or "" for r in config._get_regions(cloud) if r]
    except Exception:  # noqa: BLE001 - private helper of openstacksdk; fall back
        found = []
    return found or [""]


def fetch_all(
    config,
    targets: list[CloudTarget],
    *,
    all_projects: bool = False,
    timeout: float = 30.0,
) -> FetchResult:
    """Read every target in parallel; failures become ``errors`` entries, never raise."""
    result = FetchResult()
    if not targets:
        return result
    with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        futures = [pool.submit(_fetch_target, config, t, all_projects, timeout) for t in targets]
        for target, future in zip(targets, futures, strict=True):
            servers, error, notes = future.result()
            if error:
                result.errors.append((target.cloud, target.region, error))
            result.servers.extend(servers)
            result.notes.extend(notes)
    return result


def _fetch_target(config, target: CloudTarget, all_projects: bool, timeout: float):
    openstack = require_openstacksdk()
    notes: list[str] = []
    try:
        region = config.get_one(
            cloud=target.cloud, region_name=target.region or None, api_timeout=timeout
        )
        conn = openstack.connection.Connection(config=region)
    except Exception as exc:  # noqa: BLE001 - turned into a message
        return [], describe_error(exc, timeout), notes
    try:
        servers = list(conn.compute.servers(details=True, all_projects=all_projects))
        flavors = _flavor_names(conn, servers, notes)
        images = _image_names(conn, servers, notes)
        server_groups = _server_groups(conn, all_projects, notes)
        external, floating = _neutron_view(conn, servers, notes)
        records = [
            server_record(s, target, flavors, images, server_groups, external, floating)
            for s in servers
        ]
        return records, None, [f"{target.cloud}/{target.region}: {n}" for n in notes]
    except Exception as exc:  # noqa: BLE001 - one bad cloud must not sink the others
        return [], describe_error(exc, timeout), notes
    finally:
        conn.close()


def describe_error(exc: BaseException, timeout: float) -> str:
    """One line a user can act on, for the failures keystoneauth/openstacksdk raise."""
    from keystoneauth1 import exceptions as ksa

    openstack = require_openstacksdk()
    status = getattr(exc, "http_status", None) or getattr(exc, "status_code", None)
    if isinstance(exc, ksa.Unauthorized) or status == 401:
        return (
            "authentication failed (HTTP 401): check username, password, project and "
            "domain names in clouds.yaml"
        )
    if isinstance(exc, ksa.Forbidden) or status == 403:
        return f"permission denied (HTTP 403): {_first_line(exc)}"
    if isinstance(exc, ksa.ConnectTimeout):
        return f"no answer within {timeout:g} s: {_first_line(exc)}"
    if isinstance(exc, ksa.DiscoveryFailure | ksa.ConnectFailure | ksa.ConnectionError):
        return f"endpoint unreachable: {_unreachable_detail(exc)}"
    if isinstance(exc, ksa.EndpointNotFound | ksa.EmptyCatalog):
        return f"service missing from the catalog: {_first_line(exc)}"
    if isinstance(exc, ksa.MissingRequiredOptions | openstack.exceptions.ConfigException):
        return f"clouds.yaml is incomplete: {_first_line(exc)}"
    if isinstance(exc, openstack.exceptions.HttpException | ksa.HttpError):
        return f"API error: {_first_line(exc)}"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def _unreachable_detail(exc: BaseException) -> str:
    """keystoneauth nests urllib3's message; keep the URL and the reason (refused, DNS…)."""
    text = _first_line(exc)
    for reason in ("Connection refused", "Name or service not known", "No route to host"):
        if reason in text:
            url = text.split("Unable to establish connection to ", 1)[-1].split(": ", 1)[0]
            return f"{url}: {reason}"
    return text


def _flavor_names(conn, servers, notes: list[str]) -> dict[str, dict]:
    """Flavor id -> details, only needed for clouds older than microversion 2.47."""
    if all(_embedded_flavor_name(s) for s in servers):
        return {}
    try:
        return {f.id: _flavor_dict(f) for f in conn.compute.flavors(details=True)}
    except Exception as exc:  # noqa: BLE001 - optional detail: a note, not a failure
        notes.append(f"flavor names unknown ({_first_line(exc)})")
        return {}


def _image_names(conn, servers, notes: list[str]) -> dict[str, str | None]:
    """Image id -> name, one Glance GET per distinct image (deleted images map to None)."""
    openstack = require_openstacksdk()
    ids = sorted({_image_id(s) for s in servers} - {None})
    names: dict[str, str | None] = {}
    for image_id in ids:
        try:
            names[image_id] = conn.image.get_image(image_id).name
        except openstack.exceptions.NotFoundException:
            names[image_id] = None
        except Exception as exc:  # noqa: BLE001 - optional detail: a note, not a failure
            notes.append(f"image names unknown ({_first_line(exc)})")
            break
    return names


def _server_groups(conn, all_projects: bool, notes: list[str]) -> dict[str, list[str]]:
    """Server id -> names of its server groups."""
    membership: dict[str, list[str]] = {}
    try:
        query = {"all_projects": True} if all_projects else {}
        for group in conn.compute.server_groups(**query):
            for member in group.member_ids or []:
                membership.setdefault(member, []).append(group.name)
    except Exception as exc:  # noqa: BLE001 - optional detail: a note, not a failure
        notes.append(f"server groups unknown ({_first_line(exc)})")
    return membership


def _neutron_view(conn, servers, notes: list[str]) -> tuple[set[str], dict[str, list[dict]]]:
    """External network names, and floating IPs per server id, from Neutron.

    Why: a fixed address on an external (provider) network is public, which only Neutron
    knows; and Nova's ``addresses`` lag behind Neutron for a while after a floating IP is
    associated. Floating IPs are matched to servers through their port's ``device_id``
    (exact even with overlapping private ranges). Without Neutron, Nova's view is used.
    """
    if not servers:
        return set(), {}
    try:
        if not conn.has_service("network"):
            return set(), {}
        listed = list(conn.network.networks())
        networks = {n.id: n.name for n in listed}
        external = {n.name for n in listed if n.is_router_external and n.name}
        associated = [f for f in conn.network.ips() if f.port_id]
        floating: dict[str, list[dict]] = {}
        if associated:
            ports = {p.id: p for p in conn.network.ports()}
            for fip in associated:
                port = ports.get(fip.port_id)
                if port is None or not port.device_id:
                    continue
                floating.setdefault(port.device_id, []).append(
                    {
                        "network": networks.get(port.network_id, port.network_id),
                        "addr": fip.floating_ip_address,
                        "mac": port.mac_address,
                    }
                )
        return external, floating
    except Exception as exc:  # noqa: BLE001 - optional detail: a note, not a failure
        notes.append(f"Neutron not used ({_first_line(exc)})")
        return set(), {}


def _embedded_flavor_name(server) -> str | None:
    flavor = server.flavor
    return getattr(flavor, "original_name", None) or getattr(flavor, "name", None)


def _flavor_dict(flavor) -> dict[str, Any]:
    return {
        "id": flavor.id,
        "name": getattr(flavor, "original_name", None) or flavor.name,
        "vcpus": flavor.vcpus,
        "ram": flavor.ram,
        "disk": flavor.disk,
    }


def _image_id(server) -> str | None:
    image = server.image
    if not image:
        return None  # boot from volume: Nova returns ""
    return getattr(image, "id", None) or (image.get("id") if isinstance(image, dict) else None)


def server_record(
    server,
    target: CloudTarget,
    flavors: dict,
    images: dict,
    server_groups: dict,
    external: set[str] | frozenset = frozenset(),
    floating: dict | None = None,
) -> dict:
    """The JSON-able view of one server (this is what ``openstack`` host var holds)."""
    name = _embedded_flavor_name(server)
    if name:  # Nova >= 2.47 embeds the flavor without its id
        flavor = _flavor_dict(server.flavor)
        flavor.update(id=None, name=name)
    else:
        flavor_id = getattr(server.flavor, "id", None)
        flavor = dict(flavors.get(flavor_id) or {"id": flavor_id, "name": None})
    image_id = _image_id(server)
    addresses = _plain(server.addresses or {})
    _add_neutron_floating(addresses, (floating or {}).get(server.id, []))
    record = {
        "id": server.id,
        "name": server.name,
        "status": server.status,
        "cloud": target.cloud,
        "region": target.region,
        "project_id": server.project_id,
        "az": server.availability_zone,
        "availability_zone": server.availability_zone,
        "flavor": flavor,
        "image": {"id": image_id, "name": images.get(image_id)} if image_id else {},
        "metadata": {str(k): str(v) for k, v in (server.metadata or {}).items()},
        "addresses": addresses,
        "key_name": server.key_name,
        "security_groups": [g.get("name") for g in server.security_groups or []],
        "server_groups": server_groups.get(server.id, []),
        "volumes": [v.get("id") for v in server.attached_volumes or []],
        "tags": list(server.tags or []),
        "host_id": server.host_id,
        "created": server.created_at,
        "updated": server.updated_at,
        "access_ipv4": server.access_ipv4 or "",
        "access_ipv6": server.access_ipv6 or "",
    }
    record["external_networks"] = sorted(n for n in addresses if n in external)
    record.update(
        derived_addresses(addresses, external, record["access_ipv4"], record["access_ipv6"])
    )
    return record


def _add_neutron_floating(addresses: dict, floating: list[dict]) -> None:
    known = {e.get("addr") for entries in addresses.values() for e in entries}
    for fip in floating:
        if fip["addr"] in known:
            continue
        addresses.setdefault(fip["network"], []).append(
            {
                "version": 4,
                "addr": fip["addr"],
                "OS-EXT-IPS:type": "floating",
                "OS-EXT-IPS-MAC:mac_addr": fip["mac"],
            }
        )


def derived_addresses(
    addresses: dict, external: set[str] | frozenset = frozenset(), access_v4="", access_v6=""
) -> dict:
    """public_v4/public_v6/private_v4 as Ansible's openstack inventory exposes them: public
    is a floating IP or a fixed IP on an external (provider) network."""
    internal = {n: e for n, e in addresses.items() if n not in external}
    public_fixed = {n: e for n, e in addresses.items() if n in external}
    return {
        "public_v4": _first(addresses, kind="floating", version=4)
        or _first(public_fixed, kind="fixed", version=4)
        or access_v4
        or "",
        "public_v6": _first(addresses, kind=None, version=6) or access_v6 or "",
        "private_v4": _first(internal, kind="fixed", version=4)
        or _first(addresses, kind="fixed", version=4)
        or "",
    }


def _first(addresses: dict, kind: str | None, version: int, network: str | None = None):
    for net, entries in addresses.items():
        if network is not None and net != network:
            continue
        for entry in entries:
            if entry.get("version") != version:
                continue
            if kind and entry.get("OS-EXT-IPS:type", "fixed") != kind:
                continue
            return entry.get("addr")
    return None


def first_address(addresses: dict, kind: str | None, version: int, network: str | None):
    """Public helper for the inventory layer's ``ansible_host`` choice."""
    return _first(addresses, kind, version, network)


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
