"""ansible-playbook-style console output: PLAY/TASK headers, one line per host, PLAY RECAP.

Hosts run independently and report each task as its record arrives (live, in each host's
task order), so results from different hosts arrive out of task order.
This reporter keeps a small reorder buffer: a task's block (``TASK [...]`` + every host's line)
is printed once every running host of the batch has either reported that task or moved past
it. With identical task lists on all hosts — the usual case — the output reads exactly like
ansible-playbook's linear strategy. A host whose walk diverges (includes, rescue) can make a
task appear twice; each block is still correct. A live status line (on a terminal) names the
hosts still working.

Verbosity: -v results, -vv + task file:line, -vvv + per-script round-trip timing, -vvvv + the
script text itself.
"""

from __future__ import annotations

import threading
import time

from edgeauto.output.plain import ConsoleMessages, escaper
from edgeauto.output.plain import make_console as _make_console
from edgeauto.output.render import item_label, render_diff, to_json, visible_result
from edgeauto.output.reporter import Reporter

STYLE = {
    "ok": "green",
    "changed": "yellow",
    "failed": "red",
    "unreachable": "bold red",
    "skipped": "cyan",
    "ignored": "cyan",
    "rescued": "magenta",
}


class ConsoleReporter(ConsoleMessages, Reporter):
    def __init__(
        self,
        verbosity: int = 0,
        diff: bool = False,
        console=None,
        width: int = 79,
    ):
        super().__init__()
        self.verbosity = verbosity
        self.diff = diff
        # rich only on a terminal (plain.py): its import is a real part of start-up time
        self.console = console if console is not None else _make_console()
        self._escape = escaper(self.console)
        self.width = width
        self.batch: list[str] = []
        self.done_hosts: set[str] = set()
        self.order: dict[tuple, int] = {}
        self.names: dict[tuple, tuple[str, bool, object]] = {}
        self.buffer: dict[tuple, list] = {}
        self.cursor: dict[str, int] = {}
        self.printed: set[tuple] = set()
        self.next_index = 0
        self.status = None  # live "waiting for …" line, only on a terminal
        self.seen_at: dict[tuple, float] = {}
        self.stale_after = 5.0  # seconds a finished task may wait for a slow host's line
        self._ticker: threading.Thread | None = None
        self.failed_hosts: set[str] = set()
        self.batch_started = time.monotonic()

    # ---------------------------------------------------------------- helpers

    def _header(self, kind: str, title: str) -> None:
        text = f"{kind} [{title}] "
        self.console.print()
        self.console.print(self._escape(text + "*" * max(3, self.width - len(text))))

    def _line(self, text: str, style: str) -> None:
        self.console.print(self._escape(text), style=style)

    # ---------------------------------------------------------------- events

    def playbook_start(self, playbook) -> None:
        if self.verbosity >= 1:
            with self.lock:
                self.console.print(self._escape(f"PLAYBOOK: {playbook.path}"))

    def play_start(self, play, hosts) -> None:
        with self.lock:
            self._header("PLAY", play.display_name)
            if self.verbosity >= 2 and play.pos:
                self.console.print(self._escape(f"play at {play.pos}; hosts: {', '.join(hosts)}"))

    def no_hosts(self, play) -> None:
        with self.lock:
            self.console.print("skipping: no hosts matched", style="cyan")

    def batch_start(self, hosts) -> None:
        with self.lock:
            self.batch = list(hosts)
            self.done_hosts = set()
            self.order, self.names, self.buffer = {}, {}, {}
            self.cursor = {h: -1 for h in hosts}
            self.printed = set()
            self.next_index = 0
            self.failed_hosts = set()
            self.batch_started = time.monotonic()
            if self._ticker is None:
                self._ticker = threading.Thread(target=self._tick, name="console", daemon=True)
                self._ticker.start()
            if self.console.is_terminal and self.status is None:
                self.status = self.console.status(self._status_text())
                self.status.start()

    def batch_end(self, hosts) -> None:
        with self.lock:
            self._stop_status()
            self.done_hosts = set(self.batch)
            self._drain(force=True)

    def _tick(self) -> None:
        while True:
            time.sleep(1.0)
            with self.lock:
                if self.buffer:
                    self._drain()
                if self.status is not None:
                    self.status.update(self._status_text())

    def _status_text(self) -> str:
        """The live line: hosts done/running/failed, the slowest host and where it is, time.

        The slowest host is the running one that has reported the fewest tasks (ties: the
        first in the batch); its place is the task after the last one it reported."""
        waiting = [h for h in self.batch if h not in self.done_hosts]
        failed = len(self.failed_hosts & set(self.batch))
        text = f"{len(self.done_hosts)}/{len(self.batch)} hosts done"
        if failed:
            text += f", {failed} failed"
        text += f", {len(waiting)} running"
        if waiting:
            slowest = min(waiting, key=lambda h: self.cursor.get(h, -1))
            text += f"; slowest: {slowest}"
            last = self.cursor.get(slowest, -1)
            names = {i: self.names[k][0] for k, i in self.order.items() if k in self.names}
            if last >= 0 and last in names:
                text += f" (after TASK [{names[last]}])"
        return text + f"; {time.monotonic() - self.batch_started:.0f}s elapsed"

    def _stop_status(self) -> None:
        if self.status is not None:
            self.status.stop()
            self.status = None

    def task_result(self, res) -> None:
        with self.lock:
            if res.status == "unreachable" or (res.status == "failed" and not res.ignored):
                self.failed_hosts.add(res.host)
            if self.status is not None:
                self.status.update(self._status_text())
            key = res.key or (id(res.task),)
            if key not in self.order:
                self.order[key] = len(self.order)
                self.seen_at[key] = time.monotonic()
                self.names[key] = (res.task.display_name, res.is_handler, res.task.pos)
            idx = self.order[key]
            if key in self.printed:
                self._print_block(key, [res])
                return
            self.buffer.setdefault(key, []).append(res)
            if res.host in self.cursor:
                self.cursor[res.host] = max(self.cursor[res.host], idx)
            else:
                self._print_block(key, self.buffer.pop(key))
                self.printed.add(key)
                return
            self._drain()

    def _drain(self, force: bool = False) -> None:
        keys = sorted(self.order, key=self.order.get)
        for key in keys:
            if key in self.printed:
                continue
            idx = self.order[key]
            waiting = [
                h for h in self.batch if h not in self.done_hosts and self.cursor.get(h, -1) < idx
            ]
            stale = time.monotonic() - self.seen_at.get(key, 0.0) > self.stale_after
            if waiting and not force and not stale:
                # The earliest unprinted task is still running somewhere: keep order. A slow
                # host does not hold the others back for long: after `stale_after` seconds the
                # block is printed and the slow host's line comes later under its own header.
                return
            results = self.buffer.pop(key, [])
            self.printed.add(key)
            if results:
                results.sort(key=lambda r: self.batch.index(r.host) if r.host in self.batch else 0)
                self._print_block(key, results)

    def host_done(self, host: str) -> None:
        with self.lock:
            self.done_hosts.add(host)
            if self.status is not None:
                self.status.update(self._status_text())
            self._drain()

    def _print_block(self, key, results) -> None:
        name, is_handler, pos = self.names.get(key, (results[0].task.display_name, False, None))
        self._header("RUNNING HANDLER" if is_handler else "TASK", name)
        if self.verbosity >= 2 and pos:
            self.console.print(self._escape(f"task path: {pos}"))
        for res in results:
            self._print_result(res)

    def _print_result(self, res) -> None:
        host = res.host if not res.delegated_to else f"{res.host} -> {res.delegated_to}"
        result = res.result
        if self.diff and not res.no_log:
            self._print_diffs(res)
        if res.status == "ok" and res.task.action.endswith(("include_tasks", "include_role")):
            self._print_included(res, host)
            return
        if res.item_results and res.status != "unreachable":
            for item in res.item_results:
                self._print_item(res, host, item)
            return
        shown = visible_result(result, res.no_log)
        if res.status == "unreachable":
            self._line(
                f"fatal: [{host}]: UNREACHABLE! => {to_json(shown, None)}", STYLE["unreachable"]
            )
            return
        if res.status == "failed":
            shown = {k: v for k, v in shown.items() if k != "failed"}
            self._line(f"fatal: [{host}]: FAILED! => {to_json(shown, None)}", STYLE["failed"])
            self._print_explain(res)
            if res.ignored:
                self._line("...ignoring", STYLE["ignored"])
            return
        word = {"ok": "ok", "changed": "changed", "skipped": "skipping"}[res.status]
        text = f"{word}: [{host}]"
        is_debug = res.task.action.endswith("debug") and not res.no_log
        if is_debug and res.status != "skipped":
            body = {
                k: v
                for k, v in shown.items()
                if k not in ("changed", "failed", "_ansible_verbose_always")
            }
            text += " => " + to_json(body)
        elif self.verbosity >= 1 and res.status != "skipped":
            text += " => " + to_json(shown, None if self.verbosity < 2 else 4)
        if self.verbosity >= 3:
            text += f"  ({res.duration:.2f}s)"
        self._line(text, STYLE[res.status])

    def _print_included(self, res, host: str) -> None:
        """``included: <file> for <host>`` like ansible-playbook (one line per loop item)."""
        for item in res.item_results or [res.result]:
            if item.get("skipped"):
                self._line(f"skipping: [{host}] => (item={item_label(item)})", STYLE["skipped"])
                continue
            text = f"included: {item.get('include')} for {host}"
            if "item" in item:
                text += f" => (item={item_label(item)})"
            self._line(text, STYLE["ok"])

    def _print_item(self, res, host: str, item: dict) -> None:
        label = item_label(item)
        shown = visible_result(item, res.no_log)
        if item.get("unreachable"):
            self._line(
                f"fatal: [{host}]: UNREACHABLE! => (item={label}) => {to_json(shown, None)}",
                STYLE["unreachable"],
            )
        elif item.get("failed"):
            self._line(
                f"failed: [{host}] (item={label}) => {to_json(shown, None)}", STYLE["failed"]
            )
            if res.ignored:
                self._line("...ignoring", STYLE["ignored"])
        elif item.get("skipped"):
            self._line(f"skipping: [{host}] => (item={label})", STYLE["skipped"])
        else:
            word = "changed" if item.get("changed") else "ok"
            text = f"{word}: [{host}] => (item={label})"
            is_debug = res.task.action.endswith("debug") and not res.no_log
            if is_debug:
                loop_keys = {"changed", "failed", "item", "ansible_loop_var", "ansible_loop"}
                loop_keys |= {"ansible_index_var", item.get("ansible_loop_var")}
                loop_keys.add(item.get("ansible_index_var"))
                body = {k: v for k, v in shown.items() if k == "msg" or k not in loop_keys}
                text += " => " + to_json(body)
            elif self.verbosity >= 1:
                text += " => " + to_json(shown, None)
            self._line(text, STYLE[word])
        if res.status == "failed" and item.get("failed"):
            self._print_explain(res)

    def _print_explain(self, res) -> None:
        info = getattr(res, "explain", None)
        if not info:
            where = f"{res.task.pos}" if res.task.pos else "?"
            self._line(f"  task '{res.task.display_name}' at {where}", "red")
            return
        self._line(f"  task '{info.get('task')}' at {info.get('at') or '?'}", "red")
        if info.get("command"):
            self._line(f"  command: {info['command']}", "red")
        if info.get("rc") is not None:
            self._line(f"  exit code: {info['rc']}", "red")
        if info.get("stderr_tail"):
            for line in str(info["stderr_tail"]).splitlines():
                self._line(f"  stderr: {line}", "red")

    def _print_diffs(self, res) -> None:
        diffs = []
        if res.item_results:
            diffs = [r.get("diff") for r in res.item_results if r.get("diff")]
        elif res.result.get("diff"):
            diffs = [res.result["diff"]]
        for diff in diffs:
            text = render_diff(diff)
            if not text:
                continue
            for line in text.splitlines():
                style = "green" if line.startswith("+") else "red" if line.startswith("-") else None
                self.console.print(self._escape(line), style=style)

    def retrying(self, host, task, retries_left, res) -> None:
        with self.lock:
            self._line(
                f"FAILED - RETRYING: [{host}]: {task.display_name} ({retries_left} retries left).",
                "dark_orange",
            )

    def script_ran(self, host, info, calls) -> None:
        if self.verbosity < 3:
            return
        with self.lock:
            size = len(info.script or b"")
            self.console.print(
                self._escape(
                    f"<{host}> one round trip: {calls} task(s), script {size} bytes, "
                    f"rc={info.rc}, {info.duration:.3f}s"
                ),
                style="blue",
            )
            if self.verbosity >= 4 and info.script:
                shown = info.shown_script() if hasattr(info, "shown_script") else info.script
                self.console.print(self._escape(shown.decode("utf-8", "replace")), style="dim")

    def run_end(self, run, result) -> None:
        with self.lock:
            self._stop_status()
            self._drain(force=True)
            self.console.print()
            self.console.print("PLAY RECAP " + "*" * (self.width - 11))
            self.console.print(recap_text(result.stats), end="")
            if result.not_run:
                self.console.print()
                for host, names in sorted(result.not_run.items()):
                    self.console.print(
                        self._escape(f"{host}: did not run: {', '.join(names)}"), style="yellow"
                    )
            if result.interrupted:
                self.console.print(
                    "interrupted: the run was stopped before it finished", style="bold red"
                )


def recap_text(stats: dict) -> str:
    lines = []
    for host in sorted(stats):
        s = stats[host]
        lines.append(
            f"{host:<26} : ok={s['ok']:<4} changed={s['changed']:<4} "
            f"unreachable={s['unreachable']:<4} failed={s['failed']:<4} "
            f"skipped={s['skipped']:<4} rescued={s['rescued']:<4} ignored={s['ignored']:<4}"
        )
    return "\n".join(lines) + "\n\n"


def make_console(stream=None):
    """rich Console on a terminal, plain text otherwise (see output/plain.py)."""
    return _make_console(stream)
