"""ansible-playbook callback (test oracle side): one JSON record per task result, per host.

ansible-core ships no ``json`` stdout callback (that one lives in the ansible.posix
collection), so the differential harness brings this small aggregate callback instead. It
writes the records to the file named by ``DIFFTRACE_OUT`` when the playbook ends, in the same
shape the harness extracts from ``edgeauto run --json``: play, task name, action, handler flag,
host, status (ok/changed/failed/skipped/unreachable), ignored flag and the result dict.
"""

from __future__ import annotations

import json
import os

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "difftrace"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.records: list[dict] = []
        self.play_name = ""
        self.stats: dict = {}

    def v2_playbook_on_play_start(self, play):
        self.play_name = play.get_name()

    def _record(self, result, status, ignored=False):
        task = result._task
        res = dict(result._result)
        self.records.append(
            {
                "play": self.play_name,
                "task": task.get_name(),
                "action": task.action,
                "handler": task.__class__.__name__ == "Handler",
                "host": result._host.get_name(),
                "status": status,
                "ignored": ignored,
                "result": res,
            }
        )

    def v2_runner_on_ok(self, result):
        self._record(result, "changed" if result._result.get("changed") else "ok")

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, "failed", ignored=bool(ignore_errors))

    def v2_runner_on_skipped(self, result):
        self._record(result, "skipped")

    def v2_runner_on_unreachable(self, result):
        self._record(result, "unreachable")

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        self.stats = {h: stats.summarize(h) for h in hosts}
        out = os.environ.get("DIFFTRACE_OUT")
        if out:
            with open(out, "w", encoding="utf-8") as fh:
                json.dump({"records": self.records, "stats": self.stats}, fh, default=str)
