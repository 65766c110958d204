"""The edge_classify role on real lab hosts over SSH: Debian (systemd-nspawn), BusyBox
(dropbear, no coreutils) and, opt-in, the qemu-user arm64 host. A second play targets the
groups the role made (as playbooks/site.yml does), a second run changes nothing, and
`edgeauto facts` shows the same edgeauto_hw. The lab hosts are containers on a PVM VM, so
what they prove is the "no usable KVM" side; the hardware kinds we cannot run (KVM servers,
accelerators, TPM, OP-TEE) are covered by the recorded trees — one of them is also probed
here on the BusyBox host itself, over SSH."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import textwrap
from collections import defaultdict
from pathlib import Path

import pytest

from edgeauto.errors import EXIT_OK
from edgeauto.facts.edge_hw import PROBE_SH, parse_edge_hw, probe_call
from edgeauto.output.reporter import Reporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
TREES = REPO / "tests" / "fixtures" / "hw"

CLASSIFY_AND_REPORT = """
- hosts: "{hosts}"
  gather_facts: true
  roles:
    - edge_classify

- hosts: edge_runtime_runc:edge_runtime_kata
  gather_facts: false
  tasks:
    - name: groups of the host
      debug:
        var: group_names
    - name: class of the host
      debug:
        msg: "{{{{ edge_class }}}}"
"""


class ByTask(Reporter):
    """Each task's results by host: ``rec.by_task[task name][host]`` is a TaskResult."""

    def __init__(self):
        super().__init__()
        self.by_task: dict[str, dict] = defaultdict(dict)

    def task_result(self, res):
        with self.lock:
            self.by_task[res.task.name][res.host] = res

    def failed(self) -> list[dict]:
        return [r.result for hosts in self.by_task.values() for r in hosts.values() if r.failed]

    def changed(self) -> list[str]:
        return [
            f"{host}: {name}"
            for name, hosts in self.by_task.items()
            for host, r in hosts.items()
            if r.status == "changed"
        ]


def classify(tmp_path: Path, inventory, hosts: str, **options) -> tuple[int, ByTask]:
    play = tmp_path / "classify.yml"
    play.write_text(textwrap.dedent(CLASSIFY_AND_REPORT.format(hosts=hosts)))
    rec = ByTask()
    run_options = RunOptions(
        inventory_sources=[str(inventory)], roles_path=[str(REPO / "roles")], **options
    )
    return Run([play], run_options, rec).execute().exit_code, rec


def groups_of(rec: ByTask, host: str) -> set[str]:
    names = rec.by_task["groups of the host"][host].result["group_names"]
    return {g for g in names if g.startswith("edge_")}


# The lab's hosts are containers (no /dev/kvm inside) on this 2-vCPU PVM VM: device class.
LAB_COMMON = {
    "edge_arch_amd64",
    "edge_class_device",
    "edge_virt_none",
    "edge_runtime_runc",
    "edge_guest_container",
}


def test_role_groups_debian_and_busybox_hosts_and_a_second_run_changes_nothing(
    tmp_path, lab_inventory, debian_host, busybox_host
):
    hosts = f"{debian_host.name}:{busybox_host.name}"
    code, first = classify(tmp_path, lab_inventory, hosts)
    assert code == EXIT_OK, first.failed()
    debian, busybox = groups_of(first, debian_host.name), groups_of(first, busybox_host.name)
    assert LAB_COMMON <= debian and LAB_COMMON <= busybox
    assert {"edge_init_systemd", "edge_pkg_apt"} <= debian
    # the plain debian host is an nspawn container without CAP_NET_ADMIN: no docker/OVS there
    assert "edge_unprivileged" in debian and "edge_privileged" not in debian
    assert not {g for g in debian | busybox if g.startswith(("edge_accel_", "edge_tpm"))}
    assert "edge_pkg_apt" not in busybox and "edge_init_systemd" not in busybox
    assert [g for g in busybox if g.startswith("edge_pkg_")] == ["edge_pkg_none"]
    classes = {h: r.result["msg"] for h, r in first.by_task["class of the host"].items()}
    assert classes == {debian_host.name: "device", busybox_host.name: "device"}
    assert first.changed() == []
    code, second = classify(tmp_path, lab_inventory, hosts)
    assert code == EXIT_OK and second.changed() == []
    assert groups_of(second, busybox_host.name) == busybox


def test_check_mode_gives_the_same_groups(tmp_path, lab_inventory, busybox_host):
    _, real = classify(tmp_path, lab_inventory, busybox_host.name)
    code, check = classify(tmp_path, lab_inventory, busybox_host.name, check=True)
    assert code == EXIT_OK and check.changed() == []
    assert groups_of(check, busybox_host.name) == groups_of(real, busybox_host.name)


def test_a_bad_class_is_rejected_by_the_argument_spec(tmp_path, lab_inventory, busybox_host):
    extra = {"edge_classify_class": "mainframe"}
    code, rec = classify(tmp_path, lab_inventory, busybox_host.name, extra_vars=extra)
    assert code != EXIT_OK
    (failure,) = rec.failed()
    assert "edge_classify_class" in str(failure) and "mainframe" in str(failure)
    assert "groups of the host" not in rec.by_task


def test_without_hardware_facts_the_role_says_what_to_gather(tmp_path, lab_inventory, busybox_host):
    play = tmp_path / "no-hw.yml"
    play.write_text(
        f"- hosts: {busybox_host.name}\n  gather_facts: true\n  gather_subset: ['!all']\n"
        "  roles: [edge_classify]\n"
    )
    rec = ByTask()
    options = RunOptions(inventory_sources=[str(lab_inventory)], roles_path=[str(REPO / "roles")])
    assert Run([play], options, rec).execute().exit_code != EXIT_OK
    (failure,) = rec.failed()
    assert "gather_subset" in failure["msg"] and "hardware" in failure["msg"]


def test_edgeauto_facts_command_shows_edgeauto_hw(lab_inventory, debian_host):
    out = subprocess.run(
        [sys.executable, "-m", "edgeauto", "facts", debian_host.name, "-i", str(lab_inventory)]
        + ["--gather-subset", "edge", "--json", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    facts = json.loads(out.stdout)[debian_host.name]["ansible_facts"]
    hw = facts["ansible_edgeauto_hw"]
    assert (hw["arch_family"], hw["init"], hw["pkg_mgr"]) == ("amd64", "systemd", "apt")
    assert hw["virt"]["container"] == "systemd-nspawn"
    assert hw["kvm"]["usable"] is False and hw["kvm"]["reason"]
    assert hw["cpu"]["count"] >= 1 and hw["memory_mb"] > 0


def test_recorded_atom_tree_probed_on_the_busybox_host_over_ssh(busybox_host):
    """The probe with the BusyBox host's own sh/awk/sed/tr, against a recorded tree copied
    there: the Movidius box is classified the same as on the controller."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        tar.add(TREES / "atom-movidius", arcname="atom")
    dest = "/tmp/edge-hw-tree"
    put = busybox_host.run(
        f"rm -rf {dest} && mkdir -p {dest} && tar -x -C {dest}", input=buf.getvalue()
    )
    assert put.returncode == 0, put.stderr
    try:
        script = PROBE_SH + probe_call(f"{dest}/atom") + "\n"
        out = busybox_host.run("sh -s", input=script.encode())
        assert out.returncode == 0 and not out.stderr, out.stderr
        stdout = out.stdout.decode() if isinstance(out.stdout, bytes) else out.stdout
        hw = parse_edge_hw(stdout.splitlines())
    finally:
        busybox_host.run(f"rm -rf {dest}")
    assert hw["accelerator_families"] == ["movidius"]
    assert (hw["kvm"]["usable"], hw["init"], hw["pkg_mgr"]) == (True, "openrc", "apk")


@pytest.mark.arm64
def test_role_on_the_emulated_arm64_host(tmp_path, lab_inventory, arm64_host):
    code, rec = classify(tmp_path, lab_inventory, arm64_host.name)
    assert code == EXIT_OK, rec.failed()
    groups = groups_of(rec, arm64_host.name)
    assert {"edge_arch_arm64", "edge_virt_none", "edge_runtime_runc", "edge_pkg_apt"} <= groups
