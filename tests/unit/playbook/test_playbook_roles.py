"""Roles: where they are found, what is loaded from them, dependencies and precedence."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.errors import ValidationError
from edgeauto.playbook import iter_playbook_tasks, load_playbook, load_role, role_with_dependencies

from .conftest import FIXTURES

SEARCH = FIXTURES / "roles_search"


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("EDGEAUTO_ROLES_PATH", raising=False)
    monkeypatch.delenv("ANSIBLE_ROLES_PATH", raising=False)
    return monkeypatch


@pytest.mark.parametrize("how", ["argument", "EDGEAUTO_ROLES_PATH", "ANSIBLE_ROLES_PATH"])
def test_roles_are_found_through_roles_path_and_both_environment_variables(clean_env, how):
    extra = SEARCH / "extra_roles"
    roles_path = []
    if how == "argument":
        roles_path = [extra]
    else:
        clean_env.setenv(how, f"/nonexistent:{extra}")
    play = load_playbook(SEARCH / "search.yml", roles_path=roles_path).plays[0]
    elsewhere = play.roles[0]
    assert elsewhere.name == "elsewhere" and elsewhere.path == extra / "elsewhere"
    assert elsewhere.defaults == {"where": "roles_path"}


def test_a_role_without_a_roles_path_is_reported_with_the_places_searched(clean_env):
    with pytest.raises(ValidationError) as err:
        load_playbook(SEARCH / "search.yml")
    text = str(err.value)
    assert "search.yml:3:7: role 'elsewhere' not found; looked in:" in text
    assert str(SEARCH / "roles") in text


def test_role_in_the_playbook_dir_itself_and_role_without_tasks_load(clean_env):
    play = load_playbook(SEARCH / "search.yml", roles_path=[SEARCH / "extra_roles"]).plays[0]
    beside, notasks = play.roles[1], play.roles[2]
    assert beside.path == SEARCH / "beside" and [t.name for t in beside.tasks] == [
        "role in the playbook dir itself"
    ]
    assert notasks.tasks == [] and notasks.defaults == {"nothing": "here"}


def test_import_role_from_options_pick_other_files(clean_env):
    play = load_playbook(SEARCH / "search.yml", roles_path=[SEARCH / "extra_roles"]).plays[0]
    task = next(e.task for e in iter_playbook_tasks(_pb(play)) if e.task.name == "alt second")
    assert task.role.vars == {"from": "second vars"}
    assert task.role.defaults == {"from_defaults": "second"}
    assert [h.name for h in play.handlers] == ["alt second handler"]


def _pb(play):
    from edgeauto.playbook import Playbook

    return Playbook(path=Path("x"), plays=[play])


def test_dependencies_run_first_once_per_play_unless_params_differ(site_dir):
    play = load_playbook(site_dir / "site.yml").plays[0]
    order = [(r.name, dict(r.params)) for r in play.roles]
    # common listed first; web depends on common (already ran, same params) and dup;
    # common again with other params runs again.
    assert order == [
        ("common", {}),
        ("dup", {}),
        ("web", {"http_port": 9090}),
        ("common", {"flavour": "second"}),
    ]
    web = play.roles[2]
    assert [d.name for d in web.dependencies] == ["common", "dup"]


def test_a_dependency_inherits_when_and_tags_of_the_role_needing_it(site_dir):
    play = load_playbook(site_dir / "site.yml").plays[0]
    dup = play.roles[1]
    assert dup.when == ['ansible_os_family == "Debian"'] and dup.tags == ["web"]


def test_allow_duplicates_lets_a_role_run_again(write):
    write("roles/once/tasks/main.yml", "- command: /bin/true\n")
    write("roles/many/tasks/main.yml", "- command: /bin/true\n")
    write("roles/many/meta/main.yml", "allow_duplicates: true\n")
    path = write("pb.yml", "- hosts: all\n  roles: [once, once, many, many]\n")
    names = [r.name for r in load_playbook(path).plays[0].roles]
    assert names == ["once", "many", "many"]


def test_load_role_for_include_role_gives_dependencies_in_run_order(site_dir):
    role = load_role("web", basedir=site_dir, params={"http_port": 1})
    assert [r.name for r in role_with_dependencies(role)] == ["common", "dup", "web"]
    assert role.params == {"http_port": 1}
    assert [t.name for t in role.tasks][:2] == ["page", "motd"]
    assert [h.name for h in role.handlers] == ["reload web"]


def test_role_defaults_and_vars_are_loaded_separately(site_dir):
    role = load_role("web", basedir=site_dir)
    assert role.defaults == {"http_port": 80, "web_root": "/srv/www", "only_default": "d"}
    assert role.vars == {"web_user": "www-data"}


def _compose(play, role, extra):
    from edgeauto.templating.variables import VarLayers

    layers = VarLayers(
        {
            "role_defaults": role.defaults,
            "play_vars": play.vars,
            "role_vars": role.vars,
            "role_params": role.params,
            "extra_vars": extra,
        }
    )
    return layers.compose()


def test_role_defaults_lose_to_play_vars_which_lose_to_role_vars_params_and_extra_vars():
    play = load_playbook(SEARCH / "precedence.yml").plays[0]
    got = _compose(play, play.roles[0], {"d": "extra"})
    assert {k: got[k] for k in "abcde"} == {
        "a": "play",
        "b": "rolevar",
        "c": "param",
        "d": "extra",
        "e": "rolevar",
    }


@pytest.mark.slow
def test_precedence_matches_ansible_playbook(tmp_path):
    """Oracle: ansible-playbook runs the same playbook on localhost (connection local, only
    `echo`) and prints the resolved values; edgeauto's loaded layers must compose the same."""
    binary = Path(sys.executable).parent / "ansible-playbook"
    if not binary.exists() and not shutil.which("ansible-playbook"):
        pytest.skip("ansible-core (test oracle) is not installed")
    env = dict(
        os.environ,
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path),
        ANSIBLE_HOME=str(tmp_path),
        ANSIBLE_PYTHON_INTERPRETER=sys.executable,
    )
    result = subprocess.run(
        [str(binary), "-v", "-i", "localhost,", "-c", "local", "-e", "d=extra", "precedence.yml"],
        cwd=SEARCH,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    stdout = json.loads(re.search(r'"stdout": ("[^"]*")', result.stdout).group(1))
    ansible_values = dict(pair.split("=", 1) for pair in stdout.split())
    play = load_playbook(SEARCH / "precedence.yml").plays[0]
    ours = _compose(play, play.roles[0], {"d": "extra"})
    assert {k: str(ours[k]) for k in ansible_values} == ansible_values


def test_keywords_on_a_roles_entry_wrap_the_role_tasks_in_a_block(write):
    write("roles/r/tasks/main.yml", "- command: /bin/true\n- command: /bin/false\n")
    path = write(
        "pb.yml",
        "- hosts: all\n  roles:\n    - {role: r, ignore_errors: true, become: yes, x: 1}\n",
    )
    role = load_playbook(path).plays[0].roles[0]
    (block,) = role.tasks
    assert block.ignore_errors is True and block.become.become is True
    assert len(block.block) == 2 and role.params == {"x": 1}


def test_a_role_entry_with_its_own_tags_or_when_is_a_different_role_as_in_ansible(write):
    write("roles/c/tasks/main.yml", "- command: /bin/true\n")
    path = write(
        "pb.yml",
        """
        - hosts: all
          roles:
            - c
            - {role: c, tags: [x]}
            - {role: c, when: y}
            - {role: c, tags: [x]}
        """,
    )
    roles = load_playbook(path).plays[0].roles
    assert [(r.tags, r.when) for r in roles] == [([], []), (["x"], []), ([], ["y"])]


def test_role_defaults_may_be_a_directory_of_files_merged_in_name_order(write):
    write("roles/d/defaults/main/10-a.yml", "a: 1\nb: 1\n")
    write("roles/d/defaults/main/20-b.yml", "b: 2\n")
    role = load_role("d", basedir=write("pb.yml", "").parent)
    assert role.defaults == {"a": 1, "b": 2}


def test_role_parameters_are_checked_against_meta_argument_specs(write):
    write("roles/s/tasks/main.yml", "- command: /bin/true\n")
    write(
        "roles/s/meta/argument_specs.yml",
        """
argument_specs:
  main:
    options:
      listen_port: {type: int}
      mode: {type: str, choices: [fast, safe]}
      name: {type: str, required: true}
""",
    )
    from edgeauto.playbook import check_playbook

    path = write(
        "pb.yml",
        """
- hosts: all
  roles:
    - {role: s, listen_port: eighty, mode: fats}
    - {role: s, listen_port: "{{ p }}", mode: safe, p: 1}
""",
    )
    (problem,) = [str(p) for p in check_playbook(path)[1]]
    assert ":3:14: role 's' parameters:" in problem
    assert (
        "argument 'listen_port': expected an integer" in problem
        and "did you mean 'fast'" in problem
    )
