"""Read domains from libvirt hypervisors into plain records (no inventory logic here).

Why a separate layer: talking to libvirt is the slow, failure-prone part (an SSH hop to a
remote KVM host, a dead hypervisor, a guest agent that never answers). Keeping it apart from
group naming lets the inventory layer stay pure and lets tests drive this layer against the
real libvirt library (its built-in ``test://`` driver) without any inventory around it.

Each hypervisor is queried in its own daemon thread with a deadline: a libvirt call that
hangs (half-open SSH, a firewall dropping packets) is abandoned and reported as unreachable
instead of freezing the whole inventory load. Daemon threads never block interpreter exit.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

from edgeauto.errors import InventoryError

#: Namespace of the labels edgeauto turns into groups (``<metadata>`` children in it).
EDGEAUTO_XMLNS = "https://edgeauto.dev/xmlns/libvirt/1"

#: Index = virDomainState number (libvirt's own names, as community.libvirt reports them).
STATE_NAMES = (
    "nostate",
    "running",
    "blocked",
    "paused",
    "shutdown",
    "shutoff",
    "crashed",
    "pmsuspended",
)

ADDRESS_SOURCES = ("lease", "agent", "arp")


def require_libvirt():
    """Import libvirt-python or fail with the install hint (it is an optional extra)."""
    try:
        import libvirt
    except ImportError as exc:
        raise InventoryError(
            "the libvirt inventory source needs the libvirt-python package",
            hint="install edgeauto[dynamic] (and the libvirt0 system library)",
        ) from exc
    _silence_default_error_printer(libvirt)
    return libvirt


_silenced = False


def _silence_default_error_printer(libvirt) -> None:
    """libvirt prints every error to stderr by default; we report errors ourselves."""
    global _silenced
    if not _silenced:
        libvirt.registerErrorHandler(lambda _ctx, _err: None, None)
        _silenced = True


@dataclass
class Address:
    """One IP address a domain has, and where it was learnt."""

    interface: str
    mac: str
    addr: str
    prefix: int
    family: str  # "ipv4" | "ipv6"


@dataclass
class DomainRecord:
    """Everything the inventory needs about one domain, as plain data."""

    name: str
    uuid: str
    hypervisor: str
    uri: str
    state: str
    state_number: int
    vcpus: int
    memory_mb: int
    max_memory_mb: int
    title: str = ""
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    other_metadata: dict[str, dict[str, str]] = field(default_factory=dict)
    addresses: list[Address] = field(default_factory=list)
    address_source: str | None = None
    address_error: str | None = None


@dataclass
class HypervisorTarget:
    """One libvirt URI to query; ``name`` is the hypervisor's name in group names."""

    uri: str
    name: str | None = None


@dataclass
class FetchResult:
    domains: list[DomainRecord] = field(default_factory=list)
    #: (redacted uri, message) for every hypervisor that could not be read
    errors: list[tuple[str, str]] = field(default_factory=list)


def redact_uri(uri: str) -> str:
    """Drop a password from ``driver+ssh://user:secret@host/…`` before it reaches output."""
    parts = urlsplit(uri)
    if parts.password is None:
        return uri
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    netloc = f"{parts.username}:***@{host}" if parts.username else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def fetch_all(
    targets: list[HypervisorTarget],
    *,
    address_sources: tuple[str, ...] = ADDRESS_SOURCES,
    readonly: bool = False,
    timeout: float = 30.0,
) -> FetchResult:
    """Query every hypervisor in parallel; failures become ``errors`` entries, never raise."""
    require_libvirt()
    slots: list[dict] = [{} for _ in targets]
    threads = []
    for target, slot in zip(targets, slots, strict=True):
        thread = threading.Thread(
            target=_fetch_into,
            args=(target, slot, address_sources, readonly),
            name=f"libvirt-inventory {redact_uri(target.uri)}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    result = FetchResult()
    deadline = time.monotonic() + timeout  # one deadline for all: they run side by side
    for target, slot, thread in zip(targets, slots, threads, strict=True):
        thread.join(max(0.0, deadline - time.monotonic()))
        shown = redact_uri(target.uri)
        if thread.is_alive():
            result.errors.append(
                (shown, f"no answer within {timeout:g} s (hypervisor unreachable?)")
            )
        elif "error" in slot:
            result.errors.append((shown, slot["error"]))
        else:
            result.domains.extend(slot.get("domains", []))
    return result


def _fetch_into(target: HypervisorTarget, slot: dict, sources, readonly: bool) -> None:
    libvirt = require_libvirt()
    try:
        slot["domains"] = fetch_one(target, address_sources=sources, readonly=readonly)
    except libvirt.libvirtError as exc:
        slot["error"] = _describe_libvirt_error(exc)
    except Exception as exc:  # noqa: BLE001 - one bad hypervisor must not sink the others
        slot["error"] = f"{type(exc).__name__}: {exc}"


def _describe_libvirt_error(exc) -> str:
    message = (exc.get_error_message() or str(exc)).strip()
    return redact_uri(message) if "://" in message else message


def fetch_one(
    target: HypervisorTarget,
    *,
    address_sources: tuple[str, ...] = ADDRESS_SOURCES,
    readonly: bool = False,
) -> list[DomainRecord]:
    """Open one connection, read every domain, close. Raises libvirt.libvirtError."""
    libvirt = require_libvirt()
    conn = libvirt.openReadOnly(target.uri) if readonly else libvirt.open(target.uri)
    try:
        name = target.name or hypervisor_name(conn, target.uri)
        records = []
        for dom in conn.listAllDomains():
            try:
                records.append(_domain_record(libvirt, dom, name, target.uri, address_sources))
            except libvirt.libvirtError as exc:
                if exc.get_error_code() != libvirt.VIR_ERR_NO_DOMAIN:
                    raise
                # undefined between listing and reading it: it is simply gone
    finally:
        conn.close()
    records.sort(key=lambda r: r.name)
    return records


def hypervisor_name(conn, uri: str) -> str:
    """The host part of a remote URI, else what the hypervisor says its hostname is."""
    host = urlsplit(uri).hostname
    if host:
        return host
    try:
        return conn.getHostname() or socket.gethostname()
    except Exception:  # noqa: BLE001 - some drivers do not implement it
        return socket.gethostname()


def _domain_record(libvirt, dom, hypervisor: str, uri: str, sources) -> DomainRecord:
    state_number, max_kib, cur_kib, vcpus, _cpu_time = dom.info()
    root = ET.fromstring(dom.XMLDesc(0))
    labels, other = parse_metadata(root.find("metadata"))
    record = DomainRecord(
        name=dom.name(),
        uuid=dom.UUIDString(),
        hypervisor=hypervisor,
        uri=redact_uri(uri),
        state=STATE_NAMES[state_number] if state_number < len(STATE_NAMES) else "unknown",
        state_number=state_number,
        vcpus=vcpus,
        memory_mb=cur_kib // 1024,
        max_memory_mb=max_kib // 1024,
        title=(root.findtext("title") or "").strip(),
        description=(root.findtext("description") or "").strip(),
        labels=labels,
        other_metadata=other,
    )
    if dom.isActive():
        _fill_addresses(libvirt, dom, record, sources)
    return record


def parse_metadata(metadata: ET.Element | None) -> tuple[dict[str, str], dict[str, dict]]:
    """Split ``<metadata>`` into edgeauto labels and everything else, keyed by namespace.

    Each leaf element becomes ``localname: text`` and each attribute ``name: value``, so both
    ``<e:site>paris</e:site>`` and ``<e:labels site="paris"/>`` work.
    """
    labels: dict[str, str] = {}
    other: dict[str, dict[str, str]] = {}
    if metadata is None:
        return labels, other
    for child in metadata:
        namespace, _ = _split_tag(child.tag)
        target = labels if namespace == EDGEAUTO_XMLNS else other.setdefault(namespace, {})
        for element in child.iter():
            for attr, value in element.attrib.items():
                target[_split_tag(attr)[1]] = value
            if len(element) == 0:
                text = (element.text or "").strip()
                if text:
                    target[_split_tag(element.tag)[1]] = text
    return labels, other


def _split_tag(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _fill_addresses(libvirt, dom, record: DomainRecord, sources) -> None:
    codes = {
        "lease": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE,
        "agent": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT,
        "arp": libvirt.VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP,
    }
    problems = []
    for source in sources:
        try:
            interfaces = dom.interfaceAddresses(codes[source], 0) or {}
        except libvirt.libvirtError as exc:
            problems.append(f"{source}: {_describe_libvirt_error(exc)}")
            continue
        addresses = _usable_addresses(libvirt, interfaces)
        if addresses:
            record.addresses = addresses
            record.address_source = source
            return
    if problems:
        record.address_error = "; ".join(problems)


def _usable_addresses(libvirt, interfaces: dict) -> list[Address]:
    found = []
    for ifname, info in sorted(interfaces.items()):
        for item in info.get("addrs") or []:
            try:
                ip = ipaddress.ip_address(item["addr"])
            except (KeyError, ValueError):
                continue
            if ip.is_loopback or ip.is_link_local:
                continue
            family = "ipv4" if item.get("type") == libvirt.VIR_IP_ADDR_TYPE_IPV4 else "ipv6"
            found.append(
                Address(
                    ifname, info.get("hwaddr") or "", str(ip), int(item.get("prefix", 0)), family
                )
            )
    found.sort(key=lambda a: a.family != "ipv4")  # stable: IPv4 first, interface order kept
    return found
