"""The one controller-file search rule (playbook/search.py), on real directory trees, and
validation using it: what validation accepts is what the run finds."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgeauto.playbook import check_playbook
from edgeauto.playbook.search import (
    YAML_EXTS,
    find_controller_file,
    search_bases,
    searched_text,
)


def _touch(path: Path, text: str = "x\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def tree(tmp_path):
    """A playbook dir with a role whose tasks include a nested task file."""
    role = tmp_path / "roles" / "web"
    _touch(role / "tasks" / "main.yml", "[]\n")
    _touch(role / "tasks" / "sub" / "more.yml", "[]\n")
    return tmp_path, role


def test_bases_in_order_role_then_task_file_dir_and_parent_then_playbook_dir(tree):
    basedir, role = tree
    task_file = role / "tasks" / "sub" / "more.yml"
    bases = search_bases("files", role_path=role, task_file=task_file, basedir=basedir)
    assert bases == [
        role / "files",
        role,
        role / "tasks" / "files",
        role / "tasks",
        role / "tasks" / "sub" / "files",
        role / "tasks" / "sub",
        basedir / "files",
        basedir,
    ]


def test_bases_have_no_duplicates_and_no_role_or_task_file_is_fine(tmp_path):
    pb = tmp_path / "site.yml"
    assert search_bases("vars", role_path=None, task_file=pb, basedir=tmp_path) == [
        tmp_path / "vars",
        tmp_path,
        tmp_path.parent / "vars",
        tmp_path.parent,
    ]
    assert search_bases("vars", role_path=None, task_file=None, basedir=tmp_path) == [
        tmp_path / "vars",
        tmp_path,
    ]
    assert search_bases("tasks", role_path=None, task_file="", basedir=tmp_path)[0] == (
        tmp_path / "tasks"
    )


def test_unknown_kind_is_a_programming_error(tmp_path):
    with pytest.raises(ValueError):
        search_bases("filez", role_path=None, task_file=None, basedir=tmp_path)


def test_role_kind_dir_wins_over_the_playbook_dir(tree):
    basedir, role = tree
    _touch(basedir / "files" / "motd")
    in_role = _touch(role / "files" / "motd")
    found = find_controller_file(
        "files", "motd", role_path=role, task_file=role / "tasks" / "main.yml", basedir=basedir
    )
    assert found == in_role


def test_nested_task_file_finds_files_beside_the_playbook(tree):
    basedir, _role = tree
    src = _touch(basedir / "files" / "app.conf")
    task_file = basedir / "includes" / "deploy.yml"
    _touch(task_file, "[]\n")
    assert find_controller_file("files", "app.conf", task_file=task_file, basedir=basedir) == src
    # and the task file's parent (the run's rule) even when basedir is elsewhere
    other = basedir / "elsewhere"
    other.mkdir()
    assert find_controller_file("files", "app.conf", task_file=task_file, basedir=other) == src


def test_directories_only_when_allowed(tree):
    basedir, _role = tree
    (basedir / "files" / "tree").mkdir(parents=True)
    assert find_controller_file("files", "tree", basedir=basedir) is None
    found = find_controller_file("files", "tree", basedir=basedir, allow_dir=True)
    assert found == basedir / "files" / "tree"


def test_vars_with_and_without_extension(tree):
    basedir, role = tree
    plain = _touch(role / "vars" / "common.yml", "a: 1\n")
    where = {"role_path": role, "task_file": role / "tasks" / "main.yml", "basedir": basedir}
    assert find_controller_file("vars", "common", exts=YAML_EXTS, **where) == plain
    assert find_controller_file("vars", "common.yml", exts=YAML_EXTS, **where) == plain
    assert find_controller_file("vars", "common", **where) is None  # no exts: exact name only
    beside = _touch(basedir / "vars" / "site.json", "{}\n")
    assert find_controller_file("vars", "site", exts=YAML_EXTS, **where) == beside


def test_task_files_role_tasks_dir_first(tree):
    basedir, role = tree
    _touch(basedir / "more.yml", "[]\n")
    where = {"role_path": role, "task_file": role / "tasks" / "main.yml", "basedir": basedir}
    assert find_controller_file("tasks", "sub/more", exts=YAML_EXTS, **where) == (
        role / "tasks" / "sub" / "more.yml"
    )
    assert find_controller_file("tasks", "more.yml", **where) == basedir / "more.yml"


def test_absolute_names_as_they_are(tmp_path):
    real = _touch(tmp_path / "abs" / "x.yml")
    assert find_controller_file("vars", str(real), basedir=Path("/nonexistent")) == real
    assert find_controller_file("vars", str(real)[:-4], exts=YAML_EXTS, basedir=tmp_path) == real
    assert find_controller_file("vars", str(tmp_path / "nope"), basedir=tmp_path) is None


def test_searched_text_lists_the_bases(tree):
    basedir, role = tree
    text = searched_text("templates", role_path=role, task_file=None, basedir=basedir)
    assert text.split(", ") == [
        str(role / "templates"),
        str(role),
        str(role / "tasks" / "templates"),
        str(role / "tasks"),
        str(basedir / "templates"),
        str(basedir),
    ]


# ---------------------------------------------------------------- validation uses the rule
def test_validation_accepts_include_vars_without_extension_and_src_beside_task_file(write):
    write("vars/settings.yml", "port: 80\n")
    write("includes/files/app.conf", "x\n")
    write(
        "includes/deploy.yml",
        """
        - copy: {src: app.conf, dest: /etc/app.conf}
        - include_vars: settings
        """,
    )
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - import_tasks: includes/deploy.yml\n")
    assert [str(p) for p in check_playbook(path)[1]] == []


def test_validation_refuses_a_template_that_is_a_directory(write, tmp_path):
    (tmp_path / "templates" / "conf.j2").mkdir(parents=True)
    path = write("pb.yml", "- hosts: all\n  tasks:\n    - template: {src: conf.j2, dest: /etc/x}\n")
    playbook, lenient = check_playbook(path)  # looked up again when the task runs: a warning
    assert lenient == [] and any("conf.j2" in str(w) for w in playbook.warnings)
    problems = [str(p) for p in check_playbook(path, strict=True)[1]]
    assert len(problems) == 1 and "template src 'conf.j2' not found; looked in: " in problems[0]
    assert str(tmp_path / "templates") in problems[0]
