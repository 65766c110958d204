"""The one interface through which the engine reports progress and results.

The engine calls these methods from many host threads at once; implementations lock. Every
method has a no-op default so a reporter implements only what it shows.
"""

from __future__ import annotations

import threading
from typing import Any


class Reporter:
    def __init__(self) -> None:
        self.lock = threading.RLock()

    def run_start(self, run) -> None: ...
    def playbook_start(self, playbook) -> None: ...
    def play_start(self, play, hosts: list[str]) -> None: ...
    def no_hosts(self, play) -> None: ...
    def batch_start(self, hosts: list[str]) -> None: ...
    def batch_end(self, hosts: list[str]) -> None: ...
    def task_result(self, res) -> None: ...
    def host_done(self, host: str) -> None: ...
    def retrying(self, host: str, task, retries_left: int, res) -> None: ...
    def script_ran(self, host: str, info, calls: int) -> None: ...
    def warning(self, message: str) -> None: ...
    def error(self, message: str) -> None: ...
    def run_end(self, run, result) -> None: ...


class CollectingReporter(Reporter):
    """Keeps warnings and errors in lists, for the caller (or a JSON document) to read."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []
        self.errors: list[str] = []

    def warning(self, message: str) -> None:
        with self.lock:
            self.warnings.append(message)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class NullReporter(CollectingReporter):
    """Collects warnings/errors only (tests and library use)."""


class MultiReporter(Reporter):
    """Fan out every call to several reporters (console + JSON file, for instance)."""

    def __init__(self, *reporters: Reporter):
        super().__init__()
        self.reporters = list(reporters)

    def __getattribute__(self, name: str) -> Any:
        if name in Reporter.__dict__ and not name.startswith("_") and name != "lock":
            targets = object.__getattribute__(self, "reporters")

            def fan_out(*args, **kwargs):
                for rep in targets:
                    getattr(rep, name)(*args, **kwargs)

            return fan_out
        return object.__getattribute__(self, name)
