"""A fact cache in SQLite with a TTL, so repeated runs skip the facts round trip.

Default location ``~/.cache/edgeauto/facts.db`` (override with ``EDGEAUTO_FACT_CACHE``);
``fact_caching_timeout`` seconds (Ansible's name; default 86400, 0 = never expire).
The target's environment (``ansible_env``) is not stored unless asked for (``keep_env``): on
the controller's own host it holds the operator's tokens and agent sockets, and a cache file
outlives the run. Writes are transactions, so a crashed run never leaves a half-written entry, and several
processes may share the file (WAL journal, busy timeout).
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time

DEFAULT_TIMEOUT = 86400
ENV_PATH = "EDGEAUTO_FACT_CACHE"
ENV_KEYS = frozenset({"env", "ansible_env"})  # the target's environment, left out by default


def default_cache_path() -> str:
    override = os.environ.get(ENV_PATH)
    if override:
        return override
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "edgeauto", "facts.db")


class FactCache:
    def __init__(
        self, path: str | None = None, timeout: float = DEFAULT_TIMEOUT, keep_env: bool = False
    ) -> None:
        self.path = path or default_cache_path()
        self.timeout = timeout
        self.keep_env = keep_env
        directory = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(directory, mode=0o700, exist_ok=True)
        # one connection shared by the run's worker threads, serialised by a lock
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        with self._db:
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS facts (host TEXT PRIMARY KEY, stored REAL NOT NULL,"
                " facts TEXT NOT NULL)"
            )
        try:
            os.chmod(self.path, 0o600)  # facts include user names and addresses: keep them private
        except OSError:
            pass

    def get(self, host: str, *, now: float | None = None) -> dict | None:
        """The cached facts of ``host``, or None if absent or older than the timeout."""
        with self._lock:
            row = self._db.execute(
                "SELECT stored, facts FROM facts WHERE host = ?", (host,)
            ).fetchone()
        if row is None:
            return None
        stored, text = row
        now = time.time() if now is None else now
        if self.timeout and now - stored > self.timeout:
            return None
        return json.loads(text)

    def put(self, host: str, facts: dict, *, now: float | None = None) -> None:
        stored = time.time() if now is None else now
        if not self.keep_env:
            facts = {k: v for k, v in facts.items() if k not in ENV_KEYS}
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO facts (host, stored, facts) VALUES (?, ?, ?)",
                (host, stored, json.dumps(facts, default=str, sort_keys=True)),
            )

    def delete(self, host: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM facts WHERE host = ?", (host,))

    def clear(self) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM facts")

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FactCache:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
