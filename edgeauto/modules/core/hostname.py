"""``hostname``: the permanent and current host name, with Ansible's strategies (``use``).

Without ``use`` a host running systemd gets hostnamectl (falling back to /etc/hostname plus
``hostname`` when hostnamed cannot be reached, as in some containers), any other host the
/etc/hostname file plus ``hostname`` (BusyBox included). The result carries Ansible's
``ansible_facts`` (hostname, nodename, fqdn, domain) and the ``hostname = …`` diff.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

USES = (
    "alpine", "debian", "freebsd", "generic", "macos", "macosx", "darwin", "openbsd", "openrc",
    "redhat", "sles", "solaris", "systemd",
)  # fmt: skip
#: Ansible's use= → our shell strategy (None: not implemented for the target's platform)
STRATEGY = {
    None: "auto",
    "systemd": "systemd",
    "debian": "systemd",  # Ansible maps debian to its systemd strategy too
    "alpine": "file",
    "generic": "file",
    "redhat": "redhat",
    "sles": "sles",
    "openrc": "openrc",
}

SPEC = ModuleSpec(
    name="hostname",
    short_description="Manage hostname",
    description=(
        "Works like ansible.builtin.hostname on Linux targets (systemd, file/alpine/generic, "
        "redhat, sles, openrc strategies). BSD, macOS and Solaris strategies are refused."
    ),
    options={
        "name": Option(required=True, description="The host name."),
        "use": Option(choices=USES, description="Which strategy (default: detected)."),
    },
    supports_diff=True,
    returns={"name": "The host name.", "ansible_facts": "hostname, nodename, fqdn, domain."},
    examples="- hostname:\n    name: web01\n",
)

EA_HOSTNAME = ShellFunction(
    "ea_hostname", "hostname.sh", needs=("fileattrs.sh",), params="name strategy"
)


class HostnameModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_HOSTNAME,)
    returns_facts = True
    invalidates = None
    converged_in = "tests/integration/modules/test_sys_lab.py: renames lab hosts"

    def check_args(self, args: dict, pos: Position | None) -> None:
        name = str(args.get("name") or "")
        if not name or any(c.isspace() for c in name) or "/" in name:
            raise ModuleArgumentError(f"argument 'name': not a host name: {name!r}", pos)
        if args.get("use") not in STRATEGY:
            raise ModuleArgumentError(
                f"hostname: use={args['use']} (a BSD/macOS/Solaris strategy) is not "
                "implemented by edgeauto; Linux strategies: "
                + ", ".join(sorted(k for k in STRATEGY if k)),
                pos,
            )
        if args.get("use") in ("systemd", "debian") and len(name) > 64:
            raise ModuleArgumentError(
                "name cannot be longer than 64 characters on systemd servers, try a shorter name",
                pos,
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_HOSTNAME.call(name=str(args["name"]), strategy=STRATEGY[args.get("use")])

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        fqdn = out.pop("fqdn", None)
        out.pop("strategy", None)
        if out.get("failed"):
            return out
        name = str(args["name"])
        fqdn = fqdn or name
        out["name"] = name
        out["ansible_facts"] = {
            "ansible_hostname": name.split(".")[0],
            "ansible_nodename": name,
            "ansible_fqdn": fqdn,
            "ansible_domain": ".".join(fqdn.split(".")[1:]),
        }
        if "diff" in out:
            out["diff"] = {"before": out["diff"]["before"], "after": out["diff"]["after"]}
        return out


MODULE = HostnameModule()
