"""What the engine remembers about one host for the whole run (across plays)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from edgeauto.planner.results import HostStats
from edgeauto.transport.base import Transport


@dataclass
class HostState:
    name: str
    facts: dict[str, Any] = field(default_factory=dict)
    # include_vars ranks below set_fact/register (Ansible precedence 18 vs 19): own layer.
    included_vars: dict[str, Any] = field(default_factory=dict)
    set_facts: dict[str, Any] = field(default_factory=dict)  # set_fact
    registered: dict[str, Any] = field(default_factory=dict)
    # register names whose value check mode only predicted (a command it did not run): a
    # template error reading one of them is "cannot be predicted", any other one fails.
    unpredicted: set[str] = field(default_factory=set)
    checksums: dict[str, str | None] = field(default_factory=dict)
    stats: HostStats = field(default_factory=HostStats)
    transport: Transport | None = None
    failed: bool = False  # failed (not rescued): left out of later plays
    unreachable: bool = False
    ended: bool = False  # meta: end_host (this play only)
    not_run: list[str] = field(default_factory=list)  # tasks stopped by an interruption
    last_unreachable: Exception | None = None
    # (has Python, why) from a probe when no facts tell (planner.python_check)
    python_probe: tuple[bool, str] | None = None
    # background jobs (async + poll 0) started in this run: job id -> (module, args, context)
    async_jobs: dict[str, Any] = field(default_factory=dict)
    # connections as another login user (the remote_user keyword), by user
    login_transports: dict[str, Any] = field(default_factory=dict)

    def register(self, name: str, value: Any, predicted_only: bool) -> None:
        """``register: name`` — remembering whether check mode only predicted the value."""
        self.registered[name] = value
        if predicted_only:
            self.unpredicted.add(name)
        else:
            self.unpredicted.discard(name)

    @property
    def active(self) -> bool:
        return not (self.failed or self.unreachable)

    def public_vars(self) -> dict[str, Any]:
        """What ``hostvars[this]`` shows besides inventory vars: facts, set_fact, register."""
        from edgeauto.planner.varscope import inject_facts

        out = inject_facts(self.facts) if self.facts else {}
        out.update(self.included_vars)
        out.update(self.set_facts)
        out.update(self.registered)
        return out
