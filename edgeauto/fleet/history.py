"""Run history in embedded SQLite: every playbook run, ad-hoc command and workload rollout.

Why SQLite: one file on the controller, no server, readable with any SQLite tool, and safe
for the two writers a fleet controller really has (a scheduled run and an operator's run at
the same time): the database is in WAL mode, every write is one ``BEGIN IMMEDIATE``
transaction, and a writer waits up to :data:`BUSY_TIMEOUT` seconds for the other.

Nothing secret is ever stored. Callers pass values already filtered as the console shows them
(no_log results censored, vault strings masked), and every text this module writes passes
:func:`clean` on the way in: vault values still typed as secrets become ``********``, every
vault plaintext the process has decrypted is masked by value
(:func:`~edgeauto.templating.revealed.mask_text`), and a record flagged ``no_log`` keeps its
status and timing but no message. ``tests/unit/fleet/test_history.py`` greps the raw database
bytes for the secrets.

The schema is versioned with ``PRAGMA user_version``; :data:`MIGRATIONS` upgrades an older
file in place (one transaction per step), and a file from a newer edgeauto is refused with a
clear error rather than misread. docs/history.md describes the tables.
"""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgeauto.errors import EdgeautoError

BUSY_TIMEOUT = 30.0  # seconds a writer waits for another process's transaction
KINDS = ("playbook", "workload-apply", "workload-rollback", "adhoc")
HOST_STATUSES = ("ok", "changed", "failed", "unreachable")
MASK = "********"

# Each entry upgrades the schema from version i to i+1 (user_version counts applied steps).
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        kind TEXT NOT NULL,
        what TEXT NOT NULL,
        argv TEXT NOT NULL,
        user TEXT NOT NULL,
        controller TEXT NOT NULL DEFAULT '',
        cwd TEXT NOT NULL DEFAULT '',
        started REAL NOT NULL,
        ended REAL,
        rc INTEGER
    );
    CREATE INDEX runs_what ON runs (what, id);
    CREATE TABLE tasks (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        task TEXT NOT NULL,
        action TEXT NOT NULL,
        status TEXT NOT NULL,
        changed INTEGER NOT NULL,
        started REAL,
        ended REAL,
        play TEXT NOT NULL DEFAULT '',
        ignored INTEGER NOT NULL DEFAULT 0,
        message TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX tasks_run ON tasks (run_id, host);
    CREATE TABLE hosts (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        status TEXT NOT NULL,
        stats TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_id, host)
    );
    CREATE TABLE versions (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        host TEXT NOT NULL,
        workload TEXT NOT NULL,
        version TEXT NOT NULL,
        config_digest TEXT NOT NULL,
        outcome TEXT NOT NULL
    );
    CREATE INDEX versions_run ON versions (run_id);
    CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        event TEXT NOT NULL
    );
    CREATE INDEX events_run ON events (run_id);
    CREATE TABLE reports (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        html BLOB NOT NULL
    );
    """,
    # 2: what the run was about, as columns `history list` filters on.
    """
    ALTER TABLE runs ADD COLUMN playbook TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN inventory TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN limit_ TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN tags TEXT NOT NULL DEFAULT '';
    ALTER TABLE runs ADD COLUMN recap TEXT NOT NULL DEFAULT '{}';
    """,
    # 3: check-mode runs predicted, changed nothing: list and diff say so.
    """
    ALTER TABLE runs ADD COLUMN check_mode INTEGER NOT NULL DEFAULT 0;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(EdgeautoError):
    """The history database cannot be used (unreadable, newer schema, unknown run)."""


def default_path() -> Path:
    """``$EDGEAUTO_HISTORY``, else ``$XDG_STATE_HOME/edgeauto/history.db``, else
    ``~/.local/state/edgeauto/history.db`` (the XDG base directory rule for state)."""
    env = os.environ.get("EDGEAUTO_HISTORY")
    if env and env.lower() not in ("off", "0", "no", "false"):
        return Path(env)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "edgeauto" / "history.db"


def disabled_by_env() -> bool:
    """``EDGEAUTO_HISTORY=off`` switches recording off (as ``--no-history`` does)."""
    return os.environ.get("EDGEAUTO_HISTORY", "").lower() in ("off", "0", "no", "false")


@functools.cache
def _maskers():
    """The templating layer's secret test and value masker, imported on first use (it pulls
    in Jinja2: ``history list`` should not pay for that)."""
    from edgeauto.templating.revealed import mask_text
    from edgeauto.templating.values import is_secret

    return is_secret, mask_text


def clean(value: Any) -> Any:
    """A value safe to store: secret-typed values masked, every known vault plaintext masked
    in every string, recursively through dicts and lists."""
    is_secret, mask_text = _maskers()
    if type(value) is str:  # the common case: a plain string
        return mask_text(value)
    if is_secret(value) and not isinstance(value, dict | list | tuple):
        return MASK
    if isinstance(value, str):
        return mask_text(str(value))
    if isinstance(value, dict):
        return {str(clean(k)): clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return mask_text(str(value))


def _text(value: Any) -> str:
    """One stored text column: :func:`clean`, then ``str`` (never the other way round, which
    would turn a secret-typed string into a plain one before it could be recognized)."""
    if value is None:
        return ""
    return str(clean(value if isinstance(value, str) else str(value)))


def json_list(text: str) -> list[str]:
    """A recorded list column (playbook, inventory): JSON; plain text from other writers."""
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return [text]
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _json(value: Any) -> str:
    return json.dumps(clean(value), sort_keys=True, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class RunRow:
    """One run as ``history list`` shows it."""

    id: int
    kind: str
    what: str
    argv: list[str]
    user: str
    controller: str
    cwd: str
    started: float
    ended: float | None
    rc: int | None
    playbook: str
    inventory: str
    limit: str
    tags: str
    recap: dict[str, dict[str, int]]
    check_mode: bool = False
    has_report: bool = False

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class History:
    """A connection to the history database; thread-safe (one lock around the connection).

    Writes outside :meth:`batch` are one transaction each; inside, the whole batch is one
    transaction (what a playbook run uses, so recording costs one commit per run).
    """

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0

    # -- opening -------------------------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None) -> History:
        path = Path(path) if path is not None else default_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fresh = not path.exists()
            if fresh:  # 0600 before the first byte: results may hold private output
                os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
            conn = sqlite3.connect(
                str(path), timeout=BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
        except (OSError, sqlite3.Error) as exc:
            raise HistoryError(f"{path}: cannot open the history database: {exc}") from None
        history = cls(conn, path)
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL + NORMAL: durable at checkpoint
            history._migrate()
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise HistoryError(
                f"{path}: not a usable history database ({exc}); expected an SQLite file "
                "written by edgeauto (move it away to start a new history)"
            ) from None
        return history

    def _migrate(self) -> None:
        current = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if current > SCHEMA_VERSION:
            raise HistoryError(
                f"{self.path}: history schema version {current} is newer than this edgeauto "
                f"understands ({SCHEMA_VERSION}); upgrade edgeauto or use another --history"
            )
        while current < SCHEMA_VERSION:
            with self._write():
                # re-read under the write lock: another process may have migrated meanwhile
                current = self.conn.execute("PRAGMA user_version").fetchone()[0]
                if current >= SCHEMA_VERSION:
                    break
                for statement in MIGRATIONS[current].split(";"):
                    if statement.strip():
                        self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {current + 1}")
                current += 1

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            outer = self._depth == 0
            if outer:
                self.conn.execute("BEGIN IMMEDIATE")
            self._depth += 1
            try:
                yield self.conn
            except BaseException:
                self._depth -= 1
                if outer:
                    self.conn.execute("ROLLBACK")
                raise
            self._depth -= 1
            if outer:
                self.conn.execute("COMMIT")

    @contextmanager
    def batch(self) -> Iterator[History]:
        """Every write inside is one transaction (committed at the end, rolled back on error)."""
        with self._write():
            yield self

    # -- writing (the agreed API, docs/history.md) -----------------------------------------
    def start_run(
        self,
        kind: str,
        what: str,
        argv: list,
        user: str,
        *,
        playbook: str = "",
        inventory: str = "",
        limit: str = "",
        tags: str = "",
        check_mode: bool = False,
        started: float | None = None,
    ) -> int:
        if kind not in KINDS:
            raise HistoryError(f"run kind {kind!r}: expected one of {', '.join(KINDS)}")
        import socket

        from edgeauto.fleet.recorder import mask_argv  # -e/-a values named like secrets

        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO runs (kind, what, argv, user, controller, cwd, started, playbook,"
                " inventory, limit_, tags, check_mode) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    kind,
                    _text(what),
                    _json(mask_argv([str(clean(a)) for a in argv])),
                    _text(user),
                    socket.gethostname(),
                    clean(os.getcwd()),
                    time.time() if started is None else float(started),
                    _text(playbook),
                    _text(inventory),
                    _text(limit),
                    _text(tags),
                    int(bool(check_mode)),
                ),
            )
            return int(cur.lastrowid)

    def record_task(
        self,
        run_id: int,
        host: str,
        task_name: str,
        action: str,
        status: str,
        changed: bool,
        started: float | None,
        ended: float | None,
        *,
        play: str = "",
        ignored: bool = False,
        message: str = "",
        no_log: bool = False,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO tasks (run_id, host, task, action, status, changed, started, ended,"
                " play, ignored, message) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (
                    run_id,
                    _text(host),
                    _text(task_name),
                    _text(action),
                    str(status),
                    int(bool(changed)),
                    started,
                    ended,
                    _text(play),
                    int(bool(ignored)),
                    "" if no_log else _text(message or ""),
                ),
            )

    def record_host(
        self, run_id: int, host: str, status: str, stats: dict[str, int] | None = None
    ) -> None:
        if status not in HOST_STATUSES:
            raise HistoryError(f"host status {status!r}: expected one of {HOST_STATUSES}")
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO hosts (run_id, host, status, stats) VALUES (?,?,?,?)",
                (run_id, _text(host), status, _json(stats or {})),
            )

    def record_version(
        self,
        run_id: int,
        host: str,
        workload: str,
        version: str,
        config_digest: str,
        outcome: str,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO versions (run_id, host, workload, version, config_digest, outcome)"
                " VALUES (?,?,?,?,?,?)",
                (
                    run_id,
                    *(_text(v) for v in (host, workload, version, config_digest, outcome)),
                ),
            )

    def record_event(self, run_id: int, event: dict[str, Any]) -> None:
        with self._write() as conn:
            conn.execute("INSERT INTO events (run_id, event) VALUES (?, ?)", (run_id, _json(event)))

    def attach_report(self, run_id: int, html: bytes | str) -> None:
        """Keep the run's HTML report (masked again, compressed: reports are mostly text)."""
        mask_text = _maskers()[1]
        text = html.decode("utf-8") if isinstance(html, bytes) else str(html)
        blob = zlib.compress(mask_text(text).encode("utf-8"), 6)
        with self._write() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO reports (run_id, html) VALUES (?, ?)", (run_id, blob)
            )

    def finish_run(
        self, run_id: int, rc: int, recap: dict[str, dict[str, int]] | None = None
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET ended = ?, rc = ?, recap = ? WHERE id = ?",
                (time.time(), int(rc), _json(recap or {}), run_id),
            )

    def prune(self, *, keep: int | None = None, older_than: float | None = None) -> int:
        """Delete runs beyond the newest ``keep`` and/or started more than ``older_than``
        seconds ago, with everything recorded about them; the number of runs deleted. The
        file's pages are reused by later runs (``VACUUM`` it to shrink the file itself)."""
        where, params = [], []
        if keep is not None:
            where.append("id NOT IN (SELECT id FROM runs ORDER BY id DESC LIMIT ?)")
            params.append(max(0, int(keep)))
        if older_than is not None:
            where.append("started < ?")
            params.append(time.time() - float(older_than))
        if not where:
            raise HistoryError("prune: give --keep N and/or --older-than DURATION")
        with self._write() as conn:
            cur = conn.execute("DELETE FROM runs WHERE " + " OR ".join(where), params)
            return int(cur.rowcount)

    # -- reading -------------------------------------------------------------------------
    def runs(
        self,
        *,
        limit: int | None = 20,
        what: str | None = None,
        kind: str | None = None,
        playbook: str | None = None,
    ) -> list[RunRow]:
        """Newest first, filtered by what was run, its kind or the playbook's resolved path."""
        where, params = [], []
        for column, value in (("what", what), ("kind", kind), ("playbook", playbook)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        return self._select(" AND ".join(where), params, limit)

    def run(self, ref: int | str) -> RunRow:
        """A run by id, ``last`` (the newest) or ``-N`` (N runs back: ``-1`` is the newest)."""
        return self._select("id = ?", [self.resolve(ref)], 1)[0]

    def _select(self, where: str, params: list, limit: int | None) -> list[RunRow]:
        sql = "SELECT *, EXISTS (SELECT 1 FROM reports r WHERE r.run_id = runs.id) FROM runs"
        if where:
            sql += " WHERE " + where
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            cur = self.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [_run_row(dict(zip(names, row, strict=True)), row[-1]) for row in cur]

    def resolve(self, ref: int | str) -> int:
        text = str(ref).strip()
        with self._lock:
            if text in ("last", "latest") or (text.startswith("-") and text[1:].isdigit()):
                back = 1 if not text.startswith("-") else int(text[1:])
                row = self.conn.execute(
                    "SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?", (max(0, back - 1),)
                ).fetchone()
                if row is None:
                    raise HistoryError(f"run {text}: the history {self.path} has no such run")
                return int(row[0])
            if not text.isdigit():
                raise HistoryError(
                    f"run {text!r}: expected a run number (see `edgeauto history list`), "
                    "'last' or -N"
                )
            row = self.conn.execute("SELECT id FROM runs WHERE id = ?", (int(text),)).fetchone()
        if row is None:
            raise HistoryError(f"run {text}: not in the history {self.path}")
        return int(row[0])

    def tasks(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT host, play, task, action, status, changed, ignored, started, ended, message"
            " FROM tasks WHERE run_id = ? ORDER BY id",
            run_id,
        )

    def hosts(self, run_id: int) -> dict[str, dict[str, Any]]:
        rows = self._rows(
            "SELECT host, status, stats FROM hosts WHERE run_id = ? ORDER BY host", run_id
        )
        return {r["host"]: {"status": r["status"], "stats": json.loads(r["stats"])} for r in rows}

    def host_counts(self, run_ids: list[int]) -> dict[int, dict[str, int]]:
        """How many hosts ended each way, per run: ``{run_id: {"failed": 1, "ok": 3}}``."""
        if not run_ids:
            return {}
        marks = ",".join("?" * len(run_ids))
        rows = self._rows(
            f"SELECT run_id, status, COUNT(*) AS n FROM hosts WHERE run_id IN ({marks})"
            " GROUP BY run_id, status",
            *run_ids,
        )
        out: dict[int, dict[str, int]] = {i: {} for i in run_ids}
        for row in rows:
            out[row["run_id"]][row["status"]] = row["n"]
        return out

    def details(self, ref: int | str) -> dict[str, Any]:
        """Everything recorded about one run, as plain data (``history show --json``)."""
        row = self.run(ref)
        return {
            "run": row.as_dict(),
            "hosts": self.hosts(row.id),
            "tasks": self.tasks(row.id),
            "versions": self.versions(row.id),
            "events": self.events(row.id),
        }

    def versions(self, run_id: int) -> list[dict[str, Any]]:
        return self._rows(
            "SELECT host, workload, version, config_digest, outcome FROM versions"
            " WHERE run_id = ? ORDER BY host, workload",
            run_id,
        )

    def events(self, run_id: int) -> list[dict[str, Any]]:
        rows = self._rows("SELECT event FROM events WHERE run_id = ? ORDER BY id", run_id)
        return [json.loads(r["event"]) for r in rows]

    def report(self, run_id: int) -> str | None:
        with self._lock:
            row = self.conn.execute(
                "SELECT html FROM reports WHERE run_id = ?", (run_id,)
            ).fetchone()
        return None if row is None else zlib.decompress(row[0]).decode("utf-8")

    def _rows(self, sql: str, *params) -> list[dict[str, Any]]:
        with self._lock:
            cur = self.conn.execute(sql, params)
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur]


def _run_row(row: dict[str, Any], has_report: Any) -> RunRow:
    return RunRow(
        id=row["id"],
        kind=row["kind"],
        what=row["what"],
        argv=json.loads(row["argv"]),
        user=row["user"],
        controller=row["controller"],
        cwd=row["cwd"],
        started=row["started"],
        ended=row["ended"],
        rc=row["rc"],
        playbook=row["playbook"],
        inventory=row["inventory"],
        limit=row["limit_"],
        tags=row["tags"],
        recap=json.loads(row["recap"] or "{}"),
        check_mode=bool(row["check_mode"]),
        has_report=bool(has_report),
    )
