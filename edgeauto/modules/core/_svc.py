"""Helpers shared by the service modules (systemd_service, service, service_facts).

Not a module itself (the registry skips ``_*`` files). The parsing of ``systemctl show`` and of
service listings happens here, on the controller, from the raw text the shell functions send:
the shell decides (it must, to converge in one round trip) and Python only reshapes.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position

STATES = ("reloaded", "restarted", "started", "stopped")


def tristate(value) -> str:
    """An optional boolean as the shell takes it: '1', '0' or '' (not given: leave alone)."""
    if value is None:
        return ""
    return "1" if value else "0"


def parse_systemctl_show(text: str) -> dict[str, str]:
    """``systemctl show`` output as a dict, Ansible's way.

    Only ``Exec*`` properties may span several lines (their value starts with ``{`` and runs
    to the line ending in ``}``); any other value is one line, even if it starts with ``{``
    (a Description may), so a stray brace cannot swallow the rest of the output.
    """
    parsed: dict[str, str] = {}
    pending: list[str] = []
    key: str | None = None
    for line in text.split("\n"):
        if key is None:
            if "=" not in line:
                continue
            name, value = line.split("=", 1)
            if (
                name.startswith("Exec")
                and value.lstrip().startswith("{")
                and not value.rstrip().endswith("}")
            ):
                key, pending = name, [value]
                continue
            parsed[name] = value.strip()
        else:
            pending.append(line)
            if line.rstrip().endswith("}"):
                parsed[key] = "\n".join(pending).strip()
                key, pending = None, []
    return parsed


def no_glob(name: str | None, pos: Position | None) -> None:
    """systemd units are named exactly: Ansible refuses glob characters in ``name``."""
    if name is None:
        return
    for char in ("*", "?", "["):
        if char in name:
            raise ModuleArgumentError(
                "This module does not currently support using glob patterns, "
                f"found '{char}' in service name: {name}",
                pos,
            )


def early_check(module, args: dict, pos: Position | None, final: bool) -> dict:
    """``Module.validate`` that also runs the cross-argument checks at playbook load time
    (the base class runs them only after templating) when no value is templated, so a bad
    task fails the run before anything ran on any host."""
    from edgeauto.modules.base import Module
    from edgeauto.modules.spec import is_templated

    out = Module.validate(module, args, pos, final=final)
    if not final and not is_templated(out):
        module.check_args(out, pos)
    return out


def warnings_of(out: dict) -> None:
    """The ``warnings`` field (one per line) as Ansible's list; absent when there are none."""
    text = out.pop("warnings", "")
    lines = [w for w in text.splitlines() if w.strip()]
    if lines:
        out["warnings"] = lines
