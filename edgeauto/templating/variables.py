"""Per-host variable composition in Ansible's documented precedence order, and magic vars.

WHY a layer object: the executor learns variables at different times (inventory at load, facts
after the facts round trip, ``set_fact``/``register`` as results come back, ``include_vars``
mid-play, loop items per iteration). Keeping them in named layers lets it replace one source
and recompose, and lets ``edgeauto`` explain *where* a value came from (:meth:`VarLayers.origin`).

Layer names, lowest precedence first (:data:`LAYERS`)::

    role_defaults              roles/x/defaults/main.yml
    inventory_file_group_vars  group vars written in the inventory file or returned by a script
    inventory_group_vars_all   <inventory dir>/group_vars/all
    playbook_group_vars_all    <playbook dir>/group_vars/all
    inventory_group_vars       <inventory dir>/group_vars/<group>   (list: parents first)
    playbook_group_vars        <playbook dir>/group_vars/<group>    (list: parents first)
    inventory_file_host_vars   host vars in the inventory file or from a script
    inventory_host_vars        <inventory dir>/host_vars/<host>
    playbook_host_vars         <playbook dir>/host_vars/<host>
    host_facts                 gathered facts / cached set_facts (see :func:`facts_layer`)
    play_vars                  play ``vars:``
    play_vars_prompt           play ``vars_prompt:`` answers
    play_vars_files            play ``vars_files:``
    role_vars                  roles/x/vars/main.yml
    block_vars                 ``vars:`` of enclosing blocks (list: outer first)
    task_vars                  task ``vars:``
    include_vars               ``include_vars`` results
    set_facts                  ``set_fact`` and ``register`` results
    role_params                role / include_role parameters
    include_params             include_tasks parameters
    extra_vars                 ``-e`` (always win)

Each layer holds a list of mappings applied in order (``hash_behaviour=replace``: a later
mapping replaces a whole top-level value, dicts are not merged). Magic variables
(:func:`magic_vars`) are added on top of everything, extra vars included (as ansible-core does); ``hostvars`` is a lazy mapping that composes and
templates another host's variables only when read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from edgeauto.templating.templar import OMIT, Templar
from edgeauto.templating.vault import VaultSecrets

LAYERS: tuple[str, ...] = (
    "role_defaults",
    "inventory_file_group_vars",
    "inventory_group_vars_all",
    "playbook_group_vars_all",
    "inventory_group_vars",
    "playbook_group_vars",
    "inventory_file_host_vars",
    "inventory_host_vars",
    "playbook_host_vars",
    "host_facts",
    "play_vars",
    "play_vars_prompt",
    "play_vars_files",
    "role_vars",
    "block_vars",
    "task_vars",
    "include_vars",
    "set_facts",
    "role_params",
    "include_params",
    "extra_vars",
)
_RANK = {name: i for i, name in enumerate(LAYERS)}


class VarLayers:
    """Named precedence layers for one host; :meth:`compose` merges them into one dict."""

    def __init__(self, layers: Mapping[str, Mapping | list[Mapping]] | None = None):
        self._layers: dict[str, list[Mapping]] = {}
        for name, value in (layers or {}).items():
            self.set(name, value)

    @staticmethod
    def _check(name: str) -> None:
        if name not in _RANK:
            from edgeauto.errors import EdgeautoError, did_you_mean

            raise EdgeautoError(f"unknown variable layer '{name}'", hint=did_you_mean(name, LAYERS))

    def set(self, name: str, value: Mapping | list[Mapping] | None) -> VarLayers:
        """Replace a layer's content (one mapping, or a list applied in order)."""
        self._check(name)
        if value is None:
            self._layers.pop(name, None)
        elif isinstance(value, Mapping):
            self._layers[name] = [value]
        else:
            self._layers[name] = list(value)
        return self

    def add(self, name: str, value: Mapping) -> VarLayers:
        """Append a mapping to a layer (it wins over earlier mappings of the same layer)."""
        self._check(name)
        self._layers.setdefault(name, []).append(value)
        return self

    def get(self, name: str) -> list[Mapping]:
        self._check(name)
        return list(self._layers.get(name, ()))

    def copy(self) -> VarLayers:
        """Shallow copy: per-task/per-include overrides without touching the host's base."""
        other = VarLayers()
        other._layers = {k: list(v) for k, v in self._layers.items()}
        return other

    def compose(self, magic: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """Merge all layers, lowest first; ``magic`` vars go last (ansible-core applies its
        magic variables after extra vars, so ``-e inventory_hostname=x`` changes nothing)."""
        out: dict[str, Any] = {}
        for name in LAYERS:
            for mapping in self._layers.get(name, ()):
                out.update(mapping)
        if magic:
            out.update(magic)
        return out

    def origin(self, key: str) -> str | None:
        """Name of the layer that supplies ``key`` in the composed result (for ``--explain``)."""
        for name in reversed(LAYERS):
            if any(key in m for m in self._layers.get(name, ())):
                return name
        return None


def facts_layer(facts: Mapping[str, Any], inject_as_vars: bool = True) -> dict[str, Any]:
    """Facts as variables: ``ansible_facts`` plus ``ansible_<name>`` (INJECT_FACTS_AS_VARS)."""
    layer: dict[str, Any] = {"ansible_facts": dict(facts)}
    if inject_as_vars:
        for k, v in facts.items():
            layer[k if k.startswith("ansible_") else f"ansible_{k}"] = v
    return layer


class HostVarsView(Mapping):
    """One host's variables as seen through ``hostvars[host]``: templated when read."""

    _edgeauto_lazy = True

    def __init__(self, variables: Mapping[str, Any], templar: Templar):
        self._vars = variables
        self._templar = templar

    def __getitem__(self, key: str) -> Any:
        if key not in self._vars:
            raise KeyError(key)
        return self._templar._lazy[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._vars)

    def __len__(self) -> int:
        return len(self._vars)

    def __repr__(self) -> str:
        return f"HostVarsView({len(self._vars)} vars)"


class HostVars(Mapping):
    """``hostvars``: every inventory host's composed variables, built only when read."""

    _edgeauto_lazy = True

    def __init__(
        self,
        hosts: Iterable[str],
        compose: Callable[[str], Mapping[str, Any]],
        *,
        vault: VaultSecrets | None = None,
        basedir: Path | None = None,
    ):
        self._hosts = list(dict.fromkeys(hosts))
        self._known = set(self._hosts)
        self._compose = compose
        self._vault = vault
        self._basedir = basedir
        self._views: dict[str, HostVarsView] = {}

    def __getitem__(self, host: str) -> HostVarsView:
        if host not in self._known:
            raise KeyError(host)
        view = self._views.get(host)
        if view is None:
            variables = self._compose(host)
            templar = Templar(variables, basedir=self._basedir, vault=self._vault)
            view = self._views[host] = HostVarsView(variables, templar)
        return view

    def invalidate(self, host: str | None = None) -> None:
        """Forget composed vars (after set_fact/register changed a host's layers)."""
        if host is None:
            self._views.clear()
        else:
            self._views.pop(host, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._hosts)

    def __len__(self) -> int:
        return len(self._hosts)

    def __repr__(self) -> str:
        return f"HostVars({len(self._hosts)} hosts)"


def magic_vars(
    inventory_hostname: str,
    *,
    groups: Mapping[str, list[str]],
    group_names: list[str],
    hostvars: Mapping[str, Any] | None = None,
    play_hosts: list[str] | None = None,
    play_batch: list[str] | None = None,
    playbook_dir: Path | str | None = None,
    role_path: Path | str | None = None,
    role_name: str | None = None,
    check_mode: bool = False,
    diff_mode: bool = False,
    inventory_dir: Path | str | None = None,
    inventory_file: Path | str | None = None,
    play_name: str | None = None,
    ansible_version: str = "2.19.0",
) -> dict[str, Any]:
    """The variables Ansible defines by itself for a host (``groups``, ``hostvars``...)."""
    hosts = list(play_hosts) if play_hosts is not None else list(groups.get("all", []))
    batch = list(play_batch) if play_batch is not None else hosts
    out: dict[str, Any] = {
        "inventory_hostname": inventory_hostname,
        "inventory_hostname_short": inventory_hostname.split(".", 1)[0],
        "groups": {k: list(v) for k, v in groups.items()},
        "group_names": sorted(g for g in group_names if g not in ("all", "ungrouped")),
        "play_hosts": batch,
        "ansible_play_hosts": batch,
        "ansible_play_batch": batch,
        "ansible_play_hosts_all": hosts,
        "ansible_check_mode": bool(check_mode),
        "ansible_diff_mode": bool(diff_mode),
        "omit": OMIT,
        "ansible_version": _version_dict(ansible_version),
    }
    if hostvars is not None:
        out["hostvars"] = hostvars
    if playbook_dir is not None:
        out["playbook_dir"] = str(playbook_dir)
    if role_path is not None:
        out["role_path"] = str(role_path)
    if role_name is not None:
        out["role_name"] = role_name
    if inventory_dir is not None:
        out["inventory_dir"] = str(inventory_dir)
    if inventory_file is not None:
        out["inventory_file"] = str(inventory_file)
    if play_name is not None:
        out["ansible_play_name"] = play_name
    return out


def _version_dict(full: str) -> dict[str, Any]:
    parts = [int(p) for p in full.split(".")[:3] if p.isdigit()] + [0, 0, 0]
    return {
        "full": full,
        "major": parts[0],
        "minor": parts[1],
        "revision": parts[2],
        "string": full,
    }
