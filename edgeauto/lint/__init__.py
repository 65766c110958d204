"""``edgeauto lint``: rules about playbooks that load fine but will hurt later.

check-syntax answers "will this run?"; lint answers "is this a good idea?" — tasks that are
never idempotent, secrets in plain text, errors ignored without a reason, spellings Ansible
deprecated. Each rule is one small file in :mod:`edgeauto.lint.rules` with its documentation
and its own failing and passing examples (the tests run every example), like ansible-lint.
"""

from edgeauto.lint.engine import lint_paths as lint_paths
from edgeauto.lint.model import Finding as Finding
