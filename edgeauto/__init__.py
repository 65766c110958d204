"""edgeauto: agentless, Ansible-compatible automation for heterogeneous edge fleets.

Each host's tasks compile to one POSIX sh script sent over one SSH session; see DESIGN.md.
"""

__version__ = "0.1.0"

# The ansible-core release whose playbook syntax, module arguments, ansible.cfg keys and
# results edgeauto follows and is tested against (differential tests, integration targets).
ANSIBLE_CORE_COMPAT = "2.19"
