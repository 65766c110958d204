"""``pause``: wait a number of seconds or minutes (ansible.builtin.pause, non-interactive).

Runs on the controller (``uses_connection``: the host's pending tasks are sent first, so the
wait lies between what ran before and what runs after — why playbooks pause, e.g. to make
file times differ). edgeauto runs are not interactive, so it behaves as ansible-playbook does
with a stdin that is no terminal: a timed pause just waits (a ``prompt`` is not asked), and a
pause without ``seconds``/``minutes`` does not wait, with Ansible's warning. Unlike Ansible
(once for all hosts of the play) each host waits for itself, in parallel.
"""

from __future__ import annotations

import time
from datetime import datetime

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.spec import ModuleSpec, Option

NOT_INTERACTIVE = "Not waiting for response to prompt as stdin is not interactive"


class PauseModule(ControllerModule):
    uses_connection = True
    spec = ModuleSpec(
        name="pause",
        short_description="Wait a number of seconds or minutes (prompts are not asked)",
        options={
            "seconds": Option(type="raw", description="Seconds to wait (at least 1)."),
            "minutes": Option(type="raw", description="Minutes to wait."),
            "prompt": Option(description="Accepted; edgeauto does not ask (not interactive)."),
            "echo": Option(type="bool", default=True, description="Accepted (no prompt)."),
        },
        mutually_exclusive=(("minutes", "seconds"),),
        returns={
            "start": "When the wait began.",
            "stop": "When it ended.",
            "delta": "Seconds waited (int).",
            "stdout": "'Paused for N seconds' / 'Paused for N minutes'.",
            "user_input": "Always '' (nothing is asked).",
        },
        examples="- pause:\n    seconds: 2\n",
    )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        unit, seconds = "minutes", None
        try:  # Ansible converts with int(): "2" and 2.7 work, "soon" does not
            if args.get("minutes") is not None:
                seconds = int(args["minutes"]) * 60
            elif args.get("seconds") is not None:
                unit, seconds = "seconds", int(args["seconds"])
        except (TypeError, ValueError):
            raise ModuleArgumentError(
                f"pause needs a whole number of seconds/minutes, found "
                f"{args.get('minutes', args.get('seconds'))!r}",
                ctx.pos,
            ) from None
        result = {"changed": False, "rc": 0, "stderr": "", "echo": args.get("echo", True)}
        result["start"] = str(datetime.now())
        started = time.monotonic()
        if seconds is None:
            result["warnings"] = [NOT_INTERACTIVE]
        elif ctx.connection is not None and ctx.connection.sleep(max(seconds, 1)):
            return {"failed": True, "changed": False, "msg": "interrupted"}
        elif ctx.connection is None:
            time.sleep(max(seconds, 1))
        duration = time.monotonic() - started
        result["stop"] = str(datetime.now())
        result["delta"] = int(duration)
        shown = round(duration / 60.0, 2) if unit == "minutes" else round(duration, 2)
        result["stdout"] = f"Paused for {shown} {unit}"
        result["user_input"] = ""
        return result


MODULE = PauseModule()
