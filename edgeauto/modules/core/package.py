"""``package``: the generic package module, dispatched on the target.

Ansible's action plugin picks the backend from ``ansible_pkg_mgr`` (gathering facts when it
must). Here ``use: auto`` takes the fact when the host's facts already hold it, else the
target looks (apt-get + dpkg-query, then apk, then opkg) in the same script: no extra round
trip. apt, apk and opkg run natively; any other manager fails with a clear message.
The result is the backend module's (``apt``'s keys for apt, ``msg``/``packages`` for apk …).
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
from edgeauto.modules.core.apk import EA_APK, pkg_result
from edgeauto.modules.core.apt import EA_APT, apt_result, check_specs
from edgeauto.modules.core.opkg import EA_OPKG
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="package",
    short_description="Generic OS package manager",
    description=(
        "Works like ansible.builtin.package with native apt, apk and opkg backends; "
        "use: auto detects the manager on the target."
    ),
    options={
        "name": Option(
            type="raw",
            required=True,
            description="Package name(s): a list or a comma-separated string.",
        ),
        "state": Option(
            # Documented as required, yet ansible's package action hands the arguments to the
            # backend module (apt, apk …), whose own default is present.
            default="present",
            description="present (installed), absent (removed) or latest (default present).",
        ),
        "use": Option(default="auto", description="auto, apt, apk or opkg."),
    },
    examples="- package:\n    name: [tree, jq]\n    state: present\n",
)

EA_PACKAGE = ShellFunction(
    "ea_package",
    "package.sh",
    needs=(EA_APT.file, EA_APK.file, EA_OPKG.file),
    params="use pstate",
    rest="names",
)

STATES = {"present": "present", "installed": "present", "latest": "latest"}
STATES |= {"absent": "absent", "removed": "absent"}
#: ansible_pkg_mgr values this module drives natively
NATIVE = ("apt", "apk", "opkg")


def names_of(value, pos: Position | None) -> list[str]:
    if isinstance(value, str):
        return [n.strip() for n in value.split(",") if n.strip()]
    if isinstance(value, list) and all(isinstance(n, str | int | float) for n in value):
        return [str(n).strip() for n in value]
    raise ModuleArgumentError("argument 'name': expected a package name or a list of them", pos)


class PackageModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_PACKAGE,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: apt on a fresh debian host, apk and opkg "
        "(recorded stand-ins) on busybox hosts"
    )

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        """Ansible's package action forwards every argument it does not know to the backend
        module (``allow_downgrade`` for apt, ``enablerepo`` for dnf…), which checks them only
        when the task runs: so do we (a task skipped by ``when`` never complains); see
        :meth:`compile` for what happens to them."""
        own = {k: v for k, v in args.items() if k in self.spec.options}
        extra = {k: v for k, v in args.items() if k not in self.spec.options}
        return {**self.spec_validate(own, pos, final), **extra}

    # ansible's package action hands the task to the module ansible_pkg_mgr names
    backend_modules = ("apt", "apk", "opkg", "dnf", "dnf5", "yum", "zypper", "pacman", "pkgng")

    def backend(self, args: dict, task_vars: dict) -> str | None:
        """``use``, else the ``ansible_package_use`` variable, else the pkg_mgr fact."""
        use = str(args.get("use") or "auto")
        if use == "auto" and task_vars.get("ansible_package_use"):
            return str(task_vars["ansible_package_use"])
        return backend_from(args, task_vars, "pkg_mgr")

    def spec_validate(self, args: dict, pos: Position | None, final: bool) -> dict:
        return super().validate(args, pos, final)

    def check_args(self, args: dict, pos: Position | None) -> None:
        state = args.get("state")
        if state not in STATES:
            raise ModuleArgumentError(
                f"argument 'state' must be one of {', '.join(STATES)}, found {state!r}", pos
            )
        use = args.get("use") or "auto"
        if use != "auto" and use not in NATIVE:
            raise ModuleArgumentError(
                f"use: {use!r} has no native edgeauto backend (native: {', '.join(NATIVE)}; "
                "or auto)",
                pos,
            )
        names_of(args["name"], pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        extra = sorted(k for k in args if k not in self.spec.options)
        if extra:
            raise ModuleArgumentError(
                f"package: {', '.join(extra)} would go to the backend module with Ansible; "
                "edgeauto's native package passes no backend options (use the backend module, "
                "e.g. apt:, directly)",
                ctx.pos,
            )
        state = STATES[args["state"]]
        use = args.get("use") or "auto"
        known = self.backend(args, ctx.task_vars) if use == "auto" else None
        if known in NATIVE:
            use = known
        elif known and known not in self.backend_modules:
            raise ModuleArgumentError(
                f'Could not find a matching action for the "{known}" package manager.', ctx.pos
            )
        names = names_of(args["name"], ctx.pos)
        if use in ("auto", "apt"):
            check_specs(names, state, ctx.pos)
        return EA_PACKAGE.call(use=use, pstate=state, names=names)

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        backend = out.pop("backend", "")
        if backend == "apt":
            return apt_result(out, ctx)
        return pkg_result(out)


MODULE = PackageModule()
