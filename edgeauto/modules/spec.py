"""Module argument specs, capabilities and validation (the ansible-core ``argument_spec`` idea).

A module file declares one :class:`ModuleSpec`: its options (names, types, defaults, choices,
aliases — compatible with the Ansible module of the same name), its capabilities (check mode,
diff, platforms) and its documentation. ``edgeauto doc NAME`` renders docs from the spec, and the
playbook validator calls :meth:`ModuleSpec.validate` before anything runs.
Values that still contain Jinja2 (``{{``/``{%``) are not type-checked at validation time: they
are checked again after templating, just before the module is compiled for a host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edgeauto.errors import ModuleArgumentError, Position, did_you_mean, kind_of

TYPES = ("str", "int", "float", "bool", "list", "dict", "path", "raw", "octal_or_str")

_TRUE = {"yes", "on", "1", "true", "y", "t"}
_FALSE = {"no", "off", "0", "false", "n", "f", ""}


def is_templated(value: Any) -> bool:
    """True if a value still holds Jinja2 that is rendered per host."""
    if isinstance(value, str):
        return "{{" in value or "{%" in value
    if isinstance(value, dict):
        return any(is_templated(v) for v in value.values())
    if isinstance(value, list):
        return any(is_templated(v) for v in value)
    return False


def to_bool(value: Any) -> bool:
    """Ansible's boolean coercion: yes/no/on/off/true/false/1/0 (case-insensitive)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise ValueError(f"expected a boolean (yes/no/true/false), found {value!r}")


@dataclass
class Option:
    """One module argument."""

    type: str = "str"
    required: bool = False
    default: Any = None
    choices: tuple | None = None
    aliases: tuple[str, ...] = ()
    elements: str | None = None
    no_log: bool = False
    description: str = ""

    def coerce(self, name: str, value: Any) -> Any:
        """Convert a value to this option's type, or raise ValueError with what was found."""
        if value is None:
            return None
        kind = self.type
        if kind in ("str", "path"):
            if isinstance(value, dict | list):
                raise ValueError(f"expected a string, found a {kind_of(value)}")
            return str(value) if not isinstance(value, bool) else ("True" if value else "False")
        if kind == "octal_or_str":  # file modes: 0644, '0644', 'u+rwx'
            if isinstance(value, int) and not isinstance(value, bool):
                return format(value, "04o")
            return str(value)
        if kind == "bool":
            return to_bool(value)
        if kind == "int":
            if isinstance(value, bool):
                raise ValueError(f"expected an integer, found {value!r}")
            try:
                return int(value)
            except (TypeError, ValueError):
                raise ValueError(f"expected an integer, found {value!r}") from None
        if kind == "float":
            try:
                return float(value)
            except (TypeError, ValueError):
                raise ValueError(f"expected a number, found {value!r}") from None
        if kind == "list":
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            elif not isinstance(value, list):
                value = [value]
            if self.elements:
                inner = Option(type=self.elements)
                value = [inner.coerce(name, v) for v in value]
            return value
        if kind == "dict":
            if not isinstance(value, dict):
                raise ValueError(f"expected a mapping, found a {kind_of(value)} {value!r}")
            return value
        return value  # raw


@dataclass
class ModuleSpec:
    """What a module accepts and can do; the single source for validation and docs."""

    name: str
    short_description: str
    options: dict[str, Option] = field(default_factory=dict)
    description: str = ""
    aliases: tuple[str, ...] = ()  # extra accepted names, e.g. FQCNs beyond ansible.builtin.X
    mutually_exclusive: tuple[tuple[str, ...], ...] = ()
    required_one_of: tuple[tuple[str, ...], ...] = ()
    required_together: tuple[tuple[str, ...], ...] = ()
    required_if: tuple[tuple[str, Any, tuple[str, ...]], ...] = ()
    supports_check_mode: bool = True
    supports_diff: bool = False
    platforms: tuple[str, ...] = ("posix",)
    free_form: str | None = None  # option that receives `module: some text` / _raw_params
    accepts_any_args: bool = False  # e.g. set_fact: every key is a variable
    returns: dict[str, str] = field(default_factory=dict)
    examples: str = ""
    # The Ansible module whose documented options this spec must match
    # (tests/unit/modules/test_spec_matches_ansible.py); None = no oracle (say why where set).
    oracle: str | None = "ansible.builtin"

    def names(self) -> list[str]:
        """Every name a playbook may use for this module."""
        base = [self.name, f"ansible.builtin.{self.name}", f"ansible.legacy.{self.name}"]
        return base + [f"edgeauto.builtin.{self.name}"] + list(self.aliases)

    def _alias_map(self) -> dict[str, str]:
        out = {}
        for opt_name, opt in self.options.items():
            out[opt_name] = opt_name
            for alias in opt.aliases:
                out[alias] = opt_name
        return out

    def _default(self, name: str):
        opt = self.options.get(name)
        return opt.default if opt is not None else None

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        """Check and normalise arguments; raise ModuleArgumentError listing *every* problem.

        With ``final=False`` (playbook validation) templated values are accepted unchecked;
        with ``final=True`` (after templating, per host) everything is checked.
        """
        if self.accepts_any_args:
            return dict(args)
        problems: list[str] = []
        alias_map = self._alias_map()
        out: dict[str, Any] = {}
        for key, value in args.items():
            canonical = alias_map.get(key)
            if canonical is None:
                hint = did_you_mean(str(key), alias_map)
                problems.append(
                    f"module '{self.name}' has no argument '{key}'"
                    + (f", {hint}" if hint else "")
                    + f"; expected one of: {', '.join(sorted(self.options))}"
                )
                continue
            if canonical in out:
                problems.append(f"argument '{canonical}' given twice (through an alias)")
                continue
            out[canonical] = value
        for group in self.mutually_exclusive:
            given = [g for g in group if out.get(g) is not None]
            if len(given) > 1:
                problems.append(f"parameters are mutually exclusive: {'|'.join(group)}")
        for group in self.required_one_of:
            # as in Ansible, an option with a default counts as given (apt's upgrade='no')
            if not any(out.get(g) is not None or self._default(g) is not None for g in group):
                problems.append(f"one of the following is required: {', '.join(group)}")
        for group in self.required_together:
            given = [g for g in group if out.get(g) is not None]
            if given and len(given) != len(group):
                problems.append(f"arguments must be given together: {', '.join(group)}")
        for opt_name, opt in self.options.items():
            value = out.get(opt_name)
            if value is None:
                if opt.required:
                    problems.append(f"missing required argument '{opt_name}'")
                elif opt.default is not None:
                    out[opt_name] = opt.default
                continue
            if is_templated(value) and not final:
                continue
            try:
                value = opt.coerce(opt_name, value)
            except ValueError as exc:
                problems.append(f"argument '{opt_name}': {exc}")
                continue
            if opt.choices is not None and isinstance(value, list):
                # as ansible-core: each element of a list option is one of the choices
                wrong = [v for v in value if v not in opt.choices and not is_templated(v)]
                if wrong:
                    problems.append(
                        f"argument '{opt_name}': every element must be one of "
                        f"{', '.join(map(str, opt.choices))}, found {wrong!r}"
                    )
                    continue
            elif opt.choices is not None and value not in opt.choices:
                value = _bool_choice(value, opt.choices)
            if opt.choices is not None and not isinstance(value, list) and value not in opt.choices:
                hint = did_you_mean(str(value), [str(c) for c in opt.choices])
                problems.append(
                    f"argument '{opt_name}' must be one of {', '.join(map(str, opt.choices))}, "
                    f"found {value!r}" + (f" ({hint})" if hint else "")
                )
                continue
            out[opt_name] = value
        for key, expected, needed in self.required_if:
            if out.get(key) == expected and not is_templated(out.get(key)):
                missing = [n for n in needed if out.get(n) is None]
                if missing:
                    problems.append(f"{key}={expected} requires argument(s): {', '.join(missing)}")
        if problems:
            raise ModuleArgumentError("; ".join(problems), pos)
        return out

    def no_log_values(self, args: dict) -> list[str]:
        """Argument values that must never reach output, logs or history."""
        return [str(args[k]) for k, o in self.options.items() if o.no_log and args.get(k)]


def _bool_choice(value, choices):
    """YAML turned `yes`/`no` into a bool: map it back to the one boolean spelling among the
    choices, as Ansible's argument validation does (apt's ``upgrade: true`` → ``yes``)."""
    truthy = {"yes", "on", "1", "true", "y", "t"}
    falsy = {"no", "off", "0", "false", "n", "f"}
    text = str(value).lower()
    if value is True or text == "true":
        words = truthy
    elif value is False or text == "false":
        words = falsy
    else:
        return value
    overlap = [c for c in choices if str(c).lower() in words]
    return overlap[0] if len(overlap) == 1 else value
