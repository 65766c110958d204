"""Seeded random inventories compared with Ansible in-process (InventoryManager +
VariableManager): group graph, group_names, groups, merged vars and host patterns.

Ansible walks grandchild groups in set order (memory-address dependent), so host *order*
is compared only in the hand-written tests; here lists are compared as sorted lists.
"""

from __future__ import annotations

import random

import pytest
import yaml

from edgeauto.inventory import load_inventory

SEEDS = list(range(40))


def _random_inventory(rng: random.Random) -> tuple[dict, list[str], list[str]]:
    groups = [f"g{i}" for i in range(rng.randint(2, 9))]
    hosts = [f"h{i}" for i in range(rng.randint(1, 12))]
    body: dict = {g: {} for g in groups}
    for i, g in enumerate(groups):
        kids = [c for c in groups[i + 1 :] if rng.random() < 0.3]
        if kids:
            body[g]["children"] = {c: None for c in kids}
        members = [h for h in hosts if rng.random() < 0.3]
        if members:
            body[g]["hosts"] = {
                h: ({"k_host": f"{g}-{h}"} if rng.random() < 0.2 else None) for h in members
            }
        gvars = {f"k_{n}": f"{g}" for n in ("a", "b", "c") if rng.random() < 0.5}
        if rng.random() < 0.3:
            gvars["ansible_group_priority"] = rng.randint(1, 4)
        if gvars:
            body[g]["vars"] = gvars
    top = {"all": {"vars": {"k_a": "all", "k_all": 1}, "hosts": {}}}
    for h in hosts:
        if rng.random() < 0.2:
            top["all"]["hosts"][h] = {"k_b": f"inline-{h}"}
    top.update({g: (b or None) for g, b in body.items()})
    return top, groups, hosts


def _random_patterns(rng: random.Random, groups, hosts) -> list[str]:
    names = groups + hosts + ["all", "ungrouped", "g*", "h1*", "~g[0-3]", "~h\\d$"]
    result = []
    for _ in range(12):
        terms = [rng.choice(names)]
        for _ in range(rng.randint(0, 3)):
            terms.append(rng.choice(["", "&", "!"]) + rng.choice(names))
        result.append(
            rng.choice([",", ":"]).join(terms) if ":" not in "".join(terms) else ",".join(terms)
        )
    return result


def _to_ini(data: dict) -> str:
    lines = []
    for host, hvars in data["all"]["hosts"].items():
        lines.append(" ".join([host, *(f"{k}={v}" for k, v in (hvars or {}).items())]))
    lines.append("[all:vars]")
    lines += [f"{k}={v}" for k, v in data["all"]["vars"].items()]
    for group, body in data.items():
        if group == "all":
            continue
        body = body or {}
        lines.append(f"[{group}]")
        for host, hvars in (body.get("hosts") or {}).items():
            lines.append(" ".join([host, *(f"{k}={v}" for k, v in (hvars or {}).items())]))
        if body.get("children"):
            lines.append(f"[{group}:children]")
            lines += list(body["children"])
        if body.get("vars"):
            lines.append(f"[{group}:vars]")
            lines += [f"{k}={v}" for k, v in body["vars"].items()]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", ["yaml", "ini"])
@pytest.mark.parametrize("seed", SEEDS)
def test_random_inventory_agrees_with_ansible(seed, fmt, tmp_path, ansible_manager):
    from ansible.parsing.dataloader import DataLoader
    from ansible.vars.manager import VariableManager

    rng = random.Random(seed)
    data, groups, hosts = _random_inventory(rng)
    if fmt == "yaml":
        path = tmp_path / "inventory.yml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    else:
        path = tmp_path / "inventory.ini"
        path.write_text(_to_ini(data))
    ours = load_inventory([str(path)])
    theirs = ansible_manager([path])

    assert set(ours.hosts) == set(theirs.hosts)
    assert set(ours.groups) == set(theirs.groups)
    their_groups = theirs.get_groups_dict()
    assert {g: sorted(h) for g, h in ours.groups_map().items()} == {
        g: sorted(h) for g, h in their_groups.items()
    }
    loader = DataLoader()
    loader.set_basedir(str(tmp_path / "nowhere"))
    vm = VariableManager(loader=loader, inventory=theirs)
    for name in ours.hosts:
        their_vars = vm.get_vars(host=theirs.get_host(name), include_hostvars=False)
        mine = ours.host_vars(name)
        assert {k: v for k, v in mine.items() if k.startswith("k_")} == {
            k: v for k, v in their_vars.items() if k.startswith("k_")
        }, name
        assert ours.group_names(name) == their_vars["group_names"], name

    for pattern in _random_patterns(rng, groups, hosts):
        theirs.clear_pattern_cache()
        expected = sorted(h.name for h in theirs.get_hosts(pattern))
        assert sorted(h.name for h in ours.select(pattern)) == expected, pattern
