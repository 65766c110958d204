"""The service-discovery catalog: service → host:port endpoints with their health, written to
every host in scope after an apply (``/etc/edgeauto/services.json`` for programs, and
``/etc/edgeauto/services.hosts`` in /etc/hosts format for dnsmasq ``addn-hosts`` or
``HOSTALIASES``-style readers) and offered to templates as ``edge_services``.

Only endpoints that answer their health check (or run, when they have none) get a name in the
hosts file; the JSON lists every endpoint with its health, so a reader can tell "down" from
"not deployed". Rendering is deterministic (sorted, no timestamps): an unchanged catalog is an
unchanged file, so a converged apply changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

CATALOG_DIR = "/etc/edgeauto"
DOMAIN = "svc.edgeauto"
#: health values: the container's health check result, or what the controller knows
SERVING = ("healthy", "none")


@dataclass(frozen=True, order=True)
class Endpoint:
    service: str
    host: str
    address: str
    port: int
    proto: str = "tcp"
    health: str = "unknown"  # healthy, unhealthy, starting, none (no check), down, unknown
    version: str = ""


def host_address(name: str, hostvars: Mapping) -> str:
    """Where other hosts reach ``name``: ``edge_address``, else ``ansible_host``, else the name."""
    for key in ("edge_address", "ansible_host"):
        value = hostvars.get(key)
        if value:
            return str(value)
    return name


def endpoints_for(workload, host: str, address: str, health: str, version: str) -> list[Endpoint]:
    """One endpoint per published port of ``workload`` on ``host``."""
    return [
        Endpoint(workload.name, host, address, p.host, p.proto, health, version)
        for p in workload.ports
    ]


def build_catalog(endpoints: Iterable[Endpoint]) -> dict:
    """``{"services": {name: [endpoint dicts sorted by host, port]}}``."""
    services: dict[str, list[dict]] = {}
    for ep in sorted(set(endpoints)):
        item = asdict(ep)
        del item["service"]
        services.setdefault(ep.service, []).append(item)
    return {"services": dict(sorted(services.items()))}


def render_json(catalog: Mapping) -> bytes:
    return (json.dumps(catalog, indent=2, sort_keys=True) + "\n").encode()


def render_hosts(catalog: Mapping) -> bytes:
    """/etc/hosts lines: ``ADDRESS SERVICE.svc.edgeauto HOST.SERVICE.svc.edgeauto`` for each
    serving endpoint (one line per host and service: two ports of one host share a line)."""
    lines = ["# edgeauto service catalog (ports: services.json); managed, do not edit"]
    for service, endpoints in sorted((catalog.get("services") or {}).items()):
        seen: set[tuple[str, str]] = set()
        for ep in endpoints:
            key = (ep["address"], ep["host"])
            if ep.get("health") not in SERVING or key in seen:
                continue
            seen.add(key)
            lines.append(f"{ep['address']}\t{service}.{DOMAIN} {ep['host']}.{service}.{DOMAIN}")
    return ("\n".join(lines) + "\n").encode()
