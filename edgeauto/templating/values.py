"""Values as templating sees them: ``omit``, vault secrets, data never templated again.

Re-exported by :mod:`edgeauto.templating` and :mod:`edgeauto.templating.templar`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from edgeauto.templating.jinja_env import OMIT
from edgeauto.templating.vault import EncryptedString, SecretStr
from edgeauto.yamlsrc import UnsafeStr


def is_omit(value: Any) -> bool:
    """True if a rendered argument is the ``omit`` placeholder (the caller drops the key)."""
    return isinstance(value, str) and value == OMIT


def is_secret(value: Any) -> bool:
    """True if a value is (or contains) vault data; output must print it as hidden."""
    if isinstance(value, SecretStr | EncryptedString):
        return True
    if isinstance(value, Mapping):
        return any(is_secret(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(is_secret(v) for v in value)
    return False


class Data(dict):
    """Already-rendered data (task results, facts): read as-is, never templated again.

    Ansible 2.19 never templates module results; a registered ``stdout`` containing ``{{``
    must come back verbatim. Wrap with :func:`as_data` before storing such values as variables.
    """

    _edgeauto_data = True


class DataList(list):
    """List counterpart of :class:`Data`."""

    _edgeauto_data = True


def as_data(value: Any) -> Any:
    """Mark a value as data that templating must not render (O(1): wraps the top level)."""
    if isinstance(value, Data | DataList | UnsafeStr):
        return value
    if isinstance(value, dict):
        return Data(value)
    if isinstance(value, list):
        return DataList(value)
    if isinstance(value, str):
        return UnsafeStr(value)
    return value


def has_template(value: Any) -> bool:
    """True if a string contains Jinja2 markers (and is not ``!unsafe``)."""
    if not isinstance(value, str) or "{" not in value or isinstance(value, UnsafeStr):
        return False
    return "{{" in value or "{%" in value or "{#" in value
