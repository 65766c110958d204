"""Validation's view of the controller's files: the files tasks need (``copy``/``template``
``src``, ``include_vars``), found by the run's own rule (:mod:`edgeauto.playbook.search`),
and the variable names vars files, ``group_vars``/``host_vars`` and the inventory define.
"""

from __future__ import annotations

from pathlib import Path

from edgeauto.errors import EdgeautoError, ParseError
from edgeauto.modules.spec import is_templated, to_bool
from edgeauto.playbook.model import Play, Task
from edgeauto.playbook.search import YAML_EXTS, find_controller_file, searched_text
from edgeauto.yamlsrc import load_yaml, position_of


def vars_dir_names(basedir: Path) -> set[str]:
    """Variable names in group_vars/ and host_vars/ beside the playbook (Ansible loads those
    for every inventory), so check-syntax without -i does not call them undefined."""
    names: set[str] = set()
    for sub in ("group_vars", "host_vars"):
        root = basedir / sub
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in YAML_EXTS:
                try:
                    data = load_yaml(path)
                except EdgeautoError:
                    continue
                if isinstance(data, dict):
                    names |= {str(k) for k in data}
    return names


def inventory_var_names(inventory) -> set[str]:
    """Every variable name the inventory gives any host or group (empty without one)."""
    names: set[str] = set()
    if inventory is None:
        return names
    try:
        for host in list(inventory.hosts):
            names |= set(inventory.host_vars(host))
        for group in list(inventory.groups):
            names |= set(inventory.group_vars(group))
    except (AttributeError, TypeError, EdgeautoError):
        pass
    return names


def load_vars_yaml(path: Path, vault):
    """A vars file's YAML; a whole-file vault-encrypted one is decrypted with ``vault``
    (without secrets that is a VaultError naming the file, like at run time)."""
    with open(path, "rb") as handle:
        head = handle.read(64)
    if head.lstrip().startswith(b"$ANSIBLE_VAULT"):
        from edgeauto.inventory.varsdirs import load_vars_file

        return load_vars_file(path, vault)
    return load_yaml(path)


def _where(task: Task, play: Play) -> dict:
    """The search context of a task: its role, the file it was written in, the playbook dir."""
    return {
        "role_path": task.role.path if task.role is not None else None,
        "task_file": task.pos.file if task.pos else None,
        "basedir": play.basedir,
    }


def include_vars_name(task: Task):
    """The file an include_vars task names (``file:`` or the free form), as written."""
    name = task.args.get("file") or task.args.get("_raw_params") or task.args.get("free_form")
    # as Ansible's include_vars strips a folded name's final newline (`include_vars: >`)
    return name.rstrip("\n") if isinstance(name, str) else name


def find_include_vars_file(name: str, task: Task, play: Play) -> Path | None:
    """The file an ``include_vars`` will load (with or without its .yml/.yaml/.json)."""
    return find_controller_file("vars", name, exts=YAML_EXTS, **_where(task, play))


def include_vars_problems(task: Task, play: Play) -> list[EdgeautoError]:
    name = include_vars_name(task)
    if not isinstance(name, str) or is_templated(name):
        return []
    if find_include_vars_file(name, task, play) is not None:
        return []
    return [ParseError(f"include_vars file '{name}' not found", position_of(name, task.pos))]


def src_file_problems(task: Task, play: Play) -> list[EdgeautoError]:
    """A static ``copy``/``template`` ``src`` the run would not find (``remote_src`` and
    templated names are left for the run)."""
    src = task.args.get("src")
    if not isinstance(src, str) or not src or is_templated(src):
        return []
    remote = task.args.get("remote_src")
    try:
        if remote is not None and (is_templated(remote) or to_bool(remote)):
            return []
    except ValueError:
        return []
    kind = "templates" if task.action == "template" else "files"
    where = _where(task, play)
    if find_controller_file(kind, src, allow_dir=kind == "files", **where) is not None:
        return []
    return [
        ParseError(
            f"{task.action} src '{src}' not found; looked in: {searched_text(kind, **where)}",
            position_of(src, task.pos),
        )
    ]
