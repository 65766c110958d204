"""Network facts: links from /sys/class/net, addresses and default routes from ip(8), DNS."""

from __future__ import annotations

import ipaddress

from edgeauto.facts.collectors.base import Section

SUBSET = "network"

ARPHRD = {
    "1": "ether",
    "772": "loopback",
    "768": "tunnel",
    "776": "tunnel6",
    "65534": "unknown",
    "32": "infiniband",
    "801": "wireless",
    "824": "ieee802154",
}

SECTIONS = (
    Section(
        "route4",
        "network",
        "ip -4 route get 8.8.8.8 2>/dev/null || ip -4 route show default 2>/dev/null",
    ),
    Section(
        "route6",
        "network",
        "ip -6 route get 2001:4860:4860::8888 2>/dev/null || ip -6 route show default 2>/dev/null",
    ),
    Section("addrs", "network", "ip -o addr show 2>/dev/null"),
    Section(
        "links",
        "network",
        # read(1) builtins, not $(cat …): no fork per value (forks are slow on small CPUs)
        'for d in /sys/class/net/*; do [ -e "$d" ] || continue; '
        'for k in address mtu type flags operstate; do eval "$k="; '
        '[ -r "$d/$k" ] && IFS= read -r "$k" < "$d/$k"; done; '
        'printf "%s|%s|%s|%s|%s|%s\\n" "${d##*/}" "$address" "$mtu" "$type" "$flags" '
        '"$operstate"; done',
    ),
    Section("resolv", "network", "cat /etc/resolv.conf"),
)


def derive(sections, facts) -> None:
    links: dict[str, dict] = {}
    for line in sections.get("links") or []:
        parts = line.split("|")
        if len(parts) < 6:
            continue
        name, mac, mtu, kind, flags, _state = parts[:6]
        try:
            active = bool(int(flags, 16) & 0x1)
            promisc = bool(int(flags, 16) & 0x100)
        except ValueError:
            active = promisc = False
        entry = {
            "device": name,
            "active": active,
            "type": ARPHRD.get(kind, "unknown"),
            "promisc": promisc,
        }
        if mtu.isdigit():
            entry["mtu"] = int(mtu)
        if mac and kind != "772":
            entry["macaddress"] = mac
        links[name] = entry
    ipv4_all, ipv6_all = [], []
    for line in sections.get("addrs") or []:
        tokens = line.replace("\\", " ").split()
        if len(tokens) < 4 or tokens[2] not in ("inet", "inet6"):
            continue
        dev = tokens[1].rstrip(":").split("@")[0]
        entry = links.setdefault(dev, {"device": dev, "active": True, "type": "unknown"})
        iface = ipaddress.ip_interface(tokens[3])
        if tokens[2] == "inet":
            brd = tokens[tokens.index("brd") + 1] if "brd" in tokens else ""
            v4 = {
                "address": str(iface.ip),
                "netmask": str(iface.netmask),
                "network": str(iface.network.network_address),
                "prefix": str(iface.network.prefixlen),
                "broadcast": brd,
            }
            if "ipv4" in entry:
                entry.setdefault("ipv4_secondaries", []).append(v4)
            else:
                entry["ipv4"] = v4
            if not iface.ip.is_loopback:
                ipv4_all.append(str(iface.ip))
        else:
            scope = tokens[tokens.index("scope") + 1] if "scope" in tokens else ""
            entry.setdefault("ipv6", []).append(
                {"address": str(iface.ip), "prefix": str(iface.network.prefixlen), "scope": scope}
            )
            if not iface.ip.is_loopback:
                ipv6_all.append(str(iface.ip))
    facts["interfaces"] = list(links)
    for name, entry in links.items():
        facts[name.replace("-", "_").replace(":", "_").replace(".", "_")] = entry
    facts["all_ipv4_addresses"] = ipv4_all
    facts["all_ipv6_addresses"] = ipv6_all
    facts["default_ipv4"] = _default_route(sections.get("route4"), links, "ipv4")
    facts["default_ipv6"] = _default_route(sections.get("route6"), links, "ipv6")
    dns = {"nameservers": [], "search": []}
    for line in sections.get("resolv") or []:
        parts = line.split()
        if len(parts) >= 2 and parts[0] == "nameserver":
            dns["nameservers"].append(parts[1])
        elif parts and parts[0] in ("search", "domain"):
            dns["search"] += parts[1:]
    facts["dns"] = dns


def _default_route(lines, links, family) -> dict:
    tokens = lines[0].split() if lines else []
    if not tokens:
        return {}
    dev = tokens[tokens.index("dev") + 1] if "dev" in tokens else ""
    gateway = tokens[tokens.index("via") + 1] if "via" in tokens else ""
    src = tokens[tokens.index("src") + 1] if "src" in tokens else ""
    entry = links.get(dev, {})
    out: dict = {"interface": dev, "gateway": gateway, "alias": dev}
    if family == "ipv4":
        addr = entry.get("ipv4", {})
        candidates = [addr, *entry.get("ipv4_secondaries", [])]
        chosen = next((a for a in candidates if a.get("address") == src), addr) if src else addr
        out.update(chosen)
        if src:
            out["address"] = src
    else:
        v6 = [a for a in entry.get("ipv6", []) if a.get("scope") == "global"]
        if v6:
            out.update(v6[0])
        if src:
            out["address"] = src
    for key in ("macaddress", "mtu", "type"):
        if key in entry:
            out[key] = entry[key]
    return out if out.get("address") or dev else {}
