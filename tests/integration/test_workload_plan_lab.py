"""``edgeauto workload plan`` on real lab hosts: the Debian and the BusyBox host's
``edgeauto_hw`` are gathered over SSH (one facts round trip each) and the workloads placed by
what they really are — x86_64, no usable KVM (they are containers on a PVM VM), their real
memory. A third, simulated host (``edgeauto_hw`` as a hostvar) is placed without being
contacted (it has no address at all)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from edgeauto.fleet.specvalues import format_size

pytestmark = pytest.mark.lab

SPECS = """\
- name: web
  image: web:1
  resources: {memory: 32Mi}
  placement: {arch: [x86_64]}
- name: sandbox
  image: sandbox:1
  runtime: kata
- name: paris-only
  image: p:1
  placement: {labels: {site: paris}}
- name: huge
  image: huge:1
  resources: {memory: 64Ti}
"""


def plan(tmp_path, lab_inventory, *extra) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", "workload", "plan", "-i", str(lab_inventory)]
        + ["-i", str(tmp_path / "labels.yml"), str(tmp_path / "w.yml"), *extra],
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_plan_gathers_real_facts_and_places_by_them(
    tmp_path, lab_inventory, debian_host, busybox_host
):
    deb, bb = debian_host.name, busybox_host.name
    (tmp_path / "w.yml").write_text(SPECS)
    (tmp_path / "labels.yml").write_text(
        textwrap.dedent(f"""\
        all:
          hosts:
            {deb}: {{site: paris, zone: a}}
            {bb}: {{site: lyon}}
            sim-arm:
              site: lyon
              edgeauto_hw: {{arch: aarch64, memory_mb: 4096, cpu: {{count: 4}},
                            kvm: {{usable: true}}}}
    """)
    )
    proc = plan(tmp_path, lab_inventory, "--json", "-l", f"{deb}:{bb}:sim-arm")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    hosts, w = doc["hosts"], doc["workloads"]
    assert sorted(hosts) == sorted([deb, bb, "sim-arm"])
    assert hosts[deb]["facts_from"] == hosts[bb]["facts_from"] == "gathered"
    assert hosts["sim-arm"]["facts_from"] == "hostvars (simulated)"
    assert hosts[deb]["arch"] == hosts[bb]["arch"] == "x86_64"
    assert hosts[deb]["memory"] > 0 and hosts[bb]["cpus"] >= 1

    assert w["web"]["assigned"] == sorted([deb, bb])
    assert w["web"]["excluded"] == {"sim-arm": "arch aarch64 not in [x86_64]"}
    assert w["sandbox"]["assigned"] == ["sim-arm"]
    for host in (deb, bb):
        assert w["sandbox"]["excluded"][host].startswith("kvm: no usable KVM for a kata workload")
        assert w["huge"]["excluded"][host] == (
            f"memory: {format_size(hosts[host]['memory'] - 32 * 2**20)} free after web (32Mi), "
            "needs 64Ti"
        )
    assert w["paris-only"]["assigned"] == [deb]
    assert w["paris-only"]["excluded"][bb] == "labels: site=lyon, wanted site=paris"

    page = tmp_path / "plan.html"
    text = plan(tmp_path, lab_inventory, "-l", f"{deb}:{bb}:sim-arm", "--html", str(page))
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("facts: 2 gathered, 1 from hostvars edgeauto_hw (simulated)\n")
    assert f'id="host-{deb}"' in page.read_text()
