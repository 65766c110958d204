"""Which module a task calls and with what arguments: the one module key (or ``action:``/
``local_action:``), its ``k=v`` string or mapping merged with ``args:``, free-form text put
where the module expects it."""

from __future__ import annotations

from typing import Any

from edgeauto.errors import ParseError, Position, did_you_mean
from edgeauto.modules.spec import is_templated
from edgeauto.playbook import keywords as kw
from edgeauto.playbook.actions import canonical_action, get_module, module_hint
from edgeauto.playbook.base import LoadContext, LoaderBase, describe
from edgeauto.playbook.fallback import (
    fallback_action,
    fallback_hint,
    fallback_refusal,
    is_refused_ansible_module,
)
from edgeauto.playbook.splitter import parse_kv
from edgeauto.yamlsrc import PosDict, position_of


class ActionLoader(LoaderBase):
    """Action and argument parsing (mixed into :class:`~edgeauto.playbook.tasks.TaskLoader`)."""

    _unresolved: str | None = None  # set by _defer for the task being built
    _templates: list[str] = []  # set by _args: the task's args_templates

    def _find_action(self, ds: PosDict, ctx: LoadContext) -> tuple[str | None, Any, Any]:
        """Return (canonical action, its value, the key it came from) or report why not."""
        allowed = kw.HANDLER if ctx.handlers else kw.TASK
        found, unknown = self._action_keys(ds, allowed, ctx)
        deferred = self._deferred_module(ds, unknown, found, allowed, ctx)
        if deferred is not None:
            return deferred
        self._report_unknown(ds, unknown, found, allowed, ctx)
        if len(found) > 1:
            names = ", ".join(str(k) for _, k in found)
            self.problem(
                f"a task runs exactly one module, found several: {names}", ds.pos_of(found[1][1])
            )
            return None, None, None
        if not found:
            if not unknown:
                self.problem(
                    "no module given in this task; expected e.g. 'copy:' or 'shell:'", ds.pos
                )
            return None, None, None
        canon, key = found[0]
        if canon is not None:
            return canon, ds[key], key
        return self._indirect_action(ds, key, ctx)

    def _action_keys(self, ds: PosDict, allowed: set[str], ctx=None) -> tuple[list, list]:
        """The keys naming a module (with their canonical action; None for ``action:`` and
        ``local_action:``) and the keys that are neither a keyword nor a module."""
        found: list[tuple[str | None, Any]] = []
        unknown: list = []
        for key in ds:
            name = str(key)
            if name in allowed or name.startswith("with_") or name in kw.IGNORED:
                continue
            if name in kw.UNSUPPORTED:
                self.problem(
                    f"keyword '{name}' is not supported by edgeauto",
                    ds.pos_of(key),
                    kw.UNSUPPORTED[name],
                )
                continue
            canon = canonical_action(name) or fallback_action(name, ctx, self)
            if canon:
                found.append((canon, key))
            else:
                unknown.append(key)
        for key in ("action", "local_action"):
            if key in ds:
                found.append((None, key))
        return found, unknown

    def _deferred_module(self, ds: PosDict, unknown: list, found: list, allowed, ctx):
        """The one unknown key of a task that has no module and looks like no keyword is
        taken as its module — a warning now, the error later if the task runs (see
        :meth:`_defer`) — in a dynamic file (``ctx.dynamic``), and anywhere for a real
        Ansible module edgeauto cannot run (``dnf`` under a RedHat-only ``when``)."""
        if self.strict or found or len(unknown) != 1:
            return None
        name = str(unknown[0])
        if name in ("include", "ansible.builtin.include") or did_you_mean(name, allowed):
            return None
        if not ctx.dynamic and not is_refused_ansible_module(name, ctx, self):
            return None
        return self._defer(name, ds[unknown[0]], unknown[0], ds.pos_of(unknown[0]), ctx)

    def _defer(self, name: str, value: Any, key, pos: Position, ctx=None):
        why = fallback_refusal(name, ctx, self)  # an Ansible module edgeauto cannot run
        dynamic = ctx is not None and ctx.dynamic
        where = "in a file reached only by include_tasks/include_role: " if dynamic else ""
        message, hint = why if why is not None else (f"unknown module '{name}'", module_hint(name))
        self.warnings.append(
            ParseError(
                f"{message} ({where}the task fails only if it runs)",
                pos,
                hint,
            )
        )
        self._unresolved = f"{message}" + (f" ({hint})" if hint else "")
        return name, value, key

    def _report_unknown(self, ds: PosDict, unknown: list, found: list, allowed, ctx=None) -> None:
        for key in unknown:
            name = str(key)
            if name in ("include", "ansible.builtin.include"):
                self.problem(
                    "'include' was removed from Ansible (2.16)",
                    ds.pos_of(key),
                    "use include_tasks (at run time) or import_tasks (at load time)",
                )
                continue
            near_keyword = did_you_mean(name, allowed)
            if found or near_keyword:
                self.problem(
                    f"unknown task keyword '{name}'"
                    + ("" if found else "; no module found in this task either"),
                    ds.pos_of(key),
                    near_keyword,
                )
            elif (why := fallback_refusal(name, ctx, self)) is not None:
                self.problem(why[0], ds.pos_of(key), why[1])
            else:
                self.problem(
                    f"unknown module '{name}'; expected a module name or a task keyword",
                    ds.pos_of(key),
                    module_hint(name) or fallback_hint(name),
                )

    def _indirect_action(self, ds: PosDict, key, ctx=None) -> tuple[str | None, Any, Any]:
        """``action:`` / ``local_action:`` — the module name is inside the value."""
        value = ds[key]
        if isinstance(value, str):
            module, value = _split_action_text(value)
        elif isinstance(value, dict) and "module" in value:
            value = PosDict(value)
            value.pos = ds[key].pos
            module = str(value.pop("module"))
        else:
            self.problem(
                f"'{key}' expects 'module k=v…' or a mapping with 'module', found {describe(value)}",
                position_of(value, ds.pos_of(key)),
            )
            return None, None, None
        if is_templated(module):
            return module, value, key  # named per host when the task runs (planner/host.py)
        canon = canonical_action(module) or fallback_action(module, ctx, self)
        dynamic = ctx is not None and ctx.dynamic
        if (
            canon is None
            and not self.strict
            and (dynamic or is_refused_ansible_module(module, ctx, self))
        ):
            return self._defer(module, value, key, position_of(ds[key], ds.pos_of(key)), ctx)
        if canon is None and (why := fallback_refusal(module, ctx, self)) is not None:
            self.problem(why[0], position_of(ds[key], ds.pos_of(key)), why[1])
            return None, None, None
        if canon is None:
            self.problem(
                f"unknown module '{module}' in '{key}'",
                position_of(ds[key], ds.pos_of(key)),
                module_hint(module),
            )
            return None, None, None
        return canon, value, key

    def _args_templates(self, canon: str, value: Any, ds: PosDict) -> tuple[list[str], bool]:
        """Arguments that are one template, rendered per host (to a mapping or a k=v string):
        ``args: "{{ … }}"`` and a module value that is a whole ``{{ … }}`` expression for a
        module without free-form text (for ``shell: "{{ cmd }}"`` the text is the command).
        Returns the templates (lowest precedence first) and whether the module value is one."""
        out: list[str] = []
        extra = ds.get("args")
        if isinstance(extra, str) and is_templated(extra):
            out.append(extra)
        whole = isinstance(value, str) and _whole_expression(value) and not _takes_free_form(canon)
        if whole:
            out.append(value)
        return out, whole

    def _args(self, canon: str, value: Any, ds: PosDict, key) -> dict | None:
        pos = ds.pos_of(key)
        self._templates, whole = self._args_templates(canon, value, ds)
        if whole:
            value = None
        if value is None:
            args: dict = {}
        elif isinstance(value, str):
            try:
                args = parse_kv(value, free_form=canon in kw.FREE_FORM)
            except ValueError as exc:
                self.problem(f"could not split '{canon}' arguments: {exc}", position_of(value, pos))
                return None
            args = _with_key_positions(args, value, pos)
        elif isinstance(value, dict):
            args = PosDict(value)
            args.pos, args.key_pos = value.pos, dict(getattr(value, "key_pos", {}))
        else:
            self.problem(
                f"'{key}' expects arguments as a mapping or a 'k=v' string, found {describe(value)}",
                position_of(value, pos),
            )
            return None
        if "args" in ds and not (isinstance(ds["args"], str) and is_templated(ds["args"])):
            extra = self._mapping(ds, "args")
            merged = PosDict({**extra, **args})
            merged.pos = getattr(args, "pos", None) or pos
            merged.key_pos = {**getattr(extra, "key_pos", {}), **getattr(args, "key_pos", {})}
            args = merged
        if "_raw_params" in args:
            target = RAW_PARAM_TARGET.get(canon)
            module = get_module(canon)
            if target is None and module is not None and module.spec.free_form:
                target = module.spec.free_form
            if target is None and canon not in kw.RAW_PARAM_ACTIONS and not self._unresolved:
                self.problem(
                    f"module '{canon}' takes only key=value arguments, found extra text "
                    f"{str(args['_raw_params'])!r}",
                    position_of(value, pos),
                )
                return None
            if target and target != "_raw_params" and target not in args:
                args[target] = args.pop("_raw_params")
        return args


def _whole_expression(text: str) -> bool:
    stripped = text.strip()
    return (
        stripped.startswith("{{")
        and stripped.endswith("}}")
        and stripped.count("{{") == 1
        and stripped.count("}}") == 1
    )


def _takes_free_form(canon: str) -> bool:
    if canon in kw.RAW_PARAM_ACTIONS:
        return True
    module = get_module(canon)
    return module is not None and bool(module.spec.free_form)


# where a free-form ``_raw_params`` goes for the directives whose argument has a name
RAW_PARAM_TARGET = {
    "include_tasks": "file",
    "import_tasks": "file",
    "include_role": "name",
    "import_role": "name",
    "include_vars": "file",
    "import_playbook": "file",
}


def _with_key_positions(args: dict, text: str, fallback) -> PosDict:
    """Positions of the keys of a one-line `k=v` string, so an argument error can point at
    the argument itself (the line is re-read to learn whether the scalar was quoted)."""
    import linecache

    out = PosDict(args)
    out.pos = getattr(text, "pos", None) or fallback
    pos = getattr(text, "pos", None)
    if pos is None or "\n" in text:
        return out
    line = linecache.getline(pos.file, pos.line)
    start = pos.col - 1
    if line[start:].startswith(text):
        offset = 0
    elif line[start : start + 1] in ("'", '"') and line[start + 1 :].startswith(text):
        offset = 1
    else:
        return out
    for key in args:
        idx = text.find(f"{key}=")
        while idx > 0 and text[idx - 1] != " ":
            idx = text.find(f"{key}=", idx + 1)
        if idx >= 0:
            out.key_pos[key] = Position(pos.file, pos.line, pos.col + offset + idx)
    return out


def _split_action_text(text: str) -> tuple[str, str]:
    """``action: "copy src=a dest=b"`` -> ("copy", "src=a dest=b"); a templated module name
    (``action: "{{ pkg_mgr }} name=x"``) is one word even though it holds spaces."""
    text = text.strip()
    if text.startswith("{{") and "}}" in text:
        end = text.index("}}") + 2
        return text[:end], text[end:].strip()
    module, _, rest = text.partition(" ")
    return module.strip(), rest
