"""Folding what came back for one task execution into its :class:`TaskResult` — pure.

Every function here takes what it reads as arguments and returns a value (the only thing it
may change is the ``predicted_paths`` set it is handed): item results become one Ansible-shaped
result, ``changed_when``/``failed_when`` are applied with the result bound, check-mode shadows
of earlier predicted changes are judged, and failures get the explanation a user acts on.
The outbox (``outbox.py``) decides *when* to fold and what a result then does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from edgeauto.errors import EdgeautoError
from edgeauto.planner.loops import loop_keys
from edgeauto.planner.records import NO_ITEM, TRUSTED_FACTS, ItemSlot, TaskExec
from edgeauto.planner.results import TaskResult
from edgeauto.planner.segment import SegmentRun
from edgeauto.templating import as_data


def build_result(
    te: TaskExec,
    *,
    host: str,
    templar_for: Callable[[], Any],
    unreachable_msg: Callable[[], str],
    predicted_paths: set[str],
    run_info: SegmentRun | None = None,
) -> TaskResult:
    """The one result of ``te``; ``templar_for()`` gives the templar conditions run in."""
    templar = None
    item_results = []
    all_items = [s.item for s in te.items]
    for slot in te.items:
        res = _slot_result(te, slot, all_items, unreachable_msg)
        if te.remote and slot.call is not None and slot.call.outcome == "done":
            templar = templar or templar_for()
            res = _judge_remote(te, slot, res, templar, predicted_paths)
        elif not te.remote and slot.result is not None and not res.get("skipped"):
            # a controller action's result (assert, fail, set_fact …) obeys changed_when /
            # failed_when too, as in Ansible (the assert target checks failures this way)
            if te.task.changed_when is not None or te.task.failed_when is not None:
                templar = templar or templar_for()
                try:
                    res = apply_conditions(te, slot, res, templar)
                except EdgeautoError as exc:
                    res = condition_error(res, exc)
        if slot.item is not NO_ITEM and not res.get("skipped"):
            res.setdefault("changed", False)
            res.setdefault("failed", False)
        item_results.append(res)
    result = _combined(te, item_results)
    status = status_of(result)
    if te.check:
        result.setdefault("changed", status == "changed")
    final = TaskResult(
        host,
        te.task,
        status,
        result,
        ignored=(status == "failed" and te.ignore_errors) or te.hidden,
        item_results=item_results if te.looped else [],
        key=te.key,
        delegated_to=te.delegated_to,
        duration=time.monotonic() - te.started,
        no_log=te.no_log,
        check_mode=te.check,
        is_handler=te.task.is_handler,
        hidden=te.hidden,
    )
    if run_info is not None and te.remote:
        final.script = run_info.script.decode("utf-8", "replace") if run_info.script else None
        if status == "failed":
            final.explain = explain_failure(te, final)
    return final


def _slot_result(te: TaskExec, slot: ItemSlot, all_items: list, unreachable_msg) -> dict:
    res = slot.result
    call = slot.call
    if call is not None:
        if call.outcome == "done":
            res = dict(call.result or {})
        elif call.outcome == "unreachable":
            res = {"unreachable": True, "msg": unreachable_msg()}
        else:  # not_run
            res = {"skipped": True, "not_run": True, "changed": False}
    if res is None:
        res = {"skipped": True, "changed": False}
    if slot.item is not NO_ITEM:
        res.update(loop_keys(te.loop_var, te.task.loop_control or {}, all_items, slot.index))
        if slot.label_later is not None:
            res = _late_label(te, slot, res)
        res["_ansible_item_label"] = slot.label if slot.label is not None else slot.item
    return res


def _late_label(te: TaskExec, slot: ItemSlot, res: dict) -> dict:
    """The label rendered after the item ran, the register name bound to this item's result
    (as ansible-core registers each item before templating its label); one it cannot render
    fails that item, as ansible's 'Failed to template loop_control.label'."""
    templar, source = slot.label_later
    if te.task.register:
        templar = templar.with_vars({te.task.register: as_data(dict(res))})
    try:
        slot.label = templar.render(source, te.task.pos)
    except EdgeautoError as exc:
        res = {**res, "failed": True, "msg": f"Failed to template loop_control.label: {exc}"}
        res.pop("skipped", None)
    return res


def _judge_remote(te: TaskExec, slot: ItemSlot, res: dict, templar, predicted: set[str]) -> dict:
    if te.check:
        res = predicted_defaults(res)
    try:
        res = apply_conditions(te, slot, res, templar)
    except EdgeautoError as exc:
        # A changed_when/failed_when that cannot be evaluated fails the task with that error
        # (never read as false, never an engine crash), as ansible-playbook reports it.
        return condition_error(res, exc)
    if te.check:
        shadowed = check_mode_shadow(slot, res, predicted)
        if shadowed is not res and te.task.changed_when is not None:
            shadowed = changed_when_on_prediction(te, slot, shadowed, templar)
        res = shadowed
    return res


NO_ITEMS = "No items in the list"


def _combined(te: TaskExec, item_results: list[dict]) -> dict:
    if not te.looped:
        return item_results[0] if item_results else {"skipped": True}
    if not item_results:  # ansible-playbook: an empty loop skips the task
        return {"results": [], "changed": False, "skipped": True, "skipped_reason": NO_ITEMS}
    all_skipped = bool(item_results) and all(r.get("skipped") for r in item_results)
    result = {
        "results": item_results,
        "changed": any(r.get("changed") for r in item_results),
        "msg": "All items skipped" if all_skipped else "All items completed",
        "skipped": all_skipped,
    }
    if any(r.get("failed") for r in item_results):
        result["failed"] = True
        result["msg"] = "One or more items failed"
    if any(r.get("unreachable") for r in item_results):
        result["unreachable"] = True
    return result


def status_of(result: dict) -> str:
    """The recap status of an Ansible-shaped result."""
    if result.get("unreachable"):
        return "unreachable"
    if result.get("failed"):
        return "failed"
    if result.get("skipped") and not result.get("changed"):
        return "skipped"
    if result.get("changed"):
        return "changed"
    return "ok"


def check_mode_shadow(slot: ItemSlot, res: dict, predicted_paths: set[str]) -> dict:
    """Check mode: a failure on a path an earlier task only *predicted* to create is not a
    failure but 'would change' (a real run creates the path first); changed paths are
    remembered in ``predicted_paths`` for later tasks."""
    paths = _paths_of(slot.call.args if slot.call else {}, res)
    own_verdict = getattr(slot.call.module if slot.call else None, "check_verdict_is_final", False)
    if res.get("failed") and not res.get("failed_when_result") and not own_verdict:
        if any(_under(p, q) for p in paths for q in predicted_paths):
            # the module's warnings still hold (file: an owner that does not exist yet)
            kept = {k: res[k] for k in ("warnings", "deprecations") if res.get(k)}
            return {
                **kept,
                "changed": True,
                "check_mode_uncertain": True,
                "msg": "would change; the exact outcome depends on an earlier change that "
                "check mode only predicted (" + str(res.get("msg", "")).strip() + ")",
            }
    elif res.get("changed"):
        predicted_paths.update(paths)
    return res


def changed_when_on_prediction(te: TaskExec, slot: ItemSlot, res: dict, templar) -> dict:
    """A shadowed check-mode failure still obeys ``changed_when`` when it can be decided
    without the real output (``changed_when: false`` → ok, as the real run reports)."""
    try:
        changed = _bound(te, slot, res, templar).is_true(
            _as_list(te.task.changed_when), te.task.pos
        )
    except EdgeautoError:
        return res  # depends on output a prediction does not have: keep "would change"
    return {**res, "changed": bool(changed)}


def apply_conditions(te: TaskExec, slot: ItemSlot, res: dict, templar) -> dict:
    """changed_when / failed_when, evaluated on the controller with the result bound."""
    task = te.task
    if task.changed_when is None and task.failed_when is None:
        return res
    tpl = _bound(te, slot, res, templar)
    if task.changed_when is not None:
        res["changed"] = bool(tpl.is_true(_as_list(task.changed_when), task.pos))
    if task.failed_when is not None:
        failed = (
            bool(tpl.is_true(_as_list(task.failed_when), task.pos)) if task.failed_when else False
        )
        res["failed_when_result"] = failed
        res["failed"] = failed
        if failed and "msg" not in res:
            res["msg"] = "the failed_when condition was true"
    return res


def _bound(te: TaskExec, slot: ItemSlot, res: dict, templar):
    """The templar a result condition runs in: Ansible exposes the result's keys directly,
    under the ``register`` name, and the loop variable."""
    bound = dict(res)
    extra: dict[str, Any] = {te.task.register: bound} if te.task.register else {}
    if slot.item is not NO_ITEM:
        extra[te.loop_var] = slot.item
    return templar.with_vars({**bound, **extra})


def condition_error(res: dict, exc: EdgeautoError) -> dict:
    """The result of a task whose result condition failed to render: failed, with the
    template error (file:line first) as its message; the module's own keys are kept."""
    return {**res, "failed": True, "msg": error_text(exc)}


def error_text(exc: Exception, pos=None) -> str:
    """An engine error as a task's ``msg``: where it is (file:line:col) first, then what."""
    pos = getattr(exc, "pos", None) or pos
    message = getattr(exc, "message", None) or str(exc)
    return f"{pos}: {message}" if pos else message


def registered_value(result: dict):
    """What ``register`` stores: the result without Ansible's internal ``_ansible_*`` keys
    (item labels …), as ansible-playbook strips them, wrapped as data so a registered stdout
    holding '{{ x }}' is never rendered."""

    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if not str(k).startswith("_ansible_")}
        return value

    out = clean(result)
    out.pop("invocation", None)  # ansible-playbook registers results without it
    if isinstance(out.get("results"), list):
        out["results"] = [clean(r) for r in out["results"]]
    if result.get(TRUSTED_FACTS) and isinstance(out.get("ansible_facts"), dict):
        facts = out.pop("ansible_facts")  # templates in them render where they are read
        return {**{k: as_data(v) for k, v in out.items()}, "ansible_facts": facts}
    return as_data(out)


def only_predicted(res: dict, check: bool) -> bool:
    """A check-mode result that stands for work not done (its real values are unknown)."""
    return check and bool(res.get("might_change") or res.get("check_mode_unknown"))


def predicted_defaults(res: dict) -> dict:
    """A command check mode did not run still registers the keys Ansible's skipped check-mode
    result has (``rc: 0``, empty output), so later tasks reading ``r.rc`` can be predicted."""
    if not res.get("might_change") or "rc" in res:
        return res
    out = {"rc": 0, "stdout": "", "stderr": "", "stdout_lines": [], "stderr_lines": []}
    out.update(res)
    out.setdefault("failed", False)
    return out


def explain_failure(te: TaskExec, final: TaskResult) -> dict:
    """What a user needs to act: where the task is, what ran, exit code, stderr tail."""
    result = final.result
    failed_items = [r for r in (final.item_results or [result]) if r.get("failed")]
    first = failed_items[0] if failed_items else result
    call = next(
        (
            s.call
            for s in te.items
            if s.call is not None and s.call.result is not None and s.call.result.get("failed")
        ),
        None,
    )
    command = first.get("cmd")
    if isinstance(command, list):
        command = " ".join(str(c) for c in command)
    if not command and call is not None:
        command = " ".join([call.shell.function, *(_short(a) for a in call.shell.argv)])
    return {
        "task": te.task.display_name,
        "at": str(te.task.pos) if te.task.pos else None,
        "command": None if final.no_log else command,
        "rc": first.get("rc"),
        "stderr_tail": None if final.no_log else tail(first.get("stderr") or ""),
    }


def tail(text, lines: int = 6) -> str:
    """The last non-empty lines of a process's output (bytes or text)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    kept = [ln.rstrip() for ln in str(text).splitlines() if ln.strip()]
    return "\n".join(kept[-lines:])


def _short(arg: str, limit: int = 80) -> str:
    arg = str(arg)
    if arg.startswith("@payload:"):
        return "<content>"
    return arg if len(arg) <= limit else arg[: limit - 3] + "..."


def _paths_of(args: dict, res: dict) -> set[str]:
    out = set()
    for key in ("path", "dest", "src", "chdir", "creates", "removes"):
        for source in (args, res):
            value = source.get(key)
            if isinstance(value, str) and value.startswith("/"):
                out.add(value.rstrip("/") or "/")
    return out


def _under(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


def as_list(value) -> list:
    """A condition keyword's value as the list of conditions it stands for."""
    return value if isinstance(value, list) else [value]


_as_list = as_list
