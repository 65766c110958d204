"""A simulated fleet: an inventory whose hosts carry ``edgeauto_hw`` as hostvars.

Simulated (no such hardware exists here): 1,000 hosts over 10 sites of 3 zones, x86_64 /
aarch64 / armv7l, some with a Movidius stick or an FPGA, some with usable KVM. Seeded, so
every run builds the same fleet.
"""

from __future__ import annotations

import random

import yaml

ARCHES = ["x86_64"] * 6 + ["aarch64"] * 3 + ["armv7l"]


def fleet_hosts(count: int = 1000, sites: int = 10, seed: int = 12) -> dict[str, dict]:
    rng = random.Random(seed)
    hosts = {}
    for i in range(count):
        arch = rng.choice(ARCHES)
        accels = []
        roll = rng.random()
        if roll < 0.1:
            accels = [{"family": "movidius", "kind": "vpu", "bus": "usb", "id": "03e7:2485"}]
        elif roll < 0.15:
            accels = [{"family": "fpga", "kind": "fpga", "bus": "pci", "id": "8086:09c4"}]
        kvm = arch != "armv7l" and rng.random() < 0.4
        hosts[f"edge-{i:04d}"] = {
            "site": f"site{i % sites:02d}",
            "zone": "abc"[(i // sites) % 3],
            "edgeauto_hw": {
                "arch": arch,
                "memory_mb": rng.choice([512, 1024, 2048, 4096, 8192]),
                "cpu": {"count": rng.choice([1, 2, 4, 8])},
                "accelerators": accels,
                "kvm": {
                    "usable": kvm,
                    "state": "usable" if kvm else "absent",
                    "reason": "" if kvm else "no /dev/kvm",
                },
            },
        }
    return hosts


def write_inventory(path, hosts: dict[str, dict], gateways: int = 50) -> None:
    """YAML inventory: every host in ``edge``; the first ``gateways`` also in ``gateway``."""
    names = sorted(hosts)
    doc = {
        "all": {
            "children": {
                "edge": {"hosts": hosts},
                "gateway": {"hosts": {n: None for n in names[:gateways]}},
            }
        }
    }
    path.write_text(yaml.safe_dump(doc, sort_keys=True))
