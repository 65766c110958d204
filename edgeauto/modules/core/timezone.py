"""``timezone`` (community.general.timezone): the system time zone and the RTC's zone.

timedatectl when systemd and timedated answer; otherwise (no systemd, a container where
timedated cannot act) the files themselves: /etc/localtime as a link into
/usr/share/zoneinfo, /etc/timezone, and the third line of /etc/adjtime for ``hwclock``.
The result's ``diff`` holds the given keys before and after, as community.general's.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._common import text
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="timezone",
    short_description="Configure timezone setting",
    description=(
        "Works like community.general.timezone on Linux targets: timedatectl where it works, "
        "else /etc/localtime, /etc/timezone and /etc/adjtime."
    ),
    aliases=("community.general.timezone", "community.general.system.timezone"),
    oracle=None,  # community.general collection, not in ansible-core
    options={
        "name": Option(description="Zone name (Asia/Tokyo); default: keep."),
        "hwclock": Option(
            aliases=("rtc",), choices=("local", "UTC"), description="RTC in local time or UTC."
        ),
    },
    required_one_of=(("hwclock", "name"),),
    supports_diff=True,
    returns={"diff": "before/after of the given keys (name, hwclock)."},
    examples="- community.general.timezone:\n    name: Asia/Tokyo\n",
)

EA_TIMEZONE = ShellFunction(
    "ea_timezone", "timezone.sh", needs=("fileattrs.sh",), params="name hwclock"
)


class TimezoneModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_TIMEZONE,)
    converged_in = "tests/integration/modules/test_sys_lab.py: changes /etc on a lab host"

    def check_args(self, args: dict, pos: Position | None) -> None:
        name = args.get("name")
        if name is not None and (
            not name or ".." in name.split("/") or name.startswith("/") or " " in name
        ):
            raise ModuleArgumentError(f"argument 'name': not a time zone name: {name!r}", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        return EA_TIMEZONE.call(name=text(args.get("name")), hwclock=text(args.get("hwclock")))

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        before, after = {}, {}
        for key in ("name", "hwclock"):
            if f"before_{key}" in out:
                before[key] = out.pop(f"before_{key}")
                after[key] = args[key] if not out.get("failed") else before[key]
        if not out.get("failed"):
            out["diff"] = {"before": before, "after": after}
        return out


MODULE = TimezoneModule()
