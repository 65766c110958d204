"""Host patterns as Ansible reads them (``hosts:`` of a play and ``--limit``).

A pattern is a list of terms separated by ``,`` (or ``:`` when no comma is present). Plain
terms add hosts, ``&term`` intersects, ``!term`` excludes; they are applied in that order
whatever order they were written in, and a pattern made only of ``&``/``!`` terms starts
from ``all``. A term is a group or host name, a shell glob, or ``~regex`` (matched from the
start of the name); group and glob terms may end with a subscript ``[i]`` / ``[i:j]`` /
``[i:]`` that picks hosts by position. ``--limit`` also accepts ``@file`` (one pattern a line,
e.g. a ``.retry`` file).
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from edgeauto.errors import InventoryError

_SUBSCRIPT = re.compile(r"^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$")
_TERM = re.compile(r"(?:[^\s:\[\]]|\[[^\]]*\])+")
_RANGE = r"\[[0-9a-zA-Z]*:[0-9a-zA-Z]*(?::[0-9]+)?\]"
_HOSTNAME = re.compile(rf"^(?:[a-zA-Z0-9_-]|{_RANGE})(?:[a-zA-Z0-9_.-]|{_RANGE})*(?::[0-9]+)?$")
_IPV6 = re.compile(
    r"^(?:\[[0-9a-fA-F:.]+\](?::[0-9]+)?|[0-9a-fA-F:.]*::[0-9a-fA-F:.]*"
    r"|(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4})$"
)
_SPECIAL = (".", "?", "*", "[")
LOCALHOST_NAMES = ("127.0.0.1", "localhost", "::1")


def split_pattern(pattern: str | list[str]) -> list[str]:
    """Split ``a,b[1], c[2:3]`` or ``a:&b:!c`` into single terms (whitespace ignored)."""
    if isinstance(pattern, (list, tuple)):
        return [term for p in pattern for term in split_pattern(p)]
    pattern = str(pattern)
    if "," in pattern:
        terms = pattern.split(",")
    elif _HOSTNAME.match(pattern) or _IPV6.match(pattern):
        terms = [pattern]  # one address (maybe IPv6 or with a range): ':' is not a separator
    else:
        terms = _TERM.findall(pattern)
    return [t.strip() for t in terms if t.strip()]


def order_terms(terms: list[str]) -> list[str]:
    """Plain terms first, then ``&`` intersections, then ``!`` exclusions."""
    plain = [t for t in terms if t[0] not in "&!"]
    inter = [t for t in terms if t[0] == "&"]
    excl = [t for t in terms if t[0] == "!"]
    return (plain or ["all"]) + inter + excl


def limit_terms(limit: str | list[str]) -> list[str]:
    """Terms of a ``--limit`` value, reading ``@file`` entries (one pattern per line)."""
    result: list[str] = []
    for term in split_pattern(limit):
        if term.startswith("@"):
            path = Path(term[1:])
            if not path.exists():
                raise InventoryError(f"limit file not found: {path}")
            if not path.is_file():
                raise InventoryError(f"a limit starting with '@' must be a file: {path}")
            result.extend(line.strip() for line in path.read_text().split("\n"))
        else:
            result.append(term)
    return [t for t in result if t]


def select_hosts(inventory, pattern, limit=None) -> list[str]:
    """Host names matching ``pattern`` and (if given) ``limit``, in inventory order, unique."""
    matcher = _Matcher(inventory)
    names = matcher.evaluate(split_pattern(pattern))
    if limit is not None:
        allowed = set(matcher.evaluate(limit_terms(limit)))
        names = [n for n in names if n in allowed]
    return list(dict.fromkeys(names))


class _Matcher:
    def __init__(self, inventory):
        self.inv = inventory
        self.cache: dict[str, list[str]] = {}

    def evaluate(self, terms: list[str]) -> list[str]:
        hosts: list[str] = []
        for term in order_terms([t for t in terms if t]):
            if term in self.inv.hosts:
                hosts.append(term)
                continue
            found = self.match_term(term)
            if term[0] == "!":
                drop = set(found)
                hosts = [h for h in hosts if h not in drop]
            elif term[0] == "&":
                keep = set(found)
                hosts = [h for h in hosts if h in keep]
            else:
                have = set(hosts)
                hosts.extend(h for h in found if h not in have)
        return hosts

    def match_term(self, term: str) -> list[str]:
        if term[0] in "&!":
            term = term[1:]
        if not term:
            raise InventoryError("empty host pattern after '&' or '!'")
        if term not in self.cache:
            expr, subscript = _split_subscript(term)
            hosts = self.enumerate(expr)
            self.cache[term] = _apply_subscript(hosts, subscript, term)
        return self.cache[term]

    def enumerate(self, expr: str) -> list[str]:
        regex = _compile(expr)
        results: list[str] = []
        groups = [g for g in self.inv.groups if regex.match(g)]
        for g in groups:
            results.extend(self.inv.group_hosts(g))
        if not groups or expr[0] == "~" or any(c in expr for c in _SPECIAL):
            results.extend(h for h in self.inv.hosts if regex.match(h))
        if not results and expr in LOCALHOST_NAMES:
            results.append(expr)  # the implicit localhost
        return list(dict.fromkeys(results))


def _compile(expr: str) -> re.Pattern:
    try:
        if expr[0] == "~":
            return re.compile(expr[1:])
        return re.compile(fnmatch.translate(expr))
    except re.error as exc:
        raise InventoryError(f"invalid host pattern '{expr}': {exc}") from None


def _split_subscript(term: str):
    if term[0] == "~":
        return term, None
    m = _SUBSCRIPT.match(term)
    if not m:
        return term, None
    expr, idx, start, _sep, end = m.groups()
    if idx:
        return expr, (int(idx), None)
    return expr, (int(start), int(end) if end else -1)


def _apply_subscript(hosts: list[str], subscript, term: str) -> list[str]:
    if not hosts or not subscript:
        return hosts
    start, end = subscript
    if end is None:
        try:
            return [hosts[start]]
        except IndexError:
            raise InventoryError(
                f"no hosts matched the subscripted pattern '{term}' "
                f"(it matches {len(hosts)} host(s), index {start} is out of range)"
            ) from None
    if end == -1:
        end = len(hosts) - 1
    return hosts[start : end + 1]
