"""``reboot``: reboot the host and wait until it is back, as Ansible's reboot action does.

A controller module with ``uses_connection``: the host's pending tasks run first, then one
round trip reads the boot id (``boot_time_command``) and starts the reboot detached a second
later (so the result gets back before the link drops). The module then resets the connection
and re-reads the boot id until it changed, waits ``post_reboot_delay``, and runs
``test_command`` until it succeeds — all within ``reboot_timeout``.
"""

from __future__ import annotations

import shlex
import time

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import ControllerContext, ControllerModule
from edgeauto.modules.core._xfer import reset, round_trip
from edgeauto.modules.core.raw import EA_RAW
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

EA_REBOOT = ShellFunction("ea_reboot", "reboot.sh", params="search_paths command args delay")
SEARCH_PATHS = ["/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"]


class RebootModule(ControllerModule):
    uses_connection = True
    shell_functions = (EA_REBOOT, EA_RAW)
    spec = ModuleSpec(
        name="reboot",
        action_plugin_args=True,
        short_description="Reboot the host and wait until it is back",
        options={
            "reboot_timeout": Option(type="int", default=600, description="Seconds to wait."),
            "pre_reboot_delay": Option(type="int", default=0, description="Seconds before."),
            "post_reboot_delay": Option(type="int", default=0, description="Seconds after."),
            "connect_timeout": Option(type="int", description="Seconds per connection attempt."),
            "test_command": Option(default="whoami", description="Must succeed after the boot."),
            "msg": Option(default="Reboot initiated by Ansible", description="Shutdown message."),
            "boot_time_command": Option(
                default="cat /proc/sys/kernel/random/boot_id",
                description="Its output must change across the reboot.",
            ),
            "reboot_command": Option(
                default="[determined based on target OS]",
                description="Command to reboot with (default: shutdown -r, else reboot).",
            ),
            "search_paths": Option(
                type="list",
                elements="str",
                default=list(SEARCH_PATHS),
                description="Where to look for the shutdown/reboot command.",
            ),
        },
        returns={"rebooted": "Whether the host rebooted.", "elapsed": "Seconds it took."},
        examples="- reboot: {reboot_timeout: 300, test_command: 'systemctl is-system-running'}\n",
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        for key in ("pre_reboot_delay", "post_reboot_delay"):
            if int(args.get(key) or 0) < 0:
                raise ModuleArgumentError(f"{key} must be 0 or more", pos)

    def _reboot_call(self, args: dict):
        command = args.get("reboot_command")
        msg = str(args.get("msg") or "Reboot initiated by Ansible")
        if command in (None, "[determined based on target OS]"):
            program, rest = "", f"-r 0 {shlex.quote(msg)}"
        else:
            program, _, rest = str(command).partition(" ")
        return EA_REBOOT.call(
            search_paths=":".join(args.get("search_paths") or SEARCH_PATHS),
            command=program,
            args=rest,
            delay=str(int(args.get("pre_reboot_delay") or 0)),
        )

    def run(self, args: dict, ctx: ControllerContext) -> dict:
        if ctx.check_mode:
            return {"changed": True, "elapsed": 0, "rebooted": True}
        link = ctx.connection
        if getattr(link.transport, "name", "") == "local":
            return {
                "changed": False,
                "elapsed": 0,
                "rebooted": False,
                "failed": True,
                "msg": "Running reboot with local connection would reboot the control node.",
            }
        probe = EA_RAW.call(command=str(args["boot_time_command"]))
        try:
            before, started = round_trip(link, [probe, self._reboot_call(args)], timeout=120)
        except Exception as exc:  # noqa: BLE001 - the host was not there to begin with
            return {"failed": True, "rebooted": False, "msg": f"{getattr(exc, 'message', exc)}"}
        start = time.monotonic()
        fields = before.get("fields", {})
        if before.get("status") == "failed" or not fields.get("cmd_stdout", "").strip():
            return {
                "failed": True,
                "rebooted": False,
                "msg": f"failed to get the boot time: {fields.get('cmd_stderr', '').strip()}",
            }
        if started.get("status") != "changed":
            detail = started.get("fields", {}).get("msg", "the reboot command did not run")
            return {"failed": True, "rebooted": False, "msg": f"Reboot command failed: {detail}"}
        boot_id = fields["cmd_stdout"].strip()
        timeout = int(args.get("reboot_timeout") or 600)
        end = start + int(args.get("pre_reboot_delay") or 0) + 1 + timeout
        connect = float(args.get("connect_timeout") or 10)

        def boot_changed() -> bool:
            (rec,) = self._run(link, str(args["boot_time_command"]), connect)
            out = rec.get("fields", {}).get("cmd_stdout", "").strip()
            return rec.get("status") == "changed" and out != "" and out != boot_id

        def test_ok() -> bool:
            (rec,) = self._run(link, str(args["test_command"]), connect)
            return rec.get("status") == "changed"

        if link.sleep(int(args.get("pre_reboot_delay") or 0) + 2):
            return {"failed": True, "rebooted": False, "msg": "interrupted"}
        if not _until(boot_changed, end, link):
            return {
                "failed": True,
                "rebooted": True,
                "msg": f"Timed out waiting for last boot time check (timeout={timeout})",
                "elapsed": int(time.monotonic() - start),
            }
        if args.get("post_reboot_delay") and link.sleep(int(args["post_reboot_delay"])):
            return {"failed": True, "rebooted": True, "msg": "interrupted"}
        if not _until(test_ok, end, link):
            return {
                "failed": True,
                "rebooted": True,
                "msg": f"Timed out waiting for post-reboot test command (timeout={timeout})",
                "elapsed": int(time.monotonic() - start),
            }
        return {"changed": True, "rebooted": True, "elapsed": int(time.monotonic() - start)}

    @staticmethod
    def _run(link, command: str, connect: float) -> list[dict]:
        reset(link)
        link.transport.connect(connect)
        return round_trip(link, [EA_RAW.call(command=command)], timeout=connect + 60)


def _until(check, end: float, link) -> bool:
    """Retry ``check`` (any exception = not yet) until it is true or ``end`` passes."""
    pause = 1.0
    while time.monotonic() < end:
        try:
            if check():
                return True
        except Exception:  # noqa: BLE001 - the host is still down
            pass
        if link.sleep(pause):
            return False
        pause = min(pause * 2, 8.0)
    return False


MODULE = RebootModule()
