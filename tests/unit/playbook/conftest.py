"""Shared fixtures: paths to the playbook fixtures and a helper writing small playbooks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "playbooks"


@pytest.fixture
def site_dir() -> Path:
    return FIXTURES / "site"


@pytest.fixture
def write(tmp_path):
    """write('name.yml', text) -> Path: create a file under tmp_path (dedented)."""

    def _write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return _write
