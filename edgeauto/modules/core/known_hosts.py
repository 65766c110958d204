"""``known_hosts``: add or remove a host's key in a known_hosts file (ansible.builtin).

Ansible's decisions are kept: entries of the host found with ``ssh-keygen -F`` (so hashed
entries match too), a same-type key with other contents is replaced in place of its line,
``hash_host`` stores ``|1|salt|hash`` of the name, and the result always carries the diff.
Without ssh-keygen (BusyBox) only plain entries are compared and ``hash_host`` is refused.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option, to_bool

SPEC = ModuleSpec(
    name="known_hosts",
    short_description="Add or remove a host from the known_hosts file",
    description=(
        "Works like ansible.builtin.known_hosts. Uses ssh-keygen -F/-H/-R when present; "
        "without it only plain (unhashed) entries are compared and hash_host is refused."
    ),
    options={
        "name": Option(required=True, aliases=("host",), description="The host (or [host]:port)."),
        "key": Option(description="The known_hosts line: 'name type base64 [comment]'."),
        "path": Option(type="path", default="~/.ssh/known_hosts", description="The file."),
        # Ansible's documented default is the string 'no'; spec.validate keeps defaults as is
        "hash_host": Option(type="bool", default=False, description="Hash the host name."),
        "state": Option(
            default="present", choices=("absent", "present"), description="Key present or absent."
        ),
    },
    supports_diff=True,
    returns={
        "name/key/path/hash_host/state": "The arguments (path expanded).",
        "state/mode/owner/group/uid/gid/size": "The file's attributes (Ansible's path info).",
        "diff": "The file before and after (always returned, as Ansible does).",
    },
    examples='- known_hosts:\n    name: git.example.org\n    key: "git.example.org ssh-ed25519 AAAA..."\n',
)

EA_KNOWN_HOSTS = ShellFunction(
    "ea_known_hosts",
    "known_hosts.sh",
    needs=("fileattrs.sh",),
    params="name key path hash_host state",
    defaults={"path": "~/.ssh/known_hosts", "hash_host": "0", "state": "present"},
)


class KnownHostsModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_KNOWN_HOSTS,)
    converged_in = "tests/integration/modules/test_users_lab.py: root's known_hosts on lab hosts"

    def check_args(self, args: dict, pos: Position | None) -> None:
        key = args.get("key")
        if key is not None and "\n" in str(key).rstrip("\n"):
            raise ModuleArgumentError("argument 'key': one known_hosts line only", pos)
        if key and len(str(key).split()) < 3:
            raise ModuleArgumentError(
                "argument 'key': expected 'host type base64-key' (a known_hosts line)", pos
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        key = args.get("key")
        return EA_KNOWN_HOSTS.call(
            name=str(args["name"]).lower(),
            key="" if not key else "=" + str(key).rstrip("\n"),
            path=str(args.get("path") or "~/.ssh/known_hosts"),
            hash_host=flag(to_bool(args.get("hash_host", False))),
            state=args.get("state") or "present",
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        raw = standard_result(record)
        if raw.get("failed"):
            return raw
        out = {
            "changed": raw["changed"],
            "failed": False,
            "name": str(args["name"]),
            "key": args.get("key"),
            "path": raw.get("path", args.get("path")),
            "hash_host": to_bool(args.get("hash_host", False)),
            "state": args.get("state") or "present",
        }
        for name in ("state", "mode", "owner", "group", "uid", "gid", "size"):
            if name in raw:  # Ansible's path info: state becomes the file's kind
                out[name] = int(raw[name]) if name in ("uid", "gid", "size") else raw[name]
        if "diff" in raw:
            out["diff"] = raw["diff"]
        if raw.get("warning"):
            out["warnings"] = [raw["warning"]]
        return out


MODULE = KnownHostsModule()
