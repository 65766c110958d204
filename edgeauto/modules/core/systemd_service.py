"""``systemd_service`` (alias ``systemd``): mask, enable and start/stop one systemd unit.

Ansible's decision rules, run by ``remote/systemd.sh`` with ``systemctl`` on the target:
``status`` is ``systemctl show`` *before* any change (so check mode returns the same);
``daemon_reload`` alone never reports a change; restarted/reloaded start a stopped unit and
report ``state: started``; a unit neither systemd nor /etc/init.d knows fails with Ansible's
"Could not find the requested service" message.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._svc import (
    STATES,
    early_check,
    no_glob,
    parse_systemctl_show,
    tristate,
    warnings_of,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="systemd_service",
    short_description="Manage systemd units",
    description=(
        "Works like ansible.builtin.systemd_service: daemon-reload/daemon-reexec, mask, "
        "enable and start/stop/restart/reload one unit with systemctl (no Python on the "
        "target). No diff output (Ansible's module has none either)."
    ),
    aliases=("systemd", "ansible.builtin.systemd", "ansible.legacy.systemd"),
    options={
        "name": Option(
            aliases=("service", "unit"),
            description="Unit name (a .service suffix is optional); no glob patterns.",
        ),
        "state": Option(choices=STATES, description="started/stopped are idempotent."),
        "enabled": Option(type="bool", description="Start the unit on boot."),
        "force": Option(type="bool", description="systemctl --force (override symlinks)."),
        "masked": Option(type="bool", description="Mask (link to /dev/null) or unmask."),
        "daemon_reload": Option(
            type="bool",
            default=False,
            aliases=("daemon-reload",),
            description="systemctl daemon-reload first (never reported as a change).",
        ),
        "daemon_reexec": Option(
            type="bool",
            default=False,
            aliases=("daemon-reexec",),
            description="systemctl daemon-reexec first.",
        ),
        "scope": Option(
            default="system",
            choices=("system", "user", "global"),
            description="systemctl --user / --global.",
        ),
        "no_block": Option(type="bool", default=False, description="systemctl --no-block."),
    },
    required_one_of=(("state", "enabled", "masked", "daemon_reload", "daemon_reexec"),),
    returns={
        "name": "The unit name.",
        "state": "The requested state (restarted/reloaded report started).",
        "enabled": "Whether the unit starts on boot (when enabled was given).",
        "status": "systemctl show properties from before the task changed anything.",
    },
    examples=(
        "- systemd_service:\n    name: nginx\n    state: started\n    enabled: true\n"
        "    daemon_reload: true\n"
    ),
)

EA_SYSTEMD = ShellFunction(
    "ea_systemd",
    "systemd.sh",
    params="name state enabled masked daemon_reload daemon_reexec scope no_block force",
    defaults={"daemon_reload": "0", "daemon_reexec": "0", "scope": "system", "no_block": "0"},
)


def check_systemd_args(args: dict, pos: Position | None) -> None:
    """Ansible's required_by (state/enabled/masked need a name) and the glob refusal."""
    if args.get("name") is None:
        given = [k for k in ("state", "enabled", "masked") if args.get(k) is not None]
        if given:
            raise ModuleArgumentError(f"missing parameter(s) required by '{given[0]}': name", pos)
    no_glob(args.get("name"), pos)


def systemd_only_words(args: dict) -> dict[str, str]:
    """systemd's own options as ea_systemd takes them (also passed through by ``service``)."""
    return {
        "masked": tristate(args.get("masked")),
        "daemon_reload": flag(args.get("daemon_reload")),
        "daemon_reexec": flag(args.get("daemon_reexec")),
        "scope": args.get("scope") or "system",
        "no_block": flag(args.get("no_block")),
        "force": "1" if args.get("force") else "",
    }


def systemd_call(args: dict) -> ShellCall:
    return EA_SYSTEMD.call(
        name=text(args.get("name")),
        state=text(args.get("state")),
        enabled=tristate(args.get("enabled")),
        **systemd_only_words(args),
    )


def systemd_finish(record: dict, args: dict) -> dict:
    """The Ansible result: name, changed, status (dict), state, enabled (bool), warnings."""
    out = standard_result(record)
    out["name"] = args.get("name")
    out["status"] = parse_systemctl_show(out.pop("show", ""))
    if "enabled" in out:
        out["enabled"] = out["enabled"] == "1"
    warnings_of(out)
    if out.get("failed") and out.get("rc") is None:
        out.pop("rc", None)
    return out


class SystemdServiceModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_SYSTEMD,)
    converged_in = (
        "tests/integration/modules/test_svc_lab.py: needs a booted systemd (debian lab hosts)"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        check_systemd_args(args, pos)

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        return early_check(self, args, pos, final)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return systemd_call(args)

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return systemd_finish(record, args)


MODULE = SystemdServiceModule()
