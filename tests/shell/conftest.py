"""Shared fixtures for the shell-side tests: which shells exist, a sandbox directory."""

import shutil

import pytest

SHELLS = [s for s in ("dash", "busybox") if shutil.which(s)]


@pytest.fixture(params=SHELLS)
def shell(request):
    """Run every module scenario under dash and under busybox sh (with only BusyBox applets)."""
    return request.param
