"""Output streams that mask every vault plaintext the run has seen (see
:mod:`edgeauto.templating.revealed`): the one choke point all reporters, warnings, errors and
the ``-vvvv`` script dump go through, so no printing path can forget it. Also the masking of
secret-named ``k=v`` options in labels (:func:`mask_secret_options`)."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import TextIO

from edgeauto.templating.revealed import MASK, mask_text


class MaskingStream:
    """A text stream whose ``write`` masks secrets; everything else is the wrapped stream's."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(mask_text(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str):
        return getattr(self._inner, name)


@contextmanager
def masked_stdio():
    """``sys.stdout``/``sys.stderr`` masked for the duration of a command."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = MaskingStream(saved[0]), MaskingStream(saved[1])
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def mask_secret_options(text: str) -> str:
    """``k=v`` module options (``adhoc -a``) as labels and the history keep them: the values
    of secret-named keys (the lint rule's pattern) masked; free-form words stay (a
    ``command`` line is the user's to keep clean)."""
    from edgeauto.lint.rules.no_plaintext_secrets import SECRET_NAME
    from edgeauto.playbook.splitter import split_args

    try:
        tokens = split_args(text)
    except Exception:  # noqa: BLE001 - unparseable here: keep nothing of it
        return MASK
    out, masked = [], False
    for token in tokens:
        key, eq, _ = token.partition("=")
        if eq and SECRET_NAME.search(key):
            token, masked = f"{key}={MASK}", True
        out.append(token)
    return " ".join(out) if masked else text
