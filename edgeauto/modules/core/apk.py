"""``apk`` (community.general.apk): Alpine packages through the apk tool, decided in sh.

Same decisions as community.general.apk: present = named in the world file, latest = no
newer version in ``apk version``, absent = not ``apk info --installed``; messages and the
``packages`` list (parsed from apk's "(1/2) Installing x" lines) as there.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._pkgs import command_output, letters
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="apk",
    short_description="Manage apk packages (Alpine Linux)",
    description="Works like community.general.apk; needs only sh and apk on the target.",
    aliases=("community.general.apk", "community.general.packaging.os.apk"),
    oracle=None,  # a community.general module: ansible-core has no oracle for it
    options={
        "name": Option(type="list", elements="str", description="Package name(s)."),
        "state": Option(
            default="present",
            choices=("present", "absent", "latest", "installed", "removed"),
            description="present/installed, absent/removed, latest.",
        ),
        "repository": Option(
            type="list", elements="str", description="Repositories replacing the system ones."
        ),
        "update_cache": Option(type="bool", default=False, description="apk update first."),
        "upgrade": Option(type="bool", default=False, description="Upgrade all packages."),
        "available": Option(
            type="bool", default=False, description="With upgrade: apk upgrade --available."
        ),
        "no_cache": Option(type="bool", default=False, description="apk --no-cache."),
        "world": Option(default="/etc/apk/world", description="World file for top-level packages."),
    },
    required_one_of=(("name", "update_cache", "upgrade"),),
    mutually_exclusive=(("name", "upgrade"),),
    returns={"packages": "Packages that changed.", "msg": "What was done."},
    examples="- community.general.apk:\n    name: [curl, jq]\n    update_cache: true\n",
)

EA_APK = ShellFunction("ea_apk", "apk.sh", params="state flags world repos", rest="names")


def normal_state(state: str) -> str:
    return {"installed": "present", "removed": "absent"}.get(state, state)


def pkg_result(out: dict) -> dict:
    """apk/opkg fields → result keys (stdout/stderr when the tool ran, packages as a list)."""
    if "pkg_out" in out or "pkg_err" in out:
        command_output(out, out, "pkg_out", "pkg_err")
    if "packages" in out:
        out["packages"] = [p for p in out["packages"].split("\n") if p]
    if "count" in out:
        out.pop("count")
    return out


class ApkModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_APK,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: a busybox lab host with a recorded apk "
        "stand-in and a repository the test builds (no apk binary in Debian)"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        names = args.get("name")
        if names is not None and all(not str(n).strip() for n in names):
            raise ModuleArgumentError("Package name(s) cannot be empty or whitespace-only", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_APK.call(
            state=normal_state(args.get("state") or "present"),
            flags=letters(
                [
                    ("u", args.get("update_cache")),
                    ("g", args.get("upgrade")),
                    ("v", args.get("available")),
                    ("n", args.get("no_cache")),
                ]
            ),
            world=str(args.get("world") or "/etc/apk/world"),
            repos="\n".join(args.get("repository") or []),
            names=[str(n).strip() for n in args.get("name") or []],
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return pkg_result(standard_result(record))


MODULE = ApkModule()
