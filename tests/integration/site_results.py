"""Running ``playbooks/site.yml`` with ``--json`` and reading its result: shared by the lab
fleet test (test_site_playbook_lab.py) and the Vagrant lab test (test_vagrant_lab.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STACK_PLAYS = {"container engine", "Kata Containers where KVM is usable", "Open vSwitch",
               "KVM/libvirt host"}  # fmt: skip


def run_site(
    inventory: str, playbook: str = "playbooks/site.yml", timeout: float = 1800, extra=()
) -> dict:
    """``edgeauto run -i INVENTORY PLAYBOOK --json [EXTRA]``; fails the test unless it exits 0."""
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", inventory, playbook,
         "--json", "--no-retry-file", *extra],
        cwd=REPO, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert "{" in proc.stdout, proc.stderr[-3000:]
    doc = json.loads(proc.stdout[proc.stdout.index("{") :])
    assert doc["exit_code"] == 0, json.dumps(
        {"errors": doc.get("errors"), "failed": failures(doc), "stderr": proc.stderr[-2000:]},
        indent=1,
    )
    return doc


def failures(doc: dict) -> list:
    return [
        (play["play"]["name"], task["task"]["name"], host, r.get("msg"))
        for play in doc["plays"]
        for task in play["tasks"]
        for host, r in task["hosts"].items()
        if r.get("status") in ("failed", "unreachable") and not r.get("ignored")
    ]


def plays_of(doc: dict, host: str) -> set[str]:
    """Names of the plays in which ``host`` ran at least one task."""
    return {
        play["play"]["name"]
        for play in doc["plays"]
        for task in play["tasks"]
        if host in task["hosts"]
    }


def changed_tasks(doc: dict) -> list:
    return [
        (task["task"]["name"], host)
        for play in doc["plays"]
        for task in play["tasks"]
        for host, r in task["hosts"].items()
        if r.get("status") == "changed"
    ]
