"""Lookups that read the controller's files: search order role → playbook dir, like Ansible."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeauto.errors import TemplateError
from edgeauto.templating import Templar, VaultSecrets, is_secret
from edgeauto.templating.vault import encrypt


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    """A playbook dir with files/ and templates/, and a role with its own files/ and templates/."""
    pb = tmp_path / "pb"
    role = pb / "roles" / "web"
    for d in (pb / "files" / "conf.d", pb / "templates", role / "files", role / "templates"):
        d.mkdir(parents=True)
    (pb / "files" / "motd").write_text("playbook motd\n")
    (pb / "files" / "only_pb.txt").write_text("pb only")
    (pb / "beside_playbook.txt").write_text("beside")
    (role / "files" / "motd").write_text("role motd\n")
    (pb / "files" / "conf.d" / "a.conf").write_text("a")
    (pb / "files" / "conf.d" / "b.conf").write_text("b")
    (pb / "files" / "conf.d" / "c.txt").write_text("c")
    (role / "templates" / "site.j2").write_text(
        "{% for p in ports %}\nlisten {{ p }}\n{% endfor %}\n"
    )
    (pb / "templates" / "hello.j2").write_text("hello {{ name }}")
    return {"pb": pb, "role": role}


def _templar(project, **variables) -> Templar:
    return Templar(variables, basedir=project["pb"], search_paths=[project["role"]])


def test_file_lookup_prefers_role_files_dir(project):
    t = _templar(project)
    assert t.render("{{ lookup('file', 'motd') }}") == "role motd"


def test_file_lookup_falls_back_to_playbook_dir(project):
    t = _templar(project)
    assert t.render("{{ lookup('file', 'only_pb.txt') }}") == "pb only"
    assert t.render("{{ lookup('file', 'beside_playbook.txt') }}") == "beside"
    assert (
        Templar({}, basedir=project["pb"]).render("{{ lookup('file', 'motd') }}") == "playbook motd"
    )


def test_file_lookup_keeps_whitespace_on_request_and_joins_many(project):
    t = _templar(project)
    assert t.render("{{ lookup('file', 'motd', rstrip=false) }}") == "role motd\n"
    assert t.render("{{ lookup('file', 'motd', 'only_pb.txt') }}") == "role motd,pb only"
    assert t.render("{{ query('file', 'motd', 'only_pb.txt') }}") == ["role motd", "pb only"]


def test_missing_file_lookup_lists_searched_paths(project):
    with pytest.raises(TemplateError) as err:
        _templar(project).render("{{ lookup('file', 'nope.txt') }}")
    assert "could not find 'nope.txt'" in str(err.value)
    assert str(project["role"] / "files" / "nope.txt") in str(err.value)


def test_vaulted_file_lookup_decrypts_and_is_secret(project):
    secrets = VaultSecrets.from_password("pw")
    (project["pb"] / "files" / "key.pem").write_text(encrypt(b"PRIVATE\n", secrets))
    t = Templar({}, basedir=project["pb"], vault=secrets)
    value = t.render("{{ lookup('file', 'key.pem') }}")
    assert value == "PRIVATE" and is_secret(value)


def test_template_lookup_renders_with_host_vars(project):
    t = _templar(project, ports=[80, 443], name="edge")
    assert t.render("{{ lookup('template', 'site.j2') }}") == "listen 80\nlisten 443\n"
    assert t.render("{{ lookup('template', 'hello.j2') }}") == "hello edge"


def test_fileglob_matches_files_under_files_dir(project):
    t = _templar(project)
    found = t.render("{{ query('fileglob', 'conf.d/*.conf') }}")
    assert [Path(p).name for p in found] == ["a.conf", "b.conf"]
    assert all(Path(p).is_absolute() for p in found)
    assert t.render("{{ lookup('fileglob', '/nonexistent/*') }}") == []  # as ansible-core


def test_first_found_uses_search_path(project):
    t = _templar(project, os="debian")
    found = t.render("{{ lookup('first_found', ['{{ os }}.yml', 'motd']) }}")
    assert found == str(project["role"] / "files" / "motd")
    found = t.render("{{ lookup('first_found', {'files': ['x', 'a.conf'], 'paths': ['conf.d']}) }}")
    assert found.endswith("conf.d/a.conf")


def test_pipe_runs_in_playbook_dir(project):
    t = _templar(project)
    assert t.render("{{ lookup('pipe', 'ls files/conf.d | head -1') }}") == "a.conf"
    with pytest.raises(TemplateError) as err:
        t.render("{{ lookup('pipe', 'exit 3') }}")
    assert "exited with 3" in str(err.value)


def test_env_lookup_reads_controller_environment(project, monkeypatch):
    monkeypatch.setenv("EDGEAUTO_TEST_ENV", "on")
    assert _templar(project).render("{{ lookup('env', 'EDGEAUTO_TEST_ENV') }}") == "on"


def test_unknown_lookup_suggests_a_name(project):
    with pytest.raises(TemplateError) as err:
        _templar(project).render("{{ lookup('fileglobs', '*') }}")
    assert "did you mean 'fileglob'" in str(err.value)


def test_template_include_finds_sibling_templates_and_keeps_vars_lazy(project):
    (project["role"] / "templates" / "part.j2").write_text("part {{ name }} {{ extra }}")
    (project["role"] / "templates" / "main.j2").write_text(
        "{% set extra = 'x' %}{% include 'part.j2' %}"
    )
    # 'broken' is never read, so it must not fail the render (Ansible is lazy too)
    t = _templar(project, name="edge", broken="{{ undefined_thing }}")
    assert t.render("{{ lookup('template', 'main.j2') }}") == "part edge x"


def test_file_lookup_text_with_braces_is_not_templated_when_stored(project):
    (project["pb"] / "files" / "dash.json").write_text('{"title": "{{ grafana_var }}"}')
    t = _templar(project)
    stored = t.render("{{ lookup('file', 'dash.json') }}")
    # as if set_fact stored it and a later task reads it back
    assert Templar({"dash": stored}).render("{{ dash }}") == '{"title": "{{ grafana_var }}"}'


def test_inventory_hostnames_applies_host_patterns_to_groups():
    groups = {"all": ["w1", "w2", "db1"], "web": ["w1", "w2"], "db": ["db1"], "prod": ["w2", "db1"]}
    t = Templar({"groups": groups})
    assert t.render("{{ query('inventory_hostnames', 'all:!db') }}") == ["w1", "w2"]
    assert t.render("{{ query('inventory_hostnames', 'web:&prod') }}") == ["w2"]
    assert t.render("{{ lookup('inventory_hostnames', 'db,web') }}") == "db1,w1,w2"


def test_lines_lookup_splits_command_output(project):
    t = _templar(project)
    assert t.render("{{ query('lines', 'printf \"a\\nb\\n\"') }}") == ["a", "b"]


def test_first_found_for_with_loops_uses_the_action_subdir(project):
    from edgeauto.templating.lookups import run_lookup

    (project["role"] / "vars").mkdir()
    (project["role"] / "vars" / "debian.yml").write_text("a: 1")
    t = _templar(project)
    found = run_lookup(
        t, "first_found", [["redhat.yml", "debian.yml"]], {"_with_action": "include_vars"}
    )
    assert found == [str(project["role"] / "vars" / "debian.yml")]
    found = run_lookup(
        t, "first_found", [["site.j2"]], {"_with_action": "ansible.builtin.template"}
    )
    assert found == [str(project["role"] / "templates" / "site.j2")]


def test_with_first_found_loop_passes_the_task_action(project):
    """``with_first_found`` on include_vars finds the role's vars/ file (as ansible-core does):
    the loop expansion must hand the task's action to the lookup."""
    from edgeauto.planner.loops import loop_items

    (project["role"] / "vars").mkdir()
    (project["role"] / "vars" / "Debian.yml").write_text("a: 1")
    t = _templar(project)
    items = loop_items("with_first_found", ["Debian-12.yml", "Debian.yml"], t, None, "include_vars")
    assert items == [str(project["role"] / "vars" / "Debian.yml")]


def test_varnames_lists_matching_variable_names(project):
    """devsec ssh_hardening guards set_fact with ``not lookup('varnames', '^name$')``; the
    answers are ansible-core 2.19's for the same variables."""
    t = _templar(project, qz_a=1, qz_b=2, other=3)
    assert t.render("{{ lookup('varnames', '^qz_') }}") == "qz_a,qz_b"
    assert t.render("{{ query('varnames', '^qz_', 'her$') }}") == ["qz_a", "qz_b", "other"]
    assert t.render("{{ not lookup('varnames', '^nope$') }}") is True
