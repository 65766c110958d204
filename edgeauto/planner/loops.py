"""Turn a task's ``loop`` / ``with_<lookup>`` value into the list of items, as Ansible does."""

from __future__ import annotations

from typing import Any

from edgeauto.errors import TemplateError, describe


def _flatten_once(values: list) -> list:
    out: list = []
    for value in values:
        if isinstance(value, list):
            out.extend(value)
        else:
            out.append(value)
    return out


def _flatten_all(values: Any) -> list:
    if not isinstance(values, list):
        return [values]
    out: list = []
    for value in values:
        out.extend(_flatten_all(value))
    return out


def loop_items(
    kind: str | None, rendered: Any, templar, pos=None, action: str | None = None
) -> list:
    """Items for ``loop`` (kind None/'loop') or ``with_<kind>`` after templating its value.
    ``action`` is the task's module: ``with_first_found`` searches the subdir it implies
    (``vars/`` for include_vars, ``templates/`` for template), as Ansible does."""
    kind = kind or "loop"
    if kind.startswith("with_"):
        from edgeauto.templating.lookups import lookup_short_name

        kind = lookup_short_name(kind[5:])  # with_ansible.builtin.items is with_items
    if rendered is None:
        return []
    if kind == "loop":
        if isinstance(rendered, str):
            raise TemplateError(
                'loop expects a list, found a string; use `loop: "{{ x | list }}"` or '
                "with_items for a comma separated string",
                pos,
            )
        if isinstance(rendered, dict):
            raise TemplateError("loop expects a list, found a mapping (use dict2items)", pos)
        if not isinstance(rendered, list | tuple | set | frozenset):
            raise TemplateError(f"loop expects a list, found {describe(rendered)}", pos)
        return list(rendered)
    if kind in ("items",):
        values = rendered if isinstance(rendered, list) else [rendered]
        return _flatten_once(values)
    if kind == "list":
        return list(rendered) if isinstance(rendered, list) else [rendered]
    if kind == "flattened":
        return _flatten_all(rendered)
    if kind == "dict":
        if not isinstance(rendered, dict):
            raise TemplateError(
                f"with_dict: the 'dict' lookup plugin expects a dictionary, found "
                f"{describe(rendered)}",
                pos,
            )
        return [{"key": k, "value": v} for k, v in rendered.items()]
    if kind == "indexed_items":
        values = rendered if isinstance(rendered, list) else [rendered]
        return [[i, v] for i, v in enumerate(_flatten_once(values))]
    if kind == "together":
        lists = rendered if isinstance(rendered, list) else [rendered]
        width = max((len(x) for x in lists), default=0)
        return [[(x[i] if i < len(x) else None) for x in lists] for i in range(width)]
    if kind in ("nested", "cartesian"):
        lists = rendered if isinstance(rendered, list) else [rendered]
        result: list[list] = [[]]
        for values in lists:
            values = values if isinstance(values, list) else [values]
            result = [prev + [v] for prev in result for v in values]
        return result
    # Everything else is a lookup plugin: with_fileglob, with_sequence, with_lines …
    terms = rendered if isinstance(rendered, list) else [rendered]
    return _query(templar, kind, terms, action)


def _query(templar, kind: str, terms: list, action: str | None = None) -> list:
    from edgeauto.templating.lookups import lookup_short_name, run_lookup

    kwargs = {"_with_action": action} if action and lookup_short_name(kind) == "first_found" else {}
    result = run_lookup(templar, kind, list(terms), kwargs)
    return list(result) if isinstance(result, list) else [result]


def loop_var_name(task, templar) -> str:
    """``loop_control.loop_var`` of ``task``, rendered when it is a template
    (``loop_var: "{{ name }}"``, as Ansible templates it); it must name a variable."""
    value = (task.loop_control or {}).get("loop_var", "item")
    if not isinstance(value, str) or "{{" not in value:
        return str(value)
    from edgeauto.errors import EdgeautoError
    from edgeauto.playbook.base import IDENT

    name = str(templar.render(value, task.pos))
    if not IDENT.match(name):
        raise EdgeautoError(
            f"loop_control 'loop_var' expects a variable name, {value!r} gave {name!r}", task.pos
        )
    return name


def loop_keys(loop_var: str, loop_control: dict, items: list, index: int) -> dict[str, Any]:
    """The loop variables of item ``index`` — what its templates see and what Ansible adds to
    the item's registered result: the loop var, ``ansible_loop_var``, the ``index_var`` value
    with ``ansible_index_var``, and ``ansible_loop`` when ``extended`` is set."""
    count = len(items)
    out: dict[str, Any] = {loop_var: items[index], "ansible_loop_var": loop_var}
    if loop_control.get("index_var"):
        out[str(loop_control["index_var"])] = index
        out["ansible_index_var"] = str(loop_control["index_var"])
    if loop_control.get("extended"):
        extended: dict[str, Any] = {
            "index": index + 1,
            "index0": index,
            "first": index == 0,
            "last": index == count - 1,
            "length": count,
            "revindex": count - index,
            "revindex0": count - index - 1,
        }
        if loop_control.get("extended_allitems", True):
            extended["allitems"] = list(items)
        if index > 0:
            extended["previtem"] = items[index - 1]
        if index < count - 1:
            extended["nextitem"] = items[index + 1]
        out["ansible_loop"] = extended
    return out
