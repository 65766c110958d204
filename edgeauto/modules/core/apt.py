"""``apt``: Debian packages, Ansible's rules, without python-apt on the target.

Ansible's apt module needs python3-apt (it installs it on the fly). Here the target runs
``apt-cache policy`` / ``dpkg-query`` / ``apt-get`` from ``remote/apt.sh`` and re-does the
module's decisions in sh: what is installed, the candidate (default_release as the 990 pin,
``name=1.2*`` as the highest available matching version), what to install/remove, and
whether the cache is stale (``cache_valid_time`` against the update-success stamp or the
lists directory's mtime). Check mode is ``apt-get --simulate``; diff is apt-get's plan
(``prepared``), as in Ansible.

``deb`` is a path on the target (comma-separated for several), as in Ansible; with the
edgeauto extension ``remote_src: false`` it names a controller file (role ``files/``, then
the playbook directory) that travels inside the script.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, payload_ref
from edgeauto.modules.base import standard_result as _standard
from edgeauto.modules.core._common import text
from edgeauto.modules.core._pkgs import command_output, letters, parse_apt_diff, to_int
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

STATES = ("absent", "build-dep", "latest", "present", "fixed")


def _bool(default: bool | None, description: str, aliases: tuple[str, ...] = ()) -> Option:
    return Option(type="bool", default=default, aliases=aliases, description=description)


SPEC = ModuleSpec(
    name="apt",
    short_description="Manage apt packages",
    description=(
        "Works like ansible.builtin.apt on targets without Python: apt-get, apt-cache and "
        "dpkg-query do the work. Check mode simulates (apt-get -s)."
    ),
    options={
        "name": Option(
            type="list",
            elements="str",
            aliases=("package", "pkg"),
            description="Packages: name, name=version (a glob), name>=version, or a pattern (pkg*).",
        ),
        "state": Option(default="present", choices=STATES, description="Wanted package state."),
        "update_cache": _bool(None, "Run apt-get update first.", ("update-cache",)),
        "update_cache_retries": Option(type="int", default=5, description="Update attempts."),
        "update_cache_retry_max_delay": Option(
            type="int", default=12, description="Longest pause between update attempts (s)."
        ),
        "cache_valid_time": Option(
            type="int", default=0, description="Update only when the cache is older (seconds)."
        ),
        "purge": _bool(False, "Purge configuration files with state=absent."),
        "deb": Option(type="path", description=".deb path(s) on the target (comma-separated)."),
        "remote_src": _bool(
            True,
            "edgeauto extension: false = deb is a controller file sent inside the script.",
        ),
        "default_release": Option(
            aliases=("default-release",), description="Target release (apt-get -t)."
        ),
        "install_recommends": _bool(
            None, "Install recommended packages (unset: the OS default).", ("install-recommends",)
        ),
        "force": _bool(False, "apt-get --force-yes (and downgrades of a deb)."),
        "upgrade": Option(
            default="no",
            choices=("dist", "full", "no", "safe", "yes"),
            description="Upgrade installed packages (yes/safe: upgrade --with-new-pkgs, full/dist: dist-upgrade).",
        ),
        "dpkg_options": Option(
            default="force-confdef,force-confold", description="Comma-separated dpkg options."
        ),
        "autoremove": _bool(False, "Remove unused dependencies."),
        "autoclean": _bool(False, "Remove obsolete package files from the cache."),
        "fail_on_autoremove": _bool(False, "apt-get --no-remove."),
        "policy_rc_d": Option(type="int", description="policy-rc.d exit code while apt runs."),
        "only_upgrade": _bool(False, "Only upgrade packages that are installed."),
        "force_apt_get": _bool(False, "Accepted: apt-get is always used (no aptitude)."),
        "clean": _bool(False, "apt-get clean."),
        "allow_unauthenticated": _bool(
            False, "Allow unauthenticated packages.", ("allow-unauthenticated",)
        ),
        "allow_downgrade": _bool(
            False,
            "Allow downgrades.",
            ("allow-downgrade", "allow_downgrades", "allow-downgrades"),
        ),
        "allow_change_held_packages": _bool(False, "Allow changing held packages."),
        "lock_timeout": Option(type="int", default=60, description="dpkg lock wait (seconds)."),
        "auto_install_module_deps": _bool(
            True, "Accepted and ignored: nothing is needed on the target beyond apt itself."
        ),
    },
    mutually_exclusive=(("deb", "name", "upgrade"),),
    required_one_of=(("autoremove", "deb", "name", "update_cache", "upgrade"),),
    supports_diff=True,
    returns={
        "cache_updated": "Whether the cache was updated.",
        "cache_update_time": "Time of the last cache update (epoch seconds).",
        "stdout": "apt-get's output.",
        "stderr": "apt-get's error output.",
    },
    examples="- apt:\n    name: [tree, jq]\n    update_cache: true\n    cache_valid_time: 3600\n",
)

EA_APT = ShellFunction(
    "ea_apt",
    "apt.sh",
    params=(
        "state flags valid release recommends deb upgrade dpkgopts locktimeout policyrcd"
        " retries maxdelay"
    ),
    rest="specs",
    defaults={
        "state": "present",
        "valid": "0",
        "dpkgopts": "force-confdef,force-confold",
        "locktimeout": "60",
        "retries": "5",
        "maxdelay": "12",
    },
)


def check_specs(names: list[str], state: str, pos: Position | None) -> list[str]:
    """Ansible's own checks on the package list (before anything runs)."""
    specs = [str(n).strip() for n in names]
    for spec in specs:
        if spec.count("=") > 1:
            raise ModuleArgumentError(f"invalid package spec: {spec}", pos)
        if not spec:
            raise ModuleArgumentError("empty package name", pos)
    if state == "latest" and "*" in specs and len(specs) > 1:
        raise ModuleArgumentError(
            "unable to install additional packages when upgrading all installed packages", pos
        )
    return specs


class AptModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_APT,)
    invalidates = "all"  # packages install files anywhere
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: needs root and the Debian mirror on a "
        "fresh lab host"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        if args.get("deb") and args.get("state", "present") != "present":
            raise ModuleArgumentError("deb only supports state=present", pos)
        check_specs(args.get("name") or [], args.get("state") or "present", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        state = args.get("state") or "present"
        specs = check_specs(args.get("name") or [], state, ctx.pos)
        payloads: dict[str, bytes] = {}
        deb = text(args.get("deb"))
        if deb and args.get("remote_src") is False:
            refs = []
            for i, item in enumerate(deb.split(",")):
                payloads[f"deb{i}"] = ctx.locate("files", item.strip()).read_bytes()
                refs.append(payload_ref(f"deb{i}"))
            deb = ",".join(refs)
            if len(refs) > 1:  # a payload ref must be a whole argv item
                raise ModuleArgumentError(
                    "remote_src: false takes one deb file per task (loop for several)", ctx.pos
                )
        upgrade = args.get("upgrade") or "no"
        recommends = args.get("install_recommends")
        policy = args.get("policy_rc_d")
        return EA_APT.call(
            state=state,
            flags=letters(
                [
                    ("u", args.get("update_cache")),
                    ("p", args.get("purge")),
                    ("a", args.get("autoremove")),
                    ("f", args.get("force")),
                    ("d", args.get("allow_downgrade")),
                    ("o", args.get("only_upgrade")),
                    ("n", args.get("fail_on_autoremove")),
                    ("h", args.get("allow_change_held_packages")),
                    ("z", args.get("allow_unauthenticated")),
                    ("c", args.get("clean")),
                    ("k", args.get("autoclean")),
                ]
            ),
            valid=str(args.get("cache_valid_time") or 0),
            release=text(args.get("default_release")),
            recommends="" if recommends is None else ("1" if recommends else "0"),
            deb=deb,
            upgrade="" if upgrade == "no" else upgrade,
            dpkgopts=text(args.get("dpkg_options")),
            locktimeout=str(args.get("lock_timeout", 60)),
            policyrcd="" if policy is None else str(policy),
            retries=str(args.get("update_cache_retries", 5)),
            maxdelay=str(args.get("update_cache_retry_max_delay", 12)),
            specs=specs,
            payloads=payloads,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = _standard(record)
        return apt_result(out, ctx)


def apt_result(out: dict, ctx: CompileContext) -> dict:
    """Shape the shell function's fields into the keys Ansible's apt returns on that path."""
    ret = out.pop("ret", "")
    ran = out.pop("ran", "") == "1"
    out.pop("cmd", None)
    if "cache_updated" in out:
        out["cache_updated"] = out["cache_updated"] == "1"
        out["cache_update_time"] = to_int(out.get("cache_update_time"))
    if ran or out.get("failed") or ret in ("clean", "deb", "upgrade", "cleanup"):
        if "apt_out" in out or "apt_err" in out or ret == "deb":
            command_output(out, out)
    else:
        out.pop("apt_out", None)
        out.pop("apt_err", None)
    if ran and ctx.diff and ret != "clean":
        out["diff"] = parse_apt_diff(out.get("stdout", ""))
    if ret in ("upgrade", "clean") and "stdout" in out and not out.get("failed"):
        out["msg"] = out["stdout"]
    return out


MODULE = AptModule()
