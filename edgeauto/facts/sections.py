"""The probes of the facts script, grouped by ``gather_subset``.

Each section is one shell snippet whose stdout is parsed on the controller. The snippets live
in :mod:`edgeauto.facts.collectors`, each next to its parser; this module puts them in script
order. Where pyinfra already has a fact class for the probe (Hostname, Kernel, KernelVersion,
Arch, LinuxDistribution, LsbRelease, Mounts, Sha1File) the collector takes its ``command()``
and its ``process()`` instead of writing those parsers again.
Every snippet is POSIX sh and works with BusyBox; missing tools give empty output, not errors.
"""

from __future__ import annotations

from edgeauto.facts.collectors import COLLECTORS
from edgeauto.facts.collectors.base import Section, _raw

__all__ = ["PRELUDE", "SECTIONS", "SUBSETS", "Section", "_raw"]

SUBSETS = ("min", "hardware", "network", "virtual")

# ``_eaf_t SECONDS CMD…``: run CMD under timeout(1) when this target has a working one
PRELUDE = (
    'if timeout 1 true 2>/dev/null; then _eaf_t() { timeout "$@"; }; '
    'else _eaf_t() { shift; "$@"; }; fi\n'
)

SECTIONS: tuple[Section, ...] = tuple(s for c in COLLECTORS for s in c.SECTIONS)
