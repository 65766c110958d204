"""Keywords a task inherits from the play, its roles and enclosing blocks (``WalkCtx``).

Ansible resolves keywords like ``become``, ``when``, ``tags``, ``environment`` by walking up the
parent chain. We carry the already-merged values down instead: each block/role makes a child
context, so a task sees one flat value per keyword.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from edgeauto.playbook.model import Become, Block, Role


@dataclass(frozen=True)
class WalkCtx:
    tags: tuple[str, ...] = ()
    when: tuple[Any, ...] = ()
    vars_chain: tuple[dict, ...] = ()  # block vars, outer to inner
    include_params: tuple[dict, ...] = ()
    become: Become = field(default_factory=Become)
    environment: tuple[dict, ...] = ()
    ignore_errors: Any = None
    no_log: Any = None
    check_mode: Any = None
    diff: Any = None
    delegate_to: Any = None
    run_once: Any = None
    any_errors_fatal: Any = None
    timeout: Any = None
    remote_user: Any = None
    module_defaults: tuple[dict, ...] = ()  # for tasks of files included at run time
    role: Role | None = None
    in_handlers: bool = False
    in_rescue: bool = False
    notify: tuple[str, ...] = ()  # block-level notify (applies to every task inside)
    includes: tuple[str, ...] = ()  # the dynamic includes this walk is inside, outer first

    def child_block(self, block: Block) -> WalkCtx:
        return replace(
            self,
            tags=self.tags + tuple(block.tags),
            when=self.when + tuple(block.when),
            vars_chain=self.vars_chain + ((block.vars,) if block.vars else ()),
            become=block.become.merged_over(self.become),
            environment=self.environment + ((block.environment,) if block.environment else ()),
            ignore_errors=_pick(block.ignore_errors, self.ignore_errors),
            no_log=_pick(block.no_log, self.no_log),
            check_mode=_pick(block.check_mode, self.check_mode),
            diff=_pick(block.diff, self.diff),
            delegate_to=_pick(block.delegate_to, self.delegate_to),
            run_once=_pick(block.run_once, self.run_once),
            any_errors_fatal=_pick(block.any_errors_fatal, self.any_errors_fatal),
            timeout=_pick(block.timeout, self.timeout),
            remote_user=_pick(block.remote_user, self.remote_user),
            module_defaults=self.module_defaults + tuple(block.module_defaults),
            role=block.role or self.role,
            notify=self.notify + tuple(getattr(block, "notify", None) or ()),
        )

    def child_role(self, role: Role) -> WalkCtx:
        return replace(
            self,
            tags=self.tags + tuple(role.tags),
            when=self.when + tuple(role.when),
            role=role,
        )

    def with_include(self, params: dict, tags=(), when=(), via: str = "") -> WalkCtx:
        return replace(
            self,
            includes=self.includes + (via,),
            include_params=self.include_params + ((params,) if params else ()),
            tags=self.tags + tuple(tags),
            when=self.when + tuple(when),
        )


MAX_INCLUDE_DEPTH = 64  # deeper is a circular include in practice (ansible: RecursionError)


def check_include_depth(wctx: WalkCtx, target: str, pos) -> None:
    """A dynamic include nested deeper than any real playbook: say which files loop, at the
    include's own line, instead of running into Python's recursion limit."""
    if len(wctx.includes) < MAX_INCLUDE_DEPTH:
        return
    from edgeauto.errors import EdgeautoError

    chain = [*wctx.includes[-4:], target]
    raise EdgeautoError(
        f"includes nested {MAX_INCLUDE_DEPTH} deep (a circular include?): … → " + " → ".join(chain),
        pos,
    )


def _pick(inner: Any, outer: Any) -> Any:
    return inner if inner is not None else outer
