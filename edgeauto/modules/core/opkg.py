"""``opkg`` (community.general.opkg): OpenWrt/Yocto packages through opkg, decided in sh.

Same decisions and messages as community.general.opkg: each package is checked with
``opkg list-installed NAME`` (with the version for ``NAME=VERSION``), installed or removed
one by one, and checked again; ``force: reinstall`` always reinstalls. Check mode predicts
from the same checks and runs nothing.
"""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import text
from edgeauto.modules.core._pkgs import letters
from edgeauto.modules.core.apk import normal_state, pkg_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

FORCES = (
    "",
    "depends",
    "maintainer",
    "reinstall",
    "overwrite",
    "downgrade",
    "space",
    "postinstall",
    "remove",
    "checksum",
    "removal-of-dependent-packages",
)

SPEC = ModuleSpec(
    name="opkg",
    short_description="Manage opkg packages (OpenWrt, Yocto)",
    description="Works like community.general.opkg; needs only sh and opkg on the target.",
    aliases=("community.general.opkg", "community.general.packaging.os.opkg"),
    oracle=None,  # a community.general module: ansible-core has no oracle for it
    options={
        "name": Option(
            type="list",
            elements="str",
            required=True,
            aliases=("pkg",),
            description="Package(s); NAME=VERSION pins a version.",
        ),
        "state": Option(
            default="present",
            choices=("present", "absent", "installed", "removed"),
            description="present/installed or absent/removed.",
        ),
        "force": Option(choices=FORCES, description="opkg --force-<value>."),
        "update_cache": Option(type="bool", default=False, description="opkg update first."),
        "executable": Option(type="path", description="The opkg binary to use."),
    },
    returns={"msg": "installed N package(s) / package(s) already present / removed N …"},
    examples="- community.general.opkg:\n    name: [tcpdump, curl]\n    update_cache: true\n",
)

EA_OPKG = ShellFunction("ea_opkg", "opkg.sh", params="state force flags executable", rest="names")


class OpkgModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_OPKG,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: a busybox lab host with a recorded opkg "
        "stand-in and a feed the test builds (no opkg binary in Debian)"
    )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_OPKG.call(
            state=normal_state(args.get("state") or "present"),
            force=text(args.get("force")),
            flags=letters([("u", args.get("update_cache"))]),
            executable=text(args.get("executable")),
            names=[str(n).strip() for n in args["name"]],
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return pkg_result(standard_result(record))


MODULE = OpkgModule()
