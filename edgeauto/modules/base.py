"""What a module is: the contract between module files, the planner/executor and the shell side.

Two kinds of module exist, told apart by ``runs_on``:

* :class:`RemoteModule` (``runs_on = "remote"``) compiles validated, already-templated arguments
  into a :class:`ShellCall` — one call of a check-and-converge shell function that lives in
  ``edgeauto/remote/<file>.sh``. The executor hands the calls of a segment to
  :func:`edgeauto.remote.builder.build_script`, runs the script in one round trip, parses the
  framed records with :func:`edgeauto.remote.framing.parse_stream`, and passes each record to
  :meth:`RemoteModule.finish`, which returns the Ansible-shaped result dict (``changed``,
  ``failed``, ``msg``, ``rc``, ``stdout``/``stdout_lines``, ``stderr``/``stderr_lines``, ``diff``,
  plus module keys such as ``path``/``mode``/``checksum``) that ``register`` and ``when`` see.
* :class:`ControllerModule` (``runs_on = "controller"``) never touches the target:
  :meth:`ControllerModule.run` returns the result dict directly (``debug``, ``set_fact``,
  ``assert``, ``fail``). Facts to set go into the result under ``ansible_facts`` (as Ansible does)
  *and* into ``ctx.set_facts`` so the executor needs no special case.

Spec-only modules (``meta``, ``setup``) are :class:`ControllerModule` subclasses with
``executor_handled = True``: the executor implements them; the module file only declares the
argument spec and docs so validation and ``edgeauto doc`` work.

Why compile-then-finish instead of "run": a module never sees the connection. All tasks of a host's
segment become one script, so a module can only describe *what* the target must do (compile) and
interpret *what it reported* (finish).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.spec import ModuleSpec

if TYPE_CHECKING:
    from edgeauto.modules.shellfn import ShellFunction


#: modules whose Ansible action plugin has no async support ("This action (copy) does not
#: support async."); ansible-core 2.19's plugins/action/*.py without ``_supports_async``
NO_ASYNC = frozenset(
    {"assemble", "copy", "fetch", "raw", "reboot", "script", "template", "unarchive"}
    | {"wait_for_connection", "validate_argument_spec", "async_status"}
)


class TemplarLike(Protocol):
    """What modules need from the templating layer (``edgeauto.templating.Templar``)."""

    def render(self, text: str) -> str: ...


@dataclass
class CompileContext:
    """Everything a remote module may consult while compiling one task for one host.

    ``find_file(kind, name)`` resolves a controller-side file the way Ansible does: ``kind`` is
    ``"files"`` or ``"templates"``; role ``files/``/``templates/`` first, then the playbook
    directory. It raises :class:`ModuleArgumentError` (with ``pos``) when nothing is found.
    ``remote_checksums`` maps a remote path to the sha1 the facts round trip found there (``None``
    = the file does not exist); modules use it to leave unchanged file contents out of the
    script. ``remote_checksums`` keys are exactly what :meth:`RemoteModule.checksum_paths`
    asked for.
    """

    check_mode: bool = False
    diff: bool = False
    pos: Position | None = None
    find_file: Callable[[str, str], Path] | None = None
    templar: TemplarLike | None = None
    remote_checksums: dict[str, str | None] = field(default_factory=dict)
    become: bool = False
    host: str = ""
    task_vars: dict[str, Any] = field(default_factory=dict)
    no_log: bool = False  # the task's no_log (Ansible modules get it as _ansible_no_log)
    #: this host's background jobs started in this run, job id -> (module, args, context):
    #: ``async_status`` gives a finished job's record to the module that ran it
    async_jobs: dict[str, Any] = field(default_factory=dict)

    def locate(self, kind: str, name: str) -> Path:
        """Resolve a controller file; absolute paths are used as they are."""
        path = Path(name)
        if path.is_absolute():
            if not path.exists():
                raise ModuleArgumentError(f"could not find {kind[:-1]} file '{name}'", self.pos)
            return path
        if self.find_file is None:
            if path.exists():
                return path
            raise ModuleArgumentError(
                f"could not find {kind[:-1]} file '{name}' (no search path given)", self.pos
            )
        return self.find_file(kind, name)


@dataclass
class ShellCall:
    """One call of a shell function in the compiled script.

    ``function`` is the sh function name (``ea_copy``); ``argv`` its arguments, quoted by the
    builder. ``payloads`` maps a payload name to bytes that travel inside the script; the builder
    materialises each into a private temp file before the call and substitutes the file's path
    for every argv item equal to ``"@payload:<name>"``. ``files`` lists the ``remote/*.sh`` files
    (without directory, e.g. ``"copy.sh"``) the function needs, in dependency order; the builder
    includes each file once per script. ``stdin`` names a payload fed to the call on stdin
    (otherwise stdin is ``/dev/null`` — the script itself arrives on stdin and must never be read
    by a task).
    """

    function: str
    argv: list[str] = field(default_factory=list)
    payloads: dict[str, bytes] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    stdin: str | None = None


def payload_ref(name: str) -> str:
    """The argv placeholder the builder replaces with the payload's temp-file path."""
    return f"@payload:{name}"


def home_path(path: str) -> str:
    """A remote path argument: ``$NAME``/``${NAME}`` (variables set on the target) and a
    leading ``~`` (``~/x``, ``~user/x``: that user's home) are expanded on the target, as
    Ansible's ``type=path`` options are (expandvars, expanduser); others as they are."""
    return f"@home:{path}" if path.startswith("~") or "$" in path else path


def backend_from(args: dict, task_vars: dict, fact: str) -> str | None:
    """A generic action's backend: its ``use`` argument, else the host's ``fact``
    (``service_mgr``, ``pkg_mgr``) when facts were gathered; None when unknown."""
    use = str(args.get("use") or "auto").lower()
    if use != "auto":
        return use
    facts = task_vars.get("ansible_facts") or {}
    known = facts.get(fact) if isinstance(facts, dict) else None
    return str(known or task_vars.get(f"ansible_{fact}") or "") or None


class Module:
    """Common part of both module kinds: the spec and helpers for docs and validation."""

    spec: ModuleSpec
    runs_on = "remote"
    # What the planner needs to know about a module, declared here so the planner never names
    # modules (see docs/modules.md, "What a module declares"):
    #: the executor itself implements the behaviour (meta, setup): the file is spec + docs only
    executor_handled = False
    #: the result carries ``ansible_facts`` later tasks may read: a later task that reads facts
    #: must wait for this one's result (the segment ends before it)
    returns_facts = False
    #: which facts-time file checksums a *changed* result makes stale: ``"paths"`` the
    #: ``dest``/``path`` it reports, ``"all"`` any file (commands may change anything), ``None``
    invalidates: str | None = "paths"
    #: target platforms the module's implementation runs on
    platforms: tuple[str, ...] = ("posix",)

    @property
    def supports_async(self) -> bool:
        """Whether ``async:`` may run it: as in Ansible, whose modules with an action plugin of
        their own (copy, template, script …) refuse it and plain modules accept it."""
        return self.spec.name not in NO_ASYNC

    @property
    def supports_check_mode(self) -> bool:
        return bool(self.spec.supports_check_mode)

    @property
    def name(self) -> str:
        return self.spec.name

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        """Validate against the spec, then module-specific cross-checks (:meth:`check_args`)."""
        out = self.spec.validate(args, pos, final=final)
        if final:
            self.check_args(out, pos)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        """Module-specific checks beyond the spec; raise ModuleArgumentError. Default: none."""


class RemoteModule(Module):
    """A module that runs on the target as a shell function (see module docstring)."""

    runs_on = "remote"
    #: the shell functions :meth:`compile` may call (see :mod:`edgeauto.modules.shellfn`)
    shell_functions: tuple[ShellFunction, ...] = ()
    #: why this module has no ``tests/fixtures/modules/<name>/`` replay fixtures ("" = it has)
    no_fixtures_because = ""
    #: ``"tests/<file>.py: why"`` when the real/check/second-run test is not a
    #: ``tests/shell/test_modules_converge.py`` scenario (e.g. it needs root or a lab host)
    converged_in = ""

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:  # pragma: no cover
        raise NotImplementedError

    #: modules a generic action hands its task to (``service`` → ``systemd``): their
    #: ``module_defaults`` apply to it where that backend runs (:meth:`backend`)
    backend_modules: tuple[str, ...] = ()

    def backend(self, args: dict, task_vars: dict) -> str | None:
        """The module of :attr:`backend_modules` this task is handed to on this host (from
        ``use`` or the host's facts), or None when it is not known before the task runs."""
        return None

    def checksum_paths(self, args: dict) -> list[str]:
        """Remote paths whose sha1 the facts round trip should collect for this task."""
        return []

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        """Turn a parsed record (``TaskRecord.as_dict()``) into an Ansible-shaped result."""
        return standard_result(record)


class ControllerModule(Module):
    """A module that runs in the controller process; it never costs a round trip."""

    runs_on = "controller"
    invalidates = None
    #: the module talks to the host itself (``wait_for_connection``, ``reboot``): the pending
    #: segment is sent first and ``ControllerContext.connection`` is filled
    uses_connection = False

    def run(self, args: dict, ctx: ControllerContext) -> dict:  # pragma: no cover
        raise NotImplementedError


@dataclass
class ControllerContext:
    """What a controller-side module may use: the templar, the host's vars, a place for facts.

    ``set_facts`` is filled by the module (``set_fact``); the executor merges it into the host's
    variables after the task. ``evaluate(expr) -> Any`` evaluates a bare Jinja2 expression
    (``assert``'s ``that``, ``debug``'s ``var``); when it is None the module wraps the expression
    in ``{{ }}`` and calls ``templar.render``.
    """

    host: str = ""
    templar: TemplarLike | None = None
    host_vars: dict[str, Any] = field(default_factory=dict)
    check_mode: bool = False
    verbosity: int = 0
    set_facts: dict[str, Any] = field(default_factory=dict)
    evaluate: Callable[[str], Any] | None = None
    pos: Position | None = None
    #: for ``uses_connection`` modules: ``.transport``, ``.become``, ``.sleep(s) -> cancelled``
    connection: Any = None


def split_lines(text: str) -> list[str]:
    """Ansible's ``*_lines``: str.splitlines() semantics."""
    return text.splitlines()


def standard_result(record: dict) -> dict:
    """The keys every remote module returns, from a parsed record.

    ``record`` holds ``status`` (ok/changed/failed/skipped/not_run), ``rc`` and ``fields``
    (str values). ``stdout``/``stderr`` (what the shell function itself printed) are kept only
    when non-empty; modules that run user commands set them explicitly. Field names ``msg``, ``diff_before``, ``diff_after``,
    ``diff_before_header``, ``diff_after_header`` are framing-level; every other field is a
    module key copied as a string (modules convert types in their own ``finish``).
    """
    fields = dict(record.get("fields", {}))
    status = record.get("status", "failed")
    out: dict[str, Any] = {
        "changed": status == "changed",
        "failed": status in ("failed", "not_run"),
    }
    if status == "skipped":
        out["skipped"] = True
    if status == "not_run":
        out["msg"] = fields.get("msg") or "not run: an earlier task in the same script failed"
        out["not_run"] = True
    for key in ("stdout", "stderr"):  # stray output of a file-ish module: keep only if any
        value = fields.pop(key, "")
        if value:
            out[key] = value
            out[f"{key}_lines"] = split_lines(value)
    if "msg" in fields:
        out["msg"] = fields.pop("msg")
    if "rc" in fields:  # the module reported an exit code of its own (command, lineinfile…)
        rc_text = fields.pop("rc")
        out["rc"] = int(rc_text) if rc_text.lstrip("-").isdigit() else rc_text
    elif status == "failed" and "msg" not in out and "msg" not in fields:
        # the function died without saying why (a bug, a signal, a missing tool)
        out["rc"] = record.get("rc")
        detail = out.get("stderr", "").strip().splitlines()[-1:] or ["no error output"]
        out["msg"] = f"the task's shell function failed (exit {record.get('rc')}): {detail[0]}"
    if "diff_before" in fields or "diff_after" in fields:
        out["diff"] = {
            "before": fields.pop("diff_before", ""),
            "after": fields.pop("diff_after", ""),
            "before_header": fields.pop("diff_before_header", ""),
            "after_header": fields.pop("diff_after_header", ""),
        }
    for key in ("diff_before_header", "diff_after_header"):
        fields.pop(key, None)
    out.update(fields)
    return out
