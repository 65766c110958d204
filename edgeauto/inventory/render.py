"""The views ``edgeauto inventory`` prints, shaped exactly like ``ansible-inventory``'s.

``--list`` JSON: every non-empty group with its direct ``hosts`` and ``children`` (``all``
lists only children), plus ``_meta.hostvars`` with each host's merged inventory variables;
``--yaml`` nests groups the way a YAML inventory is written; ``--graph`` draws the tree.
Magic variables (inventory_file, group_names, …) are left out, as Ansible does.
"""

from __future__ import annotations

import json

from edgeauto.yamlsrc import to_plain

# Variables ansible-inventory removes from what it prints (they are magic, not inventory).
INTERNAL_VARS = frozenset(
    """ansible_async_path ansible_collection_name ansible_config_file ansible_dependent_role_names
    ansible_diff_mode ansible_facts ansible_forks ansible_inventory_sources ansible_limit
    ansible_play_batch ansible_play_hosts ansible_play_hosts_all ansible_play_role_names
    ansible_playbook_python ansible_role_name ansible_role_names ansible_run_tags
    ansible_skip_tags ansible_verbosity ansible_version inventory_dir inventory_file
    inventory_hostname inventory_hostname_short groups group_names hostvars playbook_dir
    play_hosts role_name role_names role_path role_uuid""".split()
)


def _public(variables: dict) -> dict:
    return {k: v for k, v in variables.items() if k not in INTERNAL_VARS}


def host_view(inventory, name: str, export: bool = False) -> dict:
    """Variables shown for one host: merged (default) or only its own (``--export``)."""
    if export:
        own = dict(inventory.get_host(name).vars)
        for tier in ("inventory", "playbook"):
            own.update(inventory.dir_host_vars[tier].get(name, {}))
        return _public(own)
    return _public(inventory.host_vars(name))


def group_view(inventory, name: str) -> dict:
    data = _public(inventory.group_vars(name))
    if inventory.groups[name].priority != 1:
        data["ansible_group_priority"] = inventory.groups[name].priority
    return data


def list_json(inventory, available: list[str], export: bool = False) -> dict:
    """The ``ansible-inventory --list`` document for the hosts in ``available``."""
    allowed = set(available)
    seen: set[str] = set()
    result: dict = {}

    def walk(name: str) -> None:
        group = inventory.groups[name]
        entry: dict = {}
        if name != "all":
            entry["hosts"] = [h for h in group.hosts if h in allowed]
        entry["children"] = list(group.children)
        if export:
            entry["vars"] = group_view(inventory, name)
        entry = {k: v for k, v in entry.items() if v}
        if entry:
            result[name] = entry
        for child in group.children:
            if child not in seen:
                seen.add(child)
                walk(child)

    walk("all")
    hostvars = {}
    for host in available:
        data = host_view(inventory, host, export)
        if data:
            hostvars[host] = data
    result["_meta"] = {"hostvars": hostvars, "profile": "inventory_legacy"}
    return result


def list_yaml(inventory, available: list[str], export: bool = False) -> dict:
    """The ``ansible-inventory --list --yaml`` document (nested groups, vars per host)."""
    allowed = set(available)
    seen_hosts: set[str] = set()
    seen_groups: set[str] = set()

    def walk(name: str) -> dict:
        group = inventory.groups[name]
        entry: dict = {"children": {}}
        for child in group.children:
            if child in seen_groups:
                entry["children"][child] = {}
            else:
                entry["children"].update(walk(child))
                seen_groups.add(child)
        entry["hosts"] = {}
        if name != "all":
            for host in group.hosts:
                if host not in allowed:
                    continue
                variables = {}
                if host not in seen_hosts:
                    seen_hosts.add(host)
                    variables = host_view(inventory, host, export)
                entry["hosts"][host] = variables
        if export:
            gvars = group_view(inventory, name)
            if gvars:
                entry["vars"] = gvars
        entry = {k: v for k, v in entry.items() if v}
        return {name: entry} if entry else {}

    return walk("all")


def graph_lines(inventory, group: str, show_vars: bool = False, depth: int = 0) -> list[str]:
    """``--graph`` lines: ``@group:`` then children, then hosts (and vars with ``--vars``)."""
    lines = [_indent(f"@{group}:", depth)]
    grp = inventory.groups[group]
    for child in grp.children:
        lines.extend(graph_lines(inventory, child, show_vars, depth + 1))
    if group != "all":
        for host in grp.hosts:
            lines.append(_indent(host, depth + 1))
            if show_vars:
                lines.extend(_vars_lines(host_view(inventory, host), depth + 2))
    if show_vars:
        lines.extend(_vars_lines(group_view(inventory, group), depth + 1))
    return lines


def _indent(text: str, depth: int) -> str:
    return "  |" * depth + "--" + text if depth else text


def _vars_lines(variables: dict, depth: int) -> list[str]:
    return [_indent(f"{{{k} = {_graph_value(v)}}}", depth) for k, v in sorted(variables.items())]


def _graph_value(value) -> str:
    return str(to_plain(value))


def _json_default(value):
    from edgeauto.templating.vault import EncryptedString

    if isinstance(value, EncryptedString):
        return {"__ansible_vault": getattr(value, "ciphertext", "")}
    return str(value)


def dump_json(data) -> str:
    """JSON the way ansible-inventory prints it (sorted keys, 4-space indent)."""
    return json.dumps(to_plain(data), sort_keys=True, indent=4, default=_json_default)


def dump_yaml(data) -> str:
    import yaml

    from edgeauto.templating.vault import EncryptedString

    class _Dumper(yaml.SafeDumper):
        pass

    def _vault(dumper, value):
        return dumper.represent_scalar("!vault", getattr(value, "ciphertext", ""), style="|")

    _Dumper.add_representer(EncryptedString, _vault)
    return yaml.dump(to_plain(data), Dumper=_Dumper, default_flow_style=False, allow_unicode=True)
