"""``--json`` matches docs/json-schema.md (schema_version 1): every documented field is there
with its type, on a real local-connection run (echo tasks, an ignored failure, a failure) and
on a validation error."""

from __future__ import annotations

import json
import subprocess
import sys

PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: say hello
      command: echo hello
    - name: allowed to fail
      command: "false"
      ignore_errors: true
    - name: fails on beta
      command: "false"
      when: inventory_hostname == 'beta'
"""

TOP = {
    "schema_version": int,
    "plays": list,
    "stats": dict,
    "exit_code": int,
    "failed_hosts": list,
    "unreachable_hosts": list,
    "not_run": dict,
    "interrupted": bool,
    "warnings": list,
    "errors": list,
    "check_mode": bool,
}
COUNTERS = ("ok", "changed", "unreachable", "failed", "skipped", "rescued", "ignored")


def _run(tmp_path, playbook: str) -> dict:
    (tmp_path / "inventory.ini").write_text(
        "[all:vars]\nansible_connection=local\n[e]\nalpha\nbeta\n"
    )
    (tmp_path / "pb.yml").write_text(playbook)
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", "run", "-i", "inventory.ini", "pb.yml", "--json"]
        + ["--no-retry-file"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=tmp_path,
        timeout=120,
    )
    return json.loads(proc.stdout)


def test_run_document_has_every_documented_field(tmp_path):
    doc = _run(tmp_path, PLAYBOOK)
    for key, kind in TOP.items():
        assert isinstance(doc[key], kind), key
    assert doc["schema_version"] == 1 and doc["exit_code"] == 2
    assert doc["failed_hosts"] == ["beta"] and doc["check_mode"] is False
    (play,) = doc["plays"]
    assert play["play"]["hosts"] == ["alpha", "beta"] and play["play"]["path"] == "pb.yml:2:3"
    hello, allowed, fails = play["tasks"]
    assert hello["task"] == {
        "name": "say hello",
        "action": "command",
        "path": "pb.yml:6:7",  # the line of its module key
        "handler": False,
    }
    assert hello["hosts"]["alpha"]["status"] == "changed"
    assert allowed["hosts"]["alpha"]["ignored"] is True
    beta = fails["hosts"]["beta"]
    assert beta["status"] == "failed" and set(beta["edgeauto_failure"]) == {
        "task",
        "at",
        "command",
        "rc",
        "stderr_tail",
    }
    assert fails["hosts"]["alpha"]["status"] == "skipped"
    for stats in doc["stats"].values():
        assert all(isinstance(stats[c], int) for c in COUNTERS)
        assert isinstance(stats["round_trips"], int)


def test_validation_error_document(tmp_path):
    doc = _run(tmp_path, "- hosts: all\n  tasks:\n    - no_such_module_xyz: {}\n")
    assert doc["schema_version"] == 1 and doc["exit_code"] == 1 and doc["plays"] == []
    assert doc["errors"] and "pb.yml:3" in doc["errors"][0]
