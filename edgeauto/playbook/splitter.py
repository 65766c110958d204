"""Ansible's `k=v` argument strings: split respecting quotes and Jinja2, then parse.

`copy: src=a dest="/tmp/my file"` and `shell: echo {{ x | default('a b') }} > f chdir=/tmp`
must give the same args as in Ansible. Rules (checked against ansible-core in the tests):
tokens are separated by single spaces, but a token is not closed while a quote or a
``{{ }}``/``{% %}``/``{# #}`` block is open; runs of spaces and newlines survive a round trip
through :func:`join_args`, so free-form shell text keeps its layout. For command-like modules
only a few known keys (``chdir=``, ``creates=`` …) are pulled out; the rest is ``_raw_params``.
A ``k=v`` token's backslash escapes are decoded first, as Ansible's ``parse_kv`` does
(``regexp='\\b(.+)\\b'`` in the short form means backspaces, ``\\\\`` one backslash);
free-form text keeps its backslashes.
"""

from __future__ import annotations

import codecs
import re

# Ansible's parse_kv decodes exactly these (no octal: ``\\1`` stays a group reference)
_ESCAPE = re.compile(
    r"\\U[0-9a-fA-F]{8}|\\u[0-9a-fA-F]{4}|\\x[0-9a-fA-F]{2}|\\N\{[^}]+\}|\\[\\'\"abfnrtv]"
)


def decode_escapes(text: str) -> str:
    return _ESCAPE.sub(lambda m: codecs.decode(m.group(0), "unicode-escape"), text)


_OPEN = ("{{", "{%", "{#")
_CLOSE = ("}}", "%}", "#}")


def _scan(piece: str, quote: str | None, depth: list[int]) -> str | None:
    """Advance the quote/Jinja state over one space-free piece; return the new quote char."""
    i = 0
    while i < len(piece):
        ch = piece[i]
        if ch == "\\":
            i += 2
            continue
        pair = piece[i : i + 2]
        if quote:
            if ch == quote:
                quote = None
        elif pair in _OPEN:
            depth[_OPEN.index(pair)] += 1
            i += 2
            continue
        elif pair in _CLOSE and depth[_CLOSE.index(pair)] > 0:
            depth[_CLOSE.index(pair)] -= 1
            i += 2
            continue
        elif ch in "\"'":
            quote = ch
        i += 1
    return quote


def split_args(text: str) -> list[str]:
    """Split an argument string into tokens; raise ValueError on an unclosed quote/block.

    Extra spaces and newlines are kept on the token before them, so :func:`join_args` gives
    back the original text (free-form shell scripts keep their indentation).
    """
    params: list[str] = []
    pending: str | None = None  # token still open (inside quotes or a Jinja2 block)
    quote: str | None = None
    depth = [0, 0, 0]
    lines = text.split("\n")

    def add_to_last(extra: str) -> None:
        nonlocal pending
        if pending is not None:
            pending += extra
        elif params:
            params[-1] += extra
        else:
            params.append(extra)

    for line_no, line in enumerate(lines):
        continued = False
        for piece_no, piece in enumerate(line.split(" ")):
            if piece == "":
                if piece_no:
                    add_to_last(" ")  # a second space in a row
                continue
            if piece == "\\" and quote is None:
                continued = True  # a lone backslash outside quotes joins the next line
                continue
            if pending is None:
                pending = piece
            else:
                pending += (" " if piece_no else "") + piece
            quote = _scan(piece, quote, depth)
            if quote is None and not any(depth):
                params.append(pending)
                pending = None
        if line_no < len(lines) - 1 and not continued:
            add_to_last("\n")
    if pending is not None:
        what = f"an unclosed {quote} quote" if quote else "an unclosed Jinja2 block"
        raise ValueError(f"expected balanced quotes and Jinja2 blocks, found {what}")
    return params


def join_args(tokens: list[str]) -> str:
    """Inverse of :func:`split_args` for the free-form part of a command."""
    out = ""
    for token in tokens:
        if out and not out.endswith("\n"):
            out += " "
        out += token
    return out


def unquote(value: str) -> str:
    """Strip one pair of matching surrounding quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _split_key(token: str) -> int:
    """Index of the first '=' not escaped by a backslash, or -1."""
    pos = 0
    while True:
        pos = token.find("=", pos + 1)
        if pos < 0:
            return -1
        if token[pos - 1] != "\\":
            return pos


def parse_kv(text: str, free_form: bool = False) -> dict[str, str]:
    """Parse `a=1 b="x y" rest` into a dict; words without '=' go to ``_raw_params``.

    With ``free_form`` (command/shell/script/raw) only :data:`FREE_FORM_KEYS` are taken as
    options; `echo a=b` stays part of the command.
    """
    from edgeauto.playbook.keywords import FREE_FORM_KEYS

    options: dict[str, str] = {}
    raw: list[str] = []
    for token in split_args(text):
        decoded = decode_escapes(token) if "=" in token else token
        eq = _split_key(decoded) if "=" in decoded else -1
        if eq < 0:
            raw.append(decoded.replace("\\=", "=") if "=" in decoded else token)
            continue
        key, value = decoded[:eq], decoded[eq + 1 :]
        if free_form and key not in FREE_FORM_KEYS:
            raw.append(token)
            continue
        options[key.strip()] = unquote(value.strip())
    if raw:
        joined = join_args(raw)
        if joined.strip():
            options["_raw_params"] = joined
    return options
