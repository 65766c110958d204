"""``--step``: confirm each task before it runs, as ``ansible-playbook --step`` does.

Ansible asks once per task for the whole batch: ``Perform task: TASK: NAME (N)o/(y)es/
(c)ontinue:``. Here every host walks on its own thread, so the first host to reach a task asks
and the others wait for that answer and share it; ``c`` stops asking for the rest of the run.
Before the question the host's pending script is flushed, so what ran so far is reported
before the next question (one script per task in step mode: the user wants to watch each).

The question needs a person: without a terminal on stdin the run is refused before anything
runs (:func:`require_terminal`), never silently answered.
"""

from __future__ import annotations

import sys
import threading

from edgeauto.errors import EdgeautoError

ANSWERS = {"y": "yes", "yes": "yes", "n": "no", "no": "no", "": "no", "c": "continue"}


def require_terminal(stdin=None) -> None:
    stdin = stdin if stdin is not None else sys.stdin
    if not (stdin and stdin.isatty()):
        raise EdgeautoError(
            "--step asks before each task and needs a terminal on stdin; found none "
            "(stdin is a pipe, a file or closed). Run it interactively, or drop --step"
        )


class StepGate:
    """One answer per task, shared by every host (see module docstring)."""

    def __init__(self, ask=None, show=None):
        self._ask = ask or (lambda prompt: input(prompt))
        self._show = show or (lambda text: print(text, file=sys.stderr, flush=True))
        self._lock = threading.Lock()
        self._answers: dict[int, bool] = {}
        self.continue_all = False

    def perform(self, task) -> bool:
        """True when ``task`` should run (asks at most once per task)."""
        with self._lock:
            if self.continue_all:
                return True
            if id(task) in self._answers:
                return self._answers[id(task)]
            while True:
                try:
                    raw = self._ask(
                        f"Perform task: TASK: {task.display_name} (N)o/(y)es/(c)ontinue: "
                    )
                except EOFError:
                    raw = "n"
                answer = ANSWERS.get(raw.strip().lower())
                if answer is not None:
                    break
                self._show(f"please answer y, n or c (found {raw.strip()!r})")
            if answer == "continue":
                self.continue_all = True
            self._answers[id(task)] = answer != "no"
            return self._answers[id(task)]
