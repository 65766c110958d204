"""Templating: Jinja2 with Ansible-compatible filters/tests/lookups, variable precedence, vault.

Public API (used by the planner, executor, validator and CLI):

- :class:`Templar` — ``render(value, pos=)``, ``evaluate(expr, pos=)``, ``is_true(conds)``,
  ``with_vars(extra)``, ``render_template_text(text, extra)``.
- :data:`OMIT` / :func:`is_omit` — the ``omit`` placeholder; callers drop such arguments.
- :func:`is_secret` — value came from vault: print it hidden.
- :func:`as_data` — wrap task results/facts before storing them as variables: never templated.
- :func:`find_undefined`, :func:`check_template` — static checks for the validator.
- :class:`VaultSecrets`, :class:`EncryptedString` — vault passwords and ``!vault`` values.
- :mod:`edgeauto.templating.variables` — :class:`VarLayers` (precedence) and magic vars.
"""

from edgeauto.templating.templar import (
    OMIT,
    Data,
    Templar,
    as_data,
    check_template,
    find_undefined,
    has_template,
    is_omit,
    is_secret,
)
from edgeauto.templating.vault import EncryptedString, SecretStr, VaultSecrets

__all__ = [
    "Data",
    "as_data",
    "check_template",
    "OMIT",
    "EncryptedString",
    "SecretStr",
    "Templar",
    "VaultSecrets",
    "find_undefined",
    "has_template",
    "is_omit",
    "is_secret",
]
