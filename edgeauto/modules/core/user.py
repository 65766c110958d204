"""``user``: manage a user account (ansible.builtin.user) with useradd/usermod/userdel, or by
editing /etc/passwd, /etc/shadow and /etc/group directly where those tools are missing
(BusyBox) or ``local: true`` is set.

Ansible's decisions are kept (what counts as a change for groups/append, password with
update_password, password_lock, expires, move_home, generate_ssh_key with force) and so are
its result keys, including the bare ``{changed: true}`` check mode gives for a user that would
be created or removed. The password hash is written into /etc/shadow under its lock on every
platform, never passed on a command line, and shows as ``NOT_LOGGING_PASSWORD`` in results.
"""

from __future__ import annotations

import math
import re
import time

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._users import account_name, int_field, no_colon
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

IGNORED = "Accepted for compatibility; not used on Linux targets."

SPEC = ModuleSpec(
    name="user",
    short_description="Manage user accounts",
    description=(
        "Works like ansible.builtin.user on Linux: shadow's useradd/usermod/userdel, or locked "
        "atomic edits of /etc/passwd, /etc/shadow, /etc/group (BusyBox, local: true). "
        "Passwords must be hashes; they never appear in output or on a command line."
    ),
    options={
        "name": Option(required=True, aliases=("user",), description="Name of the user."),
        "state": Option(
            default="present", choices=("absent", "present"), description="Present or absent."
        ),
        "uid": Option(type="int", description="The user's uid."),
        "uid_min": Option(type="int", description="Lowest uid a new user may get."),
        "uid_max": Option(type="int", description="Highest uid a new user may get."),
        "non_unique": Option(type="bool", default=False, description="Allow a duplicate uid."),
        "group": Option(description="Primary group (name or gid); must exist."),
        "groups": Option(
            type="list", elements="str", description="Supplementary groups ([] = none)."
        ),
        "append": Option(
            type="bool", default=False, description="Add to groups instead of setting them."
        ),
        "comment": Option(description="The GECOS field."),
        "home": Option(type="path", description="Home directory."),
        "shell": Option(type="path", description="Login shell."),
        "password": Option(no_log=True, description="Password hash (crypt format)."),
        "update_password": Option(
            default="always",
            choices=("always", "on_create"),
            description="Set the password always, or only when the user is created.",
        ),
        "password_lock": Option(type="bool", description="Lock (true) or unlock the password."),
        "remove": Option(
            type="bool", default=False, description="With absent: remove home and mail spool."
        ),
        "force": Option(
            type="bool",
            default=False,
            description="With absent: userdel -f; with generate_ssh_key: overwrite the key.",
        ),
        "system": Option(type="bool", default=False, description="Create a system account."),
        "create_home": Option(
            type="bool", default=True, aliases=("createhome",), description="Create the home."
        ),
        "move_home": Option(
            type="bool", default=False, description="Move the old home when home changes."
        ),
        "skeleton": Option(description="Skeleton directory for a new home (default /etc/skel)."),
        "umask": Option(description="Umask for a new home directory."),
        "expires": Option(
            type="float", description="Account expiry, epoch seconds (negative: never)."
        ),
        "password_expire_min": Option(type="int", description="Minimum days between changes."),
        "password_expire_max": Option(type="int", description="Maximum days between changes."),
        "password_expire_warn": Option(type="int", description="Days of warning before expiry."),
        "password_expire_account_disable": Option(
            type="int", description="Days after password expiry until the account is disabled."
        ),
        "local": Option(
            type="bool",
            default=False,
            description="Only the local /etc files (edited directly; NSS is not consulted).",
        ),
        "generate_ssh_key": Option(
            type="bool", default=False, description="Generate an ssh key pair for the user."
        ),
        "ssh_key_bits": Option(type="int", description="Bits of the generated key."),
        "ssh_key_type": Option(default="rsa", description="Type of the generated key."),
        "ssh_key_file": Option(
            type="path", description="Key file (relative to the home; default .ssh/id_TYPE)."
        ),
        "ssh_key_comment": Option(
            default="ansible-generated on $HOSTNAME", description="Comment of the key."
        ),
        "ssh_key_passphrase": Option(no_log=True, description="Passphrase of the key."),
        "hidden": Option(type="bool", description=IGNORED),
        "login_class": Option(description=IGNORED),
        "seuser": Option(description=IGNORED),
        "profile": Option(description=IGNORED),
        "authorization": Option(description=IGNORED),
        "role": Option(description=IGNORED),
    },
    returns={
        "name": "User name.",
        "state": "present or absent.",
        "uid": "The uid (present).",
        "group": "The primary gid (present).",
        "groups": "The groups argument, comma separated (when given).",
        "comment": "The GECOS field.",
        "home": "Home directory.",
        "shell": "Login shell.",
        "system": "Whether a created user is a system user.",
        "create_home": "Whether a created user got a home.",
        "append": "The append argument (existing user).",
        "move_home": "The move_home argument (existing user).",
        "force": "The force argument (removed user).",
        "remove": "The remove argument (removed user).",
        "password": "NOT_LOGGING_PASSWORD when a password was given.",
        "ssh_public_key": "The public key (generate_ssh_key).",
        "ssh_fingerprint": "The key's fingerprint (generate_ssh_key).",
        "ssh_key_file": "Path of the private key (generate_ssh_key).",
    },
    examples="- user:\n    name: deploy\n    groups: [sudo]\n    append: true\n    shell: /bin/bash\n",
)

EA_USER = ShellFunction(
    "ea_user",
    "user.sh",
    needs=("fileattrs.sh", "accounts.sh"),
    params=(
        "name state uid non_unique group groups append comment home shell password"
        " update_password password_lock remove force system create_home move_home expires"
        " expire_date local skeleton uid_min uid_max umask pass_min pass_max pass_warn"
        " inactive ssh_key ssh_bits ssh_type ssh_file ssh_comment ssh_passphrase"
    ),
    defaults={
        "state": "present",
        "non_unique": "0",
        "append": "0",
        "update_password": "always",
        "remove": "0",
        "force": "0",
        "system": "0",
        "create_home": "1",
        "move_home": "0",
        "local": "0",
        "ssh_key": "0",
        "ssh_type": "rsa",
        "ssh_comment": "ansible-generated on $HOSTNAME",
    },
)


def given(value) -> str:
    """Options where an empty string is a value: '=' + value, '' when not given."""
    return "" if value is None else "=" + str(value)


class UserModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_USER,)
    invalidates = None
    converged_in = "tests/integration/modules/test_users_lab.py: changes /etc/passwd (root, lab)"

    def check_args(self, args: dict, pos: Position | None) -> None:
        account_name(args["name"], "name", pos)
        for key in ("comment", "home", "shell"):
            no_colon(args.get(key), key, pos)
        if args.get("group") is not None:
            account_name(args["group"], "group", pos)
        for g in args.get("groups") or []:
            for part in str(g).split(","):
                if part.strip():
                    account_name(part.strip(), "groups", pos)
        password = args.get("password")
        if password is not None and (":" in password or "\n" in password):
            raise ModuleArgumentError("argument 'password': ':' and newlines are not allowed", pos)
        if args.get("local"):
            for key in ("umask", "uid_min", "uid_max"):
                if args.get(key) is not None:
                    raise ModuleArgumentError(f"'{key}' can not be used with 'local'", pos)
        if args.get("umask") is not None:
            try:
                int(str(args["umask"]), 8)
            except ValueError:
                raise ModuleArgumentError(
                    f"argument 'umask': not octal: {args['umask']!r}", pos
                ) from None
        if args.get("ssh_key_passphrase") is not None and len(str(args["ssh_key_passphrase"])) < 5:
            raise ModuleArgumentError(
                "argument 'ssh_key_passphrase': ssh-keygen needs at least 5 characters", pos
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        groups = args.get("groups")
        expires = args.get("expires")
        days = date = ""
        if expires is not None:
            if expires < 0:
                days = "-1"
            else:
                days = str(int(math.floor(expires)) // 86400)
                date = time.strftime("%Y-%m-%d", time.gmtime(expires))
        ssh_type = str(args.get("ssh_key_type") or "rsa")
        lock = args.get("password_lock")
        return EA_USER.call(
            name=str(args["name"]),
            state=args.get("state") or "present",
            uid=text(args.get("uid")),
            non_unique=flag(args.get("non_unique")),
            group=text(args.get("group")),
            groups="" if groups is None else "=" + ",".join(str(g) for g in groups),
            append=flag(args.get("append")),
            comment=given(args.get("comment")),
            home=text(args.get("home")),
            shell=text(args.get("shell")),
            password=given(args.get("password")),
            update_password=args.get("update_password") or "always",
            password_lock="" if lock is None else flag(lock),
            remove=flag(args.get("remove")),
            force=flag(args.get("force")),
            system=flag(args.get("system")),
            create_home=flag(args.get("create_home", True)),
            move_home=flag(args.get("move_home")),
            expires=days,
            expire_date=date,
            local=flag(args.get("local")),
            skeleton=text(args.get("skeleton")),
            uid_min=text(args.get("uid_min")),
            uid_max=text(args.get("uid_max")),
            umask=text(args.get("umask")),
            pass_min=text(args.get("password_expire_min")),
            pass_max=text(args.get("password_expire_max")),
            pass_warn=text(args.get("password_expire_warn")),
            inactive=text(args.get("password_expire_account_disable")),
            ssh_key=flag(args.get("generate_ssh_key")),
            ssh_bits=text(args.get("ssh_key_bits")),
            ssh_type=ssh_type,
            ssh_file=text(args.get("ssh_key_file")) or f".ssh/id_{ssh_type}",
            ssh_comment=str(args.get("ssh_key_comment") or ""),
            ssh_passphrase=given(args.get("ssh_key_passphrase")),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = self._result(record, args)
        warnings = [
            plaintext_warning(args.get("password")),
            APPEND_WARNING if args.get("append") and args.get("groups") is None else None,
            *out.pop("warnings", []),
        ]
        if any(warnings):
            out["warnings"] = [w for w in warnings if w]
        return out

    def _result(self, record: dict, args: dict) -> dict:
        raw = standard_result(record)
        op = raw.pop("op", "")
        warning = raw.pop("warning", None)
        if raw.get("failed"):
            raw.setdefault("name", str(args["name"]))
            return raw
        base = {k: raw[k] for k in ("changed", "failed") if k in raw}
        if op == "bare":  # check mode: a user that would be created or removed
            return base
        out = dict(base, name=str(args["name"]), state=args.get("state") or "present")
        for key in ("stdout", "stderr", "stdout_lines", "stderr_lines"):
            if key in raw:
                out[key] = raw[key]
        if op == "remove":
            out["force"] = bool(args.get("force"))
            out["remove"] = bool(args.get("remove"))
        elif op == "create":
            out["system"] = bool(args.get("system"))
            out["create_home"] = bool(args.get("create_home", True))
        elif op == "modify":
            out["append"] = bool(args.get("append"))
            out["move_home"] = bool(args.get("move_home"))
        if out["state"] == "present":
            if args.get("password") is not None:
                out["password"] = "NOT_LOGGING_PASSWORD"
            for key in ("uid", "gid", "comment", "home", "shell"):
                if key in raw:
                    out["group" if key == "gid" else key] = raw[key]
            int_field(out, "uid")
            int_field(out, "group")
            if args.get("groups") is not None:
                out["groups"] = ",".join(str(g) for g in args["groups"])
            for key in ("ssh_fingerprint", "ssh_key_file", "ssh_public_key"):
                if key in raw:
                    out[key] = raw[key]
            if args.get("generate_ssh_key") and "ssh_public_key" not in out:
                out["ssh_public_key"] = None
        if warning:
            out["warnings"] = [warning]
        return out


# Ansible's words (its missing space included) for append without groups
APPEND_WARNING = (
    "'append' is set, but no 'groups' are specified. Use 'groups' for appending new groups."
    "This will change to an error in Ansible 2.14."
)
_NOT_CRYPT = re.compile(r"[^a-zA-Z0-9./=]")
_HASH_LENGTHS = {"1": 22, "5": 43, "6": 86, "y": 43}
PLAINTEXT_WARNING = (
    "The input password appears not to have been hashed. "
    "The 'password' argument must be encrypted for this module to work properly."
)


def plaintext_warning(password) -> str | None:
    """Ansible's check_password_encrypted: a password that does not look like a crypt hash
    (no ``$``-fields, characters outside the crypt alphabet, a wrong length for md5, sha256,
    sha512 or yescrypt) is written as given, with this warning. ``*``, ``!`` and
    ``*************`` disable an account and are meant as they are."""
    if not password or password in ("*", "!", "*************"):
        return None
    fields = password.split("$")
    suspicious = any(c in password for c in ":*!") or "$" not in password or len(fields) < 3
    if len(fields) >= 3:
        last = fields[-1]
        suspicious |= bool(_NOT_CRYPT.search(last))
        suspicious |= fields[1] in _HASH_LENGTHS and len(last) != _HASH_LENGTHS[fields[1]]
    return PLAINTEXT_WARNING if suspicious else None


MODULE = UserModule()
