"""Shared fixtures: our CLI in-process, and Ansible (ansible-core, test oracle only).

The oracle runs ``ansible-inventory`` from the same virtualenv in an empty working directory
with an empty config, so nothing on this machine (ansible.cfg, group_vars beside the cwd)
changes its answer.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
CASES = Path(__file__).resolve().parent / "cases"
EXAMPLE = REPO / "inventories" / "example"
BIN = Path(sys.executable).parent


def ansible_available() -> bool:
    return (BIN / "ansible-inventory").exists() or shutil.which("ansible-inventory") is not None


needs_ansible = pytest.mark.skipif(
    not ansible_available(), reason="ansible-core (test oracle) is not installed"
)


def ansible_inventory_exe() -> str:
    """The oracle's ansible-inventory: the one beside our Python, else the one on PATH."""
    beside = BIN / "ansible-inventory"
    return str(beside) if beside.exists() else "ansible-inventory"


@pytest.fixture(autouse=True)
def no_inventory_env(monkeypatch):
    """A developer's own $EDGEAUTO_INVENTORY/$ANSIBLE_INVENTORY must not change a test."""
    for name in ("EDGEAUTO_INVENTORY", "ANSIBLE_INVENTORY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def oracle_env(tmp_path_factory):
    home = tmp_path_factory.mktemp("ansible-home")
    cfg = home / "ansible.cfg"
    cfg.write_text("[defaults]\n")
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=str(cfg),
        ANSIBLE_HOME=str(home),
        ANSIBLE_LOCAL_TEMP=str(home / "tmp"),
        ANSIBLE_INVENTORY_ANY_UNPARSED_IS_FAILED="true",
        ANSIBLE_NOCOLOR="1",
        PYTHONHASHSEED="0",
    )
    workdir = tmp_path_factory.mktemp("oracle-cwd")
    return env, workdir


@pytest.fixture(scope="session")
def ansible_inventory(oracle_env):
    """Run the real ansible-inventory; returns stdout (fails the test on a non-zero exit)."""
    env, workdir = oracle_env
    exe = ansible_inventory_exe()

    def run(*args: str) -> str:
        proc = subprocess.run(
            [exe, *args], env=env, cwd=workdir, capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0, f"ansible-inventory {args} failed: {proc.stderr}"
        return proc.stdout

    return run


@pytest.fixture
def edgeauto_inventory(oracle_env, monkeypatch):
    """Run ``edgeauto inventory ARGS`` in-process from the same empty directory."""
    _env, workdir = oracle_env

    def run(*args: str) -> str:
        from edgeauto.cli import main

        monkeypatch.chdir(workdir)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["inventory", *args])
        assert code == 0, f"edgeauto inventory {args} exited {code}"
        return out.getvalue()

    return run


@pytest.fixture(scope="session")
def ansible_manager(oracle_env):
    """Build Ansible's InventoryManager in-process (fast oracle for patterns and vars)."""
    if not ansible_available():
        pytest.skip("ansible-core (test oracle) is not installed")
    env, workdir = oracle_env
    for key in ("ANSIBLE_CONFIG", "ANSIBLE_HOME", "ANSIBLE_LOCAL_TEMP"):
        os.environ.setdefault(key, env[key])
    from ansible.inventory.manager import InventoryManager
    from ansible.parsing.dataloader import DataLoader

    def build(sources: list[str]):
        loader = DataLoader()
        loader.set_basedir(str(workdir))
        return InventoryManager(loader=loader, sources=[str(s) for s in sources])

    return build


def parse_json(text: str):
    return json.loads(text)
