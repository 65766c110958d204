"""The workload spec: YAML or JSON files describing containers to run on the fleet.

``load_workloads(paths)`` reads every file, validates every field and returns
:class:`Workload` records; every mistake in every file is reported at once, each with
file:line, what was expected and what was found, before anything runs anywhere. A file
holds one workload mapping, a list of them, or ``{workloads: [...]}``. docs/workloads.md
is the reference for each field.

``Workload.to_json()`` is the exact record stored on hosts (current/previous version) and
in the run history; ``Workload.from_json()`` reads it back.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.errors import ParseError, Position, ValidationError, describe
from edgeauto.fleet import specvalues as v
from edgeauto.fleet.specvalues import Field, SpecProblem
from edgeauto.yamlsrc import load_yaml_text

RUNTIMES = ("runc", "kata")
RESTART_POLICIES = ("no", "always", "on-failure", "unless-stopped")
HEALTH_KINDS = ("tcp", "http", "command")
# kernel machine names and the Debian architecture names a user may write instead
ARCHES = ("x86_64", "aarch64", "armv7l", "armv6l", "i686", "riscv64", "ppc64le", "s390x")
ARCH_ALIASES = {
    "amd64": "x86_64",
    "arm64": "aarch64",
    "armhf": "armv7l",
    "armel": "armv6l",
    "i386": "i686",
}
# accelerator families and kinds of the edgeauto_hw facts (docs/edge.md)
ACCELERATORS = ("movidius", "coral", "fpga", "gpu", "vpu", "tpu")
SPREAD_KEYS = ("site", "zone")

TOP_KEYS = (
    "name",
    "image",
    "archive",
    "runtime",
    "resources",
    "ports",
    "env",
    "volumes",
    "restart",
    "health",
    "placement",
    "update",
)
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,62}$")


@dataclass(frozen=True)
class Port:
    host: int
    container: int
    proto: str = "tcp"

    def __str__(self) -> str:
        return f"{self.host}:{self.container}/{self.proto}"


@dataclass(frozen=True)
class Health:
    """How to tell the container serves: a TCP connect, an HTTP GET or a command's exit 0."""

    kind: str
    target: str
    interval: float = 10.0
    timeout: float = 5.0
    retries: int = 3
    start_period: float = 0.0


@dataclass(frozen=True)
class Placement:
    """Which hosts may run the workload (see docs/workloads.md, "Placement")."""

    arch: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    labels: dict[str, list[str]] = field(default_factory=dict)
    accelerators: list[str] = field(default_factory=list)
    kvm: bool | None = None
    per_host: int | None = None
    per_site: int | None = None
    spread: str | None = None


@dataclass(frozen=True)
class UpdatePolicy:
    canary: int = 1
    max_parallel: int = 1
    min_healthy_time: float = 10.0
    healthy_deadline: float = 300.0
    auto_revert: bool = True
    auto_promote: bool = True
    failure_budget: int = 1


# the fields that change the container itself: a change in any of them is an update
_CONTAINER_FIELDS = (
    "name",
    "image",
    "runtime",
    "cpus",
    "memory",
    "ports",
    "env",
    "volumes",
    "restart",
    "health",
)


@dataclass(frozen=True)
class Workload:
    name: str
    image: str
    archive: Path | None = None
    runtime: str = "runc"
    cpus: float | None = None
    memory: int | None = None
    ports: list[Port] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    volumes: list[str] = field(default_factory=list)
    restart: str = "unless-stopped"
    health: Health | None = None
    placement: Placement = field(default_factory=Placement)
    update: UpdatePolicy = field(default_factory=UpdatePolicy)
    source: Position | None = field(default=None, compare=False)

    def __hash__(self) -> int:  # lists/dicts inside: hash by identity of the definition
        return hash((self.name, self.config_digest()))

    @property
    def version(self) -> str:
        """What a rollout calls the version: the image reference."""
        return self.image

    def config_digest(self) -> str:
        """sha256 of the normalized container fields (a changed env, limit or port counts)."""
        record = self.to_json()
        body = {k: record[k] for k in _CONTAINER_FIELDS}
        blob = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_json(self) -> dict:
        """A plain JSON-able dict; ``from_json(to_json(w)) == w``."""
        return {
            "name": self.name,
            "image": self.image,
            "archive": str(self.archive) if self.archive else None,
            "runtime": self.runtime,
            "cpus": self.cpus,
            "memory": self.memory,
            "ports": [
                {"host": p.host, "container": p.container, "proto": p.proto} for p in self.ports
            ],
            "env": dict(sorted(self.env.items())),
            "volumes": list(self.volumes),
            "restart": self.restart,
            "health": None
            if self.health is None
            else {
                "kind": self.health.kind,
                "target": self.health.target,
                "interval": self.health.interval,
                "timeout": self.health.timeout,
                "retries": self.health.retries,
                "start_period": self.health.start_period,
            },
            "placement": {
                "arch": list(self.placement.arch),
                "groups": list(self.placement.groups),
                "labels": {k: list(vals) for k, vals in sorted(self.placement.labels.items())},
                "accelerators": list(self.placement.accelerators),
                "kvm": self.placement.kvm,
                "per_host": self.placement.per_host,
                "per_site": self.placement.per_site,
                "spread": self.placement.spread,
            },
            "update": {
                "canary": self.update.canary,
                "max_parallel": self.update.max_parallel,
                "min_healthy_time": self.update.min_healthy_time,
                "healthy_deadline": self.update.healthy_deadline,
                "auto_revert": self.update.auto_revert,
                "auto_promote": self.update.auto_promote,
                "failure_budget": self.update.failure_budget,
            },
            "source": str(self.source) if self.source else None,
        }

    @classmethod
    def from_json(cls, record: dict) -> Workload:
        """The inverse of :meth:`to_json` (a record read back from a host or the history)."""
        health = record.get("health")
        return cls(
            name=record["name"],
            image=record["image"],
            archive=Path(record["archive"]) if record.get("archive") else None,
            runtime=record.get("runtime", "runc"),
            cpus=record.get("cpus"),
            memory=record.get("memory"),
            ports=[
                Port(p["host"], p["container"], p.get("proto", "tcp"))
                for p in record.get("ports", [])
            ],
            env=dict(record.get("env", {})),
            volumes=list(record.get("volumes", [])),
            restart=record.get("restart", "unless-stopped"),
            health=Health(**health) if health else None,
            placement=Placement(**record.get("placement", {})),
            update=UpdatePolicy(**record.get("update", {})),
            source=_position_from_text(record.get("source")),
        )


def _position_from_text(text: str | None) -> Position | None:
    if not text:
        return None
    parts = text.rsplit(":", 2)
    numbers = [p for p in parts[1:] if p.isdigit()]
    if len(numbers) == 2 and len(parts) == 3:
        return Position(parts[0], int(parts[1]), int(parts[2]))
    file, _, line = text.rpartition(":")
    return Position(file, int(line)) if line.isdigit() and file else Position(text)


# ---------------------------------------------------------------------------------------
# loading


def load_workloads(paths: list[Path]) -> list[Workload]:
    """Every workload of every file, in order; raises after collecting all problems."""
    from edgeauto.fleet.specfields import build_workload

    problems: list[ParseError] = []
    workloads: list[Workload] = []
    seen: dict[str, Workload] = {}
    for path in paths:
        try:
            documents = _read_file(Path(path))
        except ParseError as exc:
            problems.append(exc)
            continue
        for raw, where in documents:
            workload = build_workload(raw, where, Path(path), problems)
            if workload is None:
                continue
            if workload.name in seen:
                first = seen[workload.name].source
                problems.append(
                    SpecProblem(
                        f"workload name {workload.name!r} is used twice (first at {first})",
                        workload.source,
                    )
                )
                continue
            seen[workload.name] = workload
            workloads.append(workload)
    order = {str(Path(p)): i for i, p in enumerate(paths)}
    problems.sort(key=lambda problem: _reading_order(problem, order))
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise ValidationError(list(problems))
    if not workloads and paths:
        raise ParseError(
            "no workloads found: expected a workload mapping, a list of them or {workloads: [...]}",
            Position(str(paths[0])),
        )
    return workloads


def _reading_order(problem: ParseError, order: dict[str, int]) -> tuple:
    """Problems in the order of the files given, then top to bottom."""
    pos = problem.pos or Position("")
    return (order.get(pos.file, len(order)), pos.line, pos.col)


def _read_file(path: Path) -> list[tuple[object, Field]]:
    """The workload documents of one file, each with its :class:`Field` (top position)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ParseError("workload spec not found", Position(str(path))) from None
    except IsADirectoryError:
        raise ParseError(
            "is a directory, expected a YAML or JSON workload spec", Position(str(path))
        ) from None
    except (PermissionError, UnicodeDecodeError) as exc:
        raise ParseError(f"cannot read: {exc}", Position(str(path))) from None
    if path.suffix.lower() == ".json":
        data = _load_json(text, path)
    else:
        data = load_yaml_text(text, str(path))
    top = Field("", getattr(data, "pos", None) or Position(str(path), 1))
    if isinstance(data, dict) and "workloads" in data:
        extra = [k for k in data if k != "workloads"]
        if extra:
            raise v.unknown_key(extra[0], ("workloads",), top, data)
        data = data["workloads"]
        top = (
            top.child("workloads", {}) if not hasattr(data, "pos") else Field("workloads", data.pos)
        )
        if not isinstance(data, list):
            raise top.bad(data, "a list of workload mappings")
    if isinstance(data, dict):
        return [(data, Field("", top.pos))]
    if isinstance(data, list):
        return [
            (item, Field(f"[{i}]", getattr(item, "pos", top.pos))) for i, item in enumerate(data)
        ]
    raise ParseError(
        f"expected a workload mapping, a list of them or {{workloads: [...]}}, found "
        f"{describe(data)}",
        top.pos,
    )


def _load_json(text: str, path: Path):
    """JSON's values (``1e9`` is a number, which YAML 1.1 reads as a string) with the
    positions the YAML reader finds for the same text (JSON is YAML's flow style)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"JSON syntax error: {exc.msg}", Position(str(path), exc.lineno, exc.colno)
        ) from None
    try:
        marks = load_yaml_text(text, str(path))
    except ParseError as exc:
        if exc.message.startswith("duplicate key"):  # json.loads keeps the last silently
            raise
        marks = None  # valid JSON that YAML cannot read: values without line numbers
    return _with_positions(data, marks, Position(str(path), 1, 1))


def _with_positions(value, marks, pos: Position):
    """``value`` rebuilt from the position-keeping types, positions taken from ``marks``."""
    from edgeauto.yamlsrc import PosDict, PosList, PosStr

    own = getattr(marks, "pos", None) or pos
    if isinstance(value, dict):
        out = PosDict()
        out.pos = own
        same = isinstance(marks, dict)
        for key, item in value.items():
            key_pos = marks.pos_of(key) if same and key in marks else own
            out[key] = _with_positions(item, marks.get(key) if same else None, key_pos)
            out.key_pos[key] = key_pos
        return out
    if isinstance(value, list):
        out = PosList()
        out.pos = own
        same = isinstance(marks, list) and len(marks) == len(value)
        out.item_pos = [marks.pos_at(i) if same else own for i in range(len(value))]
        out.extend(
            _with_positions(item, marks[i] if same else None, out.item_pos[i])
            for i, item in enumerate(value)
        )
        return out
    if isinstance(value, str):
        text = PosStr(value)
        text.pos = own
        return text
    return value
