"""``alternatives`` (community.general.alternatives): update-alternatives groups.

The target's ``update-alternatives --query`` (dpkg's machine-readable listing) says what is
installed; the alternative is (re)installed when it is missing or its priority or
subcommands differ, then selected / set back to auto / removed as ``state`` says, with
community.general's ``msg`` and before/after ``diff``.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import text
from edgeauto.modules.core._sys import lines_field, sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="alternatives",
    short_description="Manages alternative programs for common commands",
    description=(
        "Works like community.general.alternatives with Debian's update-alternatives "
        "(--query). family (RHEL alternatives) is refused."
    ),
    aliases=("community.general.alternatives", "community.general.system.alternatives"),
    oracle=None,  # community.general collection, not in ansible-core
    options={
        "name": Option(required=True, description="The generic name of the link."),
        "path": Option(type="path", description="The real executable the link points to."),
        "family": Option(description="RHEL alternatives family (not supported)."),
        "link": Option(type="path", description="The symlink (needed for a new group)."),
        "priority": Option(type="int", description="Priority (50 for a new alternative)."),
        "state": Option(default="selected", choices=("present", "selected", "auto", "absent")),
        "subcommands": Option(
            type="list",
            elements="dict",
            aliases=("slaves",),
            description="Each {name, link, path}: followers (slaves) of the alternative.",
        ),
    },
    supports_diff=True,
    returns={"msg": "What was done.", "diff": "before/after state, path, priority, link."},
    examples="- community.general.alternatives:\n    name: editor\n    path: /usr/bin/vim.basic\n",
)

EA_ALTERNATIVES = ShellFunction(
    "ea_alternatives",
    "alternatives.sh",
    params="name path link priority state subgiven",
    rest="subs",
    defaults={"state": "selected", "subgiven": "0"},
)


def _subs(value: str | None) -> list[dict]:
    out = []
    for line in lines_field(value):
        name, path, link = (line.split(" ", 2) + ["", ""])[:3]
        out.append({"name": name, "path": path, "link": link or None})
    return out


class AlternativesModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_ALTERNATIVES,)
    converged_in = "tests/integration/modules/test_sys_lab.py: update-alternatives on a lab host"

    def check_args(self, args: dict, pos: Position | None) -> None:
        if args.get("family") is not None:
            raise ModuleArgumentError(
                "family is a feature of RHEL's alternatives; edgeauto drives Debian's "
                "update-alternatives, which has none",
                pos,
            )
        if args.get("state") != "absent" and not args.get("path"):
            raise ModuleArgumentError("Either path or family must be specified", pos)
        for sub in args.get("subcommands") or []:
            missing = [k for k in ("name", "path", "link") if not sub.get(k)]
            extra = set(sub) - {"name", "path", "link"}
            if missing or extra:
                raise ModuleArgumentError(
                    f"subcommands: each needs name, path and link (got {sorted(sub)})", pos
                )
            if any(" " in str(sub[k]) for k in ("name", "path", "link")):
                raise ModuleArgumentError("subcommands: no spaces in name, path or link", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        subs = args.get("subcommands")
        words: list[str] = []
        for sub in subs or []:
            words += [str(sub["name"]), str(sub["link"]), str(sub["path"])]
        return EA_ALTERNATIVES.call(
            name=str(args["name"]),
            path=text(args.get("path")),
            link=text(args.get("link")),
            priority=text(args.get("priority")),
            state=args.get("state") or "selected",
            subgiven="1" if subs is not None else "0",
            subs=words,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        keys = ("cur_mode", "cur_value", "cur_link", "found", "cur_priority", "cur_subs")
        cur = {k: out.pop(k, "") for k in keys}
        link, prio, subs = out.pop("link", ""), out.pop("priority", ""), out.pop("subs", "")
        actions = str(out.pop("actions", "")).split()
        if out.get("failed"):
            return out
        name, path = args["name"], args.get("path")
        before: dict = {}
        if cur["found"] == "1":
            before = {
                "state": "present",
                "path": path,
                "priority": int(cur["cur_priority"] or 0),
                "link": cur["cur_link"] or None,
            }
            if cur["cur_subs"]:
                before["subcommands"] = _subs(cur["cur_subs"])
            if cur["cur_mode"] == "manual" and cur["cur_value"] != path:
                before["state"] = "selected"  # (sic) community.general's rule
        else:
            before = {"state": "absent"}
        after: dict = {}
        messages = []
        for action in actions:
            if action == "install":
                messages.append(f"Install alternative '{path}' for '{name}'.")
                after = {"state": "present", "path": path, "priority": int(prio), "link": link}
                if subs:
                    after["subcommands"] = _subs(subs)
            elif action == "set":
                messages.append(f"Set alternative '{path}' for '{name}'.")
                after["state"] = "selected"
            elif action == "auto":
                messages.append(f"Set alternative to auto for '{name}'.")
                after["state"] = "present"
            elif action == "remove":
                messages.append(f"Remove alternative '{path}' from '{name}'.")
                after = {"state": "absent"}
        out["msg"] = " ".join(messages)
        out["diff"] = {"before": before, "after": after}
        return out


MODULE = AlternativesModule()
