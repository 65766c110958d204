"""Output without rich: what ``edgeauto run`` uses when stdout is not a terminal.

Why: importing rich costs a noticeable slice of a run's fixed start-up time (40+ modules), and
off a terminal rich prints exactly this — text without colours or live status. So the console
reporters pick :func:`make_console`: rich only on a TTY (or with ``FORCE_COLOR``), this
otherwise. On a terminal rich stays (colours, the live status line are worth its import
there); ``NO_COLOR`` is honoured by rich itself.
"""

from __future__ import annotations

import os
import sys
import threading


class PlainConsole:
    """The part of ``rich.console.Console`` the reporters use, printing plain text."""

    is_terminal = False
    markup = False  # text is printed as-is: callers must not escape rich markup for it

    def __init__(self, file=None):
        self.file = file
        self._lock = threading.Lock()

    def print(self, *objects, style=None, end: str = "\n", **_ignored) -> None:
        stream = self.file or sys.stdout
        text = " ".join(str(o) for o in objects)
        with self._lock:
            stream.write(text + end)
            stream.flush()

    def status(self, *_args, **_kwargs):  # pragma: no cover - never called off a terminal
        raise RuntimeError("PlainConsole has no live status (not a terminal)")


def wants_rich(stream) -> bool:
    """rich only where it adds something: a terminal (colours, live status) or FORCE_COLOR."""
    if os.environ.get("FORCE_COLOR") or os.environ.get("TTY_COMPATIBLE") == "1":
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def make_console(stream=None):
    """A rich Console on a terminal, a :class:`PlainConsole` otherwise (rich not imported)."""
    stream = stream or sys.stdout
    if wants_rich(stream):
        from rich.console import Console

        return Console(file=stream, highlight=False, soft_wrap=True)
    return PlainConsole(stream)


def escaper(console):
    """The markup escape matching ``console``: rich's for a rich Console, identity otherwise."""
    if getattr(console, "markup", True) is False and isinstance(console, PlainConsole):
        return lambda text: text
    from rich.markup import escape

    return escape


class ConsoleMessages:
    """``[WARNING]:`` and ``ERROR!`` lines as ansible prints them, for reporters that have
    ``self.lock``, ``self.console`` and ``self._escape`` (console and adhoc output)."""

    def warning(self, message: str) -> None:
        with self.lock:
            self.console.print(self._escape(f"[WARNING]: {message}"), style="magenta")

    def error(self, message: str) -> None:
        with self.lock:
            self.console.print(self._escape(f"ERROR! {message}"), style="bold red")
