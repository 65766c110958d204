"""One play over the fleet: host selection, ``serial`` batches, one thread per host (layer 7).

Hosts run independently (bounded by ``--forks``) and meet only at the sync points of
:mod:`edgeauto.planner.barrier`; the next ``serial`` batch starts only after every host of this
one ended, and only if the batch stayed within its failure budget.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from edgeauto.errors import EdgeautoError, InternalError
from edgeauto.modules.spec import is_templated
from edgeauto.planner.barrier import BatchSync
from edgeauto.planner.connect import Connector, gathers_facts
from edgeauto.planner.context import WalkCtx
from edgeauto.planner.dispatch import Dispatcher
from edgeauto.planner.facts_task import gather_facts
from edgeauto.planner.handlers import HandlerTable
from edgeauto.planner.host import HostRunner
from edgeauto.planner.includes import IncludeLoader
from edgeauto.planner.python_check import refuse_without_python
from edgeauto.planner.records import LEAVES_PLAY, Flow
from edgeauto.planner.results import TaskResult
from edgeauto.planner.runstate import RunState
from edgeauto.planner.scope import PlayScope
from edgeauto.planner.services import PlayServices
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Play, Task
from edgeauto.playbook.serial import serial_batches, serial_problem
from edgeauto.playbook.walk import any_node


def wants_lockstep(play: Play) -> bool:
    """any_errors_fatal anywhere in the play switches it to per-task lockstep (sync.py)."""
    return bool(play.any_errors_fatal) or any_node(
        play, lambda node: getattr(node, "any_errors_fatal", None) is True
    )


class PlayRun:
    """One play's execution: builds the play's collaborators, then runs its batches."""

    def __init__(self, fleet: RunState, play: Play, index: int):
        self.fleet = fleet
        self.play = play
        self.index = index
        scope = PlayScope(fleet, play)
        self.services = PlayServices(
            fleet=fleet,
            play=play,
            index=index,
            scope=scope,
            handlers=HandlerTable(play, scope.all_roles),
            includes=IncludeLoader(play, fleet.roles_path(play), fleet.extra_vars),
            dispatch=Dispatcher(fleet),
            barrier=BatchSync(fleet, scope, wants_lockstep(play)),
        )
        self.connector = Connector(fleet, play, index)

    def execute(self) -> None:
        fleet, play = self.fleet, self.play
        scope, barrier = self.services.scope, self.services.barrier
        selected = fleet.select_hosts(play.hosts, play.vars)
        scope.hosts = [h for h in selected if fleet.state(h).active]
        fleet.reporter.play_start(play, scope.hosts)
        if not scope.hosts:
            fleet.reporter.no_hosts(play)
            return
        scope.play_vars = fleet.load_play_vars(play)
        for batch in serial_batches(scope.hosts, self._serial()):
            if fleet.cancelled.is_set() or fleet.aborted:
                break
            scope.batch = [h for h in batch if fleet.state(h).active]
            if not scope.batch:
                continue
            workers = max(1, min(fleet.options.forks, len(scope.batch)))
            barrier.start_batch(scope.batch, workers)
            fleet.reporter.batch_start(scope.batch)
            self._run_batch(scope.batch, workers)
            fleet.reporter.batch_end(scope.batch)
            if self._stop_after_batch():
                break

    def _serial(self) -> Any:
        """The play's ``serial``, rendered with play vars and extra vars when templated (what
        Ansible templates it with: no host's variables, the batches are not a host's)."""
        value = self.play.serial
        if not is_templated(value):
            return value
        templar = self.services.scope.make_templar(
            {**self.services.scope.play_vars, **self.fleet.extra_vars}
        )
        rendered = templar.render(value, self.play.pos)
        problem = serial_problem(rendered, templates_ok=False)
        if problem:
            raise EdgeautoError(f"{problem} (rendered from {value!r})", self.play.pos)
        return rendered

    def _run_batch(self, batch: list[str], workers: int) -> None:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="host") as pool:
            futures = [
                pool.submit(self.run_host, self.fleet.state(h), number >= workers)
                for number, h in enumerate(batch)
            ]
            for fut in futures:
                exc = fut.exception()
                if exc is not None:
                    raise exc

    def _stop_after_batch(self) -> bool:
        """Whether the play (and the run) stops after this batch: failure budgets, end_play."""
        reason = self._abort_reason()
        if reason is None:
            return self.services.barrier.end_play
        if reason:
            self.fleet.reporter.error(reason)
        self.fleet.aborted = True
        return True

    def _abort_reason(self) -> str | None:
        """Why the run stops after this batch ("" = already said), or None to go on."""
        fleet, barrier = self.fleet, self.services.barrier
        if barrier.over_budget():
            return (
                f"max_fail_percentage {self.play.max_fail_percentage}% exceeded in this batch "
                f"({len(barrier.failed)}/{len(self.services.scope.batch)} hosts failed): "
                "stopping the play"
            )
        if barrier.abort.is_set() and not fleet.cancelled.is_set():
            return ""  # any_errors_fatal: reported when the host failed
        if fleet.over_fleet_budget():
            return (
                f"--max-fail {fleet.options.max_fail} exceeded "
                f"({len(fleet.failed_hosts())} hosts failed so far): stopping"
            )
        return None

    def run_host(self, state: HostState, late: bool = False) -> None:
        barrier = self.services.barrier
        if barrier.phaser is not None and late:
            barrier.phaser.join()
        barrier.host_started(state.name)
        try:
            self._run_host(state)
        except EdgeautoError as exc:
            self._host_crashed(state, str(exc))
        except Exception as exc:  # noqa: BLE001 - one host's bug must not stop the fleet
            self._host_crashed(state, InternalError.of(exc).message)
        finally:
            barrier.walk_ended(state.name)
            self.fleet.reporter.host_done(state.name)

    def _host_crashed(self, state: HostState, message: str) -> None:
        task = Task("edgeauto", {}, self.play.pos, name="(engine)")
        res = TaskResult(
            state.name,
            task,
            "failed",
            {"failed": True, "msg": message},
            key=(self.index, "crash", 1),
        )
        state.stats.count(res)
        state.failed = True
        self.services.barrier.host_crashed(state.name)
        self.fleet.record(res)

    def _run_host(self, state: HostState) -> None:
        services, play = self.services, self.play
        runner = HostRunner(services, state)
        state.ended = False
        if not self.connector.connect(state):
            return
        if gathers_facts(play) and not self._tags_skip_facts():
            out = gather_facts(
                runner.outbox, None, services.scope.base_ctx(), (self.index, "facts", 1)
            )
            if out != Flow.OK:
                self._report_failure(runner)
                return
        if refuse_without_python(runner, play, self.index):
            self._report_failure(runner)
            return
        sections = [
            lambda ctx: runner.walk(play.pre_tasks, ctx),
            lambda ctx: self._roles_then_tasks(runner, ctx),
            lambda ctx: runner.walk(play.post_tasks, ctx),
        ]
        for body in sections:
            out = body(services.scope.base_ctx())
            if out == Flow.OK:
                out = runner.flush()
            if out in LEAVES_PLAY or out == Flow.END_HOST or state.ended:
                if out == Flow.FAILED and (play.force_handlers or services.options.force_handlers):
                    state.failed = False
                    runner.run_handlers()
                    state.failed = True
                break
            if runner.run_handlers() != Flow.OK:
                break
        self._report_failure(runner)
        runner.pending.save()

    def _report_failure(self, runner: HostRunner) -> None:
        """A host that leaves the play failed tells the batch (any_errors_fatal, budgets)."""
        failed_at = runner.walk_state.failed_at
        if runner.state.failed and failed_at is not None:
            self.services.barrier.host_failed(runner.name, *failed_at)

    def _tags_skip_facts(self) -> bool:
        """Facts are gathered unless tags select nothing that is ``always`` (Ansible tags the
        implicit facts task ``always``), i.e. only ``--skip-tags always`` turns it off."""
        return "always" in self.fleet.tag_selection.skip

    def _roles_then_tasks(self, runner: HostRunner, ctx: WalkCtx) -> Flow:
        done = self.services.roles_done.setdefault(runner.name, set())
        for role in self.play.roles:
            if id(role) in done:
                continue
            out = runner.run_role(role, ctx)
            if out != Flow.OK:
                return out
        return runner.walk(self.play.tasks, ctx)


__all__ = ["PlayRun", "serial_batches"]
