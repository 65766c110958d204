"""The playbook model: what the loader produces and the planner walks.

Plain dataclasses with no behaviour beyond small helpers; every node keeps the
:class:`~edgeauto.errors.Position` it was loaded from so runtime errors can name file:line.
Values that may hold Jinja2 (args, when, loop, vars…) are kept *unrendered*; the planner
renders them per host with the host's variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from edgeauto.errors import Position


@dataclass
class Become:
    """Privilege escalation settings; None means 'inherit from the enclosing level'."""

    become: bool | None = None
    user: str | None = None
    method: str | None = None  # sudo | su | doas
    flags: str | None = None

    def merged_over(self, outer: Become) -> Become:
        return Become(
            self.become if self.become is not None else outer.become,
            self.user if self.user is not None else outer.user,
            self.method if self.method is not None else outer.method,
            self.flags if self.flags is not None else outer.flags,
        )


@dataclass
class Task:
    """One task (or handler). ``action`` is the canonical module name (e.g. 'copy')."""

    action: str
    args: dict[str, Any]
    pos: Position
    name: str | None = None
    when: list[Any] = field(default_factory=list)  # conditions (str/bool), all must hold
    loop: Any = None  # list, or a template string; with_* is normalised to loop
    loop_kind: str | None = None  # 'loop', 'with_items', 'with_dict', 'with_fileglob', ...
    loop_control: dict[str, Any] = field(default_factory=dict)
    register: str | None = None
    notify: list[str] = field(default_factory=list)
    listen: list[str] = field(default_factory=list)  # handlers only
    tags: list[str] = field(default_factory=list)
    ignore_errors: Any = False
    ignore_unreachable: Any = False
    failed_when: list[Any] | None = None
    changed_when: list[Any] | None = None
    until: list[Any] | None = None
    retries: Any = None
    delay: Any = None
    check_mode: Any = None  # None: follow --check
    diff: Any = None
    no_log: Any = False
    become: Become = field(default_factory=Become)
    delegate_to: str | None = None
    run_once: Any = False
    environment: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    any_errors_fatal: Any = None
    timeout: Any = None  # seconds the task may run (None: inherit, 0: no limit)
    async_val: Any = None  # `async:` seconds; with poll 0 the task runs in the background
    poll: Any = None  # `poll:` seconds (None: Ansible's default, 15)
    remote_user: Any = None  # login user for this task (ansible_user in the inventory wins)
    #: edgeauto extension: run this task (handler) on that many hosts at a time, batch after
    #: batch — int, "30%", a list of those, or a template (playbook/serial.py, docs/engine.md)
    serial: Any = None
    module_defaults: list[dict] = field(default_factory=list)  # as loaded (already applied)
    # module_defaults of the module a generic action hands the task to (``systemd:`` for a
    # ``service`` task, ``apt:`` for ``package``), by that module's canonical name: merged under
    # the arguments per host once the backend is known (playbook/moduledefaults.py)
    backend_defaults: dict[str, dict] = field(default_factory=dict)
    role: Role | None = None  # role this task came from (templates/, files/ lookups)
    is_handler: bool = False
    # an unknown module in a dynamically included file: the error the task fails with if it runs
    unresolved: str | None = None
    # arguments given as templates (`lineinfile: "{{ rule }}"`, `args: "{{ extra }}"`), rendered
    # per host under ``args``, lowest precedence first: `args:` then the module's value
    args_templates: list[str] = field(default_factory=list)
    # For include_tasks / include_role / import_*: resolved later or at load time.
    include_target: str | None = None
    #: the canonical action (``copy`` for ``ansible.builtin.copy``), resolved once here so no
    #: later stage strips FQCN prefixes again; unknown actions keep their spelling
    action_name: str = field(init=False, repr=False, compare=False, default="")
    #: where a module edgeauto does not implement lives (``modules.fallback.ModuleSource``):
    #: it runs as Ansible's own module on hosts with Python (docs/fallback.md)
    fallback: Any = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        from edgeauto.playbook.actions import canonical_action, without_builtin_prefix

        self.action_name = canonical_action(self.action) or without_builtin_prefix(self.action)

    @property
    def display_name(self) -> str:
        prefix = f"{self.role.name} : " if self.role else ""
        return prefix + (self.name or self.action)

    @property
    def listen_topics(self) -> list:
        """A handler's ``listen`` topics as a notify may name them: also prefixed with its
        role's name (``role : topic``), as ansible-core 2.19's Handler._validate_listen adds."""
        topics = list(self.listen or [])
        if self.role is not None:
            topics += [f"{p} : {t}" for p in self.role.prefixes for t in self.listen or []]
        return topics


@dataclass
class Block:
    """block/rescue/always with the keywords that apply to every task inside."""

    block: list[Node]
    pos: Position
    rescue: list[Node] = field(default_factory=list)
    always: list[Node] = field(default_factory=list)
    name: str | None = None
    when: list[Any] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    vars: dict[str, Any] = field(default_factory=dict)
    become: Become = field(default_factory=Become)
    environment: dict[str, Any] = field(default_factory=dict)
    ignore_errors: Any = None
    no_log: Any = None
    check_mode: Any = None
    diff: Any = None
    delegate_to: str | None = None
    run_once: Any = None
    any_errors_fatal: Any = None
    timeout: Any = None
    remote_user: Any = None
    module_defaults: list[dict] = field(default_factory=list)
    role: Role | None = None


Node = Task | Block


@dataclass
class Role:
    """A role as loaded: its directory, defaults, vars and task/handler lists."""

    name: str
    path: Path
    pos: Position  # where it was referenced
    defaults: dict[str, Any] = field(default_factory=dict)
    vars: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # `- role: x\n  foo: 1`
    tasks: list[Node] = field(default_factory=list)
    handlers: list[Task] = field(default_factory=list)
    dependencies: list[Role] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    when: list[Any] = field(default_factory=list)
    # Added by the loader (additive): keywords given on the `roles:` entry, and meta/main.yml.
    become: Become = field(default_factory=Become)
    environment: dict[str, Any] = field(default_factory=dict)
    allow_duplicates: bool = False
    tasks_from: str = "main"
    # What makes two `roles:` entries "the same role" for Ansible's run-once rule: params,
    # entry vars, and the entry's own when/tags (not inherited ones). Set by the loader.
    entry_key: str = ""

    @property
    def prefixes(self) -> list[str]:
        """What ``role : handler`` may start with: the name, and for a collection role
        (ns.col.name) also the short name, as ansible-core matches both get_name() forms."""
        if self.name.count(".") >= 2 and "ansible_collections" in self.path.parts:
            return [self.name, self.path.name]
        return [self.name]

    def find_file(self, kind: str, name: str) -> Path | None:
        """Look up ``name`` under this role's ``files/`` or ``templates/`` dir."""
        for candidate in (self.path / kind / name, self.path / name):
            if candidate.exists():
                return candidate
        return None


@dataclass
class Play:
    """One play of a playbook."""

    hosts: str
    pos: Position
    name: str | None = None
    vars: dict[str, Any] = field(default_factory=dict)
    vars_files: list[Any] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    pre_tasks: list[Node] = field(default_factory=list)
    tasks: list[Node] = field(default_factory=list)
    post_tasks: list[Node] = field(default_factory=list)
    handlers: list[Task] = field(default_factory=list)
    serial: Any = None  # int, "30%", or a list of those
    max_fail_percentage: Any = None
    any_errors_fatal: bool = False
    ignore_unreachable: bool = False
    become: Become = field(default_factory=Become)
    gather_facts: Any = True
    gather_subset: list[str] = field(default_factory=lambda: ["all"])
    tags: list[str] = field(default_factory=list)
    environment: dict[str, Any] = field(default_factory=dict)
    strategy: str = "linear"
    remote_user: str | None = None
    connection: str | None = None
    check_mode: Any = None
    diff: Any = None
    no_log: Any = None
    force_handlers: bool = False
    order: str = "inventory"
    basedir: Path = Path(".")  # directory of the playbook file this play came from
    # Added by the loader (additive). `when` holds conditions from `import_playbook: x when:`;
    # they are already prepended to every task/role/handler of the play, so the executor need
    # not re-apply them (it may use them to skip fact gathering for hosts that fail them).
    when: list[Any] = field(default_factory=list)
    ignore_errors: Any = None
    run_once: Any = None
    timeout: Any = None  # seconds each task may run (the `timeout` keyword at play level)
    module_defaults: list[dict] = field(default_factory=list)

    @property
    def display_name(self) -> str:
        return self.name or self.hosts


@dataclass
class Playbook:
    """A playbook file after import_playbook was expanded: a flat list of plays."""

    path: Path
    plays: list[Play] = field(default_factory=list)
    warnings: list = field(default_factory=list)  # problems only a run reaching them raises
