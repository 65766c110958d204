"""Where a rollout leaves its trace: the run history (``edgeauto.fleet.history``) and the
timeline picture (``edgeauto.fleet.timeline``). Both belong to other parts of the fleet
layer; a checkout without them still rolls out, it just records nothing."""

from __future__ import annotations

from pathlib import Path

from edgeauto.errors import EdgeautoError

#: a host's outcome as the history's host status
HOST_STATUS = {
    "updated": "changed",
    "converged": "ok",
    "would_update": "ok",
    "skipped": "ok",
    "unreachable": "unreachable",
}


def write_timeline(events: list[dict], out_dir: Path | None, echo):
    """(html, png) of the rollout, or None (no directory, no events, no timeline module)."""
    if out_dir is None or not events:
        return None
    try:
        from edgeauto.fleet.timeline import write_timeline as write
    except ImportError:
        return None
    try:
        return write(events, Path(out_dir))
    except EdgeautoError as exc:
        echo(f"timeline not written: {exc}")
        return None


class RolloutRecord:
    """One history run for one apply or rollback (``open`` returns None when history is off
    or absent)."""

    def __init__(self, history, run_id: int):
        self.history = history
        self.run_id = run_id

    @classmethod
    def open(cls, options, kind: str, what: str):
        if not options.record_history or options.check:
            return None
        try:
            from edgeauto.fleet.history import History, disabled_by_env
        except ImportError:
            return None
        if disabled_by_env() and options.history is None:
            return None
        from edgeauto.fleet.recorder import who

        history = History.open(options.history)
        run_id = history.start_run(kind, what, list(options.argv), who())
        return cls(history, run_id)

    def event(self, item: dict) -> None:
        self.history.record_event(self.run_id, item)

    def tasks(self, results) -> None:
        from edgeauto.fleet.recorder import record_result

        for res in results:
            record_result(self.history, self.run_id, res)

    def outcomes(self, result, probed, digests: dict) -> None:
        """Each host's version and outcome, and its worst status over the workloads."""
        worst = dict.fromkeys(probed, "ok") | dict.fromkeys(result.unreachable, "unreachable")
        for w in result.workloads:
            for host, o in w.outcomes.items():
                self.history.record_version(
                    self.run_id, host, w.name, o.version, digests.get(w.name, ""), o.status
                )
                status = HOST_STATUS.get(o.status, "failed")
                if o.status == "rolled_back" and result.kind == "rollback":
                    status = "changed"
                if worst.get(host) not in ("failed", "unreachable"):
                    worst[host] = status
        for host, status in sorted(worst.items()):
            self.history.record_host(self.run_id, host, status)

    def finish(self, rc: int) -> None:
        self.history.finish_run(self.run_id, rc)
        self.history.close()
