"""The facts task (``gather_facts``, ``setup``): facts plus the checksums of every file the
play will write, in one round trip (layer 5).

Asking for the checksums up front is what lets a converged ``copy``/``template`` send no
content at all: the module compares the checksum it was given with its own.
"""

from __future__ import annotations

import time

from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.modules.base import RemoteModule
from edgeauto.modules.registry import get_module
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.factcache import known_facts, remember
from edgeauto.planner.outbox import Outbox
from edgeauto.planner.records import Flow
from edgeauto.planner.results import TaskResult
from edgeauto.planner.services import PlayServices
from edgeauto.planner.state import HostState
from edgeauto.planner.taskargs import rendered_args
from edgeauto.playbook.model import Task
from edgeauto.playbook.walk import static_tasks


def gather_facts(outbox: Outbox, task: Task | None, wctx: WalkCtx, key: tuple) -> Flow:
    """Run the facts round trip for the host; ``task`` is None for the play's implicit one."""
    services, state = outbox.services, outbox.state
    scope = services.scope
    subset = list(services.play.gather_subset or ["all"])
    if task is not None and task.args.get("gather_subset"):
        value = task.args["gather_subset"]
        subset = value if isinstance(value, list) else [str(value)]
    shown = task or Task("gather_facts", {}, services.play.pos, name="Gathering Facts")
    started = time.monotonic()
    known = known_facts(services.fleet, state) if task is None else None
    if known is not None:  # gathering = smart: already known this run, or fresh in the cache
        state.facts.update(known)
        _report(services, state, shown, "ok", {"changed": False}, key)
        return Flow.OK
    try:
        base = scope.base_ctx()
        templar = scope.make_templar(scope.compose_vars(state, None, base))
        become = scope.become_spec(state.name, base.become, templar)
        paths = checksum_paths(services, state)
        facts, checksums = services.dispatch.gather(state, subset, paths, become)
    except ConnectionFailed as exc:
        state.last_unreachable = exc
        state.unreachable = True
        _report(
            services, state, shown, "unreachable", {"unreachable": True, "msg": exc.message}, key
        )
        return Flow.UNREACHABLE
    except EdgeautoError as exc:
        _report(services, state, shown, "failed", {"failed": True, "msg": str(exc)}, key)
        return outbox.mark_failed(shown, wctx)
    state.facts.update(facts or {})
    state.checksums.update(checksums or {})
    remember(services.fleet, state, facts or {})
    _report(services, state, shown, "ok", {"changed": False}, key, time.monotonic() - started)
    return Flow.OK


def _report(services, state, task, status, result, key, duration: float = 0.0) -> None:
    res = TaskResult(state.name, task, status, result, key=key, duration=duration)
    state.stats.count(res)
    services.fleet.record(res)


def checksum_paths(services: PlayServices, state: HostState) -> list[str]:
    """Remote files copy/template tasks of this play will write, templated for this host
    with what is known before facts (tasks whose path needs facts are skipped)."""

    scope = services.scope
    templar = scope.make_templar(scope.compose_vars(state, None, scope.base_ctx()))
    paths: list[str] = []
    for task in static_tasks(services.play):
        module = get_module(task.action)
        if not isinstance(module, RemoteModule):
            continue
        if type(module).checksum_paths is RemoteModule.checksum_paths:
            continue
        try:
            tpl = templar.with_vars(task.vars) if task.vars else templar
            items = tpl.render(task.loop) if task.loop is not None else [None]
            if not isinstance(items, list):
                continue
            for item in items:
                itpl = tpl.with_vars({"item": item}) if item is not None else tpl
                args = rendered_args(task, itpl)
                args = module.validate(args, task.pos, final=True)
                for path in module.checksum_paths(args):
                    if path not in paths:
                        paths.append(path)
        except (EdgeautoError, TypeError, ValueError):
            continue  # best effort: a path that needs facts is checked by the module instead
    return paths
