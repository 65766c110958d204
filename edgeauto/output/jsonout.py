"""``--json``: one JSON document with every task result per host, the recap and the exit code.

Shaped like ansible's ``json`` stdout callback (plays → tasks → hosts) so CI scripts written for
it keep working, plus what edgeauto adds: ``not_run`` (tasks an interruption stopped) and
``exit_code``, and per host ``stats[host]["round_trips"]``. no_log results are censored exactly
as on the console; vault values are masked (``********``). The document is a stable,
versioned schema (``schema_version``, every field in docs/json-schema.md).
"""

from __future__ import annotations

import json
import sys

from edgeauto.output.render import visible_result
from edgeauto.output.reporter import CollectingReporter

SCHEMA_VERSION = 1  # docs/json-schema.md; bump on any change a consumer could trip over


class JsonReporter(CollectingReporter):
    def __init__(self, stream=None):
        super().__init__()
        self.stream = stream
        self.plays: list[dict] = []
        self.tasks: dict[tuple, dict] = {}
        self.document: dict | None = None

    def play_start(self, play, hosts) -> None:
        with self.lock:
            self.plays.append(
                {
                    "play": {
                        "name": play.display_name,
                        "hosts": list(hosts),
                        "path": str(play.pos) if play.pos else None,
                    },
                    "tasks": [],
                }
            )
            self.tasks = {}

    def task_result(self, res) -> None:
        with self.lock:
            if not self.plays:
                self.play_start(type("P", (), {"display_name": "", "pos": None})(), [])
            entry = self.tasks.get(res.key)
            if entry is None:
                entry = {
                    "task": {
                        "name": res.task.display_name,
                        "action": res.task.action,
                        "path": str(res.task.pos) if res.task.pos else None,
                        "handler": res.is_handler,
                    },
                    "hosts": {},
                }
                self.tasks[res.key] = entry
                self.plays[-1]["tasks"].append(entry)
            shown = visible_result(res.result, res.no_log)
            shown["status"] = res.status
            if res.ignored:
                shown["ignored"] = True
            if res.explain:
                shown["edgeauto_failure"] = res.explain
            if res.delegated_to:
                shown["delegated_to"] = res.delegated_to
            entry["hosts"][res.host] = shown

    def run_end(self, run, result) -> None:
        with self.lock:
            self.document = {
                "schema_version": SCHEMA_VERSION,
                "plays": self.plays,
                "stats": _stats_with_round_trips(run, result.stats),
                "exit_code": result.exit_code,
                "failed_hosts": result.failed_hosts,
                "unreachable_hosts": result.unreachable_hosts,
                "not_run": result.not_run,
                "interrupted": result.interrupted,
                "warnings": self.warnings,
                "errors": self.errors,
                "check_mode": run.options.check,
            }
            stream = self.stream or sys.stdout
            # one write: json.dump would call write() once per token (tens of thousands for a
            # fleet, each through the masking stream), and a secret split across two writes
            # could not be masked
            stream.write(json.dumps(self.document, indent=2, sort_keys=False, default=str) + "\n")
            stream.flush()


def _stats_with_round_trips(run, stats: dict) -> dict:
    """The recap counters plus ``round_trips``: scripts sent to the host over its connection
    (facts + task scripts; ``Transport.round_trips``), what the design keeps small and what
    ``bench/`` reports; ``ssh_sessions``: the ssh processes behind them by kind (connection,
    channel on a master, local control command). 0 for a host never connected."""
    out = {host: dict(counts) for host, counts in stats.items()}
    for host, state in getattr(run, "states", {}).items():
        transports = [getattr(state, "transport", None)]
        transports += list(getattr(state, "login_transports", {}).values())  # remote_user
        trips = sum(int(getattr(t, "round_trips", 0) or 0) for t in transports)
        out.setdefault(host, {})["round_trips"] = trips
        sessions: dict[str, int] = {}
        for t in transports:
            for kind, count in (getattr(t, "ssh_sessions", None) or {}).items():
                sessions[kind] = sessions.get(kind, 0) + count
        if any(sessions.values()):
            out[host]["ssh_sessions"] = sessions
    return out
