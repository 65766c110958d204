"""``edgeauto run``/``adhoc`` recording into the history, ``history list|show|diff``,
``--retry-failed`` and ``--no-history``: real runs on the local connection (alpha, beta) plus
ghost, an SSH host on a loopback port nothing listens on (unreachable at once). The lab
version of the same story is tests/integration/test_history_lab.py.

The playbook carries a vaulted variable and a no_log task whose values must never reach the
database file: the raw bytes of the database (and its WAL) are searched for them."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.fleet.history import History
from edgeauto.templating.vault import VaultSecrets, encrypt_string_yaml

ROOT = Path(__file__).resolve().parents[3]
NO_LOG_SECRET = "NoLogPlain-h1st0ry"
VAULT_SECRET = "Vaulted-h1st0ry-77"
CLI_SECRET = "CliPassw0rd-h1st"

PLAYBOOK = """
- hosts: all
  gather_facts: false
  vars_files: [vaulted.yml]
  vars:
    nolog_secret: NoLogPlain-h1st0ry
  tasks:
    - name: say hello
      command: echo hello {{ vault_secret }}
    - name: quiet secret
      command: echo {{ nolog_secret }}
      no_log: true
    - name: disk check
      shell: echo disk-full {{ vault_secret }} >&2; exit 3
      when: inventory_hostname == 'beta' and not (healed | default(false) | bool)
    - name: quiet failure
      shell: echo {{ nolog_secret }} >&2; exit 4
      no_log: true
      when: inventory_hostname == 'alpha' and fail_quietly | default(false) | bool
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("history")
    secrets = VaultSecrets.from_password("pw")
    (work / "pw").write_text("pw\n")
    (work / "vaulted.yml").write_text(
        encrypt_string_yaml(VAULT_SECRET, secrets, "vault_secret") + "\n"
    )
    (work / "inventory.ini").write_text(
        "[all:vars]\nansible_connection=local\n[edge]\nalpha\nbeta\n"
        f"[far]\nghost ansible_connection=ssh ansible_host=127.0.0.1 ansible_port={_free_port()}\n"
    )
    (work / "pb.yml").write_text(PLAYBOOK)
    return work


def edgeauto(work: Path, *args: str, db: str = "h.db") -> subprocess.CompletedProcess:
    history = ["--history", db] if db else []
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *args, *history],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        cwd=work,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )


def run_pb(work: Path, *extra: str, db: str = "h.db") -> subprocess.CompletedProcess:
    return edgeauto(
        work, "run", "-i", "inventory.ini", "pb.yml", "--vault-password-file", "pw",
        "--no-retry-file", "-T", "3", *extra, db=db,
    )  # fmt: skip


@pytest.fixture(scope="module")
def first(work):
    """Run 1: alpha fails quietly (no_log), beta fails, ghost is unreachable; with a report."""
    proc = run_pb(
        work, "-e", "fail_quietly=true", "-e", f"db_password={CLI_SECRET}", "--report", "r.html"
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    with History.open(work / "h.db") as history:
        return history.details("last")


def test_the_run_is_recorded_per_host_per_task(first):
    run = first["run"]
    assert (run["kind"], run["what"], run["rc"]) == ("playbook", "pb.yml", 2)
    assert json.loads(run["inventory"]) == [str(Path(run["cwd"]) / "inventory.ini")]
    assert run["user"] and run["ended"] >= run["started"] and run["has_report"]
    assert {h: v["status"] for h, v in first["hosts"].items()} == {
        "alpha": "failed",
        "beta": "failed",
        "ghost": "unreachable",
    }
    beta = [(t["task"], t["status"]) for t in first["tasks"] if t["host"] == "beta"]
    assert beta == [
        ("say hello", "changed"),
        ("quiet secret", "changed"),
        ("disk check", "failed"),
    ]  # a failed host runs nothing more
    disk = next(t for t in first["tasks"] if t["task"] == "disk check" and t["host"] == "beta")
    assert "disk-full ********" in disk["message"]
    quiet = next(t for t in first["tasks"] if t["task"] == "quiet failure" and t["host"] == "alpha")
    assert quiet["status"] == "failed" and quiet["message"] == ""
    assert all(t["started"] <= t["ended"] for t in first["tasks"])


def test_no_secret_reaches_the_database_file(work, first):
    with History.open(work / "h.db") as history:
        history.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in work.iterdir() if p.name.startswith("h.db"))
    assert b"disk-full ********" in raw  # the record is there, its secret is not
    for secret in (NO_LOG_SECRET, VAULT_SECRET, CLI_SECRET):
        assert secret.encode() not in raw, secret
    assert "db_password" in json.dumps(first["run"]["argv"])


def test_history_list_show_and_the_kept_report(work, first):
    listing = edgeauto(work, "history", "list")
    assert listing.returncode == 0, listing.stderr
    assert "pb.yml" in listing.stdout and "2 failed, 1 unreachable" in listing.stdout
    show = edgeauto(work, "history", "show", str(first["run"]["id"]))
    assert "beta: failed" in show.stdout and "ghost: unreachable" in show.stdout
    assert "! disk check: " in show.stdout
    out = work / "back.html"
    back = edgeauto(work, "history", "show", "last", "--report", str(out))
    assert back.returncode == 0, back.stderr
    assert out.read_text() == (work / "r.html").read_text()
    as_json = json.loads(edgeauto(work, "history", "show", "last", "--json").stdout)
    assert as_json["schema_version"] == 1 and as_json["run"]["id"] == first["run"]["id"]


def test_retry_failed_reruns_only_failed_and_unreachable_hosts(work, first):
    proc = run_pb(work, "--retry-failed", "-e", "healed=true")
    assert "2 failed/unreachable" not in proc.stderr  # three: alpha, beta, ghost
    assert "on its 3 failed/unreachable host(s): alpha, beta, ghost" in proc.stderr
    assert proc.returncode == 4, proc.stdout + proc.stderr  # ghost is still unreachable
    with History.open(work / "h.db") as history:
        retry = history.details("last")
    assert retry["run"]["limit"] == "alpha,beta,ghost"
    assert {h: v["status"] for h, v in retry["hosts"].items()} == {
        "alpha": "changed",
        "beta": "changed",
        "ghost": "unreachable",
    }
    diff = edgeauto(work, "history", "diff", str(first["run"]["id"]), "last")
    assert "beta: failed -> changed" in diff.stdout, diff.stdout
    assert "beta: disk check: failed -> skipped" in diff.stdout
    assert "ghost" not in diff.stdout.split("tasks that changed:")[0].split("outcome")[1]
    as_json = json.loads(edgeauto(work, "history", "diff", "-2", "-1", "--json").stdout)
    assert {"host": "alpha", "before": "failed", "after": "changed"} in as_json["hosts"]
    # and retrying that retry (no playbook given: the newest run's) leaves ghost only
    again = edgeauto(work, "run", "--retry-failed", "--vault-password-file", "pw", "-T", "3")
    assert "on its 1 failed/unreachable host(s): ghost" in again.stderr, again.stderr


def test_retry_failed_with_nothing_to_retry_says_so(work, first):
    assert run_pb(work, "-l", "alpha,beta", "-e", "healed=true").returncode == 0
    proc = run_pb(work, "--retry-failed", "last")
    assert proc.returncode == 0
    assert "had no failed or unreachable host: nothing to retry" in proc.stderr
    assert "PLAY" not in proc.stdout


def test_retry_failed_refuses_what_it_cannot_do(work, first):
    proc = run_pb(work, "--retry-failed", "-l", "beta")
    assert proc.returncode == 1 and "drop --limit" in proc.stderr
    (work / "other.yml").write_text("- hosts: all\n  tasks: []\n")
    proc = edgeauto(work, "run", "--retry-failed", "other.yml", "-i", "inventory.ini")
    assert proc.returncode == 1 and "no run of other.yml in the history" in proc.stderr
    proc = edgeauto(work, "run", "--retry-failed", "1", "other.yml", "-i", "inventory.ini")
    assert proc.returncode == 1 and "that run was of pb.yml, not of other.yml" in proc.stderr


def test_no_history_records_nothing_and_adhoc_records(work):
    assert run_pb(work, "--no-history", "-l", "alpha", db="").returncode == 0
    assert run_pb(work, "--no-history", "-l", "alpha", db="none.db").returncode == 0
    assert not (work / "none.db").exists()
    proc = edgeauto(work, "adhoc", "edge", "-i", "inventory.ini", "-a", "echo hi", db="a.db")
    assert proc.returncode == 0, proc.stderr
    with History.open(work / "a.db") as history:
        (row,) = history.runs()
        assert (row.kind, row.what) == ("adhoc", "edge -m command echo hi")
        assert set(history.hosts(row.id)) == {"alpha", "beta"}
    pruned = edgeauto(work, "history", "prune", "--older-than", "0s", db="a.db")
    assert pruned.returncode == 0 and "deleted 1 run(s)" in pruned.stdout, pruned.stderr


def test_adhoc_module_options_named_like_secrets_are_not_stored(work):
    proc = edgeauto(
        work, "adhoc", "alpha", "-i", "inventory.ini", "-m", "set_fact",
        "-a", f"greeting=hi db_password={CLI_SECRET}", db="adhoc-secret.db",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    with History.open(work / "adhoc-secret.db") as history:
        (row,) = history.runs()
        assert row.what == "alpha -m set_fact greeting=hi db_password=********"
        history.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = b"".join(p.read_bytes() for p in work.glob("adhoc-secret.db*"))
    assert CLI_SECRET.encode() not in raw


def test_a_check_run_is_marked_as_one(work):
    assert run_pb(work, "--check", "-l", "alpha", db="check.db").returncode == 0
    listing = edgeauto(work, "history", "list", db="check.db")
    assert "playbook (check)" in listing.stdout
    show = edgeauto(work, "history", "show", "last", db="check.db")
    assert "(check mode: predicted, changed nothing)" in show.stdout


def test_history_errors_are_clear(work, first):
    proc = edgeauto(work, "history", "list", db="missing.db")
    assert proc.returncode == 0 and "no runs recorded yet" in proc.stdout
    proc = edgeauto(work, "history", "show", "last", db="missing.db")
    assert proc.returncode == 1 and "no run history yet" in proc.stderr
    proc = edgeauto(work, "history", "show", "4711")
    assert proc.returncode == 1 and "run 4711: not in the history" in proc.stderr
    edgeauto(work, "adhoc", "alpha", "-i", "inventory.ini", "-a", "true", db="noreport.db")
    proc = edgeauto(work, "history", "show", "1", "--report", "x.html", db="noreport.db")
    assert proc.returncode == 1 and "kept no report" in proc.stderr
