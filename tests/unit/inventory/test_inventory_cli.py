"""``edgeauto inventory`` command-line behaviour: errors, exit codes, output file."""

from __future__ import annotations

import json

import pytest

from edgeauto.cli import main

from .conftest import CASES, EXAMPLE


def _run(capsys, *args):
    code = main(["inventory", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_missing_action_is_a_usage_error(capsys):
    code, _out, err = _run(capsys, "-i", str(EXAMPLE))
    assert code == 5 and "one of --list, --host or --graph" in err


def test_missing_inventory_is_a_usage_error(capsys):
    code, _out, err = _run(capsys, "--list")
    assert code == 5 and "no inventory given" in err


def test_host_matching_several_hosts_is_refused(capsys):
    code, _out, err = _run(capsys, "-i", str(EXAMPLE), "--host", "devices")
    assert code == 1 and "exactly one host; 'devices' matches 6" in err


def test_graph_of_unknown_group_suggests_the_close_name(capsys):
    code, _out, err = _run(capsys, "-i", str(EXAMPLE), "--graph", "gateway")
    assert code == 1 and "did you mean 'gateways'" in err


def test_bad_inventory_prints_file_and_line_without_traceback(capsys, tmp_path):
    bad = tmp_path / "hosts.ini"
    bad.write_text("[g]\nh\n[g:nope]\n")
    code, _out, err = _run(capsys, "-i", str(bad), "--list")
    assert code == 1
    assert err.startswith(f"ERROR: {bad}:3: section [g:nope] has unknown type 'nope'")
    assert "Traceback" not in err


def test_output_file_receives_the_json(capsys, tmp_path):
    target = tmp_path / "inv.json"
    code, out, _err = _run(capsys, "-i", str(EXAMPLE), "--list", "--output", str(target))
    assert code == 0 and out == ""
    assert "gateways" in json.loads(target.read_text())


@pytest.mark.parametrize("flag", ["--limit", "-l"])
def test_limit_restricts_list_hosts_and_hostvars(capsys, flag):
    code, out, _err = _run(capsys, "-i", str(EXAMPLE), "--list", flag, "gateways")
    data = json.loads(out)
    assert code == 0
    assert sorted(data["_meta"]["hostvars"]) == ["gw-berlin-01", "gw-lyon-01"]
    assert "servers" not in data


def test_several_inventories_and_a_comma_list_merge(capsys):
    code, out, _err = _run(
        capsys, "-i", str(CASES / "merge/one/hosts.ini"), "-i", "extra1,", "--list"
    )
    data = json.loads(out)
    assert code == 0 and data["ungrouped"]["hosts"] == ["extra1"]
    assert data["edge"]["hosts"] == ["n1", "n2"]
