"""Ansible-compatible Jinja2 tests (``x is changed``, ``v is version('1.2', '>=')``...).

WHY: ``when:`` lines in real playbooks lean on these; result-status tests read the same
fields (``changed``, ``failed``, ``skipped``, ``unreachable``) that our module results carry.
"""

from __future__ import annotations

import operator as op
import os
import re
from collections.abc import Mapping
from typing import Any

from edgeauto.errors import TemplateError, describe


def _result(value: Any, test: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise TemplateError(
            f"the '{test}' test expects a task result (a dictionary), found {describe(value)}"
        )
    return value


def failed(result) -> bool:
    return bool(_result(result, "failed").get("failed", False))


def succeeded(result) -> bool:
    return not failed(result)


def changed(result) -> bool:
    result = _result(result, "changed")
    if "changed" not in result:
        nested = result.get("results")
        if isinstance(nested, list):
            return any(isinstance(r, Mapping) and r.get("changed") for r in nested)
        return False
    return bool(result.get("changed"))


def skipped(result) -> bool:
    return bool(_result(result, "skipped").get("skipped", False))


def finished(result) -> bool:
    result = _result(result, "finished")
    return bool(result.get("finished", 1))


def started(result) -> bool:
    result = _result(result, "started")
    return bool(result.get("started", 1))


def unreachable(result) -> bool:
    return bool(_result(result, "unreachable").get("unreachable", False))


def reachable(result) -> bool:
    return not unreachable(result)


def timedout(result) -> bool:
    result = _result(result, "timedout")
    to = result.get("timedout")
    return bool(to and to.get("period")) if isinstance(to, Mapping) else False


def _regex(value, pattern="", ignorecase=False, multiline=False, match_type="search") -> bool:
    flags = (re.I if ignorecase else 0) | (re.M if multiline else 0)
    rx = re.compile(pattern, flags)
    return bool(getattr(rx, match_type)(str(value)))


def match(value, pattern="", ignorecase=False, multiline=False) -> bool:
    return _regex(value, pattern, ignorecase, multiline, "match")


def search(value, pattern="", ignorecase=False, multiline=False) -> bool:
    return _regex(value, pattern, ignorecase, multiline, "search")


def truthy(value, convert_bool=False) -> bool:
    if convert_bool:
        from edgeauto.templating.filters import bool_filter

        if isinstance(value, str) and value.strip().lower() in {
            "yes",
            "no",
            "on",
            "off",
            "true",
            "false",
            "1",
            "0",
        }:
            return bool_filter(value)
    return bool(value)


def falsy(value, convert_bool=False) -> bool:
    return not truthy(value, convert_bool)


def contains(seq, value) -> bool:
    return value in seq


def subset(a, b) -> bool:
    return set(a) <= set(b)


def superset(a, b) -> bool:
    return set(a) >= set(b)


def is_nan(x) -> bool:
    try:
        import math

        return math.isnan(x)
    except TypeError:
        return False


# --- versions --------------------------------------------------------------------------------

_LOOSE = re.compile(r"(\d+ | [a-z]+ | \.)", re.VERBOSE)
_STRICT = re.compile(r"^(\d+) \. (\d+) (\. (\d+))? ([ab](\d+))?$", re.VERBOSE | re.ASCII)
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


def _loose_key(v: str) -> list:
    parts = [p for p in _LOOSE.split(v) if p and p != "."]
    return [int(p) if p.isdigit() else p for p in parts]


def _strict_key(v: str) -> tuple:
    m = _STRICT.match(v)
    if not m:
        raise TemplateError(f"invalid version number '{v}' (strict: N.N[.N][a|bN])")
    major, minor, _, patch, pre, prenum = m.groups()
    rel = (int(major), int(minor), int(patch or 0))
    # a release without prerelease sorts after any prerelease of it
    return rel + ((pre[0], int(prenum)) if pre else ("z", 0),)


class _SemverKey:
    def __init__(self, v: str):
        m = _SEMVER.match(v)
        if not m:
            raise TemplateError(f"invalid semantic version '{v}'")
        self.core = (int(m.group(1)), int(m.group(2)), int(m.group(3)))
        self.pre = m.group(4).split(".") if m.group(4) else []

    def _cmp(self, other: _SemverKey) -> int:
        if self.core != other.core:
            return -1 if self.core < other.core else 1
        if not self.pre or not other.pre:
            return (not self.pre) - (not other.pre)
        for a, b in zip(self.pre, other.pre, strict=False):
            if a == b:
                continue
            if a.isdigit() and b.isdigit():
                return -1 if int(a) < int(b) else 1
            if a.isdigit() != b.isdigit():
                return -1 if a.isdigit() else 1
            return -1 if a < b else 1
        return (len(self.pre) > len(other.pre)) - (len(self.pre) < len(other.pre))

    def __lt__(self, o):
        return self._cmp(o) < 0

    def __le__(self, o):
        return self._cmp(o) <= 0

    def __gt__(self, o):
        return self._cmp(o) > 0

    def __ge__(self, o):
        return self._cmp(o) >= 0

    def __eq__(self, o):
        return self._cmp(o) == 0

    def __ne__(self, o):
        return self._cmp(o) != 0


_OPS = {
    "==": op.eq, "=": op.eq, "eq": op.eq,
    "<": op.lt, "lt": op.lt,
    "<=": op.le, "le": op.le,
    ">": op.gt, "gt": op.gt,
    ">=": op.ge, "ge": op.ge,
    "!=": op.ne, "<>": op.ne, "ne": op.ne,
}  # fmt: skip


def version_compare(value, version, operator="eq", strict=False, version_type=None) -> bool:
    """Compare versions like Ansible's ``version`` test (LooseVersion unless told otherwise)."""
    if operator not in _OPS:
        raise TemplateError(f"version: invalid operator '{operator}' (one of {', '.join(_OPS)})")
    value, version = str(value), str(version)
    if not value or not version:
        raise TemplateError("version: the value and the version to compare must not be empty")
    kind = version_type or ("strict" if strict else "loose")
    if kind == "loose":
        a, b = _loose_key(value), _loose_key(version)
    elif kind == "strict":
        a, b = _strict_key(value), _strict_key(version)
    elif kind in ("semver", "semantic"):
        a, b = _SemverKey(value), _SemverKey(version)  # type: ignore[assignment]
    elif kind == "pep440":
        try:
            from packaging.version import Version
        except ImportError:  # pragma: no cover
            raise TemplateError("version_type=pep440 needs the 'packaging' library") from None
        a, b = Version(value), Version(version)  # type: ignore[assignment]
    else:
        raise TemplateError(
            f"version: unknown version_type '{kind}' (loose, strict, semver, semantic, pep440)"
        )
    try:
        return _OPS[operator](a, b)
    except TypeError:
        raise TemplateError(f"version: cannot compare '{value}' with '{version}'") from None


def tests() -> dict[str, Any]:
    """Test table installed into the Jinja2 environment (Jinja2 built-ins stay underneath)."""
    return {
        "failed": failed,
        "failure": failed,
        "succeeded": succeeded,
        "success": succeeded,
        "successful": succeeded,
        "changed": changed,
        "change": changed,
        "skipped": skipped,
        "skip": skipped,
        "finished": finished,
        "started": started,
        "reachable": reachable,
        "unreachable": unreachable,
        "timedout": timedout,
        "match": match,
        "search": search,
        "regex": _regex,
        "truthy": truthy,
        "falsy": falsy,
        "contains": contains,
        "subset": subset,
        "issubset": subset,
        "superset": superset,
        "issuperset": superset,
        "nan": is_nan,
        "isnan": is_nan,
        "version": version_compare,
        "version_compare": version_compare,
        "file": os.path.isfile,
        "is_file": os.path.isfile,
        "directory": os.path.isdir,
        "is_dir": os.path.isdir,
        "link": os.path.islink,
        "is_link": os.path.islink,
        "exists": lambda p: os.path.exists(os.path.expanduser(p)),
        "link_exists": os.path.lexists,
        "abs": os.path.isabs,
        "is_abs": os.path.isabs,
        "mount": os.path.ismount,
        "is_mount": os.path.ismount,
        "same_file": os.path.samefile,
        "is_same_file": os.path.samefile,
        "any": any,
        "all": all,
        "vault_encrypted": _vault_encrypted,
        "ansible._protomatter.tagged_with": tagged_with,
    }


#: the tags of ansible-core 2.19's data tagging edgeauto models (others are refused by name)
MODELED_TAGS = ("TrustedAsTemplate", "VaultedValue")
ANSIBLE_TAGS = MODELED_TAGS + ("Origin", "Deprecated", "SourceWasEncrypted", "Omit")


def tagged_with(value, tag_name: str) -> bool:
    """ansible-core's ``ansible._protomatter.tagged_with`` test, for the tags edgeauto has:
    ``TrustedAsTemplate`` — a string edgeauto renders as a template where it is a variable's
    value (from playbooks, roles, vars files, include_vars; not ``!unsafe``, not a lookup's
    or a registered module's output); ``VaultedValue`` — vault data. Limitation: a string read
    out of a registered module result is told apart only as a whole value, not element by
    element (edgeauto marks whole registered results as data)."""
    from edgeauto.templating.vault import EncryptedString, SecretStr
    from edgeauto.yamlsrc import UnsafeStr

    if tag_name == "TrustedAsTemplate":
        return isinstance(value, str) and not isinstance(value, UnsafeStr | SecretStr)
    if tag_name == "VaultedValue":
        return isinstance(value, EncryptedString | SecretStr)
    if tag_name in ANSIBLE_TAGS:
        raise TemplateError(f"tagged_with: edgeauto does not track the {tag_name!r} tag")
    raise TemplateError(f"Unknown tag name {tag_name!r}.")


def _vault_encrypted(value) -> bool:
    from edgeauto.templating.vault import EncryptedString, is_encrypted

    return isinstance(value, EncryptedString) or (isinstance(value, str) and is_encrypted(value))
