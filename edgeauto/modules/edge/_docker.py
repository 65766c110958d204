"""What the docker_* modules share: value parsing in community.docker's terms (sizes,
durations, key=value maps), the inspect-template builder and the result shaping.

NB: templates name the Go fields of the CLI's API types (``NanoCPUs``, ``HostIP``), not the JSON
keys (``NanoCpus``, ``HostIp``): a template the typed object cannot run makes the CLI retry it on
the raw JSON map, where any key docker omitted (a zero value) is an error.

WHY templates: targets have the docker CLI but no Python and no jq, so every comparison is a
``docker inspect --format`` Go template printing "@@name" headed blocks of lines, one per
compared field, and the wanted lines in the same shape (see remote/docker.sh).
"""

from __future__ import annotations

import json
import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import RemoteModule
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.spec import is_templated

DOCKER_SH = "docker.sh"

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([bkmgtpe]?)(?:i?b)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}
_SIZE_UNITS |= {"p": 1 << 50, "e": 1 << 60}
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)")
_NS = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def size_bytes(name: str, value, pos: Position | None) -> int:
    """community.docker's memory format: a number with an optional binary unit (64m, 1G)."""
    match = _SIZE.match(str(value))
    if not match:
        raise ModuleArgumentError(
            f"argument '{name}': expected a size like 512m or 1g (units b, k, m, g, t, p), "
            f"found {value!r}",
            pos,
        )
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2).lower()])


def duration_ns(name: str, value, pos: Position | None) -> int:
    """community.docker's durations: 30s, 1m30s, 500ms, 1h (a bare number is seconds)."""
    text = str(value).strip()
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return int(float(text) * 10**9)
    parts = _DURATION_PART.findall(text)
    if not text or "".join(n + u for n, u in parts) != text:
        raise ModuleArgumentError(
            f"argument '{name}': expected a duration like 30s, 1m30s or 500ms, found {value!r}",
            pos,
        )
    return int(sum(float(n) * _NS[u] for n, u in parts))


def one_line(name: str, value, pos: Position | None) -> str:
    """A value that travels as one line of a block (no newline, no NUL)."""
    if isinstance(value, bool):
        raise ModuleArgumentError(
            f"argument '{name}': {value!r} is a boolean; quote it to pass the string "
            f"'{str(value).lower()}' (community.docker refuses non-string values too)",
            pos,
        )
    text = str(value)
    if "\n" in text or "\0" in text:
        raise ModuleArgumentError(f"argument '{name}': a value must be one line: {text!r}", pos)
    return text


def key_values(name: str, value, pos: Position | None) -> list[str]:
    """A dict option (env, labels, driver options) as sorted KEY=VALUE lines."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ModuleArgumentError(f"argument '{name}': expected a dictionary", pos)
    out = []
    for key, item in value.items():
        key = one_line(name, key, pos)
        if not key or "=" in key:
            raise ModuleArgumentError(f"argument '{name}': not a valid key: {key!r}", pos)
        out.append(f"{key}={one_line(f'{name}.{key}', '' if item is None else item, pos)}")
    return sorted(out)


class Blocks:
    """The compared fields of one object: name, mode, inspect template, wanted lines."""

    def __init__(self) -> None:
        self.fields: list[tuple[str, str, str, list[str]]] = []

    def add(self, name: str, mode: str, template: str, want: list[str]) -> None:
        self.fields.append((name, mode, template, want))

    def names(self) -> str:
        return " ".join(f"{name}:{mode}" for name, mode, _, _ in self.fields)

    def want(self) -> bytes:
        text = "".join(
            f"@@{n}\n" + "".join(f"{w}\n" for w in want) for n, _, _, want in self.fields
        )
        return (text or "@@none\n").encode()

    def template(self, extra: str = "") -> bytes:
        return ("".join(f"@@{n}\n{t}" for n, _, t, _ in self.fields) + extra).encode()


def value_line(template: str) -> str:
    """A single-value field's template: the value, then a newline."""
    return template + "{{println}}"


def lines_of(template: str) -> str:
    """A list field's template: one element per line."""
    return "{{range " + template + "}}{{println .}}{{end}}"


def map_template(expr: str) -> str:
    """A map field's template (labels, options): KEY=VALUE lines."""
    return "{{range $k, $v := " + expr + "}}{{$k}}={{$v}}{{println}}{{end}}"


def driver_and_maps(
    args: dict, pos: Position | None, blocks: Blocks, default_driver: str
) -> list[str]:
    """The driver, driver_options and labels of a network or volume: compared fields and
    the ``docker … create`` arguments (the maps only when the task sets them)."""
    driver = one_line("driver", args.get("driver") or default_driver, pos)
    blocks.add("driver", "exact", value_line("{{.Driver}}"), [driver])
    create = ["--driver", driver]
    for option, expr, flag in (
        ("driver_options", ".Options", "--opt"),
        ("labels", ".Labels", "--label"),
    ):
        if args.get(option) is not None:
            pairs = key_values(option, args[option], pos)
            blocks.add(option, "set", map_template(expr), pairs)
            create += [w for kv in pairs for w in (flag, kv)]
    return create


def docker_result(record: dict, key: str, *, lists: tuple[str, ...] = ()) -> dict:
    """sys_result plus the object's inspect data (``key``) parsed from JSON ({} when absent)."""
    out = sys_result(record, lists=lists)
    raw = out.get(key) or ""
    try:
        out[key] = json.loads(raw) if raw.strip() else {}
    except ValueError:
        out[key] = {"unparsed": raw}
    return out


class DockerModule(RemoteModule):
    """A docker_* module: its own checks (sizes, ports, health checks...) run at playbook
    validation too whenever no value is templated, so a bad argument stops the run with its
    file:line before anything runs on any host, as a spec error does."""

    invalidates = None
    converged_in = "tests/integration/edge/test_docker_lab.py: needs dockerd (privileged host)"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final=final)
        if not final and not is_templated(args):
            self.check_args(out, pos)
        return out
