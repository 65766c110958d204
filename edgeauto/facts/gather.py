"""One batched facts round trip per host: build the script, parse its output.

The script runs every probe of the requested ``gather_subset`` plus a sha1 of each file the
plan will write, and frames each probe's output between marker lines, so a single ``sh -s``
session answers everything (Ansible's setup module, or pyinfra's one-command-per-fact, cost
many round trips). Probes read ``/dev/null`` as stdin, so nothing can swallow the script.
"""

from __future__ import annotations

from collections.abc import Iterable

from pyinfra.facts.files import Sha1File

from edgeauto.errors import EdgeautoError, RemoteProtocolError
from edgeauto.facts.derive import derive_facts
from edgeauto.facts.edge_hw import PROBE_SH
from edgeauto.facts.sections import PRELUDE, SECTIONS, SUBSETS, _raw

BEGIN = ":::edgeauto-fact:::"
END = ":::edgeauto-fact-rc:::"
CHECKSUM_PREFIX = "sha1:"

_ALIASES = {
    "all": set(SUBSETS),
    "min": {"min"},
    "hardware": {"hardware"},
    "network": {"network"},
    "virtual": {"virtual"},
    "edge": {"hardware"},
    "devices": {"hardware"},
    "interfaces": {"network"},
    "facter": set(),
    "ohai": set(),
}


def resolve_subset(subset: str | Iterable[str] | None) -> set[str]:
    """Ansible's gather_subset rules: ``all`` by default, ``!x`` removes, ``min`` always stays
    unless ``!min``; ``!all`` alone means only ``min``."""
    if subset is None:
        items = ["all"]
    elif isinstance(subset, str):
        items = [s.strip() for s in subset.split(",") if s.strip()]
    else:
        items = [str(s).strip() for s in subset]
    for item in items:
        name = item.lstrip("!")
        if name not in _ALIASES:
            raise EdgeautoError(
                f"gather_subset: unknown subset {name!r}: expected one of "
                f"{', '.join(sorted(_ALIASES))} (optionally prefixed with '!')"
            )
    positive = [i for i in items if not i.startswith("!")]
    negative = [i[1:] for i in items if i.startswith("!")]
    chosen = set().union(*(_ALIASES[p] for p in positive)) if positive else set(SUBSETS)
    if "all" in negative:
        chosen = set().union(*(_ALIASES[p] for p in positive if p != "all"))
    for name in negative:
        if name not in ("all", "min"):
            chosen -= _ALIASES[name]
    if "min" in negative:
        chosen.discard("min")
    else:
        chosen.add("min")
    return chosen


def facts_script(subset=None, checksum_paths: Iterable[str] = ()) -> bytes:
    """The POSIX sh script that gathers ``subset`` and the sha1 of each of ``checksum_paths``."""
    wanted = resolve_subset(subset)
    parts = [
        "LC_ALL=C; export LC_ALL\n",
        'PATH="$PATH:/usr/sbin:/sbin:/usr/bin:/bin"; export PATH\n',
        PRELUDE,
    ]
    sections = [s for s in SECTIONS if s.subset in wanted]
    if any(s.name == "edgeauto_hw" for s in sections):
        parts.append(PROBE_SH)
    for section in sections:
        parts.append(_framed(section.name, section.command))
    for path in dict.fromkeys(checksum_paths):
        command = _raw(Sha1File().command(path))
        parts.append(_framed(CHECKSUM_PREFIX + path.encode().hex(), command))
    parts.append(_framed("subset", "echo " + " ".join(sorted(wanted))))
    return "".join(parts).encode()


def _framed(name: str, command: str) -> str:
    return f"printf '%s\\n' '{BEGIN} {name}'\n( {command}\n) </dev/null 2>/dev/null\nprintf '\\n%s %s\\n' '{END}' \"$?\"\n"


def split_sections(stdout: bytes | str) -> dict[str, list[str]]:
    """Cut the framed output back into ``{section name: output lines}``."""
    text = stdout.decode("utf-8", "replace") if isinstance(stdout, bytes) else stdout
    sections: dict[str, list[str]] = {}
    current: str | None = None
    lines: list[str] = []
    for line in text.split("\n"):
        if line.startswith(BEGIN + " "):
            current, lines = line[len(BEGIN) + 1 :], []
        elif line.startswith(END + " ") and current is not None:
            if lines and lines[-1] == "":
                lines.pop()  # the newline our END marker added
            sections[current] = lines
            current = None
        elif current is not None:
            lines.append(line)
    return sections


def parse_facts(result) -> tuple[dict, dict[str, str | None]]:
    """``(ansible_facts, checksums)`` from a ScriptResult (or the stdout bytes) of facts_script.

    ``ansible_facts`` uses Ansible's key names without the ``ansible_`` prefix (as in
    ``ansible_facts['distribution']``); :func:`edgeauto.facts.derive.as_host_vars` adds the
    prefixed top-level variables. ``checksums`` maps each path to its sha1, or None if absent.
    """
    stdout = getattr(result, "stdout", result)
    sections = split_sections(stdout)
    if "subset" not in sections:
        rc = getattr(result, "rc", None)
        tail = (getattr(result, "stderr", b"") or b"")[-500:].decode("utf-8", "replace")
        raise RemoteProtocolError(
            f"the facts script did not finish (exit code {rc}); stderr: {tail.strip() or '(empty)'}"
        )
    checksums: dict[str, str | None] = {}
    for name, lines in sections.items():
        if name.startswith(CHECKSUM_PREFIX):
            path = bytes.fromhex(name[len(CHECKSUM_PREFIX) :]).decode()
            fact = Sha1File()
            fact.command(path)
            checksums[path] = fact.process(lines) if lines and lines[0] else None
    facts = derive_facts(sections)
    return facts, checksums


def gather(
    transport, subset=None, checksum_paths: Iterable[str] = (), timeout: float = 30.0, become=None
) -> tuple[dict, dict[str, str | None]]:
    """Run the facts script on ``transport`` in exactly one round trip."""
    result = transport.run_script(
        facts_script(subset, checksum_paths), timeout=timeout, become=become
    )
    return parse_facts(result)
