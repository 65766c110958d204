"""Helpers for the service-module lab tests: run a few tasks on one lab host through the real
engine (SSH, one script per segment) and hand back each task's result by name."""

from __future__ import annotations

import textwrap

import yaml

from edgeauto.errors import EdgeautoError
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder  # noqa: F401 - re-exported to the tests


class Outcome:
    def __init__(self, result, rec: Recorder, host: str):
        self.exit_code = result.exit_code
        self.results = [r for r in rec.results if r.host == host and not r.hidden]
        self.errors = list(rec.errors)

    def __getitem__(self, name: str) -> dict:
        for r in self.results:
            if r.task.display_name == name:
                return dict(r.result, _status=r.status)
        raise KeyError(
            f"no result for task {name!r}: {[r.task.display_name for r in self.results]}"
        )

    def changed(self) -> list[str]:
        return [r.task.display_name for r in self.results if r.status == "changed"]

    def failed(self) -> list[tuple[str, dict]]:
        return [(r.task.display_name, r.result) for r in self.results if r.status == "failed"]


def play(tmp_path, inventory, host, tasks, check=False, gather_facts=False, **options) -> Outcome:
    """Run ``tasks`` (a list of task dicts or YAML text) on ``host`` alone."""
    if isinstance(tasks, str):
        tasks = yaml.safe_load(textwrap.dedent(tasks))
    doc = [{"hosts": host.name, "gather_facts": gather_facts, "tasks": tasks}]
    path = tmp_path / f"play{len(list(tmp_path.glob('play*.yml')))}.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    rec = Recorder()
    run = Run(
        [path],
        RunOptions(
            inventory_sources=[str(inventory)],
            limit=[host.name],
            check=check,
            write_retry_file=False,
            **options,
        ),
        rec,
    )
    try:
        result = run.execute()
    except EdgeautoError as exc:  # the playbook was refused before anything ran
        rec.errors.append(str(exc))
        result = Refused()
    return Outcome(result, rec, host.name)


class Refused:
    exit_code = 4


def sh(host, cmd: str) -> str:
    """Run a shell command on the host as root; its stdout, stripped (fails on rc != 0)."""
    proc = host.run(cmd)
    assert proc.returncode == 0, (cmd, proc.stdout, proc.stderr)
    return proc.stdout.strip()


def out(host, cmd: str) -> str:
    """stdout of a command whose exit status does not matter (is-active of a stopped unit)."""
    return host.run(cmd).stdout.strip()
