"""``service``: start/stop/enable a service with the target's own service manager.

Ansible's ``service`` action picks a module from the ``service_mgr`` fact; here the choice is
made on the target by ``remote/service.sh`` (the same signals: systemd's run directory,
PID 1's name, rc-service, /etc/init.d/NAME, runit's sv directories) so it works without
gathering facts and on BusyBox devices. On systemd the task *is* a ``systemd_service`` task
(same result keys, ``pattern``/``sleep``/``arguments``/``runlevel`` ignored with a warning, as
Ansible does); elsewhere the result is the service module's: ``name``, ``state``
(started/stopped), ``enabled``.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    backend_from,
    standard_result,
)
from edgeauto.modules.core._common import text
from edgeauto.modules.core._svc import STATES, early_check, tristate, warnings_of
from edgeauto.modules.core.systemd_service import (
    check_systemd_args,
    systemd_finish,
    systemd_only_words,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

# Ansible's service action hands every argument to the module it picked: on systemd hosts
# systemd_service's own options work (daemon_reload is common in public roles); elsewhere the
# service module rejects them. No defaults here, so "given" means written in the task.
SYSTEMD_PASSTHROUGH = {
    "daemon_reload": Option(
        type="bool", aliases=("daemon-reload",), description="systemd only: daemon-reload first."
    ),
    "daemon_reexec": Option(
        type="bool", aliases=("daemon-reexec",), description="systemd only: daemon-reexec first."
    ),
    "masked": Option(type="bool", description="systemd only: mask or unmask the unit."),
    "scope": Option(choices=("system", "user", "global"), description="systemd only."),
    "no_block": Option(type="bool", description="systemd only: systemctl --no-block."),
    "force": Option(type="bool", description="systemd only: systemctl --force."),
}

SPEC = ModuleSpec(
    name="service",
    short_description="Manage services (systemd, OpenRC, runit, SysV/BusyBox init scripts)",
    description=(
        "Works like ansible.builtin.service. The service manager is detected on the target "
        "(use: auto) or named with use: systemd, sysvinit, openrc or runit. SysV scripts are "
        "enabled with update-rc.d, insserv, chkconfig, OpenWrt's rc.common, or S??NAME links "
        "(/etc/rc?.d, /etc/rc.d, /etc/init.d) on BusyBox systems without a tool."
    ),
    options={
        "name": Option(description="Service name (init script, unit, sv dir)."),
        "state": Option(choices=STATES, description="started/stopped are idempotent."),
        "sleep": Option(type="int", description="Seconds between stop and start on restart."),
        "pattern": Option(description="A ps line containing this means the service runs."),
        "enabled": Option(type="bool", description="Start the service on boot."),
        "runlevel": Option(default="default", description="OpenRC runlevel (rc-update)."),
        "arguments": Option(
            default="", aliases=("args",), description="Extra words for the init script."
        ),
        "use": Option(
            default="auto", description="auto, systemd, sysvinit, openrc, runit or service."
        ),
        **SYSTEMD_PASSTHROUGH,
    },
    returns={
        "name": "The service name.",
        "state": "started or stopped (what was asked: restarted/reloaded report started).",
        "enabled": "The enabled value asked for.",
        "status": "On systemd: systemctl show properties (as systemd_service).",
    },
    examples="- service:\n    name: ntpd\n    state: started\n    enabled: true\n",
)

EA_SERVICE = ShellFunction(
    "ea_service",
    "service.sh",
    needs=("systemd.sh",),
    params="name state enabled pattern sleep arguments runlevel use systemd_only"
    " masked daemon_reload daemon_reexec scope no_block force",
    defaults={
        "runlevel": "default",
        "use": "auto",
        "systemd_only": "",
        "masked": "",
        "daemon_reload": "0",
        "daemon_reexec": "0",
        "scope": "system",
        "no_block": "0",
        "force": "",
    },
)

# what Ansible drops (with a warning) before handing a service task to systemd
_SYSTEMD_UNUSED = ("pattern", "runlevel", "sleep", "arguments")


class ServiceModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_SERVICE,)
    converged_in = (
        "tests/integration/modules/test_svc_lab.py: real init systems on lab hosts "
        "(systemd, SysV on a light debian, OpenRC, runit, BusyBox)"
    )

    # ansible's service action: its service_mgr names a module of its own for these two
    backend_modules = ("systemd", "sysvinit")

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        return early_check(self, args, pos, final)

    def backend(self, args: dict, task_vars: dict) -> str | None:
        return backend_from(args, task_vars, "service_mgr")

    def check_args(self, args: dict, pos: Position | None) -> None:
        """The service module's own requirements (name, one of state/enabled) — unless the
        task uses systemd's options, which only a systemd host can tell apart (there
        systemd_service's rules apply: daemon_reload alone needs no name)."""
        if systemd_only(args):
            check_systemd_args(args, pos)
            return
        problems, ansible = [], []
        if args.get("state") is None and args.get("enabled") is None:
            problems.append("one of these arguments is required: state, enabled")
            ansible.append("one of the following is required: state, enabled")
        if args.get("name") is None:
            problems.append("missing required argument 'name'")
            ansible.insert(0, "missing required arguments: name")
        if problems:
            raise ModuleArgumentError("; ".join(problems), pos, ansible_msg=ansible[0])

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        sleep = args.get("sleep")
        return EA_SERVICE.call(
            name=text(args.get("name")),
            state=text(args.get("state")),
            enabled=tristate(args.get("enabled")),
            pattern=text(args.get("pattern")),
            sleep="" if not sleep else str(int(sleep)),
            arguments=text(args.get("arguments")),
            runlevel=text(args.get("runlevel")) or "default",
            use=(text(args.get("use")) or "auto").lower(),
            systemd_only=",".join(systemd_only(args)),
            **systemd_only_words(args),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        mgr = record.get("fields", {}).get("mgr")
        if mgr == "systemd":
            out = systemd_finish(record, args)
            out.pop("mgr", None)
            ignored = [
                k for k in _SYSTEMD_UNUSED if args.get(k) not in (None, "", SPEC.options[k].default)
            ]
            if ignored:
                notes = [f'Ignoring "{k}" as it is not used in "systemd"' for k in ignored]
                out["warnings"] = notes + out.get("warnings", [])
            return out
        out = standard_result(record)
        out.pop("mgr", None)
        out.pop("enable_tool", None)
        warnings_of(out)
        out["name"] = args.get("name")
        if "enabled" in out:
            out["enabled"] = out["enabled"] == "1"
        if args.get("state") and not out.get("failed"):
            out["state"] = "stopped" if args["state"] == "stopped" else "started"
        return out


def systemd_only(args: dict) -> list[str]:
    """The systemd options a task gave (they make it a systemd-only task)."""
    return [k for k in SYSTEMD_PASSTHROUGH if args.get(k) is not None]


MODULE = ServiceModule()
