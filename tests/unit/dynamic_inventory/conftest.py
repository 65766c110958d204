"""Shared fixtures for the dynamic inventory tests (libvirt test driver, fake OpenStack API)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def libvirt_fixtures() -> Path:
    return FIXTURES / "libvirt"


@pytest.fixture
def openstack_fixtures() -> Path:
    return FIXTURES / "openstack"


@pytest.fixture
def closed_port() -> int:
    """A loopback TCP port nobody listens on (bound then released, so connects are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def cache_dir(tmp_path, monkeypatch) -> Path:
    """Keep inventory caches out of the user's ~/.cache."""
    path = tmp_path / "cache"
    monkeypatch.setenv("EDGEAUTO_CACHE_DIR", str(path))
    return path
