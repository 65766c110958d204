"""Helpers for engine tests: local-connection hosts in a temp dir, a recording reporter.

Every host uses ``ansible_connection: local`` (the real local transport: real sh, real files),
so these tests exercise the real planner, script builder, shell modules and framing — only the
network is absent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from edgeauto.output.reporter import Reporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run


class RecordingReporter(Reporter):
    def __init__(self):
        super().__init__()
        self.results = []
        self.warnings = []
        self.errors = []
        self.scripts = []

    def task_result(self, res):
        with self.lock:
            self.results.append(res)

    def script_ran(self, host, info, calls):
        with self.lock:
            self.scripts.append((host, calls))

    def warning(self, message):
        self.warnings.append(message)

    def error(self, message):
        self.errors.append(message)

    def statuses(self, host):
        return [(r.task.display_name, r.status) for r in self.results if r.host == host]

    def result_of(self, host, name):
        """The (last) result of the task named ``name`` on ``host``."""
        found = [r for r in self.results if r.host == host and r.task.display_name == name]
        return found[-1].result

    def status_of(self, host, name):
        found = [r for r in self.results if r.host == host and r.task.display_name == name]
        return found[-1].status if found else None


def needs_modules(*names):
    from edgeauto.modules.registry import get_module

    missing = [n for n in names if get_module(n) is None]
    return pytest.mark.skipif(bool(missing), reason=f"modules not built yet: {missing}")


class Lab:
    """A temp dir with an inventory of local hosts and a way to run playbooks against it."""

    def __init__(self, root: Path, hosts=("h1",), host_vars=None):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.work = root / "work"
        self.work.mkdir()
        lines = ["all:", "  hosts:"]
        for host in hosts:
            lines.append(f"    {host}:")
            lines.append("      ansible_connection: local")
            lines.append(f"      edgeauto_state_dir: {root / 'state' / host}")
            for key, value in ((host_vars or {}).get(host) or {}).items():
                lines.append(f"      {key}: {value}")
        self.inventory = root / "inventory.yml"
        self.inventory.write_text("\n".join(lines) + "\n")

    def playbook(self, text: str, name: str = "site.yml") -> Path:
        path = self.root / name
        path.write_text(textwrap.dedent(text).replace("WORK", str(self.work)))
        return path

    def run(self, playbook: Path, **options):
        reporter = RecordingReporter()
        opts = RunOptions(inventory_sources=[str(self.inventory)], **options)
        run = Run([playbook], opts, reporter)
        result = run.execute()
        return result, reporter, run


@pytest.fixture
def lab(tmp_path):
    return Lab(tmp_path)


@pytest.fixture
def lab3(tmp_path):
    return Lab(tmp_path, hosts=("h1", "h2", "h3"))


@pytest.fixture
def make_lab():
    """Build a Lab with custom hosts: ``make_lab(path, hosts=(...), host_vars={...})``."""
    return Lab
