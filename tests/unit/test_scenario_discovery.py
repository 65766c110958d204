"""Which scenarios ``edgeauto test`` finds and which lab hosts their platforms become."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.scenarios.discover import find_scenarios


def write(path: Path, text: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def role(tmp_path: Path, name: str = "r") -> Path:
    path = tmp_path / "roles" / name
    write(path / "tasks" / "main.yml", "[]\n")
    return path


def test_molecule_and_our_scenarios_of_a_role_are_found(tmp_path):
    r = role(tmp_path)
    write(r / "molecule" / "default" / "converge.yml", "[]\n")
    write(r / "tests" / "scenarios" / "busy" / "converge.yml", "[]\n")
    names = [s.name for s in find_scenarios([str(r)])]
    assert names == ["r/default", "r/busy"]


def test_a_directory_of_roles_finds_every_roles_scenarios(tmp_path):
    for name in ("a", "b"):
        write(role(tmp_path, name) / "molecule" / "default" / "converge.yml", "[]\n")
    assert [s.name for s in find_scenarios([str(tmp_path / "roles")])] == ["a/default", "b/default"]


def test_molecule_platforms_map_to_lab_hosts_by_image_and_privileged(tmp_path):
    d = role(tmp_path) / "molecule" / "default"
    write(d / "converge.yml", "[]\n")
    write(
        d / "molecule.yml",
        """
        platforms:
          - {name: deb, image: debian:12}
          - {name: tiny, image: busybox:latest}
          - {name: pi, image: arm64v8/debian}
          - {name: box, image: debian:bookworm, privileged: true}
          - {name: alma, image: almalinux:9}
          - {name: own, image: x, edgeauto: {flavor: debian, capabilities: [libvirt]}}
        """,
    )
    (scenario,) = find_scenarios([str(d)])
    by = {p.name: p for p in scenario.platforms}
    assert by["deb"].flavor == "debian" and by["tiny"].flavor == "busybox"
    assert (by["pi"].arch, by["pi"].systemd) == ("arm64", False)
    assert by["box"].capabilities == ("docker", "ovs")
    assert by["own"].capabilities == ("libvirt",)
    assert any("almalinux:9" in w and "Debian 12" in w for w in scenario.warnings)


def test_our_platform_names_and_mappings(tmp_path):
    d = role(tmp_path) / "tests" / "scenarios" / "s"
    write(d / "converge.yml", "[]\n")
    write(d / "scenario.yml", "platforms: [debian, busybox, privileged, {name: gw, groups: [g]}]\n")
    (scenario,) = find_scenarios([str(d)])
    assert [p.name for p in scenario.platforms] == ["debian-1", "busybox-2", "privileged-3", "gw"]
    assert scenario.platforms[3].groups == ("g",)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("platforms: [debain]\n", "unknown 'debain'"),
        ("platforms: [{name: x, flavour: busybox}]\n", "unknown key(s) flavour"),
        ("platforms: {a: 1}\n", "'platforms' must be a list"),
        ("platforms: [\n", "not valid YAML"),
    ],
)
def test_a_bad_scenario_file_is_a_clear_error_naming_the_file(tmp_path, text, expected):
    d = role(tmp_path) / "tests" / "scenarios" / "s"
    write(d / "converge.yml", "[]\n")
    write(d / "scenario.yml", text)
    with pytest.raises(EdgeautoError, match="scenario.yml") as info:
        find_scenarios([str(d)])
    assert expected in str(info.value)


def test_nothing_to_run_says_what_was_expected(tmp_path):
    role(tmp_path)
    with pytest.raises(EdgeautoError, match="no scenario under"):
        find_scenarios([str(tmp_path / "roles")])
