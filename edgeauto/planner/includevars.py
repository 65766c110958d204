"""``include_vars`` on the controller: one file, or a whole directory (layer 2).

The directory form follows ansible-core 2.19's action plugin step for step, because playbooks
rely on its order (later files override earlier ones): the tree is walked with every directory
sorted by path and its files by name, ``depth`` limits how deep (0 = no limit), a file is taken
when ``files_matching`` (a regexp) finds its name, no ``ignore_files`` regexp matches its end,
and its extension is one of ``extensions`` (an unknown one fails the task unless
``ignore_unknown_extensions``). A role's ``dir`` is under its ``vars/``; elsewhere it is next to
the task's file. Failures are results with Ansible's ``message`` key, not errors, so
``ignore_errors`` + ``register`` see them as ansible-playbook's users do.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from edgeauto.errors import EdgeautoError
from edgeauto.planner.records import TRUSTED_FACTS

VALID_EXTENSIONS = ["yaml", "yml", "json"]


def include_vars(task, args: dict, ctx) -> dict:
    """Run ``include_vars`` for one host; the loaded variables go to ``ctx.state``."""
    from edgeauto.inventory.varsdirs import load_vars_file

    loaded: list[Path] = []
    if args.get("dir"):
        found = _dir_files(task, args, ctx)
        if isinstance(found, str):
            return _failed(found)
        files = found
    else:
        path = _one_file(task, args, ctx)
        if isinstance(path, str):
            return _failed(path)
        files = [(path, False)]
    data: dict = {}
    for path, check_ext in files:
        if check_ext and not _valid_ext(path.name, _extensions(args, task)):
            exts = ", ".join(_extensions(args, task))
            return _failed(f"{path} does not have a valid extension: {exts}")
        content = load_vars_file(path, ctx.vault)
        if content is None:
            content = {}
        if not isinstance(content, dict):
            return _failed(f"{path} must be stored as a dictionary/hash")
        loaded.append(path)
        data.update(content)
    if args.get("name"):
        data = {str(args["name"]): data}
    elif args.get("hash_behaviour") == "merge":
        data = _merged(getattr(ctx, "variables", None) or {}, data)
    ctx.state.included_vars.update(data)
    shown = [os.path.abspath(p) for p in loaded]  # as Ansible reports them
    # the values come from the user's own files: registered, they stay templates (TRUSTED)
    return {
        "changed": False,
        "ansible_included_var_files": shown,
        "ansible_facts": data,
        TRUSTED_FACTS: True,
    }


def _failed(message: str) -> dict:
    return {"failed": True, "changed": False, "message": message, "msg": message}


def _one_file(task, args: dict, ctx) -> Path | str:
    from edgeauto.playbook.search import find_controller_file, searched_text

    name = args.get("file") or args.get("_raw_params") or args.get("free_form")
    if isinstance(name, str):
        name = name.rstrip("\n")  # as Ansible's include_vars: `include_vars: >` + name
    if not name:
        return "Could not find file"
    where = _where(task, ctx)
    path = find_controller_file("vars", str(name), **where)
    if path is None:
        return f"Could not find or access '{name}' (searched {searched_text('vars', **where)})"
    return path


def _where(task, ctx) -> dict:
    return {
        "role_path": ctx.role_path,
        "task_file": task.pos.file if task.pos and task.pos.file else None,
        "basedir": ctx.basedir,
    }


def _root(task, source: str, ctx) -> Path:
    """Where ``dir:`` points: a role's ``vars/`` (or ``vars/...`` as given), else next to
    the task's own file (the playbook dir for a task without one)."""
    if ctx.role_path is not None:
        role = Path(ctx.role_path)
        if source.split("/")[0] == "vars" and (role / source).exists():
            return role / source
        return role / "vars" / source
    here = Path(task.pos.file).parent if task.pos and task.pos.file else Path(ctx.basedir)
    return here / source


def _dir_files(task, args: dict, ctx) -> list[tuple[Path, bool]] | str:
    source = str(args["dir"])
    root = _root(task, source, ctx)
    if not root.exists():
        return f"{root} directory does not exist"
    if not root.is_dir():
        return f"{root} is not a directory"
    depth = int(args.get("depth") or 0)
    matcher = _regexp(args.get("files_matching"), task) if args.get("files_matching") else None
    ignore = args.get("ignore_files") or []
    if isinstance(ignore, str):
        ignore = ignore.split()
    ignores = [_regexp(f"{pattern}$", task) for pattern in ignore]
    skip_unknown = bool(args.get("ignore_unknown_extensions"))
    extensions = _extensions(args, task)
    role_main = Path(ctx.role_path) / "vars" / "main.yml" if ctx.role_path else None
    out: list[tuple[Path, bool]] = []
    walked = sorted(os.walk(root, followlinks=True), key=lambda entry: entry[0])
    for current, _dirs, names in walked:
        if depth and len(Path(current).relative_to(root).parts) + 1 > depth:
            continue
        for name in sorted(names):
            path = Path(current) / name
            if role_main is not None and path == role_main:
                continue
            if matcher is not None and not matcher.search(name):
                continue
            if any(r.search(name) for r in ignores):
                continue
            if skip_unknown and not _valid_ext(name, extensions):
                continue
            out.append((path, True))
    return out


def _extensions(args: dict, task) -> list[str]:
    value = args.get("extensions")
    if value is None:
        return list(VALID_EXTENSIONS)
    if isinstance(value, str):
        return list(value)  # as Ansible does (a string becomes its characters)
    if not isinstance(value, list):
        raise EdgeautoError('Invalid type for "extensions" option, it must be a list', task.pos)
    return [str(v) for v in value]


def _valid_ext(name: str, extensions: list[str]) -> bool:
    return os.path.splitext(name)[1][1:] in extensions


def _regexp(pattern: str, task):
    try:
        return re.compile(str(pattern))
    except re.error:
        raise EdgeautoError(f"Invalid regular expression: {pattern}", task.pos) from None


def _merged(existing: dict, new: dict) -> dict:
    """``hash_behaviour: merge``: dicts merge recursively with the values already set."""
    out = {}
    for key, value in new.items():
        old = existing.get(key)
        out[key] = _deep_merge(old, value) if isinstance(old, dict) else value
    return out


def _deep_merge(old: dict, new):
    if not isinstance(new, dict):
        return new
    merged = dict(old)
    for key, value in new.items():
        prior = merged.get(key)
        merged[key] = _deep_merge(prior, value) if isinstance(prior, dict) else value
    return merged
