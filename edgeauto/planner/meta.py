"""``meta:`` actions — one table, keyed by the same names validation accepts (layer 5).

``edgeauto.modules.core.meta.META_ACTIONS`` is the list the validator checks a playbook
against; :data:`ACTIONS` implements exactly those names (a test and the import-time check below
keep them equal), so an action can no longer pass validation and then be unknown at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from edgeauto.errors import EdgeautoError
from edgeauto.modules.core.meta import META_ACTIONS
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.records import Flow
from edgeauto.planner.services import PlayServices
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Task


class MetaHost(Protocol):
    """What a meta action may use of the host walk running it."""

    state: HostState
    services: PlayServices

    def run_handlers(self) -> Flow: ...


def _flush_handlers(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    return host.run_handlers()


def _end_host(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    host.state.ended = True
    return Flow.END_HOST


def _end_play(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    host.services.barrier.end_play = True
    return Flow.END_PLAY


def _end_batch(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    """Every host of the batch stops at its next task (the barrier's stop flag); the play
    goes on with the next ``serial`` batch, as ansible-playbook does."""
    host.services.barrier.end_batch = True
    return Flow.END_HOST


def _end_role(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    """The rest of the current role is skipped for this host; the play goes on after it."""
    if wctx.in_handlers:
        raise EdgeautoError("meta: end_role cannot be used in a handler", task.pos)
    if wctx.role is None:
        raise EdgeautoError("meta: end_role can only be used inside a role", task.pos)
    return Flow.END_ROLE


def _clear_facts(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    host.state.facts.clear()
    return Flow.OK


def _clear_host_errors(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    host.state.failed = False
    return Flow.OK


def _reset_connection(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    if host.state.transport is not None:
        host.state.transport.close()  # the next script opens a fresh connection
    return Flow.OK


def _nothing(host: MetaHost, task: Task, wctx: WalkCtx) -> Flow:
    return Flow.OK


ACTIONS: dict[str, Callable[[MetaHost, Task, WalkCtx], Flow]] = {
    "flush_handlers": _flush_handlers,
    "end_host": _end_host,
    "end_play": _end_play,
    "end_batch": _end_batch,
    "end_role": _end_role,
    "clear_facts": _clear_facts,
    "clear_host_errors": _clear_host_errors,
    "reset_connection": _reset_connection,
    "noop": _nothing,
    "refresh_inventory": _nothing,  # inventories are read once per run
}

if set(ACTIONS) != set(META_ACTIONS):  # pragma: no cover - caught by the test suite too
    raise RuntimeError(f"meta actions differ: {sorted(set(ACTIONS) ^ set(META_ACTIONS))}")


def meta_action_of(task: Task, templar) -> str:
    """The action a ``meta`` task names (free form or the first string argument), rendered."""
    args = task.args or {}
    action = (
        args.get("_raw_params")
        or args.get("free_form")
        or next((v for v in args.values() if isinstance(v, str)), "")
    )
    return str(templar.render(action)).strip()


def run_meta_action(host: MetaHost, action: str, task: Task, wctx: WalkCtx) -> Flow:
    if action == "":
        return Flow.OK
    handler = ACTIONS.get(action)
    if handler is None:
        raise EdgeautoError(f"unknown meta action '{action}'", task.pos)
    return handler(host, task, wctx)
