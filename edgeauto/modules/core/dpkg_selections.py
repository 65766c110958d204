"""``dpkg_selections``: a package's dpkg selection (install/hold/deinstall/purge), as
ansible.builtin.dpkg_selections: ``before``/``after`` are the old and wanted selections."""

from __future__ import annotations

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="dpkg_selections",
    short_description="Dpkg package selection selections",
    description="Works like ansible.builtin.dpkg_selections (dpkg --get/--set-selections).",
    options={
        "name": Option(required=True, description="Package name."),
        "selection": Option(
            required=True,
            choices=("install", "hold", "deinstall", "purge"),
            description="The selection state to set.",
        ),
    },
    returns={"before": "The selection before.", "after": "The selection after."},
    examples="- dpkg_selections:\n    name: python3\n    selection: hold\n",
)

EA_DPKG_SELECTIONS = ShellFunction(
    "ea_dpkg_selections", "dpkg_selections.sh", params="name selection"
)


class DpkgSelectionsModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_DPKG_SELECTIONS,)
    invalidates = None  # changes dpkg's database only
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: needs root and dpkg (a fresh debian lab host)"
    )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_DPKG_SELECTIONS.call(name=str(args["name"]), selection=str(args["selection"]))


MODULE = DpkgSelectionsModule()
