"""Every vault plaintext this process has seen, so output can mask it wherever it appears.

Type-based masking (:class:`~edgeauto.templating.vault.SecretStr`) loses track of a secret as
soon as it leaves our values: the ``cmd`` a target reports back, an error message quoting an
argument, a script dump, a whole-file vaulted vars file whose values load as plain YAML. So
each decryption also registers the plaintext here, and the output streams replace every
occurrence with ``********`` (:mod:`edgeauto.output.masking`).

Limits (documented in docs/templating.md): values shorter than :data:`MIN_LENGTH` are not
masked by value (masking "1" or "yes" everywhere would garble output; they are still masked
where they are still a SecretStr); a value transformed before it is printed (``b64encode``,
``upper``) is masked only while it stays a SecretStr; numbers and booleans of a vaulted file
are not registered.
"""

from __future__ import annotations

import re
import threading
from typing import Any

MASK = "********"
MIN_LENGTH = 4

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None


def reveal(plaintext: str) -> None:
    """Register a decrypted value (and each long line of a multi-line one, such as a key)."""
    global _pattern
    candidates = {plaintext.strip()}
    if "\n" in plaintext:
        candidates |= {line.strip() for line in plaintext.splitlines() if len(line.strip()) >= 8}
    new = {c for c in candidates if len(c) >= MIN_LENGTH} - _values
    if not new:
        return
    with _lock:
        _values.update(new)
        ordered = sorted(_values, key=len, reverse=True)  # longest first: no partial masks
        _pattern = re.compile("|".join(re.escape(v) for v in ordered))


def reveal_leaves(data: Any) -> None:
    """Register every string value inside data loaded from a whole-file vaulted file."""
    if isinstance(data, str):
        reveal(str(data))
    elif isinstance(data, dict):
        for value in data.values():
            reveal_leaves(value)
    elif isinstance(data, list | tuple):
        for value in data:
            reveal_leaves(value)


def mask_text(text: str) -> str:
    """``text`` with every registered secret replaced by ``********``."""
    pattern = _pattern
    if pattern is None or not text:
        return text
    return pattern.sub(MASK, text)


def forget_all() -> None:
    """Tests only: start from nothing."""
    global _pattern
    with _lock:
        _values.clear()
        _pattern = None
