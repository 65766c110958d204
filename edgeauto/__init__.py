"""edgeauto: agentless, Ansible-compatible automation for heterogeneous edge fleets.

Each host's tasks compile to one POSIX sh script sent over one SSH session; see DESIGN.md.
"""

__version__ = "0.1.0"
