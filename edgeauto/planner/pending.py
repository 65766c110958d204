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

Layer 5: works on a host's :class:`Outbox` and the :class:`PendingState` in its walk record.
"""

from __future__ import annotations

import hashlib

from edgeauto.planner.outbox import Outbox

_DIR = (
    'if [ "$(id -u)" = 0 ]; then d=/var/lib/edgeauto/pending-handlers; '
    'else d="${HOME:-/tmp}/.edgeauto/pending-handlers"; fi; '
)


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


class PendingHandlers:
    """Load/clear/save of one host's pending-handler file for one play."""

    def __init__(self, outbox: Outbox):
        self.outbox = outbox
        self.services = outbox.services
        self.walk = outbox.walk
        self.state = self.walk.pending
        services = self.services
        self.state.armed = bool(services.options.pending_handlers and services.handlers.order())
        ident = "|".join(
            [
                str(services.fleet.playbook_paths[0].resolve())
                if services.fleet.playbook_paths
                else "",
                str(services.index),
                services.play.display_name,
            ]
        )
        self.key = "play-" + hashlib.sha1(ident.encode()).hexdigest()[:16]
        custom = services.scope.inventory_vars(outbox.name).get("edgeauto_state_dir")
        # shell that sets $d; the host var edgeauto_state_dir overrides the default place
        self.dir = f"d={_quote(str(custom))}/pending-handlers; " if custom else _DIR

    def segment_start(self, become) -> None:
        """Called when a host's script gets its first task: read the file (first script of
        the play) and write notifications made since the last script (so a controller killed
        before the handlers ran still leaves them on the host). No extra round trip."""
        if not self.state.armed:
            return
        state = self.state
        if not state.loaded:
            state.loaded = True
            script = self.dir + f'cat "$d/{self.key}" 2>/dev/null; true'
            self.outbox.add_hidden_shell(
                "edgeauto: read pending handlers", script, become, self._loaded
            )
        if state.unsaved and self.walk.notified and not self.services.options.check:
            self.outbox.add_hidden_shell(
                "edgeauto: save pending handlers", self._save_script(), become, None
            )
            state.unsaved = False
            state.file_exists = True

    def _loaded(self, result: dict) -> None:
        names = [ln.strip() for ln in result.get("stdout", "").splitlines() if ln.strip()]
        if not names:
            return
        self.state.file_exists = True
        self.services.reporter.warning(
            f"{self.outbox.name}: replaying handlers left pending by an earlier run: "
            + ", ".join(names)
        )
        self.outbox.notify(names)
        self.state.unsaved = False  # they are in the file already

    def _names(self) -> list[str]:
        return [h.name or h.display_name for h in self.walk.notified]

    def _save_script(self) -> str:
        lines = " ".join(_quote(n) for n in self._names())
        return (
            self.dir
            + f'mkdir -p "$d" && t="$d/.{self.key}.$$" && printf \'%s\\n\' {lines}'
            + f' >"$t" && mv -f "$t" "$d/{self.key}"'
        )

    def clear_call(self, become) -> None:
        """Handlers are about to finish: the same script removes the file."""
        if not self.state.file_exists or not self.state.armed:
            return
        self.state.file_exists = False
        self.state.unsaved = False
        self.outbox.add_hidden_shell(
            "edgeauto: clear pending handlers", self.dir + f'rm -f "$d/{self.key}"', become, None
        )

    def save(self) -> None:
        """End of play: notifications no script carried yet are written now (one round trip,
        only when a host stopped right after the change)."""
        host = self.outbox.state
        if not self.walk.notified or not self.state.armed or self.services.options.check:
            return
        if host.transport is None or host.unreachable:
            return
        names = self._names()
        if self.state.unsaved:
            self.walk.reset_segment()
            self.walk.outbox = []
            self.state.armed = False  # the save itself must not start another read
            self.outbox.add_hidden_shell(
                "edgeauto: save pending handlers",
                self._save_script(),
                self.walk.hidden_become,
                None,
            )
            self.outbox.flush()
            self.state.unsaved = False
        self.services.reporter.warning(
            f"{self.outbox.name}: handlers still pending were recorded on the host and will run "
            f"next time: {', '.join(names)}"
        )
