"""Stopping what a cut script left running on the target, and its private temp directory.

Killing the local end of a script (the ``ssh`` client, a paramiko channel, ``docker exec``)
does not stop the remote shell: sshd keeps a non-pty session's command running, and dockerd
keeps an exec'd process. Until that shell exits it holds its private temp directory, which
may contain the plaintext of a ``no_log`` copy. So every script first announces its PID on
stderr behind a random marker (cut from the stderr users see); after a timeout or an
interrupt, one more short script kills that PID, every process in its session or process
group, and their descendants, then removes the temp directories whose ``pid`` file names one
of them. Whatever survives even that (the host went away) is swept by the next script's
prelude (``ea__sweep``).
"""

from __future__ import annotations

import re
import secrets

# $1 = the PID the cut script announced. Collect it, every process whose session or process
# group it leads, and descendants (ppid in the set) until nothing new; SIGKILL them all; then
# remove the edgeauto.* temp dirs whose pid file names one of them.
KILL_SCRIPT = r"""
root=$1 all=" $1 " more=1
while [ "$more" = 1 ]; do
  more=0
  for s in /proc/[0-9]*/stat; do
    read -r line < "$s" 2>/dev/null || continue
    p=${line%% *}; rest=${line##*) }; set -- $rest
    case "$all" in *" $p "*) continue ;; esac
    case "$all" in *" $2 "*) ;; *) [ "$3" = "$root" ] || [ "$4" = "$root" ] || continue ;; esac
    all="$all$p "; more=1
  done
done
kill -9 $all 2>/dev/null
for d in "${TMPDIR:-/tmp}" /tmp /var/tmp /dev/shm "${HOME:-/}"; do
  for dir in "$d"/edgeauto.*; do
    [ -r "$dir/pid" ] || continue
    read -r owner < "$dir/pid" || continue
    case "$all" in *" $owner "*) ;; *) continue ;; esac
    if [ -r "$dir/inflight" ]; then
      while IFS= read -r f; do case "$f" in */.edgeauto.*) rm -f "$f" ;; esac; done < "$dir/inflight"
    fi
    rm -rf "$dir"
  done
done
exit 0
"""


def new_marker() -> str:
    return f"[edgeauto-pid-{secrets.token_hex(6)}]"


def announce(marker: str, command: str) -> str:
    """``command`` preceded by printing the remote shell's PID behind ``marker`` on stderr."""
    return f"echo {marker}$$ >&2; {command}"


def cut_pid(marker: str, stderr: bytes) -> tuple[str | None, bytes]:
    """The PID the remote shell announced, and stderr without that line."""
    match = re.search(rb"%s(\d+)\n" % re.escape(marker.encode()), stderr)
    if not match:
        return None, stderr
    return match.group(1).decode(), stderr[: match.start()] + stderr[match.end() :]


def kill_script(pid: str) -> bytes:
    """The reaping script for ``pid``, to run with ``sh -s`` (pid is digits only)."""
    if not pid.isdigit():
        raise ValueError(f"not a PID: {pid!r}")
    return f"set -- {pid}\n{KILL_SCRIPT}".encode()
