"""A whole ``edgeauto run``: load and validate everything, then run the plays over the fleet.

``Run`` is the run's shared state (:class:`~edgeauto.planner.runstate.RunState`) plus loading,
the play loop, cancellation and the exit code. Nothing touches a host before every playbook —
all plays, all static imports, roles — is loaded and validated. Layer 8, the top.

Exit codes (ansible-playbook's): 0 all ok, 1 error before/while running, 2 some host failed,
4 some host unreachable (and none failed), 99 interrupted, 250 unexpected.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import (
    EXIT_HOST_FAILED,
    EXIT_HOST_UNREACHABLE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    ParseError,
    Position,
    describe,
)
from edgeauto.fsutil import atomic_write
from edgeauto.planner.options import RunOptions
from edgeauto.planner.play import PlayRun
from edgeauto.planner.runstate import RunState


@dataclass
class RunResult:
    exit_code: int
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    failed_hosts: list[str] = field(default_factory=list)
    unreachable_hosts: list[str] = field(default_factory=list)
    not_run: dict[str, list[str]] = field(default_factory=dict)
    interrupted: bool = False


@dataclass
class PlaybookData:
    """A playbook already in memory (what the Python API, :mod:`edgeauto.api`, builds):
    ``data`` is what loading the YAML of ``path`` would give; ``path`` names where it came
    from (positions, the playbook dir for relative files). Loaded and validated exactly like
    a file."""

    path: Path
    data: list


class Run(RunState):
    """One run of one or more playbooks (see module docstring). ``playbooks`` are paths or
    :class:`PlaybookData`; ``inventory`` is an already built inventory that replaces
    ``options.inventory_sources``."""

    def __init__(
        self, playbooks: list, options: RunOptions | None = None, reporter=None, inventory=None
    ):
        from edgeauto.output.reporter import NullReporter

        super().__init__(options or RunOptions(), reporter or NullReporter())
        self.playbook_sources = [p if isinstance(p, PlaybookData) else Path(p) for p in playbooks]
        self.playbook_paths = [p for p in self.playbook_sources if isinstance(p, Path)]
        self.given_inventory = inventory
        self.playbooks: list = []
        self.loaded = False

    def load(self) -> None:
        """Inventory, vault, every playbook; validation of everything before anything runs."""
        from edgeauto.inventory import load_inventory
        from edgeauto.planner.preflight import check_limit, check_start_at_task
        from edgeauto.playbook import load_and_validate

        self.vault = self._vault()
        first_dir = self.playbook_paths[0].resolve().parent if self.playbook_paths else None
        for path in self.playbook_paths:
            if path.is_dir():
                raise ParseError("is a directory, expected a playbook file", Position(str(path)))
            if not path.is_file():
                raise ParseError("playbook not found", Position(str(path)))
        if self.given_inventory is not None:
            self.inventory = self.given_inventory
        else:
            self.inventory = load_inventory(
                self.options.inventory_sources or [], playbook_dir=first_dir, vault=self.vault
            )
        kwargs = {
            "roles_path": list(self.options.roles_path),
            "extra_vars": self.extra_vars,
            "inventory": self.inventory,
            "vault": self.vault,  # whole-file vaulted vars_files are validated too
        }
        check_limit(self.inventory, self.options.limit)
        for source in self.playbook_sources:
            if isinstance(source, PlaybookData):
                self.playbooks.append(load_and_validate(source.path, data=source.data, **kwargs))
            else:
                self.playbooks.append(load_and_validate(source, **kwargs))
            for warning in self.playbooks[-1].warnings:  # unknown modules in dynamic includes
                self.reporter.warning(str(warning))
        check_start_at_task(self.playbooks, self.options.start_at_task)
        self.loaded = True

    def _vault(self):
        from edgeauto.templating import VaultSecrets

        secrets = VaultSecrets()
        if self.options.vault_secrets is not None:
            secrets = secrets.extend(self.options.vault_secrets)
        for spec in self.options.vault_ids:
            secrets = secrets.extend(VaultSecrets.from_vault_ids([spec]))
        for path in self.options.vault_password_files:
            secrets = secrets.extend(VaultSecrets.from_password_file(path))
        return secrets

    def cancel(self, interrupt_scripts: bool = True) -> None:
        """Stop the run (SIGINT/SIGTERM): no new script starts anywhere, and scripts in flight
        are cut by closing their SSH master connection. Modules change files atomically (temp
        file + rename), so a cut script leaves no half-written file; the records that did come
        back say exactly which tasks ran, the rest are reported as not run."""
        self.cancelled.set()
        if not interrupt_scripts:
            return

        def cut() -> None:
            for st in list(self.states.values()):
                stop = getattr(st.transport, "interrupt", None)
                if stop is not None:
                    try:
                        stop()
                    except Exception:  # noqa: BLE001 - best effort while shutting down
                        pass

        threading.Thread(target=cut, name="cancel", daemon=True).start()

    def execute(self) -> RunResult:
        if not self.loaded:
            self.load()
        self.reporter.run_start(self)
        index = 0
        try:
            for playbook in self.playbooks:
                self.reporter.playbook_start(playbook)
                for play in playbook.plays:
                    if self.cancelled.is_set() or self.aborted:
                        break
                    PlayRun(self, play, index).execute()
                    index += 1
        finally:
            for st in self.states.values():
                for transport in [st.transport, *st.login_transports.values()]:
                    if transport is None:
                        continue
                    try:
                        transport.close()
                    except Exception:  # noqa: BLE001 - closing must never hide the result
                        pass
        result = self.finish()
        self.reporter.run_end(self, result)
        return result

    def finish(self) -> RunResult:
        stats = {n: s.stats.as_dict() for n, s in self.states.items()}
        failed = self.failed_hosts()
        unreachable = self.unreachable_hosts()
        if self.cancelled.is_set():
            code = EXIT_INTERRUPTED
        elif failed:
            code = EXIT_HOST_FAILED
        elif unreachable:
            code = EXIT_HOST_UNREACHABLE
        elif self.aborted:
            code = EXIT_HOST_FAILED
        else:
            code = EXIT_OK
        not_run = {n: list(s.not_run) for n, s in self.states.items() if s.not_run}
        result = RunResult(code, stats, failed, unreachable, not_run, self.cancelled.is_set())
        self.write_retry_file(failed + unreachable)
        return result

    def write_retry_file(self, hosts: list[str]) -> None:
        """``<playbook>.retry`` with failed and unreachable hosts (use with ``--limit @file``)."""
        if not self.options.write_retry_file or not self.playbook_paths:
            return
        target = Path(self.options.retry_file or self.playbook_paths[0].with_suffix(".retry"))
        try:
            if not hosts:
                if target.exists():
                    target.unlink()
                return
            atomic_write(target, "".join(f"{h}\n" for h in sorted(hosts)))
        except OSError as exc:
            self.reporter.warning(f"could not write retry file {target}: {exc}")


def parse_extra_vars(values: list[str]) -> dict[str, Any]:
    """``-e`` values: ``k=v k2=v2``, a JSON/YAML mapping, or ``@file`` (YAML/JSON)."""
    from edgeauto.playbook.splitter import parse_kv
    from edgeauto.yamlsrc import load_yaml, load_yaml_text

    out: dict[str, Any] = {}
    for value in values or []:
        value = value.strip()
        if not value:
            continue
        if value.startswith("@"):
            path = Path(value[1:])
            data, where = load_yaml(path), str(path)
        elif value[0] in "{[":
            try:
                data = json.loads(value)
            except json.JSONDecodeError:
                data = load_yaml_text(value, "<extra vars>")
            where = "-e"
        else:
            data, where = parse_kv(value), "-e"
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ParseError(
                f"extra vars must be a mapping (key=value, JSON object or @file), found "
                f"{describe(data)}",
                Position(where),
            )
        out.update(data)
    return out
