"""The adapter: an Ansible module as one more call in the host's script.

:class:`FallbackModule` is a :class:`~edgeauto.modules.base.RemoteModule` like the native
ones, so the planner, the segment, the framing and the one-round-trip property need nothing
new: ``compile()`` returns a call of ``ea_ansible_module`` (``remote/ansible_module.sh``) with
two payloads — the packaged module (shared by every task using that module) and its arguments
with the internal ``_ansible_*`` arguments ansible-playbook adds (check mode, diff, no_log …)
— and ``finish()`` maps what the module printed exactly as ansible-playbook does
(:mod:`edgeauto.modules.fallback.result`).

Arguments are not validated by edgeauto: the module validates them itself when it runs, and
its error is the task's error, word for word as with Ansible.
"""

from __future__ import annotations

from typing import Any

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, payload_ref
from edgeauto.modules.fallback.package import Package, encode_args, package
from edgeauto.modules.fallback.resolve import ModuleSource, native_alternatives
from edgeauto.modules.fallback.result import module_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec

EA_ANSIBLE_MODULE = ShellFunction(
    "ea_ansible_module",
    "ansible_module.sh",
    params="name style interpreter module args nopython",
)

#: the packaged module travels once per script however many tasks use it (builder)
SHARED_MODULE = "shared-module"
_AUTO = ("", "auto", "auto_legacy", "auto_silent", "auto_legacy_silent")


def no_python_message(name: str, host: str, why: str = "none was found") -> str:
    """Why a Python module cannot run on a host, and what to use instead."""
    alternatives = native_alternatives(name)
    short = name.rpartition(".")[2]
    if alternatives:
        instead = "native alternatives (no Python needed): " + ", ".join(alternatives)
    else:
        instead = f"edgeauto has no native module for '{short}'"
    return (
        f"module '{name}' is not native to edgeauto and runs as Ansible's Python module, "
        f"but host '{host}' has no Python ({why}); {instead}"
    )


class FallbackModule(RemoteModule):
    """One non-native module (see the module docstring)."""

    shell_functions = (EA_ANSIBLE_MODULE,)
    no_fixtures_because = (
        "the payload is ansible-core's AnsiballZ build of a module found at run time"
    )
    converged_in = (
        "tests/integration/test_ansible_fallback_lab.py: needs a lab host with Python and "
        "ansible-core on the controller"
    )
    invalidates = "all"  # a module may change any file
    #: the module ran in check mode itself: its failure is reported as ansible-playbook reports
    #: it, never re-read as "would change" because of an earlier predicted path (fold.py)
    check_verdict_is_final = True

    def __init__(self, source: ModuleSource):
        self.source = source
        self.spec = ModuleSpec(
            name=source.name,
            short_description=f"Ansible's own module {source.fqcn} ({source.origin})",
            accepts_any_args=True,
            supports_check_mode=True,  # the module itself says when it cannot (skipped)
            supports_diff=True,
            oracle=None,
        )
        try:
            self.returns_facts = b"ansible_facts" in source.path.read_bytes()
        except OSError:
            self.returns_facts = False

    def package(self, args: dict | None = None) -> Package:
        return package(self.source, args)

    @property
    def needs_python(self) -> bool:
        try:
            return self.package().needs_python
        except Exception:  # noqa: BLE001 - a packaging error is reported when compiling
            return True

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        if not isinstance(args, dict):
            raise ModuleArgumentError(f"module '{self.name}' expects a mapping of arguments", pos)
        return dict(args)

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        full = {**args, **internal_args(self.source, ctx)}
        pkg = package(self.source, full)
        facts = ctx.task_vars.get("ansible_facts") or {}
        if pkg.needs_python and "system" in facts and "python" not in facts:
            raise ModuleArgumentError(
                no_python_message(self.name, ctx.host, "its facts show none"), ctx.pos
            )
        return EA_ANSIBLE_MODULE.call(
            name=self.name,
            style=pkg.style,
            interpreter=self._interpreter(pkg, ctx.task_vars),
            module=payload_ref(SHARED_MODULE),
            args=payload_ref("args"),
            nopython=no_python_message(self.name, ctx.host),
            payloads={SHARED_MODULE: pkg.payload, "args": encode_args(pkg, full)},
        )

    def _interpreter(self, pkg: Package, task_vars: dict) -> str:
        """``ansible_python_interpreter`` (discovery when unset or ``auto*``) for Python
        modules; ``ansible_<name>_interpreter`` or the shebang's for the others."""
        if pkg.style in ("stdin", "embedded") or pkg.needs_python:
            value = task_vars.get("ansible_python_interpreter")
            value = "" if value is None else str(value).strip()
            return "" if value in _AUTO else value  # "": the target finds its Python
        if not pkg.interpreter:
            return ""
        base = pkg.interpreter.split()[0].rpartition("/")[2]
        override = task_vars.get(f"ansible_{base}_interpreter")
        return str(override) if override else pkg.interpreter

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        from edgeauto.modules.base import standard_result

        fields = dict(record.get("fields", {}))
        if "module_rc" not in fields:  # not run, or refused before the module started
            return standard_result(record)
        rc_text = fields.get("module_rc", "")
        rc = int(rc_text) if rc_text.lstrip("-").isdigit() else -1
        return module_result(
            fields.get("module_stdout", ""),
            fields.get("module_stderr", ""),
            rc,
            fields.get("interpreter", ""),
        )


def internal_args(source: ModuleSource, ctx: CompileContext) -> dict[str, Any]:
    """The ``_ansible_*`` arguments ansible-playbook gives every module (its
    ``_update_module_args``), with ansible-core's own configured values where it has them."""
    try:
        from ansible import __version__
        from ansible import constants as C
    except ImportError:  # a library/ module without ansible-core
        __version__, C = "", None
    no_log = bool(getattr(ctx, "no_log", False))
    return {
        "_ansible_check_mode": bool(ctx.check_mode),
        "_ansible_no_log": no_log or bool(getattr(C, "DEFAULT_NO_TARGET_SYSLOG", False)),
        "_ansible_debug": bool(getattr(C, "DEFAULT_DEBUG", False)),
        "_ansible_diff": bool(ctx.diff),
        "_ansible_verbosity": int(getattr(ctx, "verbosity", 0) or 0),
        "_ansible_version": __version__,
        "_ansible_module_name": source.name,
        "_ansible_syslog_facility": str(
            ctx.task_vars.get("ansible_syslog_facility")
            or getattr(C, "DEFAULT_SYSLOG_FACILITY", "LOG_USER")
        ),
        "_ansible_selinux_special_fs": list(
            getattr(
                C, "DEFAULT_SELINUX_SPECIAL_FS", ["fuse", "nfs", "vboxsf", "ramfs", "9p", "vfat"]
            )
        ),
        "_ansible_socket": None,
        "_ansible_shell_executable": "/bin/sh",
        "_ansible_keep_remote_files": False,
        "_ansible_tmpdir": None,
        # a private directory of this task (removed with the script's): see ansible_module.sh
        "_ansible_remote_tmp": "$EA_ANSIBLE_REMOTE_TMP",
        "_ansible_ignore_unknown_opts": False,
        "_ansible_target_log_info": None,
        "_ansible_tracebacks_for": [],
    }
