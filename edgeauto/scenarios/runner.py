"""Run one scenario: create → converge → idempotence → verify → destroy (molecule's order).

The playbooks run in this process with the real engine over real SSH, against lab hosts made
for this scenario alone (a claimed lab slot: its own subnet and state dir) and removed at the
end even when a step failed (``keep`` leaves them up for a look). Idempotence is molecule's:
the second converge must report no ``changed`` task; the failure names each one.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from edgeauto.errors import EdgeautoError
from edgeauto.output.reporter import CollectingReporter, MultiReporter
from edgeauto.scenarios.discover import Scenario

STEPS = ("create", "converge", "idempotence", "verify", "destroy")


@dataclass
class Step:
    name: str
    status: str  # ok | failed | skipped
    seconds: float = 0.0
    message: str = ""


@dataclass
class ScenarioResult:
    scenario: Scenario
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" for s in self.steps)

    def step(self, name: str) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)


class Outcomes(CollectingReporter):
    """Each task result of a playbook run: who changed or failed what."""

    def __init__(self) -> None:
        super().__init__()
        self.results: list = []
        self.exit_code = 0

    def task_result(self, res) -> None:
        with self.lock:
            if not res.hidden:
                self.results.append(res)

    def named(self, *statuses: str) -> list[str]:
        return [
            f"{r.host}: {r.task.display_name}"
            for r in self.results
            if r.status in statuses and not (r.status == "failed" and r.ignored)
        ]


def run_scenario(scenario: Scenario, *, verbosity: int = 0, keep: bool = False, say=print):
    from edgeauto.lab.testing import claim_test_lab, release_test_lab

    result = ScenarioResult(scenario)
    for warning in scenario.warnings:
        say(f"[WARNING]: {warning}")
    lab = claim_test_lab("scenario")
    try:
        inventory = _timed(result, "create", say, lambda: _create(scenario, lab))
        if inventory is None:
            return result
        if (
            _timed(
                result,
                "converge",
                say,
                lambda: _play(scenario, scenario.converge, inventory, verbosity),
            )
            is None
        ):
            return result
        _timed(result, "idempotence", say, lambda: _idempotent(scenario, inventory, verbosity))
        if scenario.verify is None:
            result.steps.append(Step("verify", "skipped", message="no verify.yml"))
        elif result.ok:
            _timed(
                result,
                "verify",
                say,
                lambda: _play(scenario, scenario.verify, inventory, verbosity),
            )
        return result
    finally:
        for name in STEPS[1:4]:
            if result.step(name) is None:
                result.steps.append(Step(name, "skipped", message="an earlier step failed"))
        if keep:
            result.steps.append(Step("destroy", "skipped", message=f"kept: {lab.state_dir}"))
            say(f"  hosts kept for a look: {lab.inventory}")
        else:
            _timed(result, "destroy", say, lambda: lab.down(force=True) or True)
        release_test_lab(lab)
        result.steps.sort(key=lambda s: STEPS.index(s.name))


def _timed(result: ScenarioResult, name: str, say, action):
    """Run one step, record ok/failed with its time; the action's value, None on failure."""
    started = time.monotonic()
    try:
        value = action()
        failure = None
    except (EdgeautoError, StepFailed) as exc:
        value, failure = None, str(exc)
    except Exception as exc:  # noqa: BLE001 - a lab or engine bug fails the step, not the tool
        value, failure = None, f"unexpected {type(exc).__name__}: {exc}"
    seconds = time.monotonic() - started
    status = "ok" if failure is None else "failed"
    result.steps.append(Step(name, status, seconds, failure or ""))
    say(f"  {name:<12} {status:<7} {seconds:6.1f}s" + (f"  {failure}" if failure else ""))
    return value


class StepFailed(Exception):
    pass


def _create(scenario: Scenario, lab) -> Path:
    hosts = [lab.add_host(**p.lab_kwargs()) for p in scenario.platforms]
    return _inventory(scenario, lab, hosts)


def _inventory(scenario: Scenario, lab, hosts) -> Path:
    """The lab's inventory with molecule's names: each platform's name is its inventory
    hostname (connection variables copied from the lab host), its groups are groups."""
    lab_inv = yaml.safe_load(lab.inventory.read_text())["all"]
    host_vars = {}
    groups: dict[str, dict] = {}
    for platform, host in zip(scenario.platforms, hosts, strict=True):
        host_vars[platform.name] = dict(lab_inv["hosts"][host.name], lab_host=host.name)
        for group in platform.groups:
            groups.setdefault(group, {"hosts": {}})["hosts"][platform.name] = None
    doc = {"all": {"vars": lab_inv["vars"], "hosts": host_vars, "children": groups}}
    path = lab.state_dir / "scenario-inventory.yml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _play(scenario: Scenario, playbook: Path, inventory: Path, verbosity: int) -> Outcomes:
    outcomes = _run(scenario, playbook, inventory, verbosity)
    failed = outcomes.named("failed", "unreachable")
    if failed or outcomes.errors or outcomes.exit_code:
        detail = "; ".join(failed or outcomes.errors) or f"exit code {outcomes.exit_code}"
        raise StepFailed(f"{playbook.name} failed: {detail}")
    return outcomes


def _idempotent(scenario: Scenario, inventory: Path, verbosity: int) -> Outcomes:
    outcomes = _play(scenario, scenario.converge, inventory, verbosity)
    changed = outcomes.named("changed")
    if changed:
        raise StepFailed("not idempotent, changed on the second converge: " + "; ".join(changed))
    return outcomes


def _run(scenario: Scenario, playbook: Path, inventory: Path, verbosity: int) -> Outcomes:
    from edgeauto.output.console import ConsoleReporter
    from edgeauto.planner.options import RunOptions
    from edgeauto.planner.run import Run

    outcomes = Outcomes()
    reporter = (
        MultiReporter(outcomes, ConsoleReporter(verbosity=verbosity - 1)) if verbosity else outcomes
    )
    roles_path = [str(scenario.role_dir.parent)] if scenario.role_dir else []
    options = RunOptions(
        inventory_sources=[str(inventory)],
        roles_path=roles_path,
        write_retry_file=False,
        verbosity=max(0, verbosity - 1),
    )
    with _molecule_env(scenario, inventory):
        run = Run([playbook], options, reporter)
        outcomes.exit_code = run.execute().exit_code
    return outcomes


@contextmanager
def _molecule_env(scenario: Scenario, inventory: Path):
    """The variables molecule sets, which converge.yml files read with lookup('env')."""
    role = scenario.role_dir or scenario.directory
    values = {
        "MOLECULE_PROJECT_DIRECTORY": str(role),
        "MOLECULE_SCENARIO_DIRECTORY": str(scenario.directory),
        "MOLECULE_SCENARIO_NAME": scenario.directory.name,
        "MOLECULE_EPHEMERAL_DIRECTORY": str(inventory.parent),
        "MOLECULE_INVENTORY_FILE": str(inventory),
    }
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
