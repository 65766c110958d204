"""The reporter lab tests run the engine with: it keeps every task result, the scripts sent
(one per round trip) and the warnings/errors, so a test asserts on results, not on output.
One class for every lab test (it was repeated in each harness)."""

from __future__ import annotations

from edgeauto.output.reporter import CollectingReporter


class Recorder(CollectingReporter):
    def __init__(self) -> None:
        super().__init__()
        self.results: list = []
        self.scripts: list = []  # (host, calls) of each script sent
        self.script_sizes: list[int] = []  # bytes of each script sent

    def task_result(self, res) -> None:
        with self.lock:
            self.results.append(res)

    def script_ran(self, host, info, calls) -> None:
        with self.lock:
            self.scripts.append((host, calls))
            self.script_sizes.append(len(info.script or b""))

    def by_name(self, host: str) -> dict:
        """Results of one host by task display name (the last one wins)."""
        return {r.task.display_name: r for r in self.results if r.host == host}

    def changed(self, host: str) -> list[str]:
        return [
            r.task.display_name for r in self.results if r.host == host and r.status == "changed"
        ]

    def failed(self) -> list:
        return [(r.task.display_name, r.result) for r in self.results if r.status == "failed"]
