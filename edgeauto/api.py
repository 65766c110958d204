"""Python API: build an inventory and plays in code and run them with the same engine.

For users who prefer code to YAML (as pyinfra offers)::

    from edgeauto.api import Inventory, Play, run

    inv = Inventory().host("edge1", ansible_host="10.0.0.5").group("gateways", ["edge1"])
    play = (
        Play("gateways", name="motd", become=True)
        .task("copy", title="motd", dest="/etc/motd", content="hi\\n")
        .task("service", name="ssh", state="started")
    )
    result = run([play], inventory=inv, diff=True)
    assert result.ok, result.stats

How it works (and why there is no second engine): a :class:`Play` records the same mapping a
YAML play would be, with every value tagged with the position of the Python line that wrote it
(the caller's ``file:line``, read from the call stack). :func:`run` hands those mappings to the
engine as :class:`~edgeauto.planner.run.PlaybookData`, and the engine's own loader turns them
into the same in-memory model it builds from a YAML file — nothing is written to disk. From
there it is one path: the same validation (a bad module argument raises the same
:class:`~edgeauto.errors.ValidationError`, naming your ``file:line``), the same planner, the
same one-script-per-host transports, the same :class:`~edgeauto.planner.run.RunResult`.

Naming: module arguments are keyword arguments of :meth:`Play.task`. The task's own ``name``
is ``title=`` because ``name`` is an argument of many modules (service, user, package), and
other task keywords (``when``, ``register``, ``loop``, ``notify``, ``become`` …) go in
``keywords=`` so they never collide with a module's arguments.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import Position
from edgeauto.inventory.model import Inventory as InventoryModel
from edgeauto.output.reporter import CollectingReporter, MultiReporter, Reporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.results import TaskResult
from edgeauto.planner.run import PlaybookData, Run, RunResult
from edgeauto.yamlsrc import PosDict, PosList, PosStr

__all__ = ["Inventory", "Play", "Result", "run"]

_THIS_FILE = __file__


def _caller_position() -> Position:
    """The first frame outside this module: the user's line that built the value."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == _THIS_FILE:
        frame = frame.f_back
    if frame is None:  # pragma: no cover - there is always a caller
        return Position("<python>")
    return Position(frame.f_code.co_filename, frame.f_lineno)


def _positioned(value: Any, pos: Position) -> Any:
    """``value`` as the YAML loader would return it, every part placed at ``pos``, so the
    loader and validator report problems at the Python line that wrote the value."""
    if isinstance(value, Mapping):
        out = PosDict()
        out.pos = pos
        for key, item in value.items():
            out[key] = _positioned(item, pos)
            out.key_pos[key] = pos
        return out
    if isinstance(value, list | tuple):
        seq = PosList(_positioned(item, pos) for item in value)
        seq.pos = pos
        return seq
    if type(value) is str:  # subclasses (vault values, !unsafe) keep their own meaning
        text = PosStr(value)
        text.pos = pos
        return text
    return value


class Inventory:
    """Hosts, groups and their variables, built in code (chainable).

    Each :func:`run` builds a fresh :class:`edgeauto.inventory.model.Inventory` from it, so
    hosts a run adds (``add_host``, ``group_by``) do not leak into the next run. Variable
    precedence is Ansible's: group vars < child group vars < host vars. ``group_vars/`` and
    ``host_vars/`` directories are not read (pass inventory files to :func:`run` for that).
    """

    def __init__(self) -> None:
        self._hosts: dict[str, tuple[dict[str, Any], Position]] = {}
        self._groups: dict[str, tuple[list[str], dict[str, Any], list[str], Position]] = {}

    def host(self, name: str, /, **variables: Any) -> Inventory:
        """Add (or update) a host; keyword arguments are its variables
        (``ansible_host``, ``ansible_user``, ``ansible_connection`` …)."""
        old_vars, pos = self._hosts.get(name, ({}, _caller_position()))
        self._hosts[name] = ({**old_vars, **variables}, pos)
        return self

    def group(
        self,
        name: str,
        hosts: Iterable[str] = (),
        /,
        *,
        vars: Mapping[str, Any] | None = None,
        children: Iterable[str] = (),
    ) -> Inventory:
        """Add (or extend) a group with member ``hosts`` (added if not yet known), group
        ``vars`` and child groups."""
        members, old_vars, kids, pos = self._groups.get(name, ([], {}, [], _caller_position()))
        members += [h for h in hosts if h not in members]
        kids += [c for c in children if c not in kids]
        self._groups[name] = (members, {**old_vars, **(vars or {})}, kids, pos)
        return self

    def build(self) -> InventoryModel:
        """The engine's inventory model (a new one each call)."""
        model = InventoryModel()
        for name, (variables, pos) in self._hosts.items():
            model.add_host(name, vars=variables, pos=pos)
        for name, (members, variables, _kids, pos) in self._groups.items():
            model.add_group(name, vars=variables, pos=pos)
            for host in members:
                model.add_host(host, name, pos=pos)
        for name, (_members, _vars, kids, pos) in self._groups.items():
            for child in kids:
                if child not in model.groups:
                    model.add_group(child, pos=pos)
                model.add_child(name, child, pos=pos)
        model.reconcile()
        return model


class Play:
    """One play, built in code (chainable). Extra keyword arguments are play keywords as in
    YAML (``serial``, ``vars_files``, ``any_errors_fatal`` …) and are checked the same way."""

    def __init__(
        self,
        hosts: str | Sequence[str],
        *,
        name: str | None = None,
        become: bool | None = None,
        gather_facts: bool | None = None,
        vars: Mapping[str, Any] | None = None,
        **keywords: Any,
    ) -> None:
        self.pos = _caller_position()
        given = {"name": name, "become": become, "gather_facts": gather_facts, "vars": vars}
        self._data: dict[str, Any] = {"hosts": hosts}
        self._data.update({k: v for k, v in given.items() if v is not None})
        self._data.update(keywords)
        self._positions: dict[str, Position] = {}
        self._sections: dict[str, list[PosDict]] = {}

    def task(
        self,
        action: str,
        free_form: str | None = None,
        /,
        *,
        title: str | None = None,
        keywords: Mapping[str, Any] | None = None,
        args: Mapping[str, Any] | None = None,
        **module_args: Any,
    ) -> Play:
        """Append a task to ``tasks``: ``action`` is the module (short name or FQCN),
        ``free_form`` its free-form string (``task("command", "echo hi")``), ``title`` the
        task's name, ``keywords`` the other task keywords, ``args`` module arguments whose
        names are not Python identifiers (merged with ``module_args``)."""
        return self._add("tasks", action, free_form, title, keywords, args, module_args)

    def pre_task(self, action: str, free_form: str | None = None, /, **kwargs: Any) -> Play:
        """Like :meth:`task`, into ``pre_tasks``."""
        return self._section_task("pre_tasks", action, free_form, kwargs)

    def post_task(self, action: str, free_form: str | None = None, /, **kwargs: Any) -> Play:
        """Like :meth:`task`, into ``post_tasks``."""
        return self._section_task("post_tasks", action, free_form, kwargs)

    def handler(self, action: str, free_form: str | None = None, /, **kwargs: Any) -> Play:
        """Like :meth:`task`, into ``handlers`` (``title`` is what ``notify`` names)."""
        return self._section_task("handlers", action, free_form, kwargs)

    def role(self, name: str, /, **variables: Any) -> Play:
        """Add a role to the play's ``roles:`` (found by ``roles_path`` / beside the script)."""
        entry = {"role": name, **({"vars": variables} if variables else {})}
        self._sections.setdefault("roles", []).append(_positioned(entry, _caller_position()))
        return self

    def _section_task(self, section: str, action, free_form, kwargs: dict) -> Play:
        title = kwargs.pop("title", None)
        keywords = kwargs.pop("keywords", None)
        args = kwargs.pop("args", None)
        return self._add(section, action, free_form, title, keywords, args, kwargs)

    def _add(self, section, action, free_form, title, keywords, args, module_args) -> Play:
        pos = _caller_position()
        keywords = dict(keywords or {})
        if title is not None:
            if "name" in keywords:
                raise TypeError(f"{pos}: give the task name once: title= or keywords['name']")
            keywords["name"] = title
        merged = {**(args or {}), **module_args}
        entry: dict[str, Any] = {}
        if "name" in keywords:
            entry["name"] = keywords.pop("name")
        if free_form is None:
            entry[action] = merged
        else:
            entry[action] = free_form
            if merged:
                entry["args"] = merged
        entry.update(keywords)
        self._sections.setdefault(section, []).append(_positioned(entry, pos))
        return self

    def to_data(self) -> PosDict:
        """The play as the YAML loader would read it (with Python positions)."""
        play = _positioned(self._data, self.pos)
        for section, entries in self._sections.items():
            seq = PosList(entries)
            seq.pos = entries[0].pos
            play[section] = seq
            play.key_pos[section] = seq.pos
        return play


class _TaskCollector(Reporter):
    """Keeps every task result, in the order the engine reported them."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list[TaskResult] = []

    def task_result(self, res: TaskResult) -> None:
        with self.lock:
            self.results.append(res)


@dataclass
class Result(RunResult):
    """:class:`~edgeauto.planner.run.RunResult` (exit code, per-host ``stats`` as in the
    recap, failed/unreachable hosts) plus every task result (``TaskResult``: ``host``,
    ``task``, ``status`` — ok/changed/failed/skipped/unreachable — and ``result``, the dict
    ``register`` would store). Internal bookkeeping results are left out."""

    tasks: list[TaskResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def for_host(self, host: str) -> list[TaskResult]:
        return [r for r in self.tasks if r.host == host]

    def changed(self, host: str | None = None) -> list[TaskResult]:
        return [r for r in self.tasks if r.status == "changed" and host in (None, r.host)]


def run(
    plays: Sequence[Play],
    *,
    inventory: Inventory | InventoryModel | str | Path | Sequence[str | Path] | None = None,
    check: bool = False,
    diff: bool = False,
    limit: str | Sequence[str] | None = None,
    extra_vars: Mapping[str, Any] | None = None,
    reporter: Reporter | None = None,
    **options: Any,
) -> Result:
    """Run ``plays`` (in order, as one playbook) and return a :class:`Result`.

    ``inventory``: an :class:`Inventory`, the engine's inventory model, or inventory sources
    as ``-i`` takes them (a path, ``"h1,h2,"``, a list of those); ``None`` uses the configured
    default. ``options`` are further :class:`~edgeauto.planner.options.RunOptions` fields
    (``tags``, ``forks``, ``become`` …); no retry file is written unless asked for.
    ``reporter`` also receives every engine event (e.g. a console reporter to print
    Ansible's output). Validation problems raise :class:`~edgeauto.errors.ValidationError`
    before any host is contacted, as ``edgeauto run`` does.
    """
    if not plays:
        raise ValueError("run() needs at least one Play")
    model = None
    sources: list[str] = []
    if isinstance(inventory, Inventory):
        model = inventory.build()
    elif isinstance(inventory, InventoryModel):
        model = inventory
    elif isinstance(inventory, str | Path):
        sources = [str(inventory)]
    elif inventory is not None:
        sources = [str(s) for s in inventory]
    if isinstance(limit, str):
        limit = [limit]
    options.setdefault("write_retry_file", False)
    run_options = RunOptions(
        inventory_sources=sources,
        check=check,
        diff=diff,
        limit=list(limit) if limit is not None else None,
        extra_vars=dict(extra_vars or {}),
        **options,
    )
    collector, messages = _TaskCollector(), CollectingReporter()
    reporters = [collector, messages] + ([reporter] if reporter is not None else [])
    source = PlaybookData(_playbook_path(plays[0]), [p.to_data() for p in plays])
    outcome = Run([source], run_options, MultiReporter(*reporters), inventory=model).execute()
    return Result(
        **outcome.__dict__,
        tasks=[r for r in collector.results if not r.hidden],
        warnings=list(messages.warnings),
    )


def _playbook_path(play: Play) -> Path:
    """The script that built the first play stands for the playbook file: relative ``src``
    files and roles are looked up beside it, as they would be beside a YAML playbook."""
    script = Path(play.pos.file)
    return script.resolve() if script.is_file() else Path.cwd() / "<python>"
