"""The lazy variable view a Templar renders against: each variable templated on first read.

``_LazyVars`` is the Jinja2 context parent of one :class:`~edgeauto.templating.templar.Templar`;
it detects self-referencing variables, counts vault reads (so results become secrets), and
caches what it resolved; ``_State`` is what a Templar shares with its children.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import chain
from typing import TYPE_CHECKING, Any

from edgeauto.errors import TemplateError
from edgeauto.templating.jinja_env import OMIT

if TYPE_CHECKING:
    from edgeauto.templating.templar import Templar

_CALLABLES = ("lookup", "query", "q", "vars")


class _VarsView(Mapping):
    """The ``vars`` magic variable: every variable of this host, templated when read."""

    _edgeauto_lazy = True

    def __init__(self, lazy: _LazyVars):
        self._lazy = lazy

    def __getitem__(self, key: str) -> Any:
        if key not in self._lazy.templar.variables:
            raise KeyError(key)
        return self._lazy[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._lazy.templar.variables)

    def __len__(self) -> int:
        return len(self._lazy.templar.variables)


class _State:
    """Shared by a Templar and its children: warnings, the secret-touch counter, and the
    resolved values of base variables that contain no template (valid for every child)."""

    __slots__ = ("warnings", "secret_hits", "static")

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.secret_hits = 0
        self.static: dict[str, Any] = {}


class _LazyVars(Mapping):
    """The Jinja2 context parent: resolves (templates, decrypts) a variable on first read."""

    def __init__(self, templar: Templar):
        self.templar = templar
        self.cache: dict[str, Any] = {}
        self.secret_keys: set[str] = set()
        self.resolving: list[str] = []

    def __contains__(self, key: object) -> bool:
        return (
            key in self.templar.variables or key in _CALLABLES or key == "omit"
            or key in self.templar._env.globals
        )  # fmt: skip

    def __getitem__(self, key: str) -> Any:
        if key in self.cache:
            if key in self.secret_keys:
                self.templar._state.secret_hits += 1
            return self.cache[key]
        t = self.templar
        overlaid = t._overlay is not None and key in t._overlay
        if not overlaid:
            static = t._state.static
            if key in static:
                return static[key]
        if key in t.variables:
            if key in self.resolving:
                chain_ = " -> ".join([*self.resolving[self.resolving.index(key) :], key])
                raise TemplateError(f"variable '{key}' refers to itself ({chain_})")
            before = t._state.secret_hits
            self.resolving.append(key)
            raw = t.variables[key]
            try:
                if t._overlay is not None and key in t._overlay:
                    value = t._decrypt_only(raw)
                else:
                    value = t._resolve(raw)
            except TemplateError as exc:
                # the caller's position (the task) is the error's; the variable's own
                # definition is named in the message
                if "(while templating variable" not in exc.message:
                    where = exc.pos or getattr(raw, "pos", None)
                    exc.message += f" (while templating variable '{key}'" + (
                        f" defined at {where})" if where else ")"
                    )
                exc.pos = None
                raise
            finally:
                self.resolving.pop()
            if t._state.secret_hits != before:
                self.secret_keys.add(key)
            elif value is raw and not overlaid:
                t._state.static[key] = value  # no template inside: same for every child
            self.cache[key] = value
            return value
        if key == "vars":
            return _VarsView(self)
        if key in _CALLABLES:
            return getattr(t, "_lookup" if key == "lookup" else "_query")
        if key == "omit":
            return OMIT
        return t._env.globals[key]

    def __iter__(self) -> Iterator[str]:
        seen = set()
        for k in chain(self.templar.variables, _CALLABLES, ("omit",), self.templar._env.globals):
            if k not in seen:
                seen.add(k)
                yield k

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __bool__(self) -> bool:
        return True
