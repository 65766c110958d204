"""The Vagrant lab's package mirror (edgeauto/vagrantlab/mirror.py) and fleet.yml's shared vars.

Resolution is read from a recorded ``apt-get --simulate install`` output; the fleet checks run
on the repository's vagrant/fleet.yml: its guests' apt source must name the address and port
the mirror is served at, and the mirror must hold every package site.yml's roles install.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from edgeauto.errors import InventoryError
from edgeauto.inventory.vagrant import load_fleet
from edgeauto.lab.errors import LabError
from edgeauto.vagrantlab.mirror import load_mirror_config, parse_simulation
from edgeauto.vagrantlab.mirror_server import gateway_address

REPO = Path(__file__).resolve().parents[3]
FLEET = REPO / "vagrant" / "fleet.yml"

# Recorded on this controller (Debian 12): apt-get install --simulate --no-install-recommends
# -qq -o Dir::State::status=<lab base>/var/lib/dpkg/status tini runc, and an upgrade line.
SIMULATION = """\
Inst runc (1.1.5+ds1-1+deb12u1 Debian:12.12/stable [amd64])
Inst tini (0.19.0-1+b3 Debian:12.12/stable [amd64])
Inst libssl3 [3.0.17-1~deb12u2] (3.0.17-1~deb12u3 Debian-Security:12/stable-security [amd64])
Conf runc (1.1.5+ds1-1+deb12u1 Debian:12.12/stable [amd64])
Conf tini (0.19.0-1+b3 Debian:12.12/stable [amd64])
"""


def test_simulation_gives_every_package_to_install_with_its_version_upgrades_too():
    assert parse_simulation(SIMULATION) == [
        ("libssl3", "3.0.17-1~deb12u3"),
        ("runc", "1.1.5+ds1-1+deb12u1"),
        ("tini", "0.19.0-1+b3"),
    ]


def _fleet(tmp_path: Path, mirror) -> Path:
    path = tmp_path / "fleet.yml"
    path.write_text(yaml.safe_dump({"machines": [{"name": "a"}], "mirror": mirror}))
    return path


@pytest.mark.parametrize(
    "mirror, words",
    [
        ({"port": 8080, "key": "k"}, "exactly ['key', 'packages', 'port']"),
        ({"port": 8080, "key": "k", "packages": []}, "non-empty list of Debian package names"),
        ({"port": 8080, "key": "k", "packages": ["Bad Name"]}, "Debian package names"),
        ({"port": "http", "key": "k", "packages": ["tini"]}, "TCP port number, found 'http'"),
        ({"port": 70000, "key": "k", "packages": ["tini"]}, "TCP port number, found 70000"),
        (["tini"], "found a list"),
    ],
)
def test_bad_mirror_sections_are_refused_with_file_and_line(tmp_path, mirror, words):
    path = _fleet(tmp_path, mirror)
    with pytest.raises(LabError) as err:
        load_mirror_config(path)
    assert f"{path}:" in str(err.value) and words in str(err.value)


def test_repository_fleet_points_the_guests_at_the_mirror_it_serves():
    config = load_mirror_config(FLEET)
    assert config is not None
    network = yaml.safe_load(FLEET.read_text())["network"]
    url = f"http://{gateway_address(network['management_address'])}:{config.port}/"
    for machine in load_fleet(FLEET):
        (repo,) = machine.vars["edge_common_apt_repositories"]
        assert repo["uris"] == url and repo["suites"] == "./", machine.name
        assert config.key.name in repo["signed_by"]  # the key up writes is the one read
        assert machine.vars["edge_common_apt_disable_sources"] == ["sources.list.d/debian.sources"]


def _role_defaults(role: str) -> dict:
    return yaml.safe_load((REPO / "roles" / role / "defaults" / "main.yml").read_text())


def test_repository_mirror_holds_every_package_site_yml_installs():
    wanted = set(_role_defaults("edge_common")["edge_common_packages"]["apt"])
    wanted |= set(_role_defaults("docker_engine")["docker_engine_packages"])
    wanted |= set(_role_defaults("ovs")["ovs_packages"])
    kvm = _role_defaults("kvm_host")
    wanted |= {p for p in kvm["kvm_host_packages"] if "{{" not in p} | {"qemu-system-x86"}
    assert wanted <= set(load_mirror_config(FLEET).packages)


def test_fleet_vars_reach_every_machine_and_a_machines_own_vars_win(tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text(
        "vars: {site: lab, tier: edge}\n"
        "machines:\n  - name: a\n    vars: {tier: core}\n  - name: b\n"
    )
    a, b = load_fleet(path)
    assert a.vars == {"site": "lab", "tier": "core"}
    assert b.vars == {"site": "lab", "tier": "edge"}


def test_fleet_vars_that_are_not_a_mapping_are_refused_with_their_line(tmp_path):
    path = tmp_path / "fleet.yml"
    path.write_text("machines:\n  - name: a\nvars: [x]\n")
    with pytest.raises(InventoryError) as err:
        load_fleet(path)
    assert "fleet 'vars' must be a mapping" in str(err.value)
    assert err.value.pos is not None and err.value.pos.line == 3
