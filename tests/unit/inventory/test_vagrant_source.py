"""The vagrant inventory source, on recorded ``vagrant ssh-config`` output shapes.

Vagrant is not installed on the test machine, so the parser and the fleet mapping are tested
on saved outputs (libvirt, VirtualBox with custom ports, quoted paths and IdentityFile lists,
a hand-edited Key=Value file). The part that runs ``vagrant ssh-config`` is tested with a
FAKE ``vagrant`` executable on PATH that prints one of those recordings.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from edgeauto.errors import InventoryError
from edgeauto.inventory import load_inventory
from edgeauto.inventory.vagrant import (
    connection_vars,
    load_fleet,
    parse_ssh_config,
    populate_from_records,
    run_ssh_config,
)

from .conftest import CASES

REC = CASES / "vagrant"
FLEET = REC / "laptop-fleet.yml"


def _records(name):
    return parse_ssh_config((REC / name).read_text(), name)


def test_libvirt_output_gives_one_record_per_machine_in_order():
    records = _records("libvirt-ssh-config.txt")
    assert [r.name for r in records] == ["gateway", "kvm-server", "device-1"]
    assert records[1].get("HostName") == "192.168.121.112"
    assert records[1].identity_files == [
        "/home/dev/edgeauto/vagrant/.vagrant/machines/kvm-server/libvirt/private_key"
    ]


def test_virtualbox_output_keeps_custom_ports_quoted_paths_and_key_lists():
    by_name = {r.name: connection_vars(r) for r in _records("virtualbox-ssh-config.txt")}
    assert [by_name[n]["ansible_port"] for n in ("device-2", "gateway", "scratch")] == [
        2201,
        2222,
        2200,
    ]
    assert by_name["device-2"]["ansible_ssh_private_key_file"] == (
        "/home/dev/My Labs/edge lab/.vagrant/machines/device-2/virtualbox/private_key"
    )
    gateway = by_name["gateway"]
    assert gateway["ansible_ssh_private_key_file"].endswith("vagrant.key.ed25519")
    args = shlex.split(gateway["ansible_ssh_common_args"])
    assert "IdentityFile=/home/dev/.vagrant.d/insecure_private_keys/vagrant.key.rsa" in args
    assert "UserKnownHostsFile=/dev/null" in args
    assert gateway["ansible_host_key_checking"] is False
    assert "ForwardAgent=yes" in shlex.split(by_name["scratch"]["ansible_ssh_common_args"])


def test_key_value_form_mixed_case_and_proxycommand_are_understood():
    (record,) = _records("odd-ssh-config.txt")
    cvars = connection_vars(record)
    assert cvars["ansible_host"] == "10.77.10.40"
    assert cvars["ansible_user"] == "edge" and cvars["ansible_port"] == 2022
    assert cvars["ansible_ssh_private_key_file"] == str(Path("~/.ssh/id_ed25519").expanduser())
    assert "ProxyCommand=ssh -W %h:%p bastion" in shlex.split(cvars["ansible_ssh_common_args"])


BAD = [
    ("  HostName 10.0.0.1\n", 1, "before any 'Host' line"),
    ("Host a\n  Port twenty\n", 2, "must be a number"),
    ("Host\n", 1, "without a name"),
]


@pytest.mark.parametrize("text,line,message", BAD)
def test_malformed_ssh_config_is_reported_with_line(text, line, message):
    with pytest.raises(InventoryError, match=message) as info:
        for record in parse_ssh_config(text, "saved.txt"):
            connection_vars(record)
    assert str(info.value).startswith(f"saved.txt:{line}: ")


def test_groups_and_vars_come_from_fleet_yml_and_strangers_are_ungrouped():
    from edgeauto.inventory import Inventory

    inv = Inventory()
    populate_from_records(inv, _records("virtualbox-ssh-config.txt"), load_fleet(FLEET))
    inv.reconcile()
    assert list(inv.hosts) == ["gateway", "device-2", "scratch"]  # fleet order first
    assert inv.group_names("gateway") == ["gateways", "lab"]
    assert inv.group_names("scratch") == ["ungrouped"]
    assert inv.host_vars("device-2")["lab_ip"] == "192.168.56.32"
    assert inv.host_vars("device-2")["role"] == "device"


def test_fleet_private_networks_use_private_ranges_only():
    import ipaddress

    for machine in load_fleet(FLEET):
        assert ipaddress.ip_address(machine.vars["lab_ip"]).is_private, machine.name


def test_fleet_without_machines_list_is_an_error_with_position(tmp_path):
    bad = tmp_path / "fleet.yml"
    bad.write_text("machines:\n  gateway: {}\n")
    with pytest.raises(InventoryError, match="'machines' list") as info:
        load_fleet(bad)
    assert str(info.value).startswith(f"{bad}:1:")


def test_plugin_file_with_saved_ssh_config_builds_the_inventory():
    inv = load_inventory([str(REC / "plugin.yml")])
    assert inv.groups_map()["devices"] == ["device-1"]
    assert inv.groups_map()["kvm_hosts"] == ["kvm-server"]
    assert inv.host_vars("kvm-server")["ansible_host"] == "192.168.121.112"
    assert inv.host_vars("kvm-server")["inventory_file"] == str(REC / "plugin.yml")


def test_plugin_file_rejects_unknown_options_with_position(tmp_path):
    conf = tmp_path / "v.yml"
    conf.write_text("plugin: vagrant\nvagrnat_dir: .\n")
    with pytest.raises(InventoryError, match="unknown option 'vagrnat_dir'") as info:
        load_inventory([str(conf)])
    assert str(info.value).startswith(f"{conf}:2:")


@pytest.fixture
def fake_vagrant(tmp_path, monkeypatch):
    """A FAKE `vagrant` command (Vagrant is not installed here) that replays a recording."""
    bindir = tmp_path / "bin"
    bindir.mkdir()

    def install(recording: str, exit_code: int = 0, stderr: str = "") -> None:
        script = bindir / "vagrant"
        script.write_text(
            "#!/bin/sh\n"
            '[ "$1" = ssh-config ] || exit 64\n'
            f"cat '{REC / recording}'\n"
            f"echo '{stderr}' >&2\n"
            f"exit {exit_code}\n"
        )
        script.chmod(0o755)

    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    return install


def test_vagrant_prefix_source_runs_vagrant_ssh_config_in_the_directory(fake_vagrant, tmp_path):
    fake_vagrant("libvirt-ssh-config.txt")
    lab = tmp_path / "lab"
    lab.mkdir()
    (lab / "Vagrantfile").write_text("# lab\n")
    (lab / "fleet.yml").write_text(FLEET.read_text())
    inv = load_inventory([f"vagrant:{lab}"])
    assert list(inv.hosts) == ["gateway", "kvm-server", "device-1"]
    assert inv.host_vars("gateway")["wan_interface"] == "eth0"


def test_partly_running_lab_still_lists_the_running_machines(fake_vagrant, tmp_path):
    fake_vagrant("odd-ssh-config.txt", exit_code=1, stderr="device-2 is not created")
    assert [r.name for r in parse_ssh_config(run_ssh_config(tmp_path))] == ["jumped"]


def test_vagrant_failure_without_output_is_reported_with_stderr(tmp_path, monkeypatch):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "vagrant"  # FAKE vagrant: fails like a lab that is not up
    fake.write_text("#!/bin/sh\necho 'VM not created' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}:/usr/bin:/bin")
    with pytest.raises(InventoryError, match="VM not created"):
        run_ssh_config(tmp_path)


def test_missing_vagrant_command_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(InventoryError, match="needs the 'vagrant' command"):
        run_ssh_config(tmp_path)


def test_cli_lists_the_vagrant_lab_as_json(edgeauto_inventory):
    data = json.loads(edgeauto_inventory("-i", str(REC / "plugin.yml"), "--list"))
    assert data["gateways"]["hosts"] == ["gateway"]
    assert data["_meta"]["hostvars"]["device-1"]["ansible_user"] == "vagrant"
