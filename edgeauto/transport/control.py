"""A private directory for ControlMaster sockets, with paths short enough for AF_UNIX.

A unix socket path must fit in ``sun_path`` (108 bytes on Linux, 104 on BSD/macOS), and ssh
creates the master's socket first under a temporary name (the path plus a ``.`` and 16 random
characters) before renaming it. So we name sockets ourselves with a short hash and check the
full length, instead of ssh's ``%C`` (40 hex characters) in a possibly long home directory.
The directory must be ours and 0700: anyone who can reach a master socket can run commands
on the host as us.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile

from edgeauto.errors import EdgeautoError

SUN_PATH_MAX = 104  # the smaller of Linux (108) and BSD/macOS (104), including the NUL
SSH_TEMP_SUFFIX = 17  # ".XXXXXXXXXXXXXXXX" ssh adds while creating the master socket
NAME_LEN = 16
MAX_DIR_LEN = SUN_PATH_MAX - NAME_LEN - SSH_TEMP_SUFFIX - 2  # "/" + name + suffix + NUL


def default_control_dir() -> str:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and os.path.isdir(runtime):
        candidate = os.path.join(runtime, "edgeauto-cm")
        if _fits(candidate):
            return candidate
    return os.path.join(tempfile.gettempdir(), f"edgeauto-cm-{os.getuid()}")


def choose_control_dir(configured: str | None) -> tuple[str, str | None]:
    """The control directory to use and, when the configured one cannot hold a socket, why not.

    ssh itself quietly drops multiplexing when ControlPath is too long; we keep it (every
    script after the first costs one channel) by falling back to the short default directory,
    and say so, instead of turning a long ``control_dir``/``ANSIBLE_SSH_CONTROL_PATH_DIR`` (a
    deep pytest or CI temp dir) into an unreachable host.
    """
    if not configured or _fits(configured):
        return configured or default_control_dir(), None
    fallback = default_control_dir()
    return fallback, (
        f"control socket directory {configured!r} is too long for a unix socket path "
        f"({len(os.fsencode(configured))} bytes; at most {MAX_DIR_LEN}); using {fallback!r} instead"
    )


def _fits(directory: str) -> bool:
    return len(os.fsencode(directory)) + 1 + NAME_LEN + SSH_TEMP_SUFFIX + 1 <= SUN_PATH_MAX


def ensure_private_dir(directory: str) -> str:
    """Create ``directory`` 0700 (or verify an existing one is ours and private)."""
    if not _fits(directory):
        raise EdgeautoError(
            f"control socket directory {directory!r} is too long for a unix socket path "
            f"({len(os.fsencode(directory))} bytes; at most {MAX_DIR_LEN}): "
            "choose a shorter control_dir"
        )
    try:
        os.mkdir(directory, 0o700)
    except FileExistsError:
        pass
    info = os.lstat(directory)
    if not stat.S_ISDIR(info.st_mode):
        raise EdgeautoError(f"control socket path {directory!r} exists and is not a directory")
    if info.st_uid != os.getuid():
        raise EdgeautoError(
            f"control socket directory {directory!r} belongs to uid {info.st_uid}, not to us "
            f"(uid {os.getuid()}); refusing to put SSH master sockets there"
        )
    if info.st_mode & 0o077:
        os.chmod(directory, 0o700)
    return directory


def control_path(directory: str, identity: str) -> str:
    """Socket path for one (user, host, port, key, options) identity."""
    digest = hashlib.sha256(identity.encode()).hexdigest()[:NAME_LEN]
    return os.path.join(directory, digest)
