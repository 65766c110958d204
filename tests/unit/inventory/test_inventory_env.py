"""Sources named by ``$EDGEAUTO_INVENTORY`` / ``$ANSIBLE_INVENTORY`` when no ``-i`` is given,
checked against ansible-inventory reading the same ``ANSIBLE_INVENTORY``."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess

import pytest

from edgeauto.cli import main
from edgeauto.errors import InventoryError
from edgeauto.inventory import load_inventory
from edgeauto.inventory.sources import default_sources

from .conftest import CASES, EXAMPLE, ansible_inventory_exe, needs_ansible

ONE = CASES / "merge/one/hosts.ini"
TWO = CASES / "merge/two/hosts.yml"


def test_no_variable_set_means_no_default_sources():
    assert default_sources({}) == ([], None)


def test_ansible_inventory_is_a_comma_separated_source_list():
    env = {"ANSIBLE_INVENTORY": f" {ONE} ,{TWO},"}
    assert default_sources(env) == ([str(ONE), str(TWO)], "ANSIBLE_INVENTORY")


def test_edgeauto_inventory_wins_over_ansible_inventory():
    env = {"EDGEAUTO_INVENTORY": str(TWO), "ANSIBLE_INVENTORY": str(ONE)}
    assert default_sources(env) == ([str(TWO)], "EDGEAUTO_INVENTORY")


def test_load_inventory_without_sources_reads_the_environment():
    from_env = load_inventory(None, environ={"ANSIBLE_INVENTORY": f"{ONE},{TWO}"})
    explicit = load_inventory([str(ONE), str(TWO)])
    assert from_env.sources == explicit.sources
    assert from_env.groups_map() == explicit.groups_map()
    assert {h: from_env.host_vars(h) for h in from_env.hosts} == {
        h: explicit.host_vars(h) for h in explicit.hosts
    }


def test_explicit_sources_ignore_the_environment():
    inv = load_inventory([str(ONE)], environ={"EDGEAUTO_INVENTORY": str(TWO)})
    assert inv.sources == [str(ONE)]


def test_missing_source_from_the_environment_names_the_variable(tmp_path):
    missing = tmp_path / "gone.ini"
    with pytest.raises(InventoryError) as info:
        load_inventory([], environ={"EDGEAUTO_INVENTORY": str(missing)})
    assert str(info.value) == (
        f"{missing}: inventory source not found (the source comes from $EDGEAUTO_INVENTORY)"
    )


def test_cli_lists_the_environment_inventory_without_i(monkeypatch, capsys):
    monkeypatch.setenv("EDGEAUTO_INVENTORY", str(EXAMPLE))
    assert main(["inventory", "--list"]) == 0
    ours = json.loads(capsys.readouterr().out)
    assert main(["inventory", "-i", str(EXAMPLE), "--list"]) == 0
    assert ours == json.loads(capsys.readouterr().out)


def test_cli_without_i_nor_variable_names_both_ways_to_give_one(capsys):
    assert main(["inventory", "--list"]) == 5
    assert "use -i SOURCE or set EDGEAUTO_INVENTORY" in capsys.readouterr().err


@needs_ansible
def test_ansible_inventory_variable_gives_what_ansible_inventory_gives(oracle_env, monkeypatch):
    env, workdir = oracle_env
    value = f"{ONE},{TWO}"
    proc = subprocess.run(
        [ansible_inventory_exe(), "--list"],
        env={**env, "ANSIBLE_INVENTORY": value},
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    monkeypatch.setenv("ANSIBLE_INVENTORY", value)
    monkeypatch.chdir(workdir)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["inventory", "--list"]) == 0
    assert json.loads(out.getvalue()) == json.loads(proc.stdout)
