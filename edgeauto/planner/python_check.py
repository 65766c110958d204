"""Refuse a host without Python before anything runs there, when the play needs Python on it
(layer 7 helper of :mod:`edgeauto.planner.play`).

Tasks whose module edgeauto does not implement run as Ansible's own Python modules
(docs/fallback.md). On a BusyBox device or a minimal image without Python such a task cannot
work; running the play's earlier tasks and failing half-way would leave the host half
configured, so the host is refused at the start of the play with the task, the module, the
host and the native alternatives named.

Whether the host has Python comes from its facts (the ``python`` fact of the ``min`` subset)
or, when the play gathers none, from one tiny probe (``command -v python3 …``) — only for
plays that hold such a task. Tasks the walk may never run unconditionally (a ``when``, a
literal ``ignore_errors``, deselected by tags) are not refused here; they fail without running
when reached (``FallbackModule.compile`` / the shell function say why).
"""

from __future__ import annotations

from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.modules.fallback import module_for_task
from edgeauto.modules.fallback.module import no_python_message
from edgeauto.planner.host import HostRunner
from edgeauto.planner.results import TaskResult
from edgeauto.playbook.walk import iter_play_tasks

_PROBE = (
    "for p in {first} python3 /usr/bin/python3 /usr/libexec/platform-python python; do "
    'if command -v "$p" >/dev/null 2>&1; then echo "$p"; exit 0; fi; done; exit 1\n'
)


def refuse_without_python(runner: HostRunner, play, index: int) -> bool:
    """Report the host failed and return True when the play needs Python it lacks."""
    services, state = runner.services, runner.state
    selection = services.fleet.tag_selection
    first = None
    for entry in iter_play_tasks(play):
        task = entry.task
        module = module_for_task(task)
        if module is None or not module.needs_python:
            continue
        if entry.when or task.ignore_errors not in (None, False):
            continue
        if not selection.selects(entry.tags):
            continue
        first = task
        break
    if first is None:
        return False
    found, why = host_python(runner)
    if found:
        return False
    result = {"failed": True, "msg": no_python_message(first.action, state.name, why)}
    res = TaskResult(state.name, first, "failed", result, key=(index, "python", id(first)))
    state.stats.count(res)
    services.fleet.record(res)
    runner.outbox.mark_failed(first, services.scope.base_ctx())
    return True


def host_python(runner: HostRunner) -> tuple[bool, str]:
    """(has Python, how we know): from the facts, else from a probe (remembered per host)."""
    state = runner.state
    if "python" in state.facts:
        return True, "facts"
    if "system" in state.facts:  # gathered (the min subset, always collected): none found
        return False, "its facts show none"
    known = state.python_probe
    if known is not None:
        return known
    scope = runner.services.scope
    try:
        variables = scope.compose_vars(state, None, scope.base_ctx())
        wanted = str(variables.get("ansible_python_interpreter") or "").strip()
    except (EdgeautoError, ValueError):
        wanted = ""
    first = "" if wanted.startswith("auto") or not wanted else _quote(wanted)
    try:
        out = state.transport.run_script(
            _PROBE.format(first=first).encode(),
            timeout=runner.services.options.task_timeout or 60.0,
        )
    except ConnectionFailed:
        return True, "unknown"  # the first real task reports the connection problem
    known = (out.rc == 0, "no python3, /usr/bin/python3 or python found")
    state.python_probe = known
    return known


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"
