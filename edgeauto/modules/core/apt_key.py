"""``apt_key``: add or remove an apt key with apt-key and gpg, Ansible's decisions in sh.

The key comes from ``data`` (sent inside the script) or ``file`` (a path on the target); the
id from ``id`` or the key itself (gpg on the target). ``url`` and ``keyserver`` would need the
target to reach the network: they are refused before anything runs. Like Ansible, this needs
``apt-key`` and ``gpg`` (gnupg) on the target; for new setups prefer ``deb822_repository``'s
``signed_by``.
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
from edgeauto.modules.core._common import text
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="apt_key",
    short_description="Add or remove an apt key",
    description="Works like ansible.builtin.apt_key for data/file keys (apt-key + gpg on the target).",
    options={
        "id": Option(description="Key id (8, 16 or more hex digits); read from the key if unset."),
        "data": Option(description="The key itself (armored)."),
        "file": Option(type="path", description="Key file on the target."),
        "keyring": Option(type="path", description="apt-key --keyring file."),
        "url": Option(description="Refused: the target would have to download the key."),
        "keyserver": Option(description="Refused: the target would have to reach a keyserver."),
        "validate_certs": Option(type="bool", default=True, description="Unused (no url)."),
        "state": Option(default="present", choices=("absent", "present"), description="Key state."),
    },
    mutually_exclusive=(("data", "file", "keyserver", "url"),),
    returns={
        "id": "The id given or found.",
        "key_id": "The id, upper case, without 0x.",
        "short_id": "Its last 8 digits.",
        "fp": "Its last 16 digits.",
        "before": "Keys listed before.",
        "after": "Keys listed after a change.",
    },
    examples="- apt_key:\n    data: \"{{ lookup('file', 'repo.asc') }}\"\n",
)

EA_APT_KEY = ShellFunction("ea_apt_key", "apt_key.sh", params="state keyid keyfile keyring")


class AptKeyModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_APT_KEY,)
    invalidates = None
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: needs apt-key and gnupg (installed there "
        "with the apt module) on a fresh debian lab host"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        for name in ("url", "keyserver"):
            if args.get(name):
                raise ModuleArgumentError(
                    f"apt_key: '{name}' needs the target to fetch the key from the network, "
                    "which edgeauto does not do; give the key as data or file",
                    pos,
                )
        if (
            args.get("state") == "absent"
            and not args.get("id")
            and not args.get("data")
            and not args.get("file")
        ):
            raise ModuleArgumentError("key is required to remove a key", pos)
        if args.get("state", "present") == "present" and not (args.get("data") or args.get("file")):
            raise ModuleArgumentError("apt_key: give the key as data or file", pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        payloads = {}
        keyfile = text(args.get("file"))
        if args.get("data"):
            payloads["key"] = str(args["data"]).encode()
            keyfile = payload_ref("key")
        return EA_APT_KEY.call(
            state=args.get("state") or "present",
            keyid=text(args.get("id")),
            keyfile=keyfile,
            keyring=text(args.get("keyring")),
            payloads=payloads,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        for key in ("before", "after"):
            if key in out:
                out[key] = [k for k in out[key].split("\n") if k]
        detail = out.pop("stderr_text", None)
        if detail and out.get("failed"):
            out["stderr"] = detail
        return out


MODULE = AptKeyModule()
