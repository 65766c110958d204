"""Core filters: booleans, ternary, mandatory, type names, comments, quoting.

Ansible keeps these in ``plugins/filter/core.py``.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from jinja2 import Undefined

from edgeauto.errors import TemplateError

_TRUE = {"yes", "on", "true", "1"}
_FALSE = {"no", "off", "false", "0"}


def _plain(value: Any) -> Any:
    """Strip str/dict/list subclasses so json/yaml dumpers see plain types."""
    if isinstance(value, Mapping):
        return {_plain(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, str) and type(value) is not str:
        return str(value)
    if isinstance(value, set | frozenset):
        return [_plain(v) for v in value]
    return value


def bool_filter(value: Any) -> bool:
    """Ansible's ``bool`` filter: yes/on/true/1 are true, everything else false."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    check = (
        value.lower()
        if isinstance(value, str)
        else str(value).lower()
        if isinstance(value, int)
        else value
    )
    try:
        if check in _TRUE:
            return True
        if check in _FALSE:
            return False
        return check == 1  # Ansible's (deprecated) fallback for other values
    except TypeError:
        return False


def ternary(value, true_val, false_val, none_val=None):
    if value is None and none_val is not None:
        return none_val
    return true_val if value else false_val


def quote(a) -> str:
    return shlex.quote(str(a))


def mandatory(a, msg=None):
    if isinstance(a, Undefined):
        name = getattr(a, "_undefined_name", None)
        text = msg or (
            f"mandatory variable '{name}' is not defined"
            if name
            else "mandatory variable not defined"
        )
        from edgeauto.errors import UndefinedVariableError

        err = UndefinedVariableError(text)
        err.variable = name  # type: ignore[attr-defined]
        raise err
    return a


def _comment_prefix(style: str) -> dict:
    styles = {
        "plain": {"decoration": "# "},
        "erlang": {"decoration": "% "},
        "c": {"decoration": "// "},
        "cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
        "xml": {"beginning": "<!--", "decoration": " - ", "end": "-->"},
    }
    if style not in styles:
        raise TemplateError(f"comment: unknown style '{style}' ({', '.join(styles)})")
    return styles[style]


def comment(text, style="plain", **kw):
    """Wrap text as a comment block; same layout and options as Ansible's filter."""
    params = {
        "newline": "\n",
        "beginning": "",
        "prefix": None,
        "prefix_count": 1,
        "decoration": "",
        "postfix": None,
        "postfix_count": 1,
        "end": "",
    }
    params.update(_comment_prefix(style))
    params.update(kw)
    nl = params["newline"]
    prefix = (
        params["prefix"] if params["prefix"] is not None else params["decoration"].rstrip(" \r\n")
    )
    postfix = (
        params["postfix"] if params["postfix"] is not None else params["decoration"].rstrip(" \r\n")
    )
    dec = params["decoration"]
    prefix_lines = "".join(f"{prefix}{nl}" for _ in range(params["prefix_count"])) if prefix else ""
    postfix_lines = (
        "".join(f"{nl}{postfix}" for _ in range(params["postfix_count"])) if postfix else ""
    )
    body = (
        nl.join(dec.rstrip(" ") if line == "" else f"{dec}{line}" for line in str(text).split(nl))
        if dec
        else str(text)
    )
    beginning = f"{params['beginning']}{nl}" if params["beginning"] else ""
    end = f"{nl}{params['end']}" if params["end"] else ""
    return f"{beginning}{prefix_lines}{body}{postfix_lines}{end}"


def type_debug(obj) -> str:
    """Name of the value's type as a playbook author would know it (no internal subclasses)."""
    from edgeauto.templating.vault import EncryptedString

    if isinstance(obj, EncryptedString):
        return "EncryptedString"
    for base in (bool, str, int, float, dict, list, tuple, bytes):
        if isinstance(obj, base):
            return base.__name__
    if obj is None:
        return "NoneType"
    return type(obj).__name__


def split(value, sep=None, maxsplit=-1):
    return str(value).split(sep, maxsplit)


def version_compare_filter(value, version, operator="eq", strict=False, version_type=None):
    from edgeauto.templating.jtests import version_compare

    return version_compare(value, version, operator, strict, version_type)
