"""``apt_repository``: one-line apt sources (``deb [opts] uri suite comps``), Ansible's rules.

The controller validates and normalises the line and derives the file name exactly as
Ansible does (options and ``scheme://`` dropped, the host part's non-alphanumerics as ``_``,
``.list``; ``filename`` overrides the stem); the target scans sources.list and
sources.list.d/*.list in awk, re-enables a disabled copy instead of adding a duplicate,
removes every enabled copy for ``state: absent`` (deleting a file left empty), and runs
``apt-get update`` after a change when ``update_cache`` (putting the old files back if the
update fails). Needs no python3-apt.
"""

from __future__ import annotations

import os
import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, mode_arg
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SOURCES_DIR = "/etc/apt/sources.list.d"
VALID_TYPES = ("deb", "deb-src")

SPEC = ModuleSpec(
    name="apt_repository",
    short_description="Add and remove APT repositories",
    description="Works like ansible.builtin.apt_repository for one-line sources (no PPAs).",
    options={
        "repo": Option(
            required=True, description="A source line: deb [options] uri suite [components]."
        ),
        "state": Option(
            default="present", choices=("absent", "present"), description="Line state."
        ),
        "mode": Option(type="raw", description="Mode of the file a line is added to."),
        "update_cache": Option(
            type="bool",
            default=True,
            aliases=("update-cache",),
            description="apt-get update after a change.",
        ),
        "update_cache_retries": Option(type="int", default=5, description="Update attempts."),
        "update_cache_retry_max_delay": Option(
            type="int", default=12, description="Longest pause between attempts (s)."
        ),
        "filename": Option(description="File stem in sources.list.d (or a path with /)."),
        "install_python_apt": Option(
            type="bool", default=True, description="Accepted; python3-apt is never needed."
        ),
        "validate_certs": Option(type="bool", default=True, description="Unused (no PPAs)."),
        "codename": Option(description="Only used for PPAs, which are refused."),
    },
    supports_diff=True,
    returns={
        "repo": "The repo line given.",
        "sources_added": "Files created.",
        "sources_removed": "Files deleted.",
        "state": "The state asked for.",
    },
    examples="- apt_repository:\n    repo: deb [trusted=yes] file:///srv/repo ./\n    filename: local\n",
)

EA_APT_REPOSITORY = ShellFunction(
    "ea_apt_repository",
    "apt_repository.sh",
    needs=("fileattrs.sh",),
    params="state source target mode update retries maxdelay",
    defaults={"state": "present", "update": "1", "retries": "5", "maxdelay": "12"},
)


def parse_source(line: str, pos: Position | None) -> str:
    """Ansible's SourcesList._parse with raise_if_invalid_or_disabled: the normal form."""
    text = line.strip()
    invalid = text.startswith("#")
    cut = text.find("#")
    if cut > 0:
        text = text[:cut]
    chunks = text.split()
    if invalid or not chunks or chunks[0] not in VALID_TYPES:
        raise ModuleArgumentError(f"Invalid repository string: {text}", pos)
    return " ".join(chunks)


def source_file(source: str, filename: str | None) -> str:
    """Ansible's _suggest_filename + _expand_path."""
    if filename is None:
        line = re.sub(r"\[[^\]]+\]", "", source)
        line = re.sub(r"\w+://", "", line)
        parts = [p for p in line.split() if p not in VALID_TYPES]
        first = parts[0].split("@", 1)[-1] if parts else ""
        filename = "_".join(re.sub("[^a-zA-Z0-9]", " ", first).split())
    name = f"{filename}.list"
    return name if "/" in name else os.path.join(SOURCES_DIR, name)


class AptRepositoryModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_APT_REPOSITORY,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: a file:// repository built by the test "
        "on a fresh debian lab host (root, apt-get update)"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        repo = str(args.get("repo") or "")
        if not repo:
            raise ModuleArgumentError("Please set argument 'repo' to a non-empty value", pos)
        if repo.startswith("ppa:"):
            raise ModuleArgumentError(
                "apt_repository: PPAs need Launchpad (network) and are Ubuntu-only; "
                "give the deb line instead",
                pos,
            )
        parse_source(repo, pos)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        source = parse_source(str(args["repo"]), ctx.pos)
        return EA_APT_REPOSITORY.call(
            state=args.get("state") or "present",
            source=source,
            target=source_file(source, args.get("filename")),
            mode=mode_arg(args.get("mode"), ctx.pos),
            update=flag(args.get("update_cache", True)),
            retries=str(args.get("update_cache_retries", 5)),
            maxdelay=str(args.get("update_cache_retry_max_delay", 12)),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        added = [f for f in out.pop("added", "").split("\n") if f]
        removed = [f for f in out.pop("removed", "").split("\n") if f]
        diffs = []
        if "diff_add" in out:
            diffs.append(
                {
                    "before": "",
                    "after": out.pop("diff_add"),
                    "before_header": "/dev/null",
                    "after_header": added[0] if added else "",
                }
            )
        i = 0
        while f"diff_rm_{i}" in out:
            name = out.pop(f"diff_rm_{i}_file", "")
            diffs.append(
                {
                    "before": out.pop(f"diff_rm_{i}"),
                    "after": "",
                    "before_header": name,
                    "after_header": "/dev/null",
                }
            )
            i += 1
        if out.get("failed"):
            return out
        out.update(
            repo=args.get("repo"),
            sources_added=added,
            sources_removed=removed,
            state=args.get("state") or "present",
        )
        if diffs and ctx.diff:
            out["diff"] = diffs  # a list, as Ansible returns it
        return out


MODULE = AptRepositoryModule()
