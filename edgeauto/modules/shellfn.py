"""The Python↔sh contract: each shell function in ``edgeauto/remote/*.sh`` declared once, by name.

A shell function takes positional arguments (that is the wire format the builder quotes). The
order is part of the contract, so it is written down exactly once, here, as ``params``; module
files call the function with keywords and never build a positional list by hand::

    EA_PING = ShellFunction("ea_ping", "ping.sh", params="data")
    EA_PING.call(data="pong")  # -> ShellCall("ea_ping", ["pong"], files=["ping.sh"])

The same order appears in the header comment of the function's ``.sh`` file
(``# ea_ping DATA``); ``tests/unit/remote/test_shell_abi.py`` checks that the two agree and that
every ``remote/*.sh`` file is declared somewhere.

* ``params``: the names in positional order, one space-separated string (the sh header's
  words, lower-cased) or a tuple.
* ``needs``: the other ``remote/*.sh`` files the function calls into, in dependency order
  (``prelude.sh`` is always included by the builder and is never listed).
* ``rest``: the name of a trailing variadic parameter (``ARGS...`` in the header), passed as a
  list of strings; it is appended after the fixed parameters.
* ``defaults``: what a parameter that the caller leaves out is sent as; ``""`` unless listed.
  The sh side always receives every parameter: defaults are applied here, not in sh.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from edgeauto.modules.base import ShellCall

# call() keywords that are not shell parameters
_RESERVED = frozenset({"payloads", "stdin"})


@dataclass(frozen=True)
class ShellFunction:
    """One ``remote/*.sh`` function: its name, file, the files it needs and its parameters."""

    name: str
    file: str
    params: tuple[str, ...] | str = ()
    needs: tuple[str, ...] = ()
    rest: str | None = None
    defaults: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if isinstance(self.params, str):
            object.__setattr__(self, "params", tuple(self.params.split()))
        names = [*self.params, *([self.rest] if self.rest else [])]
        if len(set(names)) != len(names) or _RESERVED & set(names):
            raise ValueError(f"{self.name}: duplicate or reserved parameter names in {names}")
        unknown = set(self.defaults) - set(self.params)
        if unknown:
            raise ValueError(f"{self.name}: defaults for undeclared parameters {sorted(unknown)}")
        object.__setattr__(self, "defaults", MappingProxyType(dict(self.defaults)))

    @property
    def files(self) -> list[str]:
        """``ShellCall.files``: what the builder must include for this function, in order."""
        return [*self.needs, self.file]

    def default(self, param: str) -> str:
        return self.defaults.get(param, "")

    def argv(self, **args: str | Sequence[str]) -> list[str]:
        """The positional argv for keyword arguments (unknown keyword → TypeError)."""
        unknown = set(args) - set(self.params) - ({self.rest} if self.rest else set())
        if unknown:
            raise TypeError(f"{self.name}() got unknown parameter(s) {', '.join(sorted(unknown))}")
        argv = []
        for param in self.params:
            value = args.get(param, self.default(param))
            if not isinstance(value, str):
                raise TypeError(f"{self.name}({param}=…) must be a str, got {type(value).__name__}")
            argv.append(value)
        if self.rest:
            words = args.get(self.rest, [])
            if isinstance(words, str) or not all(isinstance(w, str) for w in words):
                raise TypeError(f"{self.name}({self.rest}=…) must be a list of str")
            argv.extend(words)
        return argv

    def call(
        self,
        *,
        payloads: dict[str, bytes] | None = None,
        stdin: str | None = None,
        **args: str | Sequence[str],
    ) -> ShellCall:
        """One call of this function: ``ShellCall`` with argv in declared order and ``files``."""
        return ShellCall(
            self.name,
            self.argv(**args),
            payloads=dict(payloads or {}),
            files=self.files,
            stdin=stdin,
        )

    def named(self, argv: Sequence[str], *, keep_defaults: bool = False) -> dict[str, object]:
        """The inverse of :meth:`argv`: ``{param: value}`` (defaults left out unless asked)."""
        if len(argv) < len(self.params) or (not self.rest and len(argv) != len(self.params)):
            raise ValueError(
                f"{self.name} takes {len(self.params)} arguments{'+' if self.rest else ''}, "
                f"got {len(argv)}"
            )
        out: dict[str, object] = {
            param: value
            for param, value in zip(self.params, argv, strict=False)
            if keep_defaults or value != self.default(param)
        }
        if self.rest and (keep_defaults or len(argv) > len(self.params)):
            out[self.rest] = list(argv[len(self.params) :])
        return out
