"""What a user asked for on the command line, as one value the engine passes around.

Kept separate from argparse so tests and other commands (adhoc, fleet) can build a run without
a command line. Every field has ansible-playbook's default unless the issue asked otherwise
(forks default 50 instead of 5: edge fleets are wide and each host costs one thread).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class RunOptions:
    inventory_sources: list[str] = field(default_factory=list)
    limit: list[str] | None = None
    tags: list[str] = field(default_factory=list)  # empty = all
    skip_tags: list[str] = field(default_factory=list)
    check: bool = False
    diff: bool = False
    extra_vars: dict[str, Any] = field(default_factory=dict)
    forks: int = 50
    connect_timeout: float = 10.0
    task_timeout: float | None = 600.0  # bound on one script (segment) run
    start_at_task: str | None = None
    step: bool = False  # --step: confirm each task (planner/step.py)
    verbosity: int = 0
    become: bool | None = None  # -b
    become_user: str | None = None
    become_method: str | None = None
    become_password: str | None = None  # -K
    connection_password: str | None = None  # -k
    remote_user: str | None = None  # -u
    private_key_file: str | None = None
    connection: str | None = None  # -c
    roles_path: list[str] = field(default_factory=list)
    vault_password_files: list[str] = field(default_factory=list)
    vault_ids: list[str] = field(default_factory=list)
    vault_secrets: Any = field(default=None, repr=False)  # VaultSecrets built by the CLI
    retry_unreachable: int = 0  # extra connection attempts per host, with backoff
    retry_backoff: float = 1.0  # first backoff in seconds (doubles, capped at 30 s)
    max_fail: str | None = None  # fleet-wide budget: "3" hosts or "10%"
    force_handlers: bool = False
    retry_file: Path | None = None  # None: <playbook>.retry beside the playbook (if writable)
    write_retry_file: bool = True
    pending_handlers: bool = True  # record unrun handler notifications on the host
    transport_options: Any = None  # edgeauto.transport.options.TransportOptions or dict
    flush_cache: bool = False
    gather_facts_default: bool = True

    def tag_selection(self):
        from edgeauto.planner.tags import TagSelection

        return TagSelection.from_lists(self.tags, self.skip_tags)
