"""``pip``: Python packages, ansible.builtin.pip's decisions, driven from sh.

The target needs Python and pip (this module manages them); nothing of edgeauto's runs in
Python there except the one satisfaction check (``packaging``, pip's own copy, under the
interpreter of that pip), which Ansible's module does with the same library. As in Ansible:
the real run always runs pip and reports changed when pip says "Successfully installed" /
"Successfully uninstalled" (requirements files and VCS URLs: when ``pip list`` differs);
check mode decides from ``pip list --format=freeze`` and says changed for requirements,
extra_args, state=latest, or a virtualenv still to create.
"""

from __future__ import annotations

import shlex

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._pkgs import command_output
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

OPERATORS = (">=", "<=", ">", "<", "==", "!=", "~=")

SPEC = ModuleSpec(
    name="pip",
    short_description="Manages Python library dependencies",
    description="Works like ansible.builtin.pip (needs python3 and pip on the target).",
    options={
        "name": Option(type="list", elements="str", description="Requirement(s)."),
        "version": Option(description="Version (one name only)."),
        "requirements": Option(description="A requirements file (on the target)."),
        "virtualenv": Option(type="path", description="Virtualenv directory (created if missing)."),
        "virtualenv_site_packages": Option(
            type="bool", default=False, description="--system-site-packages."
        ),
        "virtualenv_command": Option(
            type="path", default="virtualenv", description="Command that creates the virtualenv."
        ),
        "virtualenv_python": Option(description="Python for virtualenv -p."),
        "state": Option(
            default="present",
            choices=("present", "absent", "latest", "forcereinstall"),
            description="Package state.",
        ),
        "extra_args": Option(description="Extra pip arguments."),
        "editable": Option(type="bool", default=False, description="pip install -e."),
        "chdir": Option(type="path", description="Working directory."),
        "executable": Option(type="path", description="The pip to use."),
        "umask": Option(description="Octal umask for pip."),
        "break_system_packages": Option(
            type="bool", default=False, description="PIP_BREAK_SYSTEM_PACKAGES=1."
        ),
    },
    required_one_of=(("name", "requirements"),),
    mutually_exclusive=(("name", "requirements"), ("executable", "virtualenv")),
    returns={
        "cmd": "The pip command.",
        "name": "The names given.",
        "version": "The version given.",
        "requirements": "The requirements file.",
        "virtualenv": "The virtualenv.",
        "state": "The state.",
    },
    examples="- pip:\n    name: requests\n    virtualenv: /opt/venv\n    virtualenv_command: python3 -m venv\n",
)

EA_PIP = ShellFunction(
    "ea_pip",
    "pip.sh",
    params="state pip venv venvcmd venvpy venvsite chdir umask breaksys reqs extra",
    rest="names",
    defaults={"state": "present", "venvcmd": "virtualenv", "venvsite": "0", "breaksys": "0"},
)


def recover_names(names: list[str]) -> list[str]:
    """Ansible's _recover_package_name: 'django>1', '<2' → 'django>1,<2' (brackets kept)."""
    parts = [p for item in names for p in item.split(",")]
    out: list[str] = []
    current: list[str] = []
    in_brackets = False
    for part in parts:
        if not part.lstrip().startswith(OPERATORS) and not in_brackets:
            if current:
                out.append(",".join(current))
            current = []
        if "[" in part:
            in_brackets = True
        if in_brackets and "]" in part:
            in_brackets = False
        current.append(part)
    out.append(",".join(current))
    return out


def has_specifier(name: str) -> bool:
    return any(op in name for op in OPERATORS)


class PipModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_PIP,)
    invalidates = "all"
    converged_in = (
        "tests/integration/modules/test_pkgs_lab.py: a python lab host given pip and venv with "
        "the apt module, and wheels the test builds (no PyPI)"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        if args.get("state") == "latest" and args.get("version") is not None:
            raise ModuleArgumentError("version is incompatible with state=latest", pos)
        umask = args.get("umask")
        if umask is not None and not (
            isinstance(umask, int) or all(c in "01234567" for c in str(umask))
        ):
            raise ModuleArgumentError("umask must be an octal integer", pos)
        names = recover_names(args["name"]) if args.get("name") else []
        if args.get("version") is not None:
            if len(names) > 1:
                raise ModuleArgumentError(
                    "'version' argument is ambiguous when installing multiple package "
                    "distributions. Please specify version restrictions next to each package "
                    "in 'name' argument.",
                    pos,
                )
            if names and has_specifier(names[0]):
                raise ModuleArgumentError(
                    "The 'version' argument conflicts with any version specifier provided "
                    "along with a package name. Please keep the version specifier, but remove "
                    "the 'version' argument.",
                    pos,
                )
        venv_cmd = str(args.get("virtualenv_command") or "virtualenv")
        is_venv = venv_cmd.split()[:1] == ["pyvenv"] or " -m venv" in f" {venv_cmd} "
        if is_venv and args.get("virtualenv_python"):
            raise ModuleArgumentError(
                "virtualenv_python should not be used when using the venv module or pyvenv as "
                "virtualenv_command",
                pos,
            )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        names = recover_names(args["name"]) if args.get("name") else []
        version = args.get("version")
        if version is not None and names:
            version = str(version).lstrip()
            sep = "==" if version[:1].isdigit() else " "
            names[0] = f"{names[0]}{sep}{version}"
        extra = shlex.split(args.get("extra_args") or "")
        if args.get("editable") and "-e" not in extra:
            extra.append("-e")
        umask = args.get("umask")
        if isinstance(umask, int):
            umask = format(umask, "o")
        venv = text(args.get("virtualenv"))
        return EA_PIP.call(
            state=args.get("state") or "present",
            pip=text(args.get("executable")),
            venv=venv,
            venvcmd=str(args.get("virtualenv_command") or "virtualenv"),
            venvpy=text(args.get("virtualenv_python")),
            venvsite=flag(args.get("virtualenv_site_packages")),
            chdir=text(args.get("chdir")),
            umask=text(umask),
            breaksys=flag(args.get("break_system_packages")),
            reqs=text(args.get("requirements")) if not names else "",
            extra="\n".join(extra),
            names=names,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        command_output(out, out, "pip_out", "pip_err")
        cmd = out.pop("cmd", "")
        if ctx.check_mode:
            if cmd:
                out["cmd"] = cmd
            else:
                for key in ("stdout", "stdout_lines", "stderr", "stderr_lines"):
                    out.pop(key, None)
            return out
        out["cmd"] = [w for w in cmd.split("\n") if w]
        if not out.get("failed"):
            venv = args.get("virtualenv")
            if venv and args.get("chdir") and not str(venv).startswith("/"):
                venv = f"{args['chdir']}/{venv}"
            out.update(
                name=args.get("name"),
                version=args.get("version"),
                state=args.get("state") or "present",
                requirements=args.get("requirements"),
                virtualenv=venv,
            )
        return out


MODULE = PipModule()
