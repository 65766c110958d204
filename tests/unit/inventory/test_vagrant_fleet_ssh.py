"""fleet.yml's ``ssh:`` section: how edgeauto reaches guests that live in the lab's netns.

vagrant-libvirt's ``vagrant ssh-config`` says ``StrictHostKeyChecking no`` and
``UserKnownHostsFile /dev/null``; with the fleet's section the hosts instead get strict checking
against the lab's known_hosts (filled from the guests' serial consoles) and a ProxyCommand that
enters the namespace. Tested on the recorded libvirt output and the repository's fleet.yml.
"""

from __future__ import annotations

import shlex

import pytest

from edgeauto.errors import InventoryError
from edgeauto.inventory.vagrant import (
    FleetSsh,
    connection_vars,
    load_fleet_ssh,
    parse_ssh_config,
)

from .conftest import CASES, REPO

REC = CASES / "vagrant"


def _gateway():
    text = (REC / "libvirt-ssh-config.txt").read_text()
    return parse_ssh_config(text, "libvirt-ssh-config.txt")[0]


def _options(common_args: str) -> dict[str, str]:
    words = shlex.split(common_args)
    pairs = [words[i + 1] for i, w in enumerate(words) if w == "-o"]
    return dict(p.split("=", 1) for p in pairs)


def test_repository_fleet_enters_the_lab_netns_and_checks_host_keys():
    ssh = load_fleet_ssh(REPO / "vagrant" / "fleet.yml")
    assert ssh.proxy_command == "ip netns exec edgeauto-vagrant busybox nc %h %p"
    assert ssh.known_hosts == (REPO / "vagrant" / ".lab" / "known_hosts").resolve()


def test_fleet_ssh_replaces_vagrants_no_checking_defaults():
    ssh = FleetSsh(proxy_command="ip netns exec ns nc %h %p", known_hosts=REPO / "kh")
    result = connection_vars(_gateway(), ssh)
    assert "ansible_host_key_checking" not in result
    opts = _options(result["ansible_ssh_common_args"])
    assert opts["StrictHostKeyChecking"] == "yes"
    assert opts["UserKnownHostsFile"] == str(REPO / "kh")  # not /dev/null
    assert opts["ProxyCommand"] == "ip netns exec ns nc %h %p"
    assert opts["IdentitiesOnly"] == "yes"  # the rest of the block still passes through
    assert result["ansible_host"] == "192.168.121.45"


def test_without_fleet_ssh_vagrants_settings_are_kept():
    result = connection_vars(_gateway())
    assert result["ansible_host_key_checking"] is False
    assert _options(result["ansible_ssh_common_args"])["UserKnownHostsFile"] == "/dev/null"


def test_fleet_without_ssh_section_changes_nothing(tmp_path):
    fleet = tmp_path / "fleet.yml"
    fleet.write_text("machines:\n  - name: a\n")
    assert load_fleet_ssh(fleet) == FleetSsh()


def test_unknown_fleet_ssh_key_is_rejected_with_position(tmp_path):
    fleet = tmp_path / "fleet.yml"
    fleet.write_text("ssh:\n  proxy_comand: nc %h %p\nmachines: []\n")
    with pytest.raises(InventoryError, match="proxy_command and known_hosts") as info:
        load_fleet_ssh(fleet)
    assert str(info.value).startswith(f"{fleet}:")


def test_recorded_lab_ssh_config_with_the_repository_fleet():
    from edgeauto.inventory import load_inventory

    inv = load_inventory([str(REC / "netns-plugin.yml")])
    assert inv.groups_map()["gateways"] == ["gateway"]
    assert inv.groups_map()["servers"] == ["server"]
    for name in ("gateway", "server"):
        hv = inv.host_vars(name)
        assert hv["ansible_user"] == "vagrant"
        assert hv["ansible_host"].startswith("192.168.121.")
        assert "ansible_host_key_checking" not in hv
        opts = _options(hv["ansible_ssh_common_args"])
        assert opts["StrictHostKeyChecking"] == "yes"
        assert opts["UserKnownHostsFile"].endswith("vagrant/.lab/known_hosts")
        assert opts["ProxyCommand"].startswith("ip netns exec edgeauto-vagrant ")
