"""virt, virt_net and virt_pool converging real libvirt objects on the libvirt lab host
(libvirtd with QEMU TCG in the host's own network namespace; no KVM here): check mode predicts
the real run, the second run changes nothing, diffs show the definition, bad arguments are
refused before anything runs. The last test is the proof of issue 11 item 4: a network and a
pool are defined and started, and a stock Debian kernel boots as a TCG guest.

One libvirt host serves the whole session; every test removes what it defined."""

from __future__ import annotations

import os
import time

import pytest
from libvirt_guest import MARKER, guest_xml, install_guest_files
from sys_play import converge, play

from edgeauto.errors import ValidationError

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

VIRSH = "virsh -q -c qemu:///system"

BRIDGE_NET = """<network>
  <name>ea-net</name>
  <bridge name='eabr0' stp='off' delay='0'/>
</network>
"""

DIR_POOL = """<pool type='dir'>
  <name>ea-pool</name>
  <target>
    <path>/var/lib/libvirt/ea-pool</path>
  </target>
</pool>
"""

# no kernel, no disk: SeaBIOS finds nothing to boot and waits (halted) — a domain that stays
# running without costing CPU, for the state tests
BIOS_DOMAIN = """<domain type='qemu'>
  <name>ea-vm</name>
  <memory unit='MiB'>32</memory>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='q35'>hvm</type></os>
</domain>
"""


def virsh(host, args: str) -> str:
    return host.run(f"{VIRSH} {args}", check=True, timeout=180).stdout


@pytest.fixture(scope="module")
def lvhost(libvirt_host):
    """The session's libvirt host, after libvirtd's first (slow, ~12 s) answer."""
    virsh(libvirt_host, "uri")
    return libvirt_host


def cleanup(host, *commands: str) -> None:
    host.run("; ".join(f"{VIRSH} {c} >/dev/null 2>&1" for c in commands), timeout=180)


# ---- virt_net -------------------------------------------------------------------------------


def test_virt_net_defines_starts_and_removes_a_bridge_network(tmp_path, lab_inventory, lvhost):
    host = lvhost
    try:
        tasks = [
            {
                "community.libvirt.virt_net": {
                    "command": "define",
                    "name": "ea-net",
                    "xml": BRIDGE_NET,
                }
            },
            {"virt_net": {"name": "ea-net", "state": "active", "autostart": True}},
        ]
        first = converge(tmp_path, lab_inventory, host, tasks, changes=[True, True])
        assert first[0]["created"] == "ea-net"
        assert "<bridge name='eabr0'" in first[0]["diff"]["after"]
        info = virsh(host, "net-info ea-net")
        assert "Active:         yes" in info and "Autostart:      yes" in info
        # the bridge lives in the lab host's own network namespace, not the controller's
        assert "eabr0" in host.run("ip -br link", check=True).stdout
        assert "eabr0" not in os.popen("ip -br link").read()

        # a changed definition is re-defined (same uuid), an equal one with other
        # whitespace/quoting is not
        uuid = virsh(host, "net-uuid ea-net").strip()
        changed = BRIDGE_NET.replace("stp='off'", "stp='on'")
        tasks = [{"virt_net": {"command": "define", "name": "ea-net", "xml": changed}}]
        res = converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        assert res[0]["change_reason"] == "config changed"
        assert virsh(host, "net-uuid ea-net").strip() == uuid
        assert "stp='on'" in virsh(host, "net-dumpxml --inactive ea-net")
        respelled = changed.replace("'", '"').replace("\n  ", "\n\t")
        tasks = [{"virt_net": {"command": "define", "name": "ea-net", "xml": respelled}}]
        _, again, _ = play(tmp_path, lab_inventory, host, tasks)
        assert again[0]["changed"] is False

        code, listed, _ = play(tmp_path, lab_inventory, host, [{"virt_net": {"command": "info"}}])
        assert listed[0]["networks"]["ea-net"]["bridge"] == "eabr0"
        assert listed[0]["networks"]["ea-net"]["state"] == "active"

        tasks = [{"virt_net": {"name": "ea-net", "state": "absent"}}]
        converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        assert "ea-net" not in virsh(host, "net-list --all --name")
    finally:
        cleanup(host, "net-destroy ea-net", "net-undefine ea-net")


def test_virt_net_adopts_an_equal_network_defined_by_hand(tmp_path, lab_inventory, lvhost):
    host = lvhost
    try:
        host.run(
            f"cat > /tmp/ea-net.xml && {VIRSH} net-define /tmp/ea-net.xml",
            input=BRIDGE_NET,
            check=True,
        )
        tasks = [{"virt_net": {"command": "define", "name": "ea-net", "xml": BRIDGE_NET}}]
        converge(tmp_path, lab_inventory, host, tasks, changes=[False])
        # a hand-made change is seen (libvirt's dumpxml no longer matches the record)
        host.run(
            f"{VIRSH} net-dumpxml --inactive ea-net | sed \"s/stp='off'/stp='on'/\" "
            f"> /tmp/ea-net.xml && {VIRSH} net-define /tmp/ea-net.xml",
            check=True,
        )
        res = converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        assert res[0]["change_reason"] == "config changed outside edgeauto"
        assert "stp='off'" in virsh(host, "net-dumpxml --inactive ea-net")
    finally:
        cleanup(host, "net-undefine ea-net")


# ---- virt_pool ------------------------------------------------------------------------------


def test_virt_pool_defines_builds_starts_and_deletes_a_dir_pool(tmp_path, lab_inventory, lvhost):
    host = lvhost
    try:
        tasks = [
            {
                "community.libvirt.virt_pool": {
                    "command": "define",
                    "name": "ea-pool",
                    "xml": DIR_POOL,
                }
            },
            {"virt_pool": {"command": "build", "name": "ea-pool"}},
            {"virt_pool": {"name": "ea-pool", "state": "active", "autostart": "yes"}},
        ]
        first = converge(tmp_path, lab_inventory, host, tasks, changes=[True, True, True])
        assert "<pool type='dir'>" in first[0]["diff"]["after"]
        assert host.run("test -d /var/lib/libvirt/ea-pool").returncode == 0
        host.run("truncate -s 1M /var/lib/libvirt/ea-pool/disk.raw", check=True)
        # capacity/allocation change as the disk fills: not a change of the definition
        tasks_info = [
            {"virt_pool": {"name": "ea-pool", "command": "refresh"}},
            {"virt_pool": {"command": "define", "name": "ea-pool", "xml": DIR_POOL}},
            {"virt_pool": {"command": "info"}},
        ]
        _, res, _ = play(tmp_path, lab_inventory, host, tasks_info)
        assert [r["changed"] for r in res] == [False, False, False]
        pool = res[2]["pools"]["ea-pool"]
        assert (pool["state"], pool["type"], pool["autostart"]) == ("active", "dir", "yes")
        assert pool["path"] == "/var/lib/libvirt/ea-pool" and pool["volume_count"] == 1

        host.run("rm -f /var/lib/libvirt/ea-pool/disk.raw", check=True)
        tasks = [
            {"virt_pool": {"name": "ea-pool", "state": "inactive"}},
            {"virt_pool": {"name": "ea-pool", "state": "deleted"}},
            {"virt_pool": {"name": "ea-pool", "state": "absent"}},
        ]
        converge(tmp_path, lab_inventory, host, tasks, changes=[True, True, True])
        assert host.run("test -e /var/lib/libvirt/ea-pool").returncode != 0
        assert "ea-pool" not in virsh(host, "pool-list --all --name")
    finally:
        cleanup(host, "pool-destroy ea-pool", "pool-delete ea-pool", "pool-undefine ea-pool")


# ---- virt -----------------------------------------------------------------------------------


def test_virt_defines_runs_pauses_and_undefines_a_domain(tmp_path, lab_inventory, lvhost):
    host = lvhost
    try:
        tasks = [
            {
                "community.libvirt.virt": {
                    "command": "define",
                    "xml": BIOS_DOMAIN,
                    "autostart": True,
                }
            },
            {"virt": {"name": "ea-vm", "state": "running"}},
        ]
        first = converge(tmp_path, lab_inventory, host, tasks, changes=[True, True])
        assert first[0]["created"] == "ea-vm"
        assert virsh(host, "domstate ea-vm").strip() == "running"
        assert "Autostart:      enable" in virsh(host, "dominfo ea-vm")

        _, res, _ = play(
            tmp_path,
            lab_inventory,
            host,
            [
                {"virt": {"name": "ea-vm", "command": "status"}},
                {"virt": {"command": "list_vms", "state": "running"}},
                {"virt": {"command": "info"}},
                {"virt": {"name": "ea-vm", "command": "get_xml"}},
                {"virt": {"command": "virttype"}},
            ],
        )
        assert res[0]["status"] == "running"
        assert "ea-vm" in res[1]["list_vms"]
        assert res[2]["info"]["ea-vm"]["state"] == "running"
        assert res[2]["info"]["ea-vm"]["maxMem"] == "32768"
        assert "<domain type='qemu'" in res[3]["get_xml"]
        assert res[4]["virttype"] == "QEMU"

        converge(
            tmp_path,
            lab_inventory,
            host,
            [{"virt": {"name": "ea-vm", "state": "paused"}}],
            changes=[True],
        )
        assert virsh(host, "domstate ea-vm").strip() == "paused"
        # more memory: a new definition (running domains keep theirs until restarted)
        bigger = BIOS_DOMAIN.replace(">32<", ">48<")
        res = converge(
            tmp_path,
            lab_inventory,
            host,
            [{"virt": {"command": "define", "xml": bigger}}],
            changes=[True],
        )
        assert res[0]["change_reason"] == "config changed"
        assert "49152" in virsh(host, "dumpxml --inactive ea-vm")

        tasks = [
            {"virt": {"name": "ea-vm", "state": "destroyed"}},
            {"virt": {"name": "ea-vm", "command": "undefine"}},
        ]
        converge(tmp_path, lab_inventory, host, tasks, changes=[True, True])
        assert "ea-vm" not in virsh(host, "list --all --name")
    finally:
        cleanup(host, "destroy ea-vm", "undefine ea-vm")


def test_virt_undefine_leaves_a_running_domain_transient_unless_forced(
    tmp_path, lab_inventory, lvhost
):
    host = lvhost
    define = [
        {"virt": {"command": "define", "xml": BIOS_DOMAIN}},
        {"virt": {"name": "ea-vm", "state": "running"}},
    ]
    try:
        play(tmp_path, lab_inventory, host, define)
        tasks = [{"virt": {"name": "ea-vm", "command": "undefine"}}]
        converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        info = virsh(host, "dominfo ea-vm")
        assert "running" in info and "Persistent:     no" in info
        virsh(host, "destroy ea-vm")
        play(tmp_path, lab_inventory, host, define)
        tasks = [{"virt": {"name": "ea-vm", "command": "undefine", "force": True}}]
        converge(tmp_path, lab_inventory, host, tasks, changes=[True])
        assert "ea-vm" not in virsh(host, "list --all --name")
    finally:
        cleanup(host, "destroy ea-vm", "undefine ea-vm")


# ---- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task", "message"),
    [
        ({"virt": {"name": "x", "state": "running", "command": "start"}}, "mutually exclusive"),
        ({"virt": {"command": "define", "xml": "<domain><name>x</name>"}}, "not well-formed"),
        ({"virt": {"command": "define", "xml": "<network><name>x</name></network>"}}, "<domain>"),
        ({"virt": {"command": "define"}}, "requires the xml"),
        ({"virt": {"state": "running"}}, "name"),
        ({"virt": {"name": "x", "state": "asleep"}}, "asleep"),
        ({"virt_net": {"name": "x", "command": "modify", "xml": "<host/>"}}, "not supported"),
        ({"virt_net": {"name": "y", "command": "define", "xml": BRIDGE_NET}}, "defines 'ea-net'"),
        ({"virt_pool": {"name": "p", "command": "build", "mode": "repair"}}, "not supported"),
        ({"virt_pool": {"command": "define", "xml": "<pool><name></name></pool>"}}, "no <name>"),
    ],
)
def test_libvirt_bad_arguments_are_refused_before_anything_runs(
    tmp_path, lab_inventory, lvhost, task, message
):
    tasks = [{"file": {"path": "/tmp/ea-lv-marker", "state": "touch"}}, task]
    with pytest.raises(ValidationError, match=message) as err:
        play(tmp_path, lab_inventory, lvhost, tasks)
    assert "sys.yml:" in str(err.value)  # file:line of the task
    assert lvhost.run("test -e /tmp/ea-lv-marker").returncode != 0


# ---- the proof: network + pool + a TCG guest booting a Debian kernel ------------------------


def test_a_debian_kernel_boots_as_a_tcg_guest_on_a_libvirt_network_and_pool(
    tmp_path, lab_inventory, lvhost
):
    host = lvhost
    pool_dir = "/var/lib/libvirt/ea-proof"
    log = f"{pool_dir}/serial.log"
    kernel, initrd = install_guest_files(host, pool_dir)
    net = BRIDGE_NET.replace("ea-net", "ea-proof-net").replace("eabr0", "eabr1")
    pool = DIR_POOL.replace("ea-pool", "ea-proof")
    # the domain comes from a template (as a role would ship it), rendered per host
    template = guest_xml("ea-guest", "{{ kernel }}", "{{ initrd }}", "{{ log }}", "ea-proof-net")
    (tmp_path / "guest.xml.j2").write_text(template)
    define_guest = {
        "virt": {"command": "define", "xml": "{{ lookup('template', 'guest.xml.j2') }}"},
        "vars": {"kernel": kernel, "initrd": initrd, "log": log},
    }
    tasks = [
        {"virt_net": {"command": "define", "name": "ea-proof-net", "xml": net}},
        {"virt_net": {"name": "ea-proof-net", "state": "active"}},
        {"virt_pool": {"command": "define", "name": "ea-proof", "xml": pool}},
        {"virt_pool": {"name": "ea-proof", "state": "active"}},
        define_guest,
    ]
    try:
        converge(tmp_path, lab_inventory, host, tasks, changes=[True] * 5)
        host.run(f"rm -f {log}")
        code, res, _ = play(
            tmp_path,
            lab_inventory,
            host,
            [
                {"virt": {"name": "ea-guest", "state": "running"}},
                {"virt_pool": {"name": "ea-proof", "command": "refresh"}},
                {"virt_pool": {"command": "info"}},
            ],
        )
        assert code == 0 and res[0]["changed"], res
        assert res[2]["pools"]["ea-proof"]["volume_count"] >= 2  # vmlinuz, initrd.gz
        started = time.monotonic()
        serial = wait_for_marker(host, log, timeout=240)
        marker = next(line for line in serial.splitlines() if MARKER in line)
        print(f"guest: {marker} (seen {time.monotonic() - started:.1f}s after start returned)")
        assert f"{MARKER} kernel=6.1.0-" in serial
        # the guest powered itself off; libvirt saw it go
        deadline = time.monotonic() + 60
        while virsh(host, "domstate ea-guest").strip() != "shut off":
            assert time.monotonic() < deadline, virsh(host, "domstate ea-guest")
            time.sleep(1)
        qemu_log = host.run("cat /var/log/libvirt/qemu/ea-guest.log").stdout
        assert "-accel tcg" in qemu_log
        assert "netdev" in qemu_log  # the NIC on ea-proof-net was plugged in
    finally:
        cleanup(
            host,
            "destroy ea-guest",
            "undefine ea-guest",
            "pool-destroy ea-proof",
            "pool-undefine ea-proof",
            "net-destroy ea-proof-net",
            "net-undefine ea-proof-net",
        )
        host.run(f"rm -rf {pool_dir}")


def wait_for_marker(host, log: str, timeout: float) -> str:
    """The serial log once the guest's /init printed the marker (TCG boot: ~10 s idle,
    20-30 s under load)."""
    deadline = time.monotonic() + timeout
    stopped = False
    while True:
        text = host.run(f"cat {log} 2>/dev/null").stdout
        if MARKER in text:
            return text
        if stopped or time.monotonic() > deadline:
            state = host.run(f"{VIRSH} domstate ea-guest").stdout.strip()
            pytest.fail(f"no {MARKER} on the serial console (domain {state}): {text[-2000:]!r}")
        # a guest that stopped without the marker (a panic) gets one more read, then fails
        stopped = host.run(f"{VIRSH} domstate ea-guest").stdout.strip() == "shut off"
        time.sleep(1)
