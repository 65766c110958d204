"""Roles: where they are found, what is read from their directories, meta dependencies
and Ansible's once-per-play deduplication."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from edgeauto.errors import Position, did_you_mean
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.base import (
    FAILED,
    LoadContext,
    LoaderBase,
    describe,
    flatten_handlers,
)
from edgeauto.playbook.collections import find_collection_role
from edgeauto.playbook.fallback import remember_role_library
from edgeauto.playbook.model import Block, Role, Task
from edgeauto.playbook.search import YAML_EXTS
from edgeauto.yamlsrc import PosDict, position_of, to_plain


def roles_search_path(basedir: Path, roles_path=()) -> list[Path]:
    """Where roles are looked for, in order (roles/ beside the playbook first, playbook dir last)."""
    from edgeauto.config import active

    paths = [basedir / "roles", *[Path(p) for p in roles_path]]
    for env in ("EDGEAUTO_ROLES_PATH", "ANSIBLE_ROLES_PATH"):  # read now: tests change them
        paths += [Path(p).expanduser() for p in os.environ.get(env, "").split(":") if p]
    cfg = active()  # ansible.cfg's roles_path, else ansible-core's default directories
    if not os.environ.get("ANSIBLE_ROLES_PATH"):
        paths += [Path(p) for p in cfg.get("roles_path")]
    paths.append(basedir)
    return paths


def argument_spec_task(role: Role, entry_point: str) -> Task | None:
    """The task ansible-core puts first in a role whose meta/argument_specs.yml declares
    ``entry_point``: validate_argument_spec with the role's parameters, tagged ``always``."""
    from edgeauto.playbook.checks import argument_specs

    specs = argument_specs(role)
    entry = specs.get(entry_point) if specs else None
    if not isinstance(entry, dict) or not isinstance(entry.get("options"), dict):
        return None
    name = f"Validating arguments against arg spec '{entry_point}'"
    if entry.get("short_description"):
        name += f" - {entry['short_description']}"
    args = {
        "argument_spec": to_plain(entry["options"]),
        "provided_arguments": to_plain(dict(role.params)),
        "validate_args_context": {
            "type": "role",
            "name": role.name,
            "argument_spec_name": entry_point,
            "path": str(role.path),
        },
    }
    task = Task("validate_argument_spec", args, role.pos, name=name, role=role)
    task.tags = ["always"]
    return task


class RoleLoader(LoaderBase):
    """Role loading (mixed into :class:`~edgeauto.playbook.loader.Loader`)."""

    # ---------------------------------------------------------------- roles
    def _play_roles(self, ds: PosDict, ctx: LoadContext) -> list[Role]:
        value = ds.get("roles")
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(
                f"'roles' expects a list, found {describe(value)}",
                position_of(value, ds.pos_of("roles")),
            )
            return []
        out: list[Role] = []
        seen: set = set()
        for entry in value:
            role = self._role_entry(entry, ctx, position_of(value))
            if role is not None:
                _flatten_role(role, out, seen)
        return out

    def _role_entry(self, entry: Any, ctx: LoadContext, parent_pos) -> Role | None:
        """One item of `roles:` or of meta `dependencies:`."""
        if isinstance(entry, str):
            role = self.role(entry, position_of(entry, parent_pos), ctx)
            if role is not None:
                role.entry_key = _entry_key({}, [], [])
            return role
        if not isinstance(entry, dict):
            self.problem(
                f"a role entry must be a role name or a mapping with 'role', found {describe(entry)}",
                position_of(entry, parent_pos),
            )
            return None
        name = entry.get("role", entry.get("name"))
        if not isinstance(name, str) or not name:
            self.problem(f"a role entry needs 'role: <name>', found {describe(name)}", entry.pos)
            return None
        params = {
            k: v
            for k, v in entry.items()
            if str(k) not in kw.ROLE_ENTRY and str(k) not in kw.UNSUPPORTED
        }
        for k in entry:
            if str(k) in kw.UNSUPPORTED:
                self.problem(
                    f"keyword '{k}' is not supported by edgeauto",
                    entry.pos_of(k),
                    kw.UNSUPPORTED[str(k)],
                )
        params.update(self._mapping(entry, "vars"))
        rendered = self._render_static(
            name, {**ctx.static_vars, **self.extra_vars}, position_of(name, entry.pos), "role"
        )
        if rendered is None:
            return None
        role = self.role(rendered, position_of(name, entry.pos), ctx, params=params)
        if role is None:
            return None
        own_when = self._list(entry.get("when"), "when", entry.pos_of("when"))
        own_tags = self._tags(entry.get("tags"), entry.pos_of("tags"))
        role.when = own_when + role.when
        role.tags = own_tags + role.tags
        role.entry_key = _entry_key(role.params, own_when, own_tags)
        role.become = self._become(entry)
        role.environment = self._mapping(entry, "environment", allow_template=True)
        given = sorted(str(k) for k in entry if str(k) in kw.ROLE_BLOCK)
        if given and role.tasks:
            # Keywords on the `roles:` entry apply to every task of the role: carry them on
            # one block around the role's tasks (a block's unset keywords inherit).
            block = Block(block=role.tasks, pos=role.pos, role=role)
            block.become, block.environment = role.become, role.environment
            for key in given:
                if key == "delegate_to":
                    block.delegate_to = self._str(entry, key)
                elif key not in ("become", "environment") and not key.startswith("become_"):
                    setattr(block, key, self._bool(entry, key))
            role.tasks = [block]
        return role

    def find_role(self, name: str, ctx: LoadContext, pos) -> Path | None:
        if "/" in name or name.startswith("."):
            candidates = [Path(name)] if Path(name).is_absolute() else [ctx.basedir / name]
        else:
            candidates = [p / name for p in roles_search_path(ctx.basedir, self.roles_path)]
            if ctx.role is not None:
                candidates.insert(1, ctx.role.path.parent / name)
        for candidate in candidates:
            if candidate.is_dir():
                return candidate
        found, looked = find_collection_role(name, ctx.basedir)
        if found is not None:
            return found
        if looked:
            candidates, hint = looked, "install the collection (ansible-galaxy collection install)"
        else:
            existing = set()
            for base in roles_search_path(ctx.basedir, self.roles_path):
                if base.is_dir() and base != ctx.basedir:
                    existing |= {p.name for p in base.iterdir() if p.is_dir()}
            hint = did_you_mean(name, existing)
        self.problem(
            f"role '{name}' not found; looked in: "
            + ", ".join(str(c.parent) for c in dict.fromkeys(candidates)),
            pos,
            hint,
        )
        return None

    def role(
        self,
        name: str,
        pos,
        ctx: LoadContext,
        *,
        params: dict | None = None,
        tasks_from: str | None = None,
        vars_from: str | None = None,
        defaults_from: str | None = None,
        handlers_from: str | None = None,
    ) -> Role | None:
        path = self.find_role(str(name), ctx, pos)
        if path is None:
            return None
        key = "role:" + str(path.resolve())
        if key in ctx.chain:
            self.problem(f"role dependency cycle: role '{name}' depends on itself", pos)
            return None
        role = Role(name=Path(str(name)).name, path=path, pos=pos, params=dict(params or {}))
        remember_role_library(self, path)  # Ansible: a loaded role's library/ serves every task
        role.tasks_from = tasks_from or "main"
        role.defaults = self._role_vars_file(path / "defaults", defaults_from, pos)
        role.vars = self._role_vars_file(path / "vars", vars_from, pos)
        rctx = LoadContext(
            file=path / "tasks" / "main.yml",
            basedir=ctx.basedir,
            role=role,
            static_vars={**role.defaults, **ctx.static_vars, **role.vars, **role.params},
            handler_sink=[],
            chain=ctx.chain + (key,),
            dynamic=ctx.dynamic,
        )
        meta = self._role_file(path / "meta", None, pos)
        if meta is not None:
            data = self._read(meta, pos)
            if isinstance(data, dict):
                self._role_meta(role, data, rctx)
            elif data not in (None, FAILED):
                self.problem(
                    f"meta/main.yml must be a mapping, found {describe(data)}",
                    position_of(data, Position(str(meta))),
                )
        tasks_file = self._role_file(path / "tasks", tasks_from, pos)
        if tasks_file is not None:
            role.tasks = self.task_file(tasks_file, replace(rctx, file=tasks_file), pos)
        check = argument_spec_task(role, tasks_from or "main")
        if check is not None:
            role.tasks = [check, *role.tasks]
        handlers_file = self._role_file(path / "handlers", handlers_from, pos)
        if handlers_file is not None:
            hctx = replace(rctx, file=handlers_file, handlers=True)
            role.handlers = flatten_handlers(self.task_file(handlers_file, hctx, pos), self, [])
        role.handlers = list(rctx.handler_sink) + role.handlers
        return role

    def _role_file(self, directory: Path, wanted: str | None, pos) -> Path | None:
        """defaults/ vars/ tasks/ handlers/ meta/ file: <wanted or main>[.yml|.yaml|.json]."""
        stem = wanted or "main"
        for ext in YAML_EXTS:
            candidate = directory / (stem + ext)
            if candidate.is_file():
                return candidate
        if wanted:
            self.problem(f"role file '{stem}' not found in {directory}", pos)
        return None

    def _role_vars_file(self, directory: Path, wanted: str | None, pos) -> dict:
        folder = directory / (wanted or "main")
        if folder.is_dir():  # defaults/main/*.yml: every file, merged in name order
            merged: dict = {}
            for path in sorted(folder.rglob("*")):
                if path.is_file() and path.suffix in (".yml", ".yaml", ".json"):
                    merged.update(self._vars_mapping(path, pos, directory))
            return merged
        path = self._role_file(directory, wanted, pos)
        return {} if path is None else self._vars_mapping(path, pos, directory)

    def _vars_mapping(self, path: Path, pos, directory: Path) -> dict:
        data = self._read(path, pos)
        if data is None or data is FAILED:
            return {}
        if not isinstance(data, dict):
            self.problem(
                f"{directory.name}/{path.name} must be a mapping of variables, found {describe(data)}",
                position_of(data, Position(str(path), 1, 1)),
            )
            return {}
        return data

    def _role_meta(self, role: Role, meta: PosDict, ctx: LoadContext) -> None:
        role.allow_duplicates = bool(self._bool(meta, "allow_duplicates", False))
        deps = meta.get("dependencies") or []
        if not isinstance(deps, list):
            self.problem(
                f"meta 'dependencies' expects a list of roles, found {describe(deps)}",
                position_of(deps, meta.pos_of("dependencies")),
            )
            return
        for entry in deps:
            dep = self._role_entry(entry, ctx, position_of(deps))
            if dep is not None:
                role.dependencies.append(dep)


def _entry_key(params: dict, when: list, tags: list) -> str:
    return repr((to_plain(params), to_plain(when), list(tags)))


def with_dependencies(role: Role) -> list[Role]:
    """A role preceded by its dependencies (depth first), without duplicates."""
    out: list[Role] = []
    _flatten_role(role, out, set())
    return out


def _flatten_role(role: Role, out: list[Role], seen: set) -> None:
    """Append ``role`` after its dependencies; a role with the same params runs once per play
    (Ansible's rule) unless its meta says ``allow_duplicates``. Dependencies inherit the
    ``when``/``tags`` of the role that pulled them in."""

    for dep in role.dependencies:
        dep.when = list(role.when) + [c for c in dep.when if c not in role.when]
        dep.tags = list(role.tags) + [t for t in dep.tags if t not in role.tags]
        _flatten_role(dep, out, seen)
    key = (
        str(role.path.resolve()),
        role.tasks_from,
        role.entry_key or _entry_key(role.params, [], []),
    )
    if key in seen and not role.allow_duplicates:
        return
    seen.add(key)
    out.append(role)
