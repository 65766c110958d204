"""``async_status``: the state of a task started with ``async`` + ``poll: 0``.

The job wrote its status file in the async dir on the target (``remote/jobs.sh``); this reads
it in the task's own script: running (``finished: false``), finished (the job's module result,
as that module reports it, plus ``finished: true``), or gone ("could not find job").
``mode: cleanup`` removes it. Usually used with ``until: result is finished``.
"""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_ASYNC_STATUS = ShellFunction(
    "ea_async_status", "async_status.sh", params="jid mode dir", needs=("jobs.sh",)
)
DEFAULT_DIR = "~/.ansible_async"


class AsyncStatusModule(RemoteModule):
    spec = ModuleSpec(
        name="async_status",
        short_description="Obtain the status of an asynchronous task",
        options={
            "jid": Option(required=True, description="Job or task identifier."),
            "mode": Option(
                default="status",
                choices=("status", "cleanup"),
                description="status: report the job; cleanup: remove its status file.",
            ),
        },
        returns={
            "ansible_job_id": "The job id.",
            "started": "Whether the job has started.",
            "finished": "Whether the job has finished.",
            "results_file": "Path of the job's status file on the target.",
            "erased": "The removed status file (cleanup).",
        },
        examples=(
            "- command: sleep 30\n  async: 60\n  poll: 0\n  register: job\n"
            '- async_status:\n    jid: "{{ job.ansible_job_id }}"\n  register: st\n'
            "  until: st is finished\n  retries: 30\n  delay: 2\n"
        ),
    )
    shell_functions = (EA_ASYNC_STATUS,)
    invalidates = None
    converged_in = (
        "tests/unit/planner/test_async_timeout_keywords.py: it reads the status file of a job "
        "an async task started (nothing to converge); cleanup is checked there too"
    )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        folder = str(ctx.task_vars.get("ansible_async_dir") or DEFAULT_DIR)
        return EA_ASYNC_STATUS.call(jid=str(args["jid"]), mode=args["mode"], dir=folder)

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        from edgeauto.modules.jobs import job_result
        from edgeauto.remote.framing import parse_job_record

        fields = dict(record.get("fields", {}))
        job = fields.pop("job", None)
        head = standard_result({**record, "fields": fields})
        for key in ("started", "finished"):
            if key in head:
                head[key] = head[key] == "1"
        head["changed"] = False
        if job is None:
            head.setdefault("stdout", "")
            head.setdefault("stderr", "")
            head.setdefault("stdout_lines", [])
            head.setdefault("stderr_lines", [])
            return head
        started = ctx.async_jobs.get(str(args["jid"]))
        module, job_args, job_ctx = started if started else (None, {}, ctx)
        result = job_result(
            parse_job_record(job.encode("utf-8", "surrogateescape")), module, job_args, job_ctx
        )
        return {
            **result,
            **{k: head[k] for k in ("ansible_job_id", "results_file")},
            "started": True,
            "finished": True,
        }


MODULE = AsyncStatusModule()
