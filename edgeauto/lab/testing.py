"""Helpers for test suites that use the lab (imported by tests/integration/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

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


def worker_index() -> int:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = "".join(ch for ch in worker if ch.isdigit())
    return int(digits or 0)


def new_test_lab(name: str, subnet_offset: int) -> Lab:
    """A lab with its own state dir (.lab/<name>-gwN) and loopback /24 (127.77.<offset+N>),
    first cleaned of leftovers a crashed earlier run with the same state dir may have left."""
    index = worker_index()
    state = Path(repo_root()) / ".lab" / f"{name}-gw{index}"
    lab = Lab(state_dir=state, subnet=f"127.77.{subnet_offset + index}")
    lab.down(force=True)
    return lab
