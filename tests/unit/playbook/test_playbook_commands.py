"""The check-syntax and doc commands as a user runs them (through edgeauto.cli.main)."""

from __future__ import annotations

import json

import pytest

from edgeauto.cli import main

from .conftest import FIXTURES


def test_check_syntax_on_a_valid_playbook_prints_its_name_and_exits_0(capsys, site_dir):
    path = str(site_dir / "site.yml")
    assert main(["check-syntax", path]) == 0
    assert capsys.readouterr().out.strip() == f"playbook: {path}"


def test_check_syntax_takes_extra_vars_and_roles_path(capsys, write, tmp_path):
    write("elsewhere/r/tasks/main.yml", "- command: /bin/true\n")
    path = write("pb.yml", '- hosts: "{{ grp }}"\n  roles: [r]\n')
    args = ["check-syntax", str(path), "--roles-path", str(tmp_path / "elsewhere")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "'grp'" in err and "1 problem(s) found" in err
    assert main([*args, "-e", "grp=web other=1"]) == 0
    assert main([*args, "-e", '{"grp": "web"}']) == 0
    write("ev.yml", "grp: web\n")
    assert main([*args, "-e", f"@{tmp_path / 'ev.yml'}"]) == 0


def test_check_syntax_reads_hosts_variables_from_an_inventory(capsys, write):
    inv = write("hosts.ini", "[web]\nw1 target=web\n")
    path = write("pb.yml", '- hosts: "{{ target }}"\n  tasks: []\n')
    assert main(["check-syntax", str(path), "-i", str(inv)]) == 0


def test_check_syntax_reports_every_problem_of_a_playbook(capsys):
    path = str(FIXTURES / "malformed" / "44_unsupported_throttle.yml")
    assert main(["check-syntax", path]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "'throttle'" in err[0] and "'delegate_facts'" in err[1]


def test_doc_lists_modules_with_their_short_description(capsys):
    assert main(["doc", "-l"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert {"file", "copy", "command"} <= set(names)
    assert names == sorted(names)


def test_doc_renders_options_marks_required_ones_and_names(capsys):
    assert main(["doc", "ansible.builtin.file"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("> FILE")
    assert "= path" in out and "- state" in out
    assert "choices: absent, directory" in out
    assert "ansible.builtin.file" in out


def test_doc_json_gives_the_spec(capsys):
    assert main(["doc", "-j", "copy"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "copy" and data["options"]["dest"]["required"] is True


def test_doc_for_an_unknown_module_suggests_a_close_name(capsys):
    assert main(["doc", "fiel"]) == 1
    assert "no module named 'fiel' (did you mean 'file'?)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["doc"]])
def test_doc_without_a_module_prints_usage(argv, capsys):
    assert main(argv) != 0


def test_check_syntax_uses_the_inventory_named_by_the_environment(capsys, write, monkeypatch):
    inv = write("hosts.ini", "[web]\nw1 target=web\n")
    path = write("pb.yml", '- hosts: "{{ target }}"\n  tasks: []\n')
    monkeypatch.delenv("ANSIBLE_INVENTORY", raising=False)
    monkeypatch.setenv("EDGEAUTO_INVENTORY", str(inv))
    assert main(["check-syntax", str(path)]) == 0


def test_check_syntax_json_lists_problems_with_positions(capsys):
    path = str(FIXTURES / "malformed" / "06_unknown_module.yml")
    assert main(["check-syntax", "--json", path]) == 1
    (report,) = json.loads(capsys.readouterr().out)
    (problem,) = report["problems"]
    assert (problem["file"], problem["line"], problem["col"]) == (path, 4, 7)
    assert problem["message"].startswith("unknown module 'fiel'")
    assert problem["hint"] == "did you mean 'file'?"
