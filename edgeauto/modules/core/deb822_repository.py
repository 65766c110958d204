"""``deb822_repository``: a ``.sources`` file in deb822 format, rendered like Ansible's.

The controller renders the file as ansible.builtin.deb822_repository does (fields in
option-name order, ``X-Repolib-Name``/``URIs``/Title-Case names, yes/no booleans, lists
space-joined, multi-line values such as an inline armored ``signed_by`` key indented with
``.`` for blank lines) and the target installs it only when its sha1 differs, then converges
``mode``. ``signed_by`` that is a URL would need the target to download the key: refused.
No python3-debian needed on the target.
"""

from __future__ import annotations

import re
import textwrap

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import mode_arg
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option


def _b(description: str) -> Option:
    return Option(type="bool", description=description)


def _l(description: str, **kw) -> Option:
    return Option(type="list", elements="str", description=description, **kw)


SPEC = ModuleSpec(
    name="deb822_repository",
    short_description="Add and remove deb822 formatted repositories",
    description="Works like ansible.builtin.deb822_repository (no signed_by URLs).",
    options={
        "allow_downgrade_to_insecure": _b("Allow-Downgrade-To-Insecure."),
        "allow_insecure": _b("Allow-Insecure."),
        "allow_weak": _b("Allow-Weak."),
        "architectures": _l("Architectures."),
        "by_hash": _b("By-Hash."),
        "check_date": _b("Check-Date."),
        "check_valid_until": _b("Check-Valid-Until."),
        "components": _l("Components."),
        "date_max_future": Option(type="int", description="Date-Max-Future."),
        "enabled": _b("Enabled."),
        "inrelease_path": Option(description="Inrelease-Path."),
        "languages": _l("Languages."),
        "name": Option(
            required=True, description="Repository name (X-Repolib-Name; the file's slug)."
        ),
        "pdiffs": _b("Pdiffs."),
        "signed_by": Option(
            description="Key: an armored key (inline), a key file path or a fingerprint."
        ),
        "suites": _l("Suites."),
        "targets": _l("Targets."),
        "trusted": _b("Trusted."),
        "types": _l("Types.", default=["deb"], choices=("deb", "deb-src")),
        "uris": _l("URIs."),
        "mode": Option(type="raw", default="0644", description="Mode of the .sources file."),
        "state": Option(
            default="present", choices=("present", "absent"), description="File state."
        ),
    },
    returns={
        "dest": "The .sources file.",
        "key_filename": "The key file (signed_by path) or None.",
        "repo": "The rendered file (None with state=absent).",
    },
    examples=(
        "- deb822_repository:\n    name: local\n    uris: file:///srv/repo\n    suites: ./\n"
        "    trusted: true\n"
    ),
)

EA_DEB822 = ShellFunction(
    "ea_deb822_repository",
    "deb822_repository.sh",
    needs=("fileattrs.sh",),
    params="state dest content mode signedby keybase",
    defaults={"state": "present"},
)


class ListChoices(tuple):
    """Choices checked per element of a list value (``types``)."""

    def __contains__(self, value) -> bool:
        items = value if isinstance(value, list) else [value]
        return all(tuple.__contains__(self, v) for v in items)


SPEC.options["types"].choices = ListChoices(("deb", "deb-src"))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "", re.sub(r"[_\s]+", "-", name.lower()))


def field_name(key: str) -> str:
    if key == "name":
        return "X-Repolib-Name"
    if key == "uris":
        return "URIs"
    return key.replace("_", "-").title()


def render(args: dict) -> str:
    """The deb822 paragraph Ansible writes (python-debian's Deb822.dump)."""
    lines = []
    for key in sorted(k for k in SPEC.options if k not in ("mode", "state")):
        value = args.get(key)
        if value is None:
            continue
        if isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, int):
            value = str(value)
        elif isinstance(value, list):
            value = " ".join(str(v) for v in value)
        value = str(value)
        if "\n" in value:
            body = "\n".join(line.strip() or "." for line in value.strip().splitlines())
            value = "\n" + textwrap.indent(body, "    ")
        sep = ":" if not value or value.startswith("\n") else ": "
        lines.append(f"{field_name(key)}{sep}{value}\n")
    return "".join(lines)


class Deb822RepositoryModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_DEB822,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: writes /etc/apt on a fresh debian lab "
        "host and apt-get reads the file:// repository it names"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        signed = str(args.get("signed_by") or "")
        if "\n" not in signed and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", signed):
            raise ModuleArgumentError(
                "deb822_repository: a signed_by URL needs the target to download the key, "
                "which edgeauto does not do; give the armored key inline or a path",
                pos,
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        s = slug(str(args["name"]))
        state = args.get("state") or "present"
        dest = f"/etc/apt/sources.list.d/{s}.sources"
        keybase = f"/etc/apt/keyrings/{s}"
        if state == "absent":
            return EA_DEB822.call(state=state, dest=dest, keybase=keybase)
        signed = str(args.get("signed_by") or "")
        return EA_DEB822.call(
            state=state,
            dest=dest,
            content=payload_ref("sources"),
            mode=mode_arg(args.get("mode", "0644"), ctx.pos),
            signedby=signed if "\n" not in signed else "",
            keybase=keybase,
            payloads={"sources": render(args).encode()},
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        for key in [k for k in out if k.startswith(("bd_", "ad_"))]:
            out.pop(key)
        if out.get("failed"):
            return out
        s = slug(str(args["name"]))
        out["dest"] = f"/etc/apt/sources.list.d/{s}.sources"
        out["key_filename"] = out.get("key_filename") or None
        out["repo"] = None if (args.get("state") or "present") == "absent" else render(args)
        return out


MODULE = Deb822RepositoryModule()
