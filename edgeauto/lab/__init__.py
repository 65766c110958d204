"""Lab: real SSH test hosts on this machine (overlay root filesystems, namespaces, own sshd).

Public API (shared by tests, ``tasks.py`` and ``edgeauto lab``): :class:`Lab`,
:class:`LabHost`, :class:`LabError`, :func:`requirements_problem`. See docs/lab.md.
"""

from edgeauto.lab.errors import LabError
from edgeauto.lab.host import LabHost
from edgeauto.lab.lab import DownReport, Lab, requirements_problem

__all__ = ["DownReport", "Lab", "LabError", "LabHost", "requirements_problem"]
