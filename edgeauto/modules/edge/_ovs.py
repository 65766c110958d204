"""Helpers shared by the Open vSwitch modules (openvswitch_bridge, openvswitch_port,
openvswitch_db): the options they all take, the words of ``ovs-vsctl`` command lines and plans
(``edgeauto/remote/ovs.sh`` says what the target does with them), and the parsing of Ansible's
raw ``set`` strings.

Why plans: the controller decides *what* must hold (a column value, a map key, an external id)
and the target only asks OVSDB whether it already holds — with ``ovs-vsctl find``, which parses
the wanted value with the column's own type, so no OVSDB value syntax is re-implemented here —
and runs what is missing as one ovs-vsctl transaction.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, standard_result
from edgeauto.modules.core._xfer import static_check
from edgeauto.modules.spec import Option

#: the options every openvswitch.openvswitch module takes
COMMON_OVS_OPTIONS = {
    "timeout": Option(
        type="int", default=5, description="How long ovs-vsctl waits for ovs-vswitchd (-t)."
    ),
    "database_socket": Option(
        description="OVSDB socket (e.g. unix:/opt/second.sock); default: ovs-vsctl's own."
    ),
}

#: ``column`` or ``column:key`` before the ``=`` of an assignment
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(:[^=\s]+)?")


def collection_aliases(name: str) -> tuple[str, ...]:
    """The FQCNs a playbook may use: today's collection and the old community.network one."""
    return (f"openvswitch.openvswitch.{name}", f"community.network.{name}")


def word(value, what: str, pos: Position | None, *, empty: bool = False) -> str:
    """One word of a command line: a string without TAB or newline (the wire separators)."""
    text = "" if value is None else str(value)
    if not text and not empty:
        raise ModuleArgumentError(f"argument '{what}' cannot be blank", pos)
    if "\t" in text or "\n" in text:
        raise ModuleArgumentError(
            f"argument '{what}': OVS names and values are one line without TABs, found {text!r}",
            pos,
        )
    return text


def line(*words: str) -> str:
    """A command line or plan line (TAB-separated words, see ovs.sh)."""
    return "\t".join(words)


def lines(items: Iterable[str]) -> str:
    return "\n".join(items)


@dataclass
class Plan:
    """The CREATE and PLAN parameters of a shell function, built together: the commands a
    missing object is created with (after ``first``, the add-br/add-port line) and the wishes
    an existing one must satisfy (see ovs.sh)."""

    first: str
    create: list[str] = field(default_factory=list)
    wishes: list[str] = field(default_factory=list)

    def holds(self, table: str, record: str, *assignments: str, on_create: bool = True) -> None:
        """TABLE RECORD must hold COL[:KEY]=VALUE...; set them when creating (``on_create``)."""
        if on_create:
            self.create.append(line("set", table, record, *assignments))
        self.wishes.append(line("has", table, record, *assignments))

    def gone(self, table: str, record: str, column: str, key: str) -> None:
        """The map column has no KEY (nothing to do when creating)."""
        self.wishes.append(line("drop", table, record, column, key))

    def bridge_external_id(self, bridge: str, key: str, value: str | None) -> None:
        """br-set-external-id semantics (work on fake bridges too); None = unset."""
        if value is not None:
            self.create.append(line("br-set-external-id", bridge, key, value))
        self.wishes.append(line("brid", bridge, key, *([value] if value is not None else [])))

    def params(self) -> dict[str, str]:
        return {"create": lines([self.first, *self.create]), "plan": lines(self.wishes)}


def quoted(value) -> str:
    """A string value as OVSDB syntax (a JSON string): ``"a, b"`` stays one string for both
    ``set`` and ``find``, whatever characters it holds."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    return json.dumps(str(value))


def map_items(value: dict | None, what: str, pos: Position | None) -> list[tuple[str, str | None]]:
    """A dict option (external_ids, other_config, options) as (key, value or None=remove)."""
    if not value:
        return []
    out = []
    for key, val in value.items():
        key = word(key, f"{what} key", pos)
        if "=" in key or ":" in key or " " in key:
            raise ModuleArgumentError(
                f"argument '{what}': key {key!r} may not contain '=', ':' or spaces", pos
            )
        out.append(
            (key, None if val is None else word(_as_text(val), f"{what}.{key}", pos, empty=True))
        )
    return out


def _as_text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_set(text: str, what: str, pos: Position | None) -> tuple[str, str, list[str]] | None:
    """Ansible's raw ``set`` string, ``"TABLE RECORD COL[:KEY]=VALUE ..."`` (split like
    Ansible's run_command does, with shlex), as (table, record, assignments); None when it
    names no assignment (``set: Interface eth6`` in Ansible's own example is a no-op)."""
    word(text, what, pos)
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise ModuleArgumentError(f"argument '{what}': {exc} in {text!r}", pos) from None
    if words and words[0] == "set":  # tolerate "set Interface x ..." (the command's own word)
        words = words[1:]
    if len(words) < 2:
        raise ModuleArgumentError(
            f"argument '{what}': expected 'TABLE RECORD COLUMN[:KEY]=VALUE ...', found {text!r}",
            pos,
        )
    table, record, assignments = words[0], words[1], words[2:]
    for item in assignments:
        column = item.split("=", 1)[0]
        if "=" not in item or not _COLUMN.fullmatch(column):
            raise ModuleArgumentError(
                f"argument '{what}': {item!r} is not COLUMN[:KEY]=VALUE (in {text!r})", pos
            )
    return (table, record, assignments) if assignments else None


def vlan_tag(value, what: str, pos: Position | None) -> str | None:
    """A VLAN id 0..4095 as text (Ansible's ``tag`` is a str, ``vlan`` an int)."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if not text.isdigit() or not 0 <= int(text) <= 4095:
        raise ModuleArgumentError(
            f"argument '{what}': a VLAN id must be between 0 and 4095, found {value!r}", pos
        )
    return str(int(text))


def ovs_result(record: dict, timeout: int, socket: str | None) -> dict:
    """standard_result plus ``commands`` as Ansible's modules return it: the ovs-vsctl
    command that ran (or, in check mode, would run) — one transaction, commands joined
    by ``--``; ``[]`` when nothing had to change."""
    out = standard_result(record)
    raw = out.pop("commands", "")
    steps = [s.split("\t") for s in raw.split("\n") if s]
    out["commands"] = []
    if steps:
        prefix = ["ovs-vsctl", "-t", str(timeout)] + ([f"--db={socket}"] if socket else [])
        words = prefix + [w for i, s in enumerate(steps) for w in (["--"] if i else []) + s]
        out["commands"] = [shlex.join(words)]
    return out


class OvsModule(RemoteModule):
    """What the three modules share: OVSDB is no file (nothing to invalidate), their converge
    tests need a privileged lab host, every check runs at playbook validation too when no
    argument is templated (a bad argument fails before anything runs on any host), and the
    result carries ``commands``."""

    invalidates = None
    converged_in = (
        "tests/integration/modules/test_ovs_privileged_lab.py: needs OVS on a privileged lab host"
    )

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)
        timeout = out.get("timeout")
        if isinstance(timeout, int) and timeout <= 0:
            raise ModuleArgumentError(f"argument 'timeout' must be positive, found {timeout}", pos)
        return out

    @staticmethod
    def connection(args: dict) -> dict[str, str]:
        """The shell functions' TIMEOUT and SOCKET parameters."""
        return {
            "timeout": str(args.get("timeout") or 5),
            "socket": args.get("database_socket") or "",
        }

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return ovs_result(record, args.get("timeout") or 5, args.get("database_socket"))
