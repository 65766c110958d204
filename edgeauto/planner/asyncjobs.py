"""The ``timeout``, ``async`` and ``poll`` task keywords, the controller half (layer 1).

WHY here and not as extra round trips: Ansible polls a background job with one ``async_status``
call per ``poll`` seconds. edgeauto keeps one script per host, so

* ``timeout: N`` and ``async: N`` with ``poll`` > 0 run the task in the foreground of the
  script, bounded by N seconds (``remote/jobs.sh`` kills the task and what it started);
* ``async: N`` + ``poll: 0`` starts the task in the background on the target and reports only
  its start; the job's record lands in a private status file (``~/.ansible_async/<jid>``, or
  ``ansible_async_dir``) that an ``async_status`` task reads later, usually under ``until``.

What comes back is shaped as Ansible 2.19 shapes it (``ansible_job_id``, ``started``,
``finished``, ``results_file``, the timeout messages), so ``register`` + ``when``/``until`` on
those keys behave the same. The job's module is remembered per host (``jobs``) so that the
``async_status`` result is the module's own result shape (command's ``stdout_lines`` …).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from typing import Any

from edgeauto.errors import EdgeautoError

DEFAULT_ASYNC_DIR = "~/.ansible_async"
DEFAULT_POLL = 15  # ansible-core's DEFAULT_POLL_INTERVAL
TIMEOUT_FRAME = "Configure `DISPLAY_TRACEBACK` to see a traceback on timeout errors."


@dataclass
class TaskLimits:
    """What one task's ``timeout``/``async``/``poll`` rendered to for one host."""

    timeout: int | None = None
    async_val: int = 0
    poll: int = DEFAULT_POLL
    job_id: str | None = None
    async_dir: str = DEFAULT_ASYNC_DIR

    @property
    def background(self) -> bool:
        return self.async_val > 0 and self.poll == 0

    @property
    def limit(self) -> int | None:
        """Seconds the script lets the task run (the job's own limit when in background)."""
        bounds = [n for n in (self.timeout, self.async_val) if n]
        return min(bounds) if bounds else None

    @property
    def job(self) -> tuple[str, str] | None:
        return (self.job_id, self.async_dir) if self.job_id else None


def new_job_id() -> str:
    """Ansible's job id shape, ``j<random>.<pid>`` (targets match ``j\\d+\\.\\d+``)."""
    return f"j{secrets.randbelow(999999999999)}.{os.getpid()}"


def limits_of(task, wctx, render, variables: dict) -> TaskLimits:
    """Render the task's keywords (``render(value) -> value``); a value that is not a
    non-negative integer is an error at the task's line."""
    timeout = task.timeout if task.timeout is not None else getattr(wctx, "timeout", None)
    limits = TaskLimits(
        timeout=_seconds(timeout, "timeout", render, task.pos) or None,
        async_val=_seconds(task.async_val, "async", render, task.pos) or 0,
    )
    if task.poll is not None:
        limits.poll = _seconds(task.poll, "poll", render, task.pos)
    if limits.async_val:
        limits.async_dir = str(variables.get("ansible_async_dir") or DEFAULT_ASYNC_DIR)
        limits.job_id = new_job_id()
    return limits


def _seconds(value: Any, keyword: str, render, pos) -> int:
    if value is None:
        return 0
    value = render(value)
    try:
        if isinstance(value, bool) or int(value) < 0:
            raise ValueError
        return int(value)
    except (TypeError, ValueError):
        raise EdgeautoError(
            f"'{keyword}' expects a number of seconds (an integer >= 0), found {value!r}", pos
        ) from None


def not_supported(action: str) -> dict:
    """Ansible's refusal of ``async`` on an action plugin without async support."""
    return {
        "failed": True,
        "changed": False,
        "msg": f"This action ({action}) does not support async.",
    }


def shaped(limits: TaskLimits | None, fields: dict, result: dict) -> dict:
    """A finished call's result as Ansible reports it under these keywords (``fields`` are
    the record's raw fields, ``result`` what the module's ``finish`` made of them)."""
    if limits is None:
        return result
    timed_out = "timedout" in fields
    if limits.background:
        return started_result(limits, fields, result)
    if timed_out and limits.async_val and limits.limit == limits.async_val:
        return {
            "failed": True,
            "changed": False,
            "msg": f"async task did not complete within the requested time - {limits.async_val}s",
            "async_result": {**_job_keys(limits, fields), "started": True, "finished": False},
        }
    if timed_out:
        period = int(fields["timedout"])
        return {
            "failed": True,
            "changed": False,
            "msg": f"Task failed: Timed out after {period} second(s).",
            "timedout": {"frame": TIMEOUT_FRAME, "period": period},
        }
    result = {k: v for k, v in result.items() if k != "timedout"}
    if limits.async_val:
        result.update(_job_keys(limits, fields), started=True, finished=True)
    return result


def started_result(limits: TaskLimits, fields: dict, result: dict) -> dict:
    """The foreground answer of a background task: started (or why it could not start)."""
    if result.get("failed"):
        return {"failed": True, "changed": False, "msg": result.get("msg", "")}
    return {
        "failed": False,
        "changed": False,
        "started": True,
        "finished": False,
        **_job_keys(limits, fields),
    }


def _job_keys(limits: TaskLimits, fields: dict) -> dict:
    return {
        "ansible_job_id": limits.job_id,
        "results_file": fields.get("results_file") or f"{limits.async_dir}/{limits.job_id}",
    }


from edgeauto.modules.jobs import job_result  # noqa: E402,F401 - the planner's name for it
