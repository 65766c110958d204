"""Turning the loaded configuration into what the commands use.

Command-line defaults are replaced before parsing (:func:`apply_to_parser`), so an option
given on the command line still wins, as in ansible-core. What is not a command-line option
(transport settings, retry files, colours) is read where it is used, from
:func:`edgeauto.config.active`.
"""

from __future__ import annotations

import os
import shlex
import sys

from edgeauto.config.load import Config

# setting -> argparse dest it is the default of (only when a file or the environment set it)
ARG_DEFAULTS = {
    "forks": "forks",
    "timeout": "timeout",
    "remote_user": "remote_user",
    "private_key_file": "private_key_file",
    "transport": "connection",
    "ask_pass": "ask_pass",
    "become_ask_pass": "ask_become_pass",
    "ask_vault_pass": "ask_vault_pass",
    "become_user": "become_user",
    "become_method": "become_method",
    "task_timeout": "task_timeout",
    "retry_unreachable": "retry_unreachable",
}
# ssh options edgeauto manages itself: an ssh_args copy of them would fight its ControlMaster
OWN_SSH_OPTIONS = ("controlmaster", "controlpath", "controlpersist", "stricthostkeychecking")


def apply_to_parser(parser, cfg: Config) -> None:
    """Set the defaults of ``parser``'s options (one sub-command) from the configuration."""
    dests = {action.dest for action in parser._actions}  # noqa: SLF001 - argparse has no API
    values = {}
    for name, dest in ARG_DEFAULTS.items():
        if dest in dests and cfg.is_set(name):
            value = cfg.get(name)
            values[dest] = "ssh" if (name == "transport" and value == "smart") else value
    if "become" in dests and cfg.is_set("become") and cfg.get("become"):
        values["become"] = True
    if "json" in dests and cfg.get("stdout_callback") == "json":
        values["json"] = True
    if values:
        parser.set_defaults(**values)


def stdout_callback_warning(cfg: Config) -> str | None:
    name = cfg.get("stdout_callback")
    if name in ("default", "yaml", "json", "ansible.builtin.default", "community.general.yaml"):
        return None
    return f"stdout_callback={name} is not supported: using edgeauto's default output"


def transport_settings(cfg: Config) -> dict:
    """TransportOptions fields the configuration sets (host_key_checking, ssh options)."""
    out: dict = {}
    if cfg.is_set("host_key_checking"):
        out["host_key_checking"] = bool(cfg.get("host_key_checking"))
    if cfg.is_set("ssh_args"):
        out["ssh_common_args"] = filter_ssh_args(shlex.split(cfg.get("ssh_args")))
    if cfg.is_set("control_path_dir"):
        out["control_dir"] = cfg.get("control_path_dir")
    if cfg.is_set("ssh_executable"):
        out["ssh_executable"] = cfg.get("ssh_executable")
    if cfg.is_set("ssh_kex_algorithms"):
        from edgeauto.transport.options import kex_setting

        out["kex_algorithms"] = kex_setting(cfg.get("ssh_kex_algorithms"))
    return out


def filter_ssh_args(argv: list[str]) -> list[str]:
    """``ssh_args`` without the ``-o`` options edgeauto sets itself (see OWN_SSH_OPTIONS)."""
    out: list[str] = []
    skip = False
    for i, word in enumerate(argv):
        if skip:
            skip = False
            continue
        if word == "-o" and i + 1 < len(argv):
            if argv[i + 1].split("=", 1)[0].strip().lower() in OWN_SSH_OPTIONS:
                skip = True
                continue
        elif word.startswith("-o") and word[2:].split("=", 1)[0].lower() in OWN_SSH_OPTIONS:
            continue
        out.append(word)
    return out


def host_key_warning(cfg: Config) -> str | None:
    if cfg.is_set("host_key_checking") and not cfg.get("host_key_checking"):
        return (
            f"host key checking is off (host_key_checking from {cfg.origins['host_key_checking']}):"
            " a changed or spoofed host key will not stop the run"
        )
    return None


def apply_to_process(cfg: Config) -> None:
    """Colours (read by the console through NO_COLOR/FORCE_COLOR) and one-time warnings."""
    if cfg.get("nocolor"):
        os.environ["NO_COLOR"] = "1"
        os.environ.pop("FORCE_COLOR", None)
    elif cfg.get("force_color"):
        os.environ["FORCE_COLOR"] = "1"
    messages = [*cfg.warnings, stdout_callback_warning(cfg), host_key_warning(cfg)]
    for message in messages:
        if message:
            print(f"[WARNING]: {message}", file=sys.stderr)
