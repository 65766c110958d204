"""The field-by-field checks of a workload spec (``spec.py`` holds the model and files).

``build_workload`` checks each top-level field on its own, so a mistake in ``ports`` does
not hide one in ``update``; every problem is recorded with file:line, and a workload with
any problem is left out (the caller then raises them all together).
"""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

from edgeauto.errors import ParseError, describe, did_you_mean
from edgeauto.fleet import specvalues as v
from edgeauto.fleet.spec import (
    ACCELERATORS,
    ARCH_ALIASES,
    ARCHES,
    HEALTH_KINDS,
    NAME_RE,
    RESTART_POLICIES,
    RUNTIMES,
    SPREAD_KEYS,
    TOP_KEYS,
    Health,
    Placement,
    Port,
    UpdatePolicy,
    Workload,
)
from edgeauto.fleet.specvalues import Field, SpecProblem


class _Collector:
    """Runs one field's check; a problem is recorded and the field left at its default."""

    def __init__(self, problems: list[ParseError]):
        self.problems = problems
        self.failed = False

    def __call__(self, check, *args, default=None):
        try:
            return check(*args)
        except SpecProblem as exc:
            self.problems.append(exc)
            self.failed = True
            return default


def build_workload(raw, where: Field, spec_path: Path, problems: list) -> Workload | None:
    """One workload from its loaded mapping, or None after recording its problems."""
    if not isinstance(raw, dict):
        problems.append(where.bad(raw, "a workload mapping (name, image, …)"))
        return None
    ok = _Collector(problems)
    for key in raw:
        if key not in TOP_KEYS:
            problems.append(v.unknown_key(key, TOP_KEYS, Field("", where.pos), raw))
            ok.failed = True
    name_field = Field("name", raw.pos_of("name") if hasattr(raw, "pos_of") else where.pos)
    base = Field("", where.pos)

    def required(key: str) -> object:
        if key not in raw:
            problems.append(SpecProblem(f"missing required key {key!r} in a workload", where.pos))
            ok.failed = True
        return raw.get(key)

    name = ok(_name, required("name"), name_field) if "name" in raw else required("name")
    image = (
        ok(_image, raw.get("image"), base.child("image", raw))
        if "image" in raw
        else (required("image"))
    )
    values = {
        "archive": ok(_archive, raw.get("archive"), base.child("archive", raw), spec_path)
        if raw.get("archive") is not None
        else None,
        "runtime": ok(
            _choice,
            raw.get("runtime", "runc"),
            base.child("runtime", raw),
            RUNTIMES,
            default="runc",
        ),
        "restart": ok(
            _restart,
            raw.get("restart", "unless-stopped"),
            base.child("restart", raw),
            default="unless-stopped",
        ),
        "ports": ok(_ports, raw.get("ports", []), base.child("ports", raw), default=[]),
        "env": ok(_env, raw.get("env", {}), base.child("env", raw), default={}),
        "volumes": ok(_volumes, raw.get("volumes", []), base.child("volumes", raw), default=[]),
        "health": ok(_health, raw.get("health"), base.child("health", raw))
        if raw.get("health") is not None
        else None,
        "placement": ok(
            _placement, raw.get("placement", {}), base.child("placement", raw), default=Placement()
        ),
        "update": ok(
            _update, raw.get("update", {}), base.child("update", raw), default=UpdatePolicy()
        ),
    }
    resources = ok(
        _resources, raw.get("resources", {}), base.child("resources", raw), default=(None, None)
    )
    if ok.failed or name is None or image is None:
        return None
    workload = Workload(
        name=name, image=image, cpus=resources[0], memory=resources[1], source=where.pos, **values
    )
    return ok(_cross_checks, workload, raw, base)


def _name(value, f: Field) -> str:
    name = v.text(value, f, "a workload name")
    if not NAME_RE.match(name):
        raise f.bad(
            value,
            "a name of lowercase letters, digits, '_', '.', '-' (at most 63, "
            "starting with a letter or digit)",
        )
    return name


def _image(value, f: Field) -> str:
    image = v.text(value, f, "an image reference like registry/app:1.2")
    if any(c.isspace() for c in image):
        raise f.bad(value, "an image reference without spaces")
    return image


def _archive(value, f: Field, spec_path: Path) -> Path:
    archive = spec_path.parent / v.text(value, f, "the path of an image archive (docker save)")
    if not archive.is_file():
        raise SpecProblem(
            f"archive: expected an image archive file, found no file at {archive}", f.at(value)
        )
    return archive


def _choice(value, f: Field, choices) -> str:
    if value not in choices:
        raise f.bad(value, " or ".join(choices), did_you_mean(str(value), choices))
    return str(value)


def _restart(value, f: Field) -> str:
    if value is False:  # YAML 1.1 reads an unquoted `restart: no` as false
        return "no"
    return _choice(value, f, RESTART_POLICIES)


def _mapping(value, f: Field, keys) -> dict:
    if not isinstance(value, dict):
        raise f.bad(value, f"a mapping with {', '.join(keys)}")
    for key in value:
        if key not in keys:
            raise v.unknown_key(key, keys, f, value)
    return value


def _resources(value, f: Field) -> tuple[float | None, int | None]:
    value = _mapping(value, f, ("cpus", "memory"))
    cpus = v.cpus(value["cpus"], f.child("cpus", value)) if value.get("cpus") is not None else None
    memory = (
        v.size(value["memory"], f.child("memory", value))
        if value.get("memory") is not None
        else None
    )
    return cpus, memory


def _ports(value, f: Field) -> list[Port]:
    if not isinstance(value, list):
        raise f.bad(value, "a list of ports")
    ports: list[Port] = []
    taken: dict[tuple[int, str], str] = {}
    for i, item in enumerate(value):
        item_field = f.item(i, item, value)
        port = Port(*v.port(item, item_field))
        if (port.host, port.proto) in taken:
            raise SpecProblem(
                f"{item_field.path}: host port {port.host}/{port.proto} is "
                f"already used by {taken[(port.host, port.proto)]}",
                item_field.at(item),
            )
        taken[(port.host, port.proto)] = item_field.path
        ports.append(port)
    return ports


_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _env(value, f: Field) -> dict[str, str]:
    """``{NAME: value}`` or ``["NAME=value"]``; values are strings or numbers."""
    pairs: list[tuple[object, object, Field]] = []
    if isinstance(value, list):
        for i, item in enumerate(value):
            item_field = f.item(i, item, value)
            if not isinstance(item, str) or "=" not in item:
                raise item_field.bad(item, "NAME=value")
            key, _, val = item.partition("=")
            pairs.append((key, val, item_field))
    elif isinstance(value, dict):
        pairs = [(k, val, f.child(str(k), value)) for k, val in value.items()]
    else:
        raise f.bad(value, "a mapping of NAME: value (or a list of NAME=value)")
    env: dict[str, str] = {}
    for key, val, key_field in pairs:
        if not isinstance(key, str) or not _ENV_NAME.match(key):
            raise SpecProblem(
                f"{f.path}: expected a variable name of letters, digits and '_' "
                f"(not starting with a digit), found {describe(key)}",
                key_field.pos,
            )
        if type(val).__name__ == "EncryptedString":
            raise SpecProblem(
                f"{key_field.path}: expected a plain value, found a !vault value (the spec is "
                "stored on hosts and in the run history: secrets do not belong in env)",
                key_field.pos,
            )
        if isinstance(val, bool) or not isinstance(val, str | int | float):
            hint = "quote it: 'true'" if isinstance(val, bool) else None
            raise key_field.bad(val, "a string or a number", hint)
        env[str(key)] = str(val)
    return env


_VOLUME_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
VOLUME_WORDS = "SRC:DST or SRC:DST:ro (SRC an absolute host path or a volume name, DST absolute)"


def _volumes(value, f: Field) -> list[str]:
    volumes = []
    for i, item in enumerate(v.string_list(value, f, "a list of SRC:DST[:ro] strings")):
        item_field = f.item(i, value[i] if isinstance(value, list) else value, value)
        parts = item.split(":")
        mode_ok = len(parts) == 2 or (len(parts) == 3 and parts[2] in ("ro", "rw"))
        src_ok = parts[0].startswith("/") or bool(_VOLUME_NAME.match(parts[0]))
        if not mode_ok or not src_ok or len(parts) < 2 or not parts[1].startswith("/"):
            raise item_field.bad(item, VOLUME_WORDS)
        volumes.append(item)
    return volumes


_HEALTH_KEYS = (*HEALTH_KINDS, "interval", "timeout", "retries", "start_period")


def _health(value, f: Field) -> Health:
    value = _mapping(value, f, _HEALTH_KEYS)
    kinds = [k for k in HEALTH_KINDS if k in value]
    if len(kinds) != 1:
        found = f"{' and '.join(kinds)}" if kinds else "none of them"
        raise SpecProblem(
            f"{f.path}: expected exactly one of tcp, http, command, found {found}", f.pos
        )
    kind = kinds[0]
    raw = value[kind]
    kind_field = f.child(kind, value)
    if kind == "tcp":
        target = str(v.port_number(raw, kind_field))
    elif kind == "http":
        target = v.text(raw, kind_field, "a URL like http://localhost:8080/health")
        if not re.match(r"^https?://[^\s/]+", target):
            raise kind_field.bad(raw, "a URL like http://localhost:8080/health")
    elif isinstance(raw, list):
        import shlex

        target = shlex.join(v.string_list(raw, kind_field, "a command string or argv list"))
    else:
        target = v.text(raw, kind_field, "a command string or argv list")
    defaults = Health(kind, target)
    return Health(
        kind,
        target,
        interval=_opt(value, "interval", f, v.duration, defaults.interval, False),
        timeout=_opt(value, "timeout", f, v.duration, defaults.timeout, False),
        retries=_opt(value, "retries", f, lambda x, ff: v.integer(x, ff, 1), defaults.retries),
        start_period=_opt(value, "start_period", f, v.duration, defaults.start_period),
    )


def _opt(value: dict, key: str, f: Field, check, default, *extra):
    return check(value[key], f.child(key, value), *extra) if value.get(key) is not None else default


_PLACEMENT_KEYS = tuple(f.name for f in fields(Placement))


def _placement(value, f: Field) -> Placement:
    value = _mapping(value, f, _PLACEMENT_KEYS)
    arches = _opt(value, "arch", f, _arches, [])
    groups = _opt(value, "groups", f, v.string_list, [])
    labels = _opt(value, "labels", f, _labels, {})
    accels = _opt(value, "accelerators", f, _accelerators, [])
    kvm = _opt(value, "kvm", f, v.boolean, None)
    per_host = _opt(value, "per_host", f, lambda x, ff: v.integer(x, ff, 1), None)
    per_site = _opt(value, "per_site", f, lambda x, ff: v.integer(x, ff, 1), None)
    spread = _opt(value, "spread", f, lambda x, ff: _choice(x, ff, SPREAD_KEYS), None)
    if per_host is not None and per_site is not None:
        raise SpecProblem(
            f"{f.path}: expected per_host or per_site, found both",
            value.pos_of("per_site") if hasattr(value, "pos_of") else f.pos,
        )
    return Placement(arches, groups, labels, accels, kvm, per_host, per_site, spread)


def _arches(value, f: Field) -> list[str]:
    names = v.string_list(value, f, "a list of architectures like [x86_64, aarch64]")
    known = (*ARCHES, *ARCH_ALIASES)
    for i, name in enumerate(names):
        if name not in known:
            item = value[i] if isinstance(value, list) else value
            raise f.item(i, item, value).bad(
                item, f"an architecture ({', '.join(known)})", did_you_mean(name, known)
            )
    return [ARCH_ALIASES.get(n, n) for n in names]


def _labels(value, f: Field) -> dict[str, list[str]]:
    """``{site: paris}`` or ``{site: [paris, lyon]}`` (any of them)."""
    if not isinstance(value, dict):
        raise f.bad(value, "a mapping of label: value like {site: paris, zone: a}")
    labels = {}
    for key, val in value.items():
        key_field = f.child(str(key), value)
        if isinstance(val, int | float) and not isinstance(val, bool):
            val = str(val)
        labels[str(key)] = v.string_list(val, key_field, "a label value or a list of them")
    return labels


def _accelerators(value, f: Field) -> list[str]:
    names = v.string_list(value, f, "a list of accelerators like [movidius]")
    for i, name in enumerate(names):
        if name not in ACCELERATORS:
            item = value[i] if isinstance(value, list) else value
            raise f.item(i, item, value).bad(
                item,
                f"an accelerator family or kind ({', '.join(ACCELERATORS)})",
                did_you_mean(name, ACCELERATORS),
            )
    return names


_UPDATE_KEYS = tuple(f.name for f in fields(UpdatePolicy))


def _update(value, f: Field) -> UpdatePolicy:
    value = _mapping(value, f, _UPDATE_KEYS)
    d = UpdatePolicy()
    policy = UpdatePolicy(
        canary=_opt(value, "canary", f, v.integer, d.canary),
        max_parallel=_opt(
            value, "max_parallel", f, lambda x, ff: v.integer(x, ff, 1), d.max_parallel
        ),
        min_healthy_time=_opt(value, "min_healthy_time", f, v.duration, d.min_healthy_time),
        healthy_deadline=_opt(value, "healthy_deadline", f, v.duration, d.healthy_deadline, False),
        auto_revert=_opt(value, "auto_revert", f, v.boolean, d.auto_revert),
        auto_promote=_opt(value, "auto_promote", f, v.boolean, d.auto_promote),
        failure_budget=_opt(
            value, "failure_budget", f, lambda x, ff: v.integer(x, ff, 1), d.failure_budget
        ),
    )
    if policy.min_healthy_time > policy.healthy_deadline:
        raise SpecProblem(
            f"{f.path}: expected min_healthy_time <= healthy_deadline, found "
            f"{policy.min_healthy_time:g}s > {policy.healthy_deadline:g}s",
            value.pos_of("min_healthy_time") if hasattr(value, "pos_of") else f.pos,
        )
    return policy


def _cross_checks(w: Workload, raw: dict, base: Field) -> Workload:
    """Rules that span fields: kata needs KVM; several copies per host cannot share ports."""
    placement_raw = raw.get("placement") or {}
    where = base.child("placement", raw)
    if w.runtime == "kata" and w.placement.kvm is False:
        raise SpecProblem(
            "placement.kvm: expected true or unset for runtime kata (Kata "
            "containers are VMs and need usable KVM), found false",
            where.child("kvm", placement_raw).pos,
        )
    if w.placement.per_host and w.placement.per_host > 1 and w.ports:
        raise SpecProblem(
            f"placement.per_host: expected 1 for a workload with host ports (copies on one "
            f"host would share {w.ports[0]}), found {w.placement.per_host}",
            where.child("per_host", placement_raw).pos,
        )
    return w
