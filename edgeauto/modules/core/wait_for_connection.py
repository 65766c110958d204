"""``wait_for_connection``: wait until the host runs an edgeauto script again.

Runs on the controller (``uses_connection``: the engine sends the host's pending tasks first
and hands over the host's transport): a fresh connection plus one ping round trip, retried
every ``sleep`` seconds until ``timeout``. This is Ansible's "ping module test", without
needing Python on the target.
"""

from __future__ import annotations

import time

from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.core._xfer import ping_once
from edgeauto.modules.spec import ModuleSpec, Option


class WaitForConnectionModule(ControllerModule):
    uses_connection = True
    spec = ModuleSpec(
        name="wait_for_connection",
        action_plugin_args=True,
        short_description="Wait until the host is reachable and runs scripts again",
        options={
            "connect_timeout": Option(
                type="int", default=5, description="Seconds one connection attempt may take."
            ),
            "delay": Option(type="int", default=0, description="Seconds to wait first."),
            "sleep": Option(type="int", default=1, description="Seconds between attempts."),
            "timeout": Option(type="int", default=600, description="Seconds to wait at most."),
        },
        supports_check_mode=False,
        returns={"elapsed": "Seconds waited."},
        examples="- wait_for_connection: {delay: 5, timeout: 300}\n",
    )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        if ctx.check_mode:
            return {"changed": False, "skipped": True}
        link = ctx.connection
        started = time.monotonic()
        if args.get("delay") and link.sleep(args["delay"]):
            return {"failed": True, "changed": False, "msg": "interrupted"}
        return wait_until_pinged(link, args, started)


def wait_until_pinged(link, args: dict, started: float, until: float | None = None) -> dict:
    """Retry :func:`ping_once` until it works or ``timeout`` passes (``until`` overrides the
    deadline); the Ansible-shaped result with ``elapsed``."""
    end = until if until is not None else time.monotonic() + int(args.get("timeout", 600))
    error: Exception | None = None
    while time.monotonic() < end:
        try:
            ping_once(link, float(args.get("connect_timeout") or 5))
            return {"changed": False, "elapsed": int(time.monotonic() - started)}
        except Exception as exc:  # noqa: BLE001 - any failure means "not back yet"
            error = exc
        if link.sleep(float(args.get("sleep", 1))):
            return {"failed": True, "changed": False, "msg": "interrupted"}
    detail = getattr(error, "message", None) or str(error)
    return {
        "failed": True,
        "changed": False,
        "msg": f"timed out waiting for ping module test: {detail}",
        "elapsed": int(time.monotonic() - started),
    }


MODULE = WaitForConnectionModule()
