"""``authorized_key`` (ansible.posix.authorized_key): add or remove ssh keys of a user.

The merge runs in awk on the target and follows ansible.posix's rules so the files come out
byte for byte the same: keys matched by blob; a key whose type, options or comment differ is
dropped and appended again; non-key lines kept; ``exclusive`` drops the rest; every key line
rewritten as ``[options ]type blob comment``. The file is replaced atomically, 0600, owned by
the user; with ``manage_dir`` its directory is 0700 and owned by the user.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._users import account_name
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="authorized_key",
    short_description="Add or remove SSH authorized keys for a user",
    description=(
        "Works like ansible.posix.authorized_key (same merge, same file contents). Keys given "
        "as http(s):// URLs are fetched on the target with curl or wget; file:// URLs are read "
        "there."
    ),
    options={
        "user": Option(required=True, description="The user whose keys are managed."),
        "key": Option(
            required=True, description="One or more keys (one a line), or a URL to fetch."
        ),
        "path": Option(type="path", description="The file (default ~user/.ssh/authorized_keys)."),
        "manage_dir": Option(
            type="bool",
            default=True,
            description="Create the file's directory, mode 0700, owned by the user.",
        ),
        "state": Option(
            default="present", choices=("absent", "present"), description="Keys present or absent."
        ),
        "key_options": Option(description="Options prepended to each key (replace its own)."),
        "exclusive": Option(
            type="bool", default=False, description="Remove every other key from the file."
        ),
        "comment": Option(description="Comment to set on each key."),
        "validate_certs": Option(
            type="bool", default=True, description="Accepted; URL fetches always verify TLS."
        ),
        "follow": Option(
            type="bool", default=False, description="Follow a symlink at the file's path."
        ),
    },
    supports_diff=True,
    aliases=("ansible.posix.authorized_key",),
    # ansible.posix is not part of ansible-core: no ansible-doc oracle in the test venv
    oracle=None,
    returns={
        "keyfile": "Path of the authorized_keys file.",
        "user/key/path/manage_dir/state/key_options/exclusive/comment/validate_certs/follow": (
            "The arguments, as Ansible returns them."
        ),
    },
    examples="- ansible.posix.authorized_key:\n    user: deploy\n    key: \"{{ lookup('file', 'id.pub') }}\"\n",
)

EA_AUTHORIZED_KEY = ShellFunction(
    "ea_authorized_key",
    "authorized_key.sh",
    needs=("fileattrs.sh",),
    params="user keys path manage_dir state key_options exclusive comment follow",
    defaults={"manage_dir": "1", "state": "present", "exclusive": "0", "follow": "0"},
)

RESULT_ARGS = (
    "user",
    "key",
    "path",
    "manage_dir",
    "state",
    "key_options",
    "exclusive",
    "comment",
    "validate_certs",
    "follow",
)


def given(value) -> str:
    return "" if value is None else "=" + str(value)


class AuthorizedKeyModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_AUTHORIZED_KEY,)
    converged_in = "tests/integration/modules/test_users_lab.py: writes users' ~/.ssh (lab)"

    def check_args(self, args: dict, pos: Position | None) -> None:
        account_name(args["user"], "user", pos)
        for key in ("key_options", "comment"):
            if "\n" in str(args.get(key) or ""):
                raise ModuleArgumentError(f"argument '{key}': newlines are not allowed", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        key = str(args["key"])
        return EA_AUTHORIZED_KEY.call(
            user=str(args["user"]),
            keys=payload_ref("keys"),
            path=text(args.get("path")),
            manage_dir=flag(args.get("manage_dir", True)),
            state=args.get("state") or "present",
            key_options=given(args.get("key_options")),
            exclusive=flag(args.get("exclusive")),
            comment=given(args.get("comment")),
            follow=flag(args.get("follow")),
            payloads={"keys": (key if key.endswith("\n") else key + "\n").encode()},
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        raw = standard_result(record)
        if raw.get("failed"):
            return raw
        out = {"changed": raw["changed"], "failed": False}
        for name in RESULT_ARGS:
            value = args.get(name)
            if name in ("manage_dir", "validate_certs") and value is None:
                value = True
            elif name in ("exclusive", "follow") and value is None:
                value = False
            elif name == "state" and value is None:
                value = "present"
            out[name] = value
        out["keyfile"] = raw.get("keyfile", "")
        if args.get("path") and "state" in raw:  # Ansible's path info overrides state
            for name in ("state", "mode", "owner", "group", "uid", "gid", "size"):
                if name in raw:
                    out[name] = raw[name]
            for name in ("uid", "gid", "size"):
                if str(out.get(name, "")).isdigit():
                    out[name] = int(out[name])
        if "diff" in raw:
            out["diff"] = raw["diff"]
        return out


MODULE = AuthorizedKeyModule()
