"""Output of ``edgeauto adhoc``: ``host | CHANGED | rc=0 >>`` + stdout, like ``ansible``."""

from __future__ import annotations

from edgeauto.output.plain import ConsoleMessages, escaper, make_console
from edgeauto.output.render import to_json, visible_result
from edgeauto.output.reporter import Reporter

_WORD = {
    "ok": "SUCCESS",
    "changed": "CHANGED",
    "failed": "FAILED",
    "skipped": "SKIPPED",
    "unreachable": "UNREACHABLE!",
}
_STYLE = {
    "ok": "green",
    "changed": "yellow",
    "failed": "red",
    "skipped": "cyan",
    "unreachable": "bold red",
}


class AdhocReporter(ConsoleMessages, Reporter):
    def __init__(self, one_line: bool = False, verbosity: int = 0, console=None):
        super().__init__()
        self.one_line = one_line
        self.verbosity = verbosity
        self.console = console if console is not None else make_console()  # rich: TTY only
        self._escape = escaper(self.console)

    def task_result(self, res) -> None:
        with self.lock:
            word = _WORD[res.status]
            shown = visible_result(res.result, res.no_log)
            command_like = res.task.action.split(".")[-1] in ("command", "shell", "raw")
            if command_like and res.status in ("ok", "changed", "failed") and "rc" in shown:
                if res.status == "failed":
                    word = "FAILED"
                text = f"{res.host} | {word} | rc={shown.get('rc')} >>"
                body = shown.get("stdout", "")
                if shown.get("stderr"):
                    body = (body + "\n" if body else "") + shown["stderr"]
                if self.one_line:
                    text += " " + body.replace("\n", "\\n")
                else:
                    text += "\n" + body
            else:
                text = f"{res.host} | {word} => " + to_json(shown, None if self.one_line else 4)
            self.console.print(self._escape(text), style=_STYLE[res.status])
