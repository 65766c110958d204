"""Small things a user trips over (issue 14, defect 11): messages name YAML kinds, never our
classes (PosList); a directory given as the playbook says so; ``doc -l`` lists the executor's
actions too; the README's exit codes are the real ones; ``-u`` sets ``ansible_user``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto import errors
from edgeauto.errors import EdgeautoError
from edgeauto.yamlsrc import load_yaml_text

REPO = Path(__file__).resolve().parents[2]


def edgeauto(*argv, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        cwd=cwd,
    )


@pytest.mark.parametrize(
    "make_error",
    [
        lambda: __import__("edgeauto.planner.loops", fromlist=["x"]).loop_items(
            "with_dict", load_yaml_text("[1, 2]"), None
        ),
        lambda: __import__("edgeauto.planner.loops", fromlist=["x"]).loop_items(
            "loop", load_yaml_text("7"), None
        ),
        lambda: load_yaml_text("? [a]\n: 1\n"),
    ],
)
def test_messages_name_yaml_kinds_not_internal_classes(make_error):
    with pytest.raises(EdgeautoError) as info:
        make_error()
    assert not re.search(r"Pos(List|Dict|Str)", str(info.value)), str(info.value)


def test_a_directory_given_as_the_playbook_says_it_is_a_directory(tmp_path):
    proc = edgeauto("run", "-i", "localhost,", str(tmp_path))
    assert proc.returncode == 1
    assert "is a directory, expected a playbook file" in proc.stderr


def test_doc_lists_the_actions_the_executor_implements():
    listing = edgeauto("doc", "-l").stdout
    for name in ("include_vars", "add_host", "group_by", "set_fact", "debug"):
        assert re.search(rf"^{name}\s", listing, re.M), name
    assert "OPTIONS" in edgeauto("doc", "add_host").stdout


def test_the_readme_exit_codes_are_the_real_ones():
    text = (REPO / "README.md").read_text()
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in (
        errors.EXIT_OK,
        errors.EXIT_ERROR,
        errors.EXIT_HOST_FAILED,
        errors.EXIT_HOST_UNREACHABLE,
        errors.EXIT_BAD_OPTIONS,
        errors.EXIT_INTERRUPTED,
        errors.EXIT_UNEXPECTED,
    ):
        assert f"`{code}`" in section, code
    usage = edgeauto("run", "--no-such-flag")
    assert usage.returncode == 2 and "usage error" in section


def test_dash_u_sets_ansible_user_unless_the_inventory_does(tmp_path):
    (tmp_path / "pb.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - debug: {msg: 'user={{ ansible_user }}'}\n"
    )
    (tmp_path / "inv.yml").write_text(
        "all:\n  hosts:\n    h1: {ansible_connection: local}\n"
        "    h2: {ansible_connection: local, ansible_user: carol}\n"
    )
    proc = edgeauto("run", "-i", "inv.yml", "pb.yml", "-u", "bob", "--no-retry-file", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "user=bob" in proc.stdout and "user=carol" in proc.stdout
