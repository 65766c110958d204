"""``package_facts``: ``ansible_facts.packages`` in Ansible's shape, without Python on the target.

``{name: [{name, version, arch, source, ...}]}`` (a list: several versions or architectures can
be installed). The target lists with dpkg-query (apt: also ``category`` = Section; foreign
architectures are keyed ``name:arch`` as python-apt does), ``apk info -v`` (``release``),
``opkg list-installed``, ``rpm -qa`` (``release``, ``epoch``) or ``pacman -Q``. ``manager:
auto`` tries them in Ansible's (alphabetical) order; ``strategy: first`` stops at the first
that lists packages.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

#: Ansible's manager names (its choices) → the lister we run natively (None: not native)
ANSIBLE_MANAGERS = {
    "apk": "apk",
    "apt": "apt",
    "auto": "auto",
    "dnf": "rpm",
    "dnf5": "rpm",
    "openbsd_pkg": None,
    "pacman": "pacman",
    "pkg": None,
    "pkg5": None,
    "pkg_info": None,
    "pkgng": None,
    "portage": None,
    "rpm": "rpm",
    "yum": "rpm",
    "zypper": "rpm",
}
EXTENSIONS = {"opkg": "opkg"}  # edgeauto: OpenWrt/Yocto devices
AUTO_ORDER = ("apk", "apt", "opkg", "pacman", "rpm")


class ManagerChoices(tuple):
    """Ansible's choices (what ``edgeauto doc`` and the spec oracle see), checked per element
    of the list, also accepting the edgeauto extensions."""

    def __contains__(self, value) -> bool:
        items = value if isinstance(value, list) else [value]
        return all(
            str(v).lower() in ANSIBLE_MANAGERS or str(v).lower() in EXTENSIONS for v in items
        )


SPEC = ModuleSpec(
    name="package_facts",
    short_description="Package information as facts",
    description=(
        "Works like ansible.builtin.package_facts for apt, apk, rpm and pacman (plus opkg), "
        "with nothing but the package tools on the target."
    ),
    options={
        "manager": Option(
            type="list",
            elements="str",
            default=["auto"],
            choices=ManagerChoices(ANSIBLE_MANAGERS),
            description="Managers to ask (auto: every native one, in order); opkg is an extension.",
        ),
        "strategy": Option(
            default="first",
            choices=("first", "all"),
            description="first: the first manager with packages; all: every one.",
        ),
    },
    returns={"ansible_facts": "packages: {name: [{name, version, arch, source, ...}]}"},
    examples="- package_facts:\n- debug: var=ansible_facts.packages['tree']\n",
)

EA_PACKAGE_FACTS = ShellFunction(
    "ea_package_facts", "package_facts.sh", params="strategy", rest="managers"
)
FIELDS = ("name", "version", "arch", "release", "epoch", "category")


def listers(managers: list[str], pos: Position | None) -> list[str]:
    out: list[str] = []
    for name in (m.lower() for m in managers):
        native = ANSIBLE_MANAGERS.get(name, EXTENSIONS.get(name))
        if name == "auto":
            out.extend(AUTO_ORDER)
        elif native is None:
            raise ModuleArgumentError(
                f"Unsupported package managers requested: {name} (edgeauto lists natively: "
                f"{', '.join(AUTO_ORDER)} and their aliases)",
                pos,
            )
        else:
            out.append(native)
    return list(dict.fromkeys(out))


def parse_listing(manager: str, text: str) -> dict[str, list[dict]]:
    packages: dict[str, list[dict]] = {}
    for line in text.splitlines():
        cols = (line.split("\t") + [""] * len(FIELDS))[: len(FIELDS)]
        if not cols[0]:
            continue
        entry = {"name": cols[0], "version": cols[1]}
        if manager in ("apt", "rpm"):
            entry["arch"] = cols[2]
        if manager in ("apk", "rpm"):
            entry["release"] = cols[3]
        if manager == "rpm":
            entry["epoch"] = cols[4] if cols[4] not in ("", "(none)") else None
        if manager == "apt":
            entry["category"] = cols[5]
        entry["source"] = manager
        packages.setdefault(cols[0], []).append(entry)
    return packages


class PackageFactsModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_PACKAGE_FACTS,)
    returns_facts = True
    invalidates = None
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: reads a real debian host's dpkg database "
        "and a busybox host's (recorded) apk/opkg state"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        listers(args.get("manager") or ["auto"], pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        order = listers(args.get("manager") or ["auto"], ctx.pos)
        return EA_PACKAGE_FACTS.call(strategy=args.get("strategy") or "first", managers=order)

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.get("failed"):
            return out
        found = [m for m in out.pop("found", "").split("\n") if m]
        missing = [m for m in out.pop("missing", "").split("\n") if m]
        packages: dict[str, list[dict]] = {}
        for manager in found:
            for name, entries in parse_listing(manager, out.pop(f"pkgs_{manager}", "")).items():
                packages.setdefault(name, []).extend(entries)
        warnings = [f'Found "{m}" but no associated packages' for m in missing]
        if not found:
            order = listers(args.get("manager") or ["auto"], ctx.pos)
            out["failed"] = True
            out["msg"] = (
                "Could not detect a supported package manager from the following list: "
                f"{order}, or the required Python library is not installed. Check warnings for "
                "details."
            )
        else:
            out["ansible_facts"] = {"packages": packages}
        if warnings:
            out["warnings"] = warnings
        return out


MODULE = PackageFactsModule()
