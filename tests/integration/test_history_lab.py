"""Run history end to end on lab hosts over real SSH (issue 12 item 6): a run where one host
fails and one is unreachable is recorded per host per task; ``--retry-failed`` re-runs those
two only (the healthy host is not touched: its run counter stays at one); ``history
list/show/diff`` show it; and a vaulted variable and a no_log task's output never reach the
database file's bytes.

Hosts: two fresh debian lab hosts (``good``, ``bad``: ``bad`` fails until the retry passes
``-e healed=true``) and ``gone``, an inventory host on a loopback port nothing listens on.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from edgeauto.fleet.history import History
from edgeauto.templating.vault import VaultSecrets, encrypt_string_yaml

VAULT_SECRET = "LabVault-s3cret-9q"
NO_LOG_SECRET = "LabNoLog-s3cret-4w"

PLAYBOOK = """
- hosts: "{{ targets }}"
  gather_facts: false
  vars_files: [vaulted.yml]
  tasks:
    - name: count this run
      shell: echo run >> /root/history-lab-runs.log
    - name: token in the environment
      command: sh -c 'echo token=$TOKEN'
      environment: {TOKEN: "{{ vault_token }}"}
    - name: quiet secret
      shell: echo LabNoLog-s3cret-4w; echo LabNoLog-s3cret-4w >&2
      no_log: true
    - name: disk check
      shell: echo "disk full ({{ vault_token }})" >&2; exit 5
      when: inventory_hostname == bad and not (healed | default(false) | bool)
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _edgeauto(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *args, "--history", str(cwd / "h.db")],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        timeout=300,
    )


def test_failed_and_unreachable_hosts_are_recorded_and_retried(tmp_path, lab_inventory, make_host):
    good, bad = make_host(flavor="debian"), make_host(flavor="debian")
    secrets = VaultSecrets.from_password("pw")
    (tmp_path / "pw").write_text("pw\n")
    (tmp_path / "vaulted.yml").write_text(
        encrypt_string_yaml(VAULT_SECRET, secrets, "vault_token") + "\n"
    )
    (tmp_path / "gone.ini").write_text(
        f"gone ansible_host=127.0.0.1 ansible_port={_free_port()} ansible_user=root\n"
    )
    (tmp_path / "pb.yml").write_text(PLAYBOOK)
    targets = f"{good.name},{bad.name},gone"
    common = ["-i", str(lab_inventory), "-i", "gone.ini", "--vault-password-file", "pw"]
    common += ["-e", f"targets={targets} bad={bad.name}", "--no-retry-file", "-T", "5"]

    first = _edgeauto(tmp_path, "run", *common, "pb.yml")
    assert first.returncode == 2, first.stdout + first.stderr
    with History.open(tmp_path / "h.db") as history:
        run1 = history.details("last")
    statuses = {h: v["status"] for h, v in run1["hosts"].items()}
    assert statuses == {good.name: "changed", bad.name: "failed", "gone": "unreachable"}
    tasks = {(t["host"], t["task"]): t for t in run1["tasks"]}
    assert tasks[(bad.name, "disk check")]["status"] == "failed"
    assert "disk full (********)" in tasks[(bad.name, "disk check")]["message"]
    assert tasks[(good.name, "quiet secret")]["message"] == ""
    assert tasks[("gone", "Connecting")]["status"] == "unreachable"

    retry = _edgeauto(tmp_path, "run", *common, "-e", "healed=true", "pb.yml", "--retry-failed")
    assert f"2 failed/unreachable host(s): {bad.name}, gone" in retry.stderr, retry.stderr
    assert retry.returncode == 4, retry.stdout + retry.stderr  # gone is still gone
    assert good.run("wc -l < /root/history-lab-runs.log").stdout.strip() == "1"
    assert bad.run("wc -l < /root/history-lab-runs.log").stdout.strip() == "2"
    with History.open(tmp_path / "h.db") as history:
        run2 = history.details("last")
    assert {h: v["status"] for h, v in run2["hosts"].items()} == {
        bad.name: "changed",
        "gone": "unreachable",
    }

    listing = _edgeauto(tmp_path, "history", "list")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[1].split()[0] == str(run2["run"]["id"]) and "1 changed" in lines[1]
    assert "1 failed, 1 unreachable, 1 changed" in lines[2]
    show = _edgeauto(tmp_path, "history", "show", str(run1["run"]["id"]))
    assert f"{bad.name}: failed" in show.stdout and "disk full (********)" in show.stdout
    diff = _edgeauto(tmp_path, "history", "diff", str(run1["run"]["id"]), "last")
    assert f"{bad.name}: failed -> changed" in diff.stdout
    assert f"{good.name}: changed -> absent" in diff.stdout
    assert f"{bad.name}: disk check: failed -> skipped" in diff.stdout
    as_json = json.loads(_edgeauto(tmp_path, "history", "diff", "-2", "-1", "--json").stdout)
    assert {"host": bad.name, "before": "failed", "after": "changed"} in as_json["hosts"]

    with History.open(tmp_path / "h.db") as history:
        history.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("h.db*"))
    assert b"disk full (********)" in raw
    for secret in (VAULT_SECRET, NO_LOG_SECRET):
        assert secret.encode() not in raw, secret
