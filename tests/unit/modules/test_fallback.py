"""The fallback for modules edgeauto does not implement: resolution, validation, packaging and
the result mapping (the lab tests run them on real hosts)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from edgeauto.modules.base import CompileContext
from edgeauto.modules.fallback import ModuleSource, Refusal, find_module, module_for
from edgeauto.modules.fallback.package import STDIN_PARAMS, encode_args, package
from edgeauto.modules.fallback.result import module_result, parse_output
from edgeauto.playbook.validate import check_playbook

pytest.importorskip("ansible", reason="ansible-core (the packager) is not installed")
MARKER = Path(__file__).resolve().parents[2] / "integration" / "fallback" / "ea_marker.py"


def test_ansible_core_modules_resolve_through_ansible_cores_own_loader():
    for name in ("debconf", "ansible.builtin.debconf", "ansible.legacy.debconf"):
        found = find_module(name)
        assert isinstance(found, ModuleSource), name
        assert found.fqcn == "ansible.builtin.debconf" and found.path.name == "debconf.py"
        assert found.name == name
    assert find_module("no_such_module_anywhere") is None
    assert find_module("nosuchns.nosuchcoll.thing") is None


def test_modules_with_a_controller_side_action_plugin_are_refused_with_the_reason():
    found = find_module("ansible.builtin.pause")
    assert isinstance(found, Refusal)
    assert "action plugin" in found.reason


def test_a_library_module_wins_for_short_and_legacy_names(tmp_path):
    (tmp_path / "debconf.py").write_text(MARKER.read_text())
    for name in ("debconf", "ansible.legacy.debconf"):
        found = find_module(name, [tmp_path])
        assert found.path == tmp_path / "debconf.py" and found.fqcn == "ansible.legacy.debconf"
    assert find_module("ansible.builtin.debconf", [tmp_path]).fqcn == "ansible.builtin.debconf"


def _project(tmp_path: Path, tasks: str) -> Path:
    role = tmp_path / "roles" / "r" / "library"
    role.mkdir(parents=True)
    (role / "ea_marker.py").write_text(MARKER.read_text())
    (tmp_path / "roles" / "r" / "tasks").mkdir()
    (tmp_path / "roles" / "r" / "tasks" / "main.yml").write_text(
        "- ea_marker: {path: /tmp/x, content: y}\n"
    )
    site = tmp_path / "site.yml"
    site.write_text(
        "- hosts: all\n  gather_facts: false\n  roles: [r]\n  tasks:\n"
        + textwrap.indent(textwrap.dedent(tasks), "    ")
    )
    return site


def test_validation_accepts_ansible_modules_and_leaves_their_arguments_to_them(tmp_path):
    site = _project(
        tmp_path,
        """\
        - ansible.builtin.debconf: {name: tzdata, not_an_option_we_check: 1}
        - ea_marker: {path: /tmp/y}
        - action: ea_marker path=/tmp/z
        """,
    )
    playbook, problems = check_playbook(site)
    assert problems == []
    tasks = playbook.plays[0].tasks
    assert [t.fallback.fqcn for t in tasks] == [
        "ansible.builtin.debconf",
        "ansible.legacy.ea_marker",
        "ansible.legacy.ea_marker",
    ]
    assert playbook.plays[0].roles[0].tasks[0].fallback.path.name == "ea_marker.py"


def test_a_module_found_nowhere_stays_an_error_with_file_and_line(tmp_path):
    site = _project(
        tmp_path,
        """\
        - name: typo
          no_such_module_anywhere: {x: 1}
        - ansible.builtin.dnf: {name: acl}
        """,
    )
    playbook, problems = check_playbook(site)
    text = [str(p) for p in problems]
    assert len(text) == 1, text
    assert f"{site}:6:7" in text[0] and "unknown module 'no_such_module_anywhere'" in text[0]
    # a real Ansible module edgeauto cannot run is no typo: a warning, an error if it runs
    (warning,) = [str(w) for w in playbook.warnings]
    assert f"{site}:7:7" in warning and "action plugin" in warning
    assert len(check_playbook(site, strict=True)[1]) == 2


def test_a_misspelt_ansible_module_gets_a_did_you_mean(tmp_path):
    site = _project(tmp_path, "- ansible.builtin.debconff: {name: x}\n")
    _, problems = check_playbook(site)
    assert "did you mean 'ansible.builtin.debconf'" in str(problems[0])


def test_the_package_is_built_once_per_module_and_carries_no_arguments():
    source = find_module("debconf")
    first = package(source, {"name": "one-secret-value"})
    second = package(source, {"name": "two"})
    assert first is second and first.style == "stdin" and first.needs_python
    assert STDIN_PARAMS.encode() in first.payload
    assert b"one-secret-value" not in first.payload
    args = json.loads(encode_args(first, {"name": "two"}))
    assert args == {"ANSIBLE_MODULE_ARGS": {"name": "two"}}


def test_compile_sends_ansibles_internal_arguments_and_shares_the_module_payload():
    module = module_for(find_module("debconf"))
    ctx = CompileContext(check_mode=True, diff=True, host="h1", no_log=True)
    call = module.compile({"name": "tzdata"}, ctx)
    assert call.function == "ea_ansible_module" and call.files == ["ansible_module.sh"]
    sent = json.loads(call.payloads["args"])["ANSIBLE_MODULE_ARGS"]
    assert sent["name"] == "tzdata" and sent["_ansible_module_name"] == "debconf"
    assert sent["_ansible_check_mode"] and sent["_ansible_diff"] and sent["_ansible_no_log"]
    assert "shared-module" in call.payloads
    assert "h1" in call.argv[-1] and "no Python" in call.argv[-1]


def test_a_host_whose_facts_show_no_python_fails_at_compile_time():
    module = module_for(find_module("debconf"))
    ctx = CompileContext(host="dev1", task_vars={"ansible_facts": {"system": "Linux"}})
    with pytest.raises(Exception, match="host 'dev1' has no Python"):
        module.compile({"name": "tzdata"}, ctx)
    # facts a module returned are no gathered facts: the target decides then
    ctx = CompileContext(host="dev1", task_vars={"ansible_facts": {"acme": 1}})
    assert module.compile({"name": "tzdata"}, ctx).function == "ea_ansible_module"


def test_results_are_mapped_as_ansible_playbook_maps_them():
    out = 'junk before\n{"changed": true, "rc": 0, "_ansible_x": 1, "warnings": [],\n "stdout": "a\\nb"}\ntrailing'
    result = module_result(out, "", 0)
    assert result == {
        "changed": True,
        "rc": 0,
        "stdout": "a\nb",
        "stdout_lines": ["a", "b"],
        "failed": False,
    }
    assert module_result('{"rc": 3}', "", 0)["failed"] is True  # no 'failed': rc decides
    failed = module_result('{"failed": true, "msg": "no"}', "", 1)
    assert failed["exception"] == "(traceback unavailable)" and failed["changed"] is False
    broken = module_result("not json", "Traceback ...", 1)
    assert broken["failed"] and broken["msg"].startswith("Module result deserialization failed")
    assert broken["module_stdout"] == "not json" and broken["rc"] == 1
    assert parse_output("[1, 2]")[0] is None


def test_without_ansible_core_an_ansible_module_name_says_what_to_install(tmp_path, monkeypatch):
    from edgeauto.modules.fallback import resolve

    monkeypatch.setattr(resolve, "plugin_loaders", lambda: None)
    monkeypatch.setattr(resolve, "LOADER_ERROR", "ansible-core is not installed")
    site = _project(tmp_path, "- community.general.never_cached_name: {x: 1}\n")
    _, problems = check_playbook(site)
    text = str(problems[0])
    assert "ansible-core is not installed" in text and "edgeauto[ansible]" in text
