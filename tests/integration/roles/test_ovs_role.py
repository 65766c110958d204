"""roles/ovs on the privileged lab host (Debian bookworm, openvswitch-switch under systemd in
its own netns, no openvswitch kernel module): check mode changes nothing in OVSDB and
predicts the real run, the real run builds the bridges/ports/VLANs, the second run reports
changed=0 (and so does a check run after it)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

from sys_play import Recorder  # noqa: E402
from test_ovs_privileged_lab import get, ovsdb, scalar  # noqa: E402

from edgeauto.planner.options import RunOptions  # noqa: E402
from edgeauto.planner.run import Run  # noqa: E402

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

ROLES = Path(__file__).resolve().parents[3] / "roles"

ROLE_VARS = {
    "ovs_other_config": {"ea-role": "1"},
    "ovs_bridges": [
        {"name": "ea-rv", "parent": "ea-rb", "vlan": 30},  # fake bridge listed first on purpose
        {
            "name": "ea-rb",
            "fail_mode": "standalone",
            "external_ids": {"site": "lab"},
            "ports": [
                {"name": "ea-ra", "tag": 10, "type": "internal"},
                {"name": "ea-rt", "trunks": [10, 20], "type": "internal"},
                {
                    "name": "ea-rx",
                    "type": "vxlan",
                    "options": {"remote_ip": "192.0.2.30", "key": "30"},
                },
                {"name": "ea-rs", "set": ["Interface ea-rs type=internal"]},
            ],
        },
    ],
}


def run_role(tmp_path, inventory, host, role_vars, *, check=False):
    """Run the role; (exit code, names of the changed tasks and handlers, recorder)."""
    doc = [
        {"hosts": host.name, "gather_facts": False, "roles": [{"role": "ovs", "vars": role_vars}]}
    ]
    path = tmp_path / "ovs.yml"
    path.write_text(textwrap.dedent(yaml.safe_dump(doc, sort_keys=False)))
    rec = Recorder()
    opts = RunOptions(
        inventory_sources=[str(inventory)], limit=[host.name], check=check, roles_path=[str(ROLES)]
    )
    result = Run([path], opts, rec).execute()
    changed = [r.task.name for r in rec.results if not r.hidden and r.result.get("changed")]
    return result.exit_code, changed, rec


@pytest.fixture
def role_host(privileged_host):
    host = privileged_host
    yield host
    host.run(
        "ovs-vsctl --if-exists del-br ea-rb; "
        "ovs-vsctl --if-exists remove Open_vSwitch . other_config ea-role; "
        "ovs-vsctl --if-exists remove Open_vSwitch . other_config userspace-tso-enable "
        "&& systemctl restart openvswitch-switch",
        timeout=120,
    )


def test_ovs_role_converges_twice_with_netdev_bridges_ports_and_vlans(
    tmp_path, lab_inventory, role_host
):
    host = role_host
    before = ovsdb(host)
    code, predicted, rec = run_role(tmp_path, lab_inventory, host, ROLE_VARS, check=True)
    assert code == 0, rec.errors
    assert ovsdb(host) == before, "check mode changed OVSDB"
    code, changed, rec = run_role(tmp_path, lab_inventory, host, ROLE_VARS)
    assert code == 0, rec.errors
    assert changed == predicted
    for name in (
        "bridges (real ones first, fake VLAN bridges after their parents)",
        "ports, VLAN tags and trunks",
        "restart openvswitch",
    ):
        assert name in changed, changed
    for check in (False, True):
        code, again, rec = run_role(tmp_path, lab_inventory, host, ROLE_VARS, check=check)
        assert code == 0 and again == [], again

    assert get(host, "Bridge ea-rb datapath_type") == "netdev"  # auto: no kernel module
    assert get(host, "Bridge ea-rb fail_mode") == "standalone"
    assert scalar(host, "Open_vSwitch . other_config:userspace-tso-enable") == "true"
    assert scalar(host, "Open_vSwitch . other_config:ea-role") == "1"
    assert host.run("ovs-vsctl br-to-vlan ea-rv", check=True).stdout.strip() == "30"
    assert get(host, "Port ea-ra tag") == "10"
    assert get(host, "Port ea-rt trunks") == "[10, 20]"
    assert get(host, "Interface ea-rx options") == '{key="30", remote_ip="192.0.2.30"}'
    assert get(host, "Interface ea-rs type") == "internal"
    # vswitchd came back after the handler's restart and runs the bridge in userspace
    assert "ea-rb" in host.run("ovs-appctl dpctl/show", check=True).stdout
