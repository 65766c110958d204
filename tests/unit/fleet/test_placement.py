"""Placement over a simulated fleet (hosts' ``edgeauto_hw`` given as hostvars): every rule
with its reason, deterministic output, per_site/spread, memory reservations in order."""

from __future__ import annotations

import json
import random
import textwrap

import pytest

from edgeauto.fleet.hostview import SIMULATED, HostView
from edgeauto.fleet.placement import host_views, place
from edgeauto.fleet.spec import load_workloads
from edgeauto.inventory import load_inventory

from .simfleet import fleet_hosts, write_inventory

MiB = 2**20


def specs(tmp_path, text: str):
    path = tmp_path / "w.yml"
    path.write_text(textwrap.dedent(text))
    return load_workloads([path])


def host(
    name,
    arch="x86_64",
    mem_mib=1024,
    cpus=2,
    site=None,
    zone=None,
    accels=(),
    kvm=False,
    groups=("edge",),
):
    labels = {k: v for k, v in (("site", site), ("zone", zone)) if v}
    return HostView(
        name,
        arch,
        float(cpus),
        mem_mib * MiB,
        list(groups),
        labels,
        list(accels),
        kvm,
        "" if kvm else "no /dev/kvm",
    )


def test_each_rule_names_its_reason(tmp_path):
    [w] = specs(
        tmp_path,
        """\
        name: vision
        image: vision:1
        resources: {memory: 512Mi, cpus: 1}
        placement: {arch: [aarch64], groups: [edge], labels: {site: paris},
                    accelerators: [movidius], kvm: true}
    """,
    )
    hosts = [
        host("a-ok", "aarch64", site="paris", accels=["movidius", "vpu"], kvm=True),
        host("b-arch", "x86_64", site="paris"),
        host("c-group", "aarch64", groups=["lab"]),
        host("d-label", "aarch64", site="lyon"),
        host("e-nolabel", "aarch64"),
        host("f-accel", "aarch64", site="paris", accels=["fpga"]),
        host("g-kvm", "aarch64", site="paris", accels=["movidius"]),
        host("h-mem", "aarch64", 256, site="paris", accels=["movidius"], kvm=True),
        host("i-cpu", "aarch64", cpus=0.5, site="paris", accels=["movidius"], kvm=True),
        HostView("j-down", None, None, None, unreachable="ssh: connection refused"),
    ]
    plan = place([w], hosts)
    assert plan.assigned["vision"] == ["a-ok"]
    assert plan.assigned[w] == ["a-ok"]  # keyed by name, the Workload works too
    assert plan.excluded["vision"] == {
        "b-arch": "arch x86_64 not in [aarch64]",
        "c-group": "groups: in none of [edge]",
        "d-label": "labels: site=lyon, wanted site=paris",
        "e-nolabel": "labels: no site label, wanted site=paris",
        "f-accel": "accelerators: no movidius (has fpga)",
        "g-kvm": "kvm: no usable KVM (placement.kvm: true): no /dev/kvm",
        "h-mem": "memory: 256Mi on the host, needs 512Mi",
        "i-cpu": "cpus: 0.5 on the host, needs 1",
        "j-down": "unreachable: ssh: connection refused",
    }


def test_kata_needs_kvm_and_label_lists(tmp_path):
    [w] = specs(
        tmp_path,
        """\
        name: vm
        image: vm:1
        runtime: kata
        placement: {labels: {site: [paris, lyon]}}
    """,
    )
    plan = place(
        [w],
        [
            host("a", site="lyon", kvm=True),
            host("b", site="paris"),
            host("c", site="nice", kvm=True),
        ],
    )
    assert plan.assigned["vm"] == ["a"]
    assert plan.excluded["vm"] == {
        "b": "kvm: no usable KVM for a kata workload: no /dev/kvm",
        "c": "labels: site=nice, wanted site in [paris, lyon]",
    }


def test_memory_reservations_in_order_name_the_earlier_workloads(tmp_path):
    workloads = specs(
        tmp_path,
        """\
        - {name: web, image: web:1, resources: {memory: 256Mi}}
        - {name: db, image: db:1, resources: {memory: 512Mi}, placement: {per_host: 1}}
        - {name: free, image: f:1}
        - {name: big, image: big:1, resources: {memory: 512Mi}}
        - {name: twins, image: t:1, resources: {memory: 100Mi, cpus: 1}, placement: {per_host: 2}}
    """,
    )
    plan = place(workloads, [host("h1", mem_mib=896, cpus=2), host("h2", mem_mib=2048, cpus=1)])
    assert plan.assigned["web"] == ["h1", "h2"] and plan.assigned["db"] == ["h1", "h2"]
    assert plan.excluded["big"] == {
        "h1": "memory: 128Mi free after web (256Mi), db (512Mi), needs 512Mi"
    }
    assert plan.assigned["big"] == ["h2"]
    assert plan.copies["twins"] == 2
    assert plan.assigned["twins"] == []
    assert (
        plan.excluded["twins"]["h1"]
        == "memory: 128Mi free after web (256Mi), db (512Mi), needs 200Mi"
    )
    assert plan.excluded["twins"]["h2"] == "cpus: 1 on the host, needs 2"


def test_host_ports_are_not_shared(tmp_path):
    workloads = specs(
        tmp_path,
        """\
        - {name: a, image: a:1, ports: [8080]}
        - {name: b, image: b:1, ports: ["8080:80", "53/udp"]}
    """,
    )
    plan = place(workloads, [host("h")])
    assert plan.excluded["b"] == {"h": "ports: 8080/tcp already taken by a"}


def test_per_site_with_zone_spread_and_unmet_sites(tmp_path):
    [w] = specs(
        tmp_path,
        """\
        name: cache
        image: cache:1
        resources: {memory: 1Gi}
        placement: {per_site: 2, spread: zone}
    """,
    )
    hosts = [
        host("p1", site="paris", zone="a"),
        host("p2", site="paris", zone="a"),
        host("p3", site="paris", zone="b"),
        host("l1", site="lyon", zone="a", mem_mib=512),
        host("x1"),
    ]
    plan = place([w], hosts)
    assert plan.assigned["cache"] == ["p1", "p3"]  # one per zone before a second in zone a
    assert plan.excluded["cache"] == {
        "l1": "memory: 512Mi on the host, needs 1Gi",
        "p2": "per_site: site paris has its 2 (p1, p3)",
        "x1": "per_site: host has no site label",
    }
    assert plan.unmet["cache"] == {}  # spread is zone: zone a and b both got one
    [s] = specs(
        tmp_path,
        "name: s\nimage: s:1\nresources: {memory: 1Gi}\nplacement: {per_site: 1, spread: site}\n",
    )
    plan = place([s], hosts)
    assert plan.assigned["s"] == ["p1"]
    assert plan.unmet["s"] == {"lyon": "no host placed (1 memory)"}


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    path = tmp_path_factory.mktemp("fleet") / "fleet.yml"
    write_inventory(path, fleet_hosts())
    inventory = load_inventory([str(path)])
    return host_views(inventory, {})


FLEET_SPECS = """\
- name: vision
  image: vision:2
  resources: {memory: 512Mi, cpus: 1}
  placement: {arch: [aarch64, x86_64], accelerators: [movidius]}
- name: sandbox
  image: sandbox:1
  runtime: kata
  resources: {memory: 1Gi}
  placement: {per_site: 3, spread: zone}
- name: agent
  image: agent:1
  resources: {memory: 3Gi, cpus: 2}
- name: gw
  image: gw:1
  placement: {groups: [gateway], arch: [x86_64]}
- name: fpga-filter
  image: ff:1
  placement: {accelerators: [fpga], labels: {zone: [a, b]}}
"""


def test_simulated_fleet_of_1000_hosts(tmp_path, fleet):
    assert len(fleet) == 1000 and {h.facts_from for h in fleet} == {SIMULATED}
    workloads = specs(tmp_path, FLEET_SPECS)
    plan = place(workloads, fleet)
    by_name = {h.name: h for h in fleet}
    for w in workloads:  # every host is either placed or has a reason, never both
        assert set(plan.assigned[w.name]) | set(plan.excluded[w.name]) == set(by_name)
        assert not set(plan.assigned[w.name]) & set(plan.excluded[w.name])
    for name in plan.assigned["vision"]:
        assert "movidius" in by_name[name].accelerators
        assert by_name[name].arch in ("aarch64", "x86_64")
    reasons = plan.excluded["vision"]
    assert any(r == "arch armv7l not in [aarch64, x86_64]" for r in reasons.values())
    assert any(r.startswith("accelerators: no movidius (has") for r in reasons.values())
    # kata: only KVM hosts, at most 3 a site, spread over zones first
    sandbox = plan.assigned["sandbox"]
    assert all(by_name[n].kvm_usable for n in sandbox)
    per_site: dict[str, list[str]] = {}
    for n in sandbox:
        per_site.setdefault(by_name[n].labels["site"], []).append(by_name[n].labels["zone"])
    assert set(per_site) == {f"site{i:02d}" for i in range(10)}
    assert all(sorted(zones) == ["a", "b", "c"] for zones in per_site.values())
    assert any(
        r.startswith("kvm: no usable KVM for a kata workload")
        for r in plan.excluded["sandbox"].values()
    )
    # memory: reservations of vision and sandbox count against agent
    agent_mem = [r for r in plan.excluded["agent"].values() if r.startswith("memory:")]
    assert any(
        "free after vision (512Mi)" in r or "free after sandbox (1Gi)" in r for r in agent_mem
    )
    for name in plan.assigned["agent"]:
        h = by_name[name]
        used = sum(w.memory for w in workloads if name in plan.assigned[w.name] and w.memory)
        assert used <= h.memory
    fpga = plan.assigned["fpga-filter"]
    assert fpga == sorted(
        h.name for h in fleet if "fpga" in h.accelerators and h.labels["zone"] in "ab"
    )
    assert 0 < len(fpga) < 100
    for name, why in plan.excluded["fpga-filter"].items():  # labels are tested before accels
        zone = by_name[name].labels["zone"]
        if zone == "c":
            assert why == "labels: zone=c, wanted zone in [a, b]"
        else:
            assert why.startswith("accelerators: no fpga (has ")
    assert len(plan.assigned["gw"]) == sum(
        1 for h in fleet if "gateway" in h.groups and h.arch == "x86_64"
    )


def test_placement_is_deterministic_whatever_the_host_order(tmp_path, fleet):
    workloads = specs(tmp_path, FLEET_SPECS)
    first = json.dumps(place(workloads, fleet).to_json(), sort_keys=True)
    shuffled = list(fleet)
    random.Random(3).shuffle(shuffled)
    assert json.dumps(place(workloads, shuffled).to_json(), sort_keys=True) == first
    assert list(place(workloads, shuffled).excluded["agent"]) == sorted(
        place(workloads, shuffled).excluded["agent"]
    )


def test_labels_from_edge_labels_site_zone_and_templates(tmp_path):
    inv = tmp_path / "inv.yml"
    inv.write_text(
        textwrap.dedent("""\
        all:
          vars:
            site: "{{ inventory_hostname.split('-')[0] }}"
          hosts:
            paris-1:
              edge_labels: {site: ignored, zone: a, rack: "r{{ 1 + 1 }}"}
              edgeauto_hw: {arch: x86_64, memory_mb: 1024, cpu: {count: 2}}
            lyon-1:
              edgeauto_hw: {arch: x86_64, memory_mb: 1024, cpu: {count: 2}}
    """)
    )
    views = {v.name: v for v in host_views(load_inventory([str(inv)]), {})}
    assert views["paris-1"].labels == {"site": "paris", "zone": "a", "rack": "r2"}
    assert views["lyon-1"].labels == {"site": "lyon"}
    assert views["lyon-1"].memory == 1024 * MiB and views["lyon-1"].cpus == 2.0


def test_gathered_facts_may_be_the_fact_or_a_facts_dict_holding_it(tmp_path):
    inv = tmp_path / "inv.yml"
    inv.write_text("all:\n  hosts:\n    a: {}\n    b: {}\n    c: {}\n    d: {}\n")
    hw = {"arch": "aarch64", "memory_mb": 512, "cpu": {"count": 1}, "kvm": {"usable": True}}
    facts = {
        "a": hw,
        "b": {"edgeauto_hw": hw, "distribution": "Debian"},
        "c": {"distribution": "Debian"},
        "d": "ssh: timed out",
    }
    views = {v.name: v for v in host_views(load_inventory([str(inv)]), facts, hosts=list(facts))}
    assert views["a"] == views["b"].__class__(**{**views["b"].__dict__, "name": "a"})
    assert views["b"].arch == "aarch64" and views["b"].kvm_usable
    assert views["c"].unreachable == "no edgeauto_hw facts"
    assert views["d"].unreachable == "ssh: timed out"
