"""Opening a host's connection for the run, with ``--retry-unreachable`` back-off (layer 7).

A connection is opened once per host and kept for the whole run (every play reuses it); a host
that cannot be reached is reported unreachable on the play's first task ("Gathering Facts" or
"Connecting"), as ansible-playbook reports it.
"""

from __future__ import annotations

from edgeauto.errors import ConnectionFailed, EdgeautoError
from edgeauto.modules.spec import to_bool
from edgeauto.planner.results import TaskResult
from edgeauto.planner.runstate import RunState
from edgeauto.planner.state import HostState
from edgeauto.playbook.model import Play, Task


def gathers_facts(play: Play) -> bool:
    gather = play.gather_facts
    return to_bool(gather) if isinstance(gather, str) else bool(gather)


class Connector:
    """Connects the hosts of one play (see module docstring)."""

    def __init__(self, fleet: RunState, play: Play, index: int):
        self.fleet = fleet
        self.play = play
        self.index = index

    def connect(self, state: HostState) -> bool:
        """Open the host's connection (kept for the whole run); report it unreachable if not."""
        from edgeauto.transport.factory import make_transport

        if state.transport is not None:
            return True
        fleet = self.fleet
        opts = fleet.options
        attempts = max(0, int(opts.retry_unreachable))
        backoff = opts.retry_backoff
        host_vars = fleet.host_inventory_vars(state.name)
        host_vars.setdefault("inventory_hostname", state.name)
        if opts.connection and "ansible_connection" not in host_vars:
            host_vars["ansible_connection"] = opts.connection
        try:
            transport = make_transport(host_vars, options=fleet.transport_options())
        except EdgeautoError as exc:
            return self._unreachable(state, exc)
        while True:
            try:
                transport.connect(opts.connect_timeout)
                state.transport = transport
                return True
            except ConnectionFailed as exc:
                if attempts <= 0 or fleet.cancelled.is_set():
                    return self._unreachable(state, exc)
                attempts -= 1
                fleet.reporter.warning(
                    f"{state.name}: unreachable ({exc.message.splitlines()[0]}); retrying in "
                    f"{backoff:g}s ({attempts} retries left)"
                )
                if fleet.sleep(backoff):
                    return self._unreachable(state, exc)
                backoff = min(backoff * 2, 30.0)

    def _unreachable(self, state: HostState, exc: EdgeautoError) -> bool:
        gathering = self.play.gather_facts not in (False, "false", "no", "False")
        name = "Gathering Facts" if gathering else "Connecting"
        task = Task("gather_facts" if gathering else "connect", {}, self.play.pos, name=name)
        res = TaskResult(
            state.name,
            task,
            "unreachable",
            {"unreachable": True, "msg": exc.message},
            key=(self.index, "facts", 1),
        )
        state.stats.count(res)
        state.unreachable = True
        state.last_unreachable = exc
        self.fleet.record(res)
        return False
