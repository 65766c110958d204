"""``edge_workload``: one workload of a spec file converged on one host — deploy, update,
roll back, remove.

The container is the workload's name; its docker create arguments are derived here from the
spec (limits, restart policy, health check, runtime, ports, env, volumes) and travel to the
host, which records them beside the spec's JSON record in
``/var/lib/edgeauto/workloads/NAME/current.*`` — and the version that ran before in
``previous.*`` — so ``state: rollback`` needs nothing from the controller.

Convergence is by identity, not by field: the container carries the spec's config digest as a
label, and it must run the image id the spec names (the archive's, when there is one). Equal
→ nothing to do; different → the new container replaces the old one, must turn healthy within
``healthy_deadline`` and stay healthy ``min_healthy_time``; if it does not, the old one is put
back (``auto_revert``) and the task fails saying why.

Air-gapped images: the archive travels only when the host lacks the image id. The facts round
trip reads a marker the host writes after a load; without facts (or when the rollout's probe
said the image is there, ``image_present``) nothing is sent, and a host that turns out to lack
the image asks for a resend, which the executor answers with the archive in the next script.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path

from edgeauto.errors import ModuleArgumentError, ParseError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.core._sys import letters
from edgeauto.modules.edge._docker import DOCKER_SH, DockerModule, docker_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option, is_templated

RECORD_DIR = "/var/lib/edgeauto/workloads"
IMAGE_MARKERS = f"{RECORD_DIR}/.images"
ID_PLACEHOLDER = "@IMAGE_ID@"

SPEC = ModuleSpec(
    name="edge_workload",
    short_description="Deploy, update, roll back or remove one edge workload on a host",
    description=(
        "Converges the workload `name` of the spec file `spec` (docs/workloads.md) on the "
        "host: image present by id (loaded from the spec's archive, sent only where missing), "
        "container created with its limits, restart policy, health check and runtime, health "
        "awaited; a failed update puts the previous version back. state=rollback swaps the "
        "recorded previous version in, from what the host kept."
    ),
    aliases=("edgeauto.fleet.edge_workload",),
    oracle=None,  # no Ansible counterpart
    options={
        "name": Option(required=True, description="The workload (its name in the spec)."),
        "spec": Option(
            type="path",
            description="Workload spec file on the controller (needed for state=present).",
        ),
        "state": Option(default="present", choices=("present", "rollback", "absent")),
        "auto_revert": Option(
            type="bool", description="Put the previous version back on failure (default: spec)."
        ),
        "healthy_deadline": Option(
            type="float", description="Seconds to turn healthy (default: spec, else 300)."
        ),
        "min_healthy_time": Option(
            type="float", description="Seconds to stay healthy (default: spec, else 10)."
        ),
        "image_present": Option(
            type="bool",
            description="The host is known to have the image (the rollout's probe): no archive.",
        ),
    },
    supports_diff=False,
    returns={
        "action": "deploy, update or start (when changed).",
        "version": "the image reference now running (from the host's current record).",
        "previous_version": "the last good version recorded ('' when none).",
        "container_state": "status, health, restarts, image_id, config of the container.",
        "rolled_back": "true when a failed update was reverted to the previous version.",
        "unhealthy": "why the new version failed its health gate.",
        "loaded": "true when the image archive was sent and loaded.",
        "current": "the host's current.json record.",
        "previous": "the host's previous.json record ({} when none).",
    },
    examples=(
        "- edge_workload:\n"
        "    spec: workloads/web.yml\n"
        "    name: web\n"
        "- edge_workload: {name: web, state: rollback}\n"
    ),
)

EA_EDGE_WORKLOAD = ShellFunction(
    "ea_edge_workload",
    "edge_workload.sh",
    needs=("fileattrs.sh", "filestat.sh", DOCKER_SH),
    params="name action image image_id archive sha256 config record args timing flags marker",
    defaults={"action": "present", "timing": "300 10", "flags": "-"},
)


@lru_cache(maxsize=32)
def _spec_file(path: str, mtime: int) -> dict:
    from edgeauto.fleet.spec import load_workloads

    return {w.name: w for w in load_workloads([Path(path)])}


def workload_from(spec_path: Path, name: str, pos: Position | None):
    """The workload ``name`` of ``spec_path`` (validated, cached per file version)."""
    try:
        stat = spec_path.stat()
    except OSError as exc:
        raise ModuleArgumentError(f"spec {spec_path}: {exc.strerror}", pos) from None
    found = _spec_file(str(spec_path.resolve()), stat.st_mtime_ns)
    if name not in found:
        raise ModuleArgumentError(
            f"argument 'name': spec {spec_path} has no workload {name!r} "
            f"(it has: {', '.join(sorted(found)) or 'none'})",
            pos,
        )
    return found[name]


def image_marker(image_id: str) -> str:
    return f"{IMAGE_MARKERS}/{image_id.replace(':', '-')}"


def health_command(health) -> str:
    """The in-container check docker runs (the image needs nc/wget for tcp/http checks).
    tcp: ``nc -z`` where nc has it, else a connect with stdin closed (BusyBox's nc has no
    -z: it prints its usage and fails, and the plain connect answers instead)."""
    if health.kind == "tcp":
        port = health.target
        return (
            f"nc -z -w 2 127.0.0.1 {port} 2>/dev/null || "
            f"nc -w 2 127.0.0.1 {port} </dev/null >/dev/null 2>&1"
        )
    if health.kind == "http":
        return f"wget -q -O /dev/null {health.target}"
    return health.target


def _seconds(value: float) -> str:
    """docker's duration flag from seconds (whole ms)."""
    ms = max(1, round(float(value) * 1000))
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def create_args(workload) -> list[str]:
    """The docker create arguments of a workload (after ``--name``), image last. Labels carry
    the config digest (the convergence test) and the version (what status shows)."""
    w = workload
    args = [
        f"--label=edgeauto.workload={w.name}",
        f"--label=edgeauto.config={w.config_digest()}",
        f"--label=edgeauto.version={w.version}",
        f"--restart={w.restart}",
        f"--runtime={w.runtime}",
    ]
    if w.cpus is not None:
        args.append(f"--cpus={w.cpus:g}")
    if w.memory is not None:
        args.append(f"--memory={int(w.memory)}")
    args += [f"--publish={p.host}:{p.container}/{p.proto}" for p in w.ports]
    args += [f"--env={k}={v}" for k, v in sorted(w.env.items())]
    args += [f"--volume={v}" for v in w.volumes]
    if w.health is not None:
        h = w.health
        args += [
            f"--health-cmd={health_command(h)}",
            f"--health-interval={_seconds(h.interval)}",
            f"--health-timeout={_seconds(h.timeout)}",
            f"--health-retries={int(h.retries)}",
        ]
        if h.start_period:
            args.append(f"--health-start-period={_seconds(h.start_period)}")
    for arg in args:
        if "\n" in arg or "\0" in arg:
            raise ParseError(f"workload {w.name}: a value must be one line: {arg!r}", w.source)
    return [*args, w.image]


def host_record(workload) -> bytes:
    """current.json as the host keeps it: the spec's record, its digest and the image id
    (filled in on the host)."""
    record = dict(workload.to_json())
    record["config_digest"] = workload.config_digest()
    record["image_id"] = ID_PLACEHOLDER
    return (json.dumps(record, sort_keys=True, indent=1) + "\n").encode()


class EdgeWorkloadModule(DockerModule):
    spec = SPEC
    shell_functions = (EA_EDGE_WORKLOAD,)
    no_fixtures_because = "compiles from a spec file and image archive: tests/unit/fleet"
    converged_in = "tests/integration/edge/test_workloads_lab.py: needs dockerd (privileged host)"

    def check_args(self, args: dict, pos: Position | None) -> None:
        state = args.get("state") or "present"
        if state == "present" and not args.get("spec"):
            raise ModuleArgumentError("state is present but spec is not set", pos)
        if state == "present" and Path(str(args["spec"])).is_absolute():
            self._workload(args, pos, None)

    def _workload(self, args: dict, pos: Position | None, ctx: CompileContext | None):
        path = Path(str(args["spec"]))
        if ctx is not None:
            path = ctx.locate("files", str(args["spec"]))
        return workload_from(path, str(args["name"]), pos)

    def _archive(self, workload):
        if workload.archive is None:
            return None, ""
        from edgeauto.fleet.images import inspect_archive

        archive = inspect_archive(workload.archive, workload.source)
        return archive, archive.image_id(workload.image, workload.source)

    def checksum_paths(self, args: dict) -> list[str]:
        if (args.get("state") or "present") != "present" or is_templated(args):
            return []
        try:
            workload = self._workload(args, None, None)
            _, image_id = self._archive(workload)
        except (ModuleArgumentError, ParseError, OSError):
            return []
        return [image_marker(image_id)] if image_id else []

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        state = args.get("state") or "present"
        name = str(args["name"])
        deadline = args.get("healthy_deadline")
        min_healthy = args.get("min_healthy_time")
        if state != "present":
            timing = f"{math.ceil(deadline or 300)} {math.ceil(min_healthy or 0)}"
            return EA_EDGE_WORKLOAD.call(name=name, action=state, timing=timing)
        self.check_args(args, ctx.pos)
        workload = self._workload(args, ctx.pos, ctx)
        update = workload.update
        revert = update.auto_revert if args.get("auto_revert") is None else args["auto_revert"]
        deadline = update.healthy_deadline if deadline is None else deadline
        min_healthy = update.min_healthy_time if min_healthy is None else min_healthy
        archive, image_id = self._archive(workload)
        payloads = {"record": host_record(workload), "args": _lines(create_args(workload))}
        marker = sha256 = ""
        if archive is not None:
            marker = image_marker(image_id)
            sha256 = archive.gz_sha256
            loaded = hashlib.sha1(f"{image_id}\n".encode()).hexdigest()
            known = args.get("image_present")
            if known is None and marker in ctx.remote_checksums:
                known = ctx.remote_checksums[marker] == loaded
            if known is False and not ctx.check_mode:  # check mode never loads
                payloads["archive"] = archive.payload()
        return EA_EDGE_WORKLOAD.call(
            name=name,
            action="present",
            image=workload.image,
            image_id=image_id,
            archive="@payload:archive" if "archive" in payloads else "",
            sha256=sha256,
            config=workload.config_digest(),
            record="@payload:record",
            args="@payload:args",
            timing=f"{math.ceil(deadline)} {math.ceil(min_healthy)}",
            flags=letters(r=revert, k=workload.runtime == "kata"),
            marker=marker,
            payloads=payloads,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = docker_result(record, "current")
        out["previous"] = json_field(out.get("previous"))
        if out.pop("resend", "") == "1":
            # the host lacks the image after all: the executor compiles the task again
            # (with these args), and this time the archive goes along
            args["image_present"] = False
            out["resend"] = True
        out["container_state"] = parse_state(out.pop("state", ""))
        out["version"] = out["current"].get("image", "")
        out["previous_version"] = out["previous"].get("image", "")
        out["rolled_back"] = out.get("rolled_back") == "1"
        out["loaded"] = out.get("loaded") == "1"
        return out


def parse_state(line: str) -> dict:
    """The host's "status health restarts image config" line as a dict ({} = no container)."""
    words = (line or "").split()
    if not words:
        return {}
    keys = ("status", "health", "restarts", "image_id", "config")
    state = dict(zip(keys, words, strict=False))
    if str(state.get("restarts", "")).isdigit():
        state["restarts"] = int(state["restarts"])
    return state


def json_field(raw) -> dict:
    """A record file the host sent back ({} when absent or unreadable)."""
    try:
        value = json.loads(raw) if raw and str(raw).strip() else {}
    except ValueError:
        return {"unparsed": raw}
    return value if isinstance(value, dict) else {"unparsed": raw}


def _lines(words: list[str]) -> bytes:
    return "".join(f"{w}\n" for w in words).encode()


MODULE = EdgeWorkloadModule()
