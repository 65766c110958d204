"""Handler notifications that must survive a failed or interrupted run ("no lost restarts").

Ansible forgets a notification when a later task fails: the config changed, the restart never
happened, and the next run sees no change so it never restarts either. edgeauto records the
names of notified-but-not-run handlers in a small file on the host
(``/var/lib/edgeauto/pending-handlers/<key>`` as root, ``~/.edgeauto/pending-handlers/<key>``
otherwise, ``<edgeauto_state_dir>/pending-handlers/<key>`` when that host variable is set;
``<key>`` identifies the playbook and play), written atomically (temp file + rename).

* load: the first script of a play reads the file (a hidden task riding in the same round trip)
  and re-notifies those handlers, so they run at the end of the section like fresh ones;
* clear: the script that runs the handlers removes the file after the last handler succeeded;
* save: when a host stops (failure, end_host, interruption) with notifications pending, one
  extra round trip writes the file. That extra trip happens only on the failure path.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from edgeauto.planner.host import HostRunner

_DIR = (
    'if [ "$(id -u)" = 0 ]; then d=/var/lib/edgeauto/pending-handlers; '
    'else d="${HOME:-/tmp}/.edgeauto/pending-handlers"; fi; '
)


def _dir(runner: HostRunner) -> str:
    """Shell that sets $d; the host var ``edgeauto_state_dir`` overrides the default place."""
    custom = runner.prun.inventory_vars(runner.name).get("edgeauto_state_dir")
    if custom:
        return f"d={_quote(str(custom))}/pending-handlers; "
    return _DIR


def state_key(runner: HostRunner) -> str:
    prun = runner.prun
    ident = f"{prun.run.playbook_paths[0].resolve() if prun.run.playbook_paths else ''}|{prun.index}|{prun.play.display_name}"
    return "play-" + hashlib.sha1(ident.encode()).hexdigest()[:16]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class PendingHandlers:
    """Load/clear/save of the pending-handler file, driven by the host runner."""

    def __init__(self, run):
        self.run = run

    def enabled(self, runner: HostRunner) -> bool:
        return (
            self.run.options.pending_handlers
            and bool(runner.prun.handler_order())
            and runner.prun.module_for("shell") is not None
        )

    def load(self, runner: HostRunner) -> None:
        """Arm the runner: the start of each of its scripts may carry bookkeeping tasks."""
        if self.enabled(runner):
            runner.pending_hook = self._segment_start

    def _segment_start(self, runner: HostRunner, become) -> None:
        """Called when a host's script gets its first task: read the file (first script of
        the play) and write notifications made since the last script (so a controller killed
        before the handlers ran still leaves them on the host). No extra round trip."""
        if not runner.pending_loaded:
            runner.pending_loaded = True
            key = state_key(runner)
            script = _dir(runner) + f'cat "$d/{key}" 2>/dev/null; true'

            def loaded(result: dict) -> None:
                names = [ln.strip() for ln in result.get("stdout", "").splitlines() if ln.strip()]
                if names:
                    runner.pending_file_exists = True
                    self.run.reporter.warning(
                        f"{runner.name}: replaying handlers left pending by an earlier run: "
                        + ", ".join(names)
                    )
                    runner.notify(names, None)
                    runner.pending_unsaved = False  # they are in the file already

            runner.add_hidden_shell("edgeauto: read pending handlers", script, become, loaded)
        if runner.pending_unsaved and runner.notified and not self.run.options.check:
            runner.add_hidden_shell(
                "edgeauto: save pending handlers", self._save_script(runner), become, None
            )
            runner.pending_unsaved = False
            runner.pending_file_exists = True

    def _save_script(self, runner: HostRunner) -> str:
        names = [h.name or h.display_name for h in runner.notified]
        key = state_key(runner)
        lines = " ".join(_quote(n) for n in names)
        return (
            _dir(runner)
            + 'mkdir -p "$d" && t="$d/.'
            + key
            + ".$$\" && printf '%s\\n' "
            + lines
            + ' >"$t" && mv -f "$t" "$d/'
            + key
            + '"'
        )

    def cleared(self, runner: HostRunner) -> None:
        """Handlers ran: nothing is pending any more (called after the handler script)."""

    def clear_call(self, runner: HostRunner, become) -> None:
        if not runner.pending_file_exists or not self.enabled(runner):
            return
        runner.pending_file_exists = False
        runner.pending_unsaved = False
        key = state_key(runner)
        runner.add_hidden_shell(
            "edgeauto: clear pending handlers", _dir(runner) + f'rm -f "$d/{key}"', become, None
        )

    def save(self, runner: HostRunner) -> None:
        """End of play: notifications no script carried yet are written now (one round trip,
        only when a host stopped right after the change)."""
        if not runner.notified or not self.enabled(runner) or self.run.options.check:
            return
        st = runner.state
        if st.transport is None or st.unreachable:
            return
        names = [h.name or h.display_name for h in runner.notified]
        if runner.pending_unsaved:
            runner.segment = type(runner.segment)()
            runner.outbox = []
            runner.pending_hook = None
            runner.add_hidden_shell(
                "edgeauto: save pending handlers",
                self._save_script(runner),
                runner.hidden_become,
                None,
            )
            runner.flush()
            runner.pending_unsaved = False
        self.run.reporter.warning(
            f"{runner.name}: handlers still pending were recorded on the host and will run "
            f"next time: {', '.join(names)}"
        )


__all__ = ["PendingHandlers"]
