"""Run compiled module calls on *this* machine with a chosen shell — the test harness.

Tests (ours and other helpers') use it to exercise the real compiled scripts without SSH:
compile with the module, build the script, feed it to ``dash -s`` / ``busybox sh -s`` (optionally
with a PATH of BusyBox applets only, so GNU coreutils cannot mask a portability bug), parse the
framed output and run each module's ``finish``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from edgeauto.modules.base import CompileContext
from edgeauto.modules.registry import get_module
from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
from edgeauto.remote.framing import RunOutput, parse_run

SHELLS = {"dash": ["dash", "-s"], "busybox": ["busybox", "sh", "-s"], "sh": ["sh", "-s"]}


@dataclass
class LocalTask:
    """One task to run locally: module name and already-templated args."""

    module: str
    args: dict
    check: bool = False
    diff: bool = False
    ignore_errors: bool = False
    environment: dict[str, str] = field(default_factory=dict)
    remote_checksums: dict[str, str | None] = field(default_factory=dict)


@dataclass
class LocalRun:
    results: list[dict]
    output: RunOutput
    script: bytes
    rc: int
    stderr: bytes


def busybox_path_dir(root: Path) -> Path:
    """A directory of symlinks to every BusyBox applet, to put first (alone) in PATH."""
    busybox = shutil.which("busybox")
    if busybox is None:
        raise RuntimeError("busybox is not installed")
    bindir = root / "busybox-bin"
    if bindir.is_dir():
        return bindir
    bindir.mkdir(parents=True)
    listing = subprocess.run([busybox, "--list"], capture_output=True, text=True, check=True)
    for applet in listing.stdout.split():
        (bindir / applet).symlink_to(busybox)
    return bindir


def run_local(
    tasks: list[LocalTask],
    *,
    shell: str = "dash",
    ctx_factory=None,
    busybox_only: bool = False,
    cwd: str | None = None,
    timeout: float = 60,
    tmpdir: str | None = None,
) -> LocalRun:
    """Compile, run and finish ``tasks`` in one script; results are Ansible-shaped dicts.
    ``tmpdir`` is the script's TMPDIR (default: a fresh directory per run)."""
    invocations = []
    contexts = []
    modules = []
    for number, task in enumerate(tasks):
        module = get_module(task.module)
        if module is None or module.runs_on != "remote":
            raise ValueError(f"{task.module} is not a remote module")
        args = module.validate(task.args, final=True)
        ctx = (
            ctx_factory(task)
            if ctx_factory
            else CompileContext(
                check_mode=task.check, diff=task.diff, remote_checksums=task.remote_checksums
            )
        )
        call = module.compile(args, ctx)
        invocations.append(
            TaskInvocation(
                f"t{number}", call, task.check, task.diff, task.ignore_errors, task.environment
            )
        )
        contexts.append((args, ctx))
        modules.append(module)
    nonce = new_nonce()
    script = build_script(invocations, nonce=nonce)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="ea-localrun-") as tmp:
        if busybox_only:
            env["PATH"] = str(busybox_path_dir(Path(tmp)))
        env["TMPDIR"] = tmpdir or tmp
        proc = subprocess.run(
            SHELLS[shell], input=script, capture_output=True, env=env, cwd=cwd, timeout=timeout
        )
    output = parse_run(proc.stdout, nonce)
    by_id = {r.task_id: r for r in output.records}
    results = []
    for number, module in enumerate(modules):
        args, ctx = contexts[number]
        record = by_id[f"t{number}"].as_dict()
        results.append(module.finish(record, args, ctx))
    return LocalRun(results, output, script, proc.returncode, proc.stderr)
