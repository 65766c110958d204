"""FactCache: SQLite, TTL, env override, shared by threads."""

from __future__ import annotations

import threading

from edgeauto.facts.cache import FactCache, default_cache_path


def test_put_then_get_returns_the_facts(tmp_path):
    with FactCache(str(tmp_path / "f.db")) as cache:
        cache.put("web1", {"distribution": "Debian", "mounts": [{"mount": "/"}]})
        assert cache.get("web1") == {"distribution": "Debian", "mounts": [{"mount": "/"}]}
        assert cache.get("web2") is None


def test_entries_older_than_the_timeout_are_ignored(tmp_path):
    with FactCache(str(tmp_path / "f.db"), timeout=60) as cache:
        cache.put("h", {"a": 1}, now=1000.0)
        assert cache.get("h", now=1059.0) == {"a": 1}
        assert cache.get("h", now=1061.0) is None


def test_timeout_zero_never_expires(tmp_path):
    with FactCache(str(tmp_path / "f.db"), timeout=0) as cache:
        cache.put("h", {"a": 1}, now=0.0)
        assert cache.get("h", now=10**9) == {"a": 1}


def test_cache_survives_reopening_and_is_private(tmp_path):
    path = tmp_path / "sub" / "f.db"
    FactCache(str(path)).put("h", {"a": 1})
    assert FactCache(str(path)).get("h") == {"a": 1}
    assert path.stat().st_mode & 0o077 == 0


def test_env_variable_overrides_the_default_location(monkeypatch, tmp_path):
    monkeypatch.setenv("EDGEAUTO_FACT_CACHE", str(tmp_path / "x.db"))
    assert default_cache_path() == str(tmp_path / "x.db")
    monkeypatch.delenv("EDGEAUTO_FACT_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert default_cache_path() == str(tmp_path / ".cache" / "edgeauto" / "facts.db")


def test_worker_threads_can_share_one_cache(tmp_path):
    cache = FactCache(str(tmp_path / "f.db"))
    threads = [threading.Thread(target=cache.put, args=(f"h{i}", {"i": i})) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [cache.get(f"h{i}")["i"] for i in range(8)] == list(range(8))


def test_the_environment_is_not_stored_unless_asked_for(tmp_path):
    facts = {"distribution": "Debian", "env": {"GITHUB_TOKEN": "s3cret"}}
    with FactCache(str(tmp_path / "f.db")) as cache:
        cache.put("h", facts)
        assert cache.get("h") == {"distribution": "Debian"}
    with FactCache(str(tmp_path / "g.db"), keep_env=True) as cache:
        cache.put("h", facts)
        assert cache.get("h") == facts


def test_edgeauto_facts_on_the_controller_keeps_its_tokens_out_of_the_cache_file(tmp_path):
    """The real command on the local connection: the controller's environment (with a token)
    is printed for this run but never lands in the cache file."""
    import os
    import subprocess
    import sys

    db = tmp_path / "facts.db"
    env = dict(os.environ, EDGEAUTO_FACT_CACHE=str(db), EA_TEST_TOKEN="tok-4f1e9c")
    argv = [sys.executable, "-m", "edgeauto", "facts", "-i", "localhost,", "localhost"]
    proc = subprocess.run(
        [*argv, "-c", "local", "--subset", "min", "--json"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tok-4f1e9c" in proc.stdout  # gathered and shown, as `ansible -m setup` does
    assert db.exists()
    assert b"tok-4f1e9c" not in b"".join(p.read_bytes() for p in tmp_path.glob("facts.db*"))
