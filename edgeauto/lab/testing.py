"""Helpers for test suites that use the lab (imported by tests/integration/conftest.py)."""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from edgeauto.lab.errors import LabError
from edgeauto.lab.lab import Lab, requirements_problem
from edgeauto.lab.paths import repo_root


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_lab(systemd: bool = True) -> None:
    """Skip the calling test when this machine cannot run a lab — but fail in CI (CI=true),
    so a CI runner that lost root or mmdebstrap can never pass by skipping everything."""
    import pytest

    problem = requirements_problem(systemd)
    if problem:
        if in_ci():
            pytest.fail(f"lab unavailable in CI: {problem}")
        pytest.skip(f"lab unavailable: {problem}")


def claim_test_lab(name: str, first: int = 100, last: int = 199) -> Lab:
    """A lab for one test session/test, safe when several pytest runs share the checkout.

    Claims the first free number X in [first, last] by holding an flock on
    ``X.lock`` in :func:`machine_lock_dir` for the life of this process; the lab gets subnet 127.77.X and
    state dir ``.lab/<name>-X``. Holding the lock proves no live run uses X, so leftovers a
    crashed earlier run left there are cleaned (down --force) before use.
    """
    locks = machine_lock_dir()
    for number in range(first, last + 1):
        handle = open(locks / f"{number}.lock", "w")  # noqa: SIM115 - held for the process
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        lab = Lab(
            state_dir=Path(repo_root()) / ".lab" / f"{name}-{number}", subnet=f"127.77.{number}"
        )
        _CLAIMS[str(lab.state_dir)] = handle
        lab.down(force=True)
        return lab
    raise LabError(f"all test lab slots {first}-{last} are in use (see .lab/locks)")


def machine_lock_dir() -> Path:
    """Where subnet claims are locked: one place per machine (not per checkout), because the
    127.77.X addresses are the machine's — two checkouts running their suites at once must
    never pick the same subnet. Private to the user (0700)."""
    base = Path("/run/lock") if os.access("/run/lock", os.W_OK) else Path(tempfile.gettempdir())
    locks = base / f"edgeauto-lab-{os.getuid()}"
    locks.mkdir(mode=0o700, exist_ok=True)
    if locks.is_symlink() or locks.stat().st_uid != os.getuid():
        raise LabError(f"{locks} is not a directory of this user: refusing to use it for locks")
    return locks


def release_test_lab(lab: Lab) -> None:
    handle = _CLAIMS.pop(str(lab.state_dir), None)
    if handle:
        handle.close()


_CLAIMS: dict = {}
