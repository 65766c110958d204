"""The facts collectors, in the order their probes run and their facts are built.

Each collector module holds its probes' shell text (``SECTIONS``) next to the parser of their
output (``derive``), grouped as ansible's ``module_utils/facts/{system,hardware,network,
virtual}`` are. :mod:`edgeauto.facts.sections` and :mod:`edgeauto.facts.derive` assemble them.
"""

from __future__ import annotations

from edgeauto.facts.collectors import (
    distribution,
    hardware,
    managers,
    network,
    platform,
    python,
    user,
    virtual,
)

COLLECTORS = (platform, distribution, user, managers, python, hardware, network, virtual)
