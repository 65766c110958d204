"""The history database API (edgeauto.fleet.history): recording, reading back, schema
migrations, two processes writing at once, and secrets never reaching the file's bytes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edgeauto.fleet.history import (
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    HistoryError,
    default_path,
)
from edgeauto.templating import revealed
from edgeauto.templating.vault import SecretStr


@pytest.fixture
def db(tmp_path):
    with History.open(tmp_path / "h.db") as history:
        yield history


def _record_one(history: History) -> int:
    run = history.start_run(
        "playbook", "site.yml", ["run", "site.yml"], "ops", playbook="site.yml", limit="edge"
    )
    with history.batch():
        history.record_task(run, "a", "install", "apt", "changed", True, 1.0, 2.5)
        history.record_task(run, "b", "install", "apt", "failed", False, 1.0, 1.2, message="boom")
        history.record_host(run, "a", "changed", {"ok": 1, "changed": 1})
        history.record_host(run, "b", "failed", {"failed": 1})
    history.finish_run(run, 2, {"a": {"ok": 1}, "b": {"failed": 1}})
    return run


def test_a_run_reads_back_as_recorded(db):
    run = _record_one(db)
    row = db.run(run)
    assert (row.kind, row.what, row.user, row.rc, row.limit) == (
        "playbook",
        "site.yml",
        "ops",
        2,
        "edge",
    )
    assert row.argv == ["run", "site.yml"] and row.ended >= row.started
    assert row.recap["b"] == {"failed": 1}
    tasks = db.tasks(run)
    assert [(t["host"], t["status"], t["changed"]) for t in tasks] == [
        ("a", "changed", 1),
        ("b", "failed", 0),
    ]
    assert tasks[1]["message"] == "boom" and tasks[0]["ended"] == 2.5
    assert db.hosts(run)["b"] == {"status": "failed", "stats": {"failed": 1}}


def test_runs_list_newest_first_and_refs_resolve(db):
    first, second = _record_one(db), _record_one(db)
    assert [r.id for r in db.runs()] == [second, first]
    assert db.resolve("last") == second and db.resolve("-2") == first
    assert db.resolve(str(first)) == first
    with pytest.raises(HistoryError, match="not in the history"):
        db.resolve("999")
    with pytest.raises(HistoryError, match="expected a run number"):
        db.resolve("yesterday")


def test_workload_records_events_and_reports(db):
    run = db.start_run("workload-apply", "web", ["workload", "apply"], "ops")
    db.record_version(run, "edge1", "web", "web:2", "sha256:ab", "healthy")
    db.record_event(run, {"workload": "web", "host": "edge1", "event": "updated", "at": 1.5})
    db.attach_report(run, b"<html>report</html>")
    db.finish_run(run, 0)
    assert db.versions(run) == [
        {
            "host": "edge1",
            "workload": "web",
            "version": "web:2",
            "config_digest": "sha256:ab",
            "outcome": "healthy",
        }
    ]
    assert db.events(run)[0]["event"] == "updated"
    assert db.report(run) == "<html>report</html>"
    assert db.run(run).has_report


def test_prune_deletes_old_runs_with_everything_recorded_about_them(db):
    old = _record_one(db)
    db.conn.execute("UPDATE runs SET started = started - 90000 WHERE id = ?", (old,))
    kept = [_record_one(db) for _ in range(3)]
    assert db.prune(older_than=86400) == 1
    assert db.tasks(old) == [] and db.hosts(old) == {}
    assert db.prune(keep=2) == 1
    assert [r.id for r in db.runs()] == kept[:0:-1]
    with pytest.raises(HistoryError, match="give --keep N"):
        db.prune()


def test_bad_kind_and_host_status_are_refused(db):
    with pytest.raises(HistoryError, match="expected one of"):
        db.start_run("deploy", "x", [], "ops")
    run = db.start_run("adhoc", "all", [], "ops")
    with pytest.raises(HistoryError, match="host status"):
        db.record_host(run, "a", "sad")


def test_a_failed_batch_leaves_nothing(db):
    run = db.start_run("playbook", "p.yml", [], "ops")
    with pytest.raises(RuntimeError), db.batch():
        db.record_task(run, "a", "t", "command", "ok", False, 0, 1)
        raise RuntimeError("stop")
    assert db.tasks(run) == []


def test_an_old_schema_is_migrated_in_place(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute(
        "INSERT INTO runs (kind, what, argv, user, started) VALUES ('playbook','old.yml','[]','u',1)"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with History.open(path) as history:
        assert history.schema_version == SCHEMA_VERSION
        (row,) = history.runs()
        assert row.what == "old.yml" and row.playbook == ""


def test_a_newer_schema_or_a_foreign_file_is_refused(tmp_path):
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.close()
    with pytest.raises(HistoryError, match="newer than this edgeauto"):
        History.open(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(HistoryError, match="not a usable history database"):
        History.open(junk)


def test_wal_mode_and_private_file(db):
    assert db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.path.stat().st_mode & 0o077 == 0


def test_default_path_follows_xdg_and_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("EDGEAUTO_HISTORY", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_path() == tmp_path / "edgeauto" / "history.db"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "state" / "edgeauto" / "history.db"
    monkeypatch.setenv("EDGEAUTO_HISTORY", str(tmp_path / "x.db"))
    assert default_path() == tmp_path / "x.db"


WRITER = textwrap.dedent(
    """
    import sys
    from edgeauto.fleet.history import History
    h = History.open(sys.argv[1])
    for i in range(int(sys.argv[2])):
        run = h.start_run("playbook", sys.argv[3], [], "w")
        with h.batch():
            for t in range(20):
                h.record_task(run, f"h{t}", "t", "command", "ok", False, 0, 1)
        h.finish_run(run, 0)
    """
)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = tmp_path / "shared.db"
    History.open(path).close()  # both writers start from a migrated file… and from none:
    fresh = tmp_path / "fresh.db"
    root = str(Path(__file__).resolve().parents[3])
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), "60", name], cwd=root)
        for db_path in (path, fresh)
        for name in ("one", "two")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    for db_path in (path, fresh):
        with History.open(db_path) as history:
            runs = history.runs(limit=None)
            assert len(runs) == 120
            assert {r.what for r in runs} == {"one", "two"}
            assert all(len(history.tasks(r.id)) == 20 for r in runs)


def test_no_secret_reaches_the_database_bytes(tmp_path):
    vault_plain = "VaultPlain-91zq-secret"
    typed = SecretStr("TypedSecret-55xk")
    nolog = "NoLogOnly-7fj3"
    revealed.forget_all()
    revealed.reveal(vault_plain)
    try:
        path = tmp_path / "s.db"
        with History.open(path) as history:
            run = history.start_run(
                "playbook",
                "p.yml",
                ["run", "-e", f"pw={vault_plain}", "-e", f"api_token={nolog}"],
                "ops",
                limit=typed,
            )
            history.record_task(
                run,
                "a",
                typed,
                "command",
                "failed",
                False,
                0,
                1,
                message=f"rc=1 {vault_plain}",
            )
            history.record_task(
                run, "a", "quiet", "command", "failed", False, 0, 1, message=nolog, no_log=True
            )
            history.record_event(run, {"detail": typed, "more": [vault_plain]})
            history.attach_report(run, f"<p>{vault_plain}</p>")
            history.record_version(run, "a", "web", typed, "d", "ok")
            history.finish_run(run, 2, {"a": {"failed": 2}})
            history.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            assert "********" in history.tasks(run)[0]["message"]
        raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("s.db"))
        for secret in (vault_plain, str(typed), nolog):
            assert secret.encode() not in raw, secret
    finally:
        revealed.forget_all()
