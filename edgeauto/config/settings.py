"""The ansible.cfg settings edgeauto reads, each with its INI key, environment variables,
type and default as ansible-core declares them, and what it does here.

One table, so that ``edgeauto config dump``, the warnings about unsupported keys and the
documentation (docs/config.md) can never disagree about what is supported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ANSIBLE_HOME = "~/.ansible"


@dataclass(frozen=True)
class Setting:
    name: str  # the INI key
    ansible_name: str  # ansible-config's name (what `dump` prints)
    section: str
    type: str  # str | bool | int | float | list | pathlist (,) | pathspec (:) | path
    default: Any
    what: str  # what it does in edgeauto
    env: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())  # other INI keys for the same setting


def _s(name, ansible_name, section, type_, default, what, env=(), choices=(), aliases=()):
    env = env or (f"ANSIBLE_{name.upper()}",)
    return Setting(name, ansible_name, section, type_, default, what, tuple(env), choices, aliases)


D, P, S, E = "defaults", "privilege_escalation", "ssh_connection", "edgeauto"

# fmt: off
SETTINGS: tuple[Setting, ...] = (
    _s("inventory", "DEFAULT_HOST_LIST", D, "pathlist", ["/etc/ansible/hosts"],
       "inventory sources when no -i is given (missing default file: no inventory)"),
    _s("roles_path", "DEFAULT_ROLES_PATH", D, "pathspec",
       [f"{ANSIBLE_HOME}/roles", "/usr/share/ansible/roles", "/etc/ansible/roles"],
       "where roles are searched after roles/ beside the playbook"),
    _s("collections_path", "COLLECTIONS_PATHS", D, "pathspec",
       [f"{ANSIBLE_HOME}/collections", "/usr/share/ansible/collections"],
       "where collections (ansible_collections/NS/NAME) are searched: roles by FQCN, "
       "modules for the Ansible-module fallback",
       env=("ANSIBLE_COLLECTIONS_PATH", "ANSIBLE_COLLECTIONS_PATHS"),
       aliases=("collections_paths",)),
    _s("library", "DEFAULT_MODULE_PATH", D, "pathspec",
       [f"{ANSIBLE_HOME}/plugins/modules", "/usr/share/ansible/plugins/modules"],
       "extra directories of Ansible modules for the fallback"),
    _s("local_tmp", "DEFAULT_LOCAL_TMP", D, "path", f"{ANSIBLE_HOME}/tmp",
       "read by ansible-core itself when it packages a fallback module on the controller",
       env=("ANSIBLE_LOCAL_TEMP",)),
    _s("remote_user", "DEFAULT_REMOTE_USER", D, "str", None, "login user (like -u)"),
    _s("remote_port", "DEFAULT_REMOTE_PORT", D, "int", None, "SSH port when the inventory has none"),
    _s("private_key_file", "DEFAULT_PRIVATE_KEY_FILE", D, "path", None,
       "SSH private key (like --private-key)"),
    _s("transport", "DEFAULT_TRANSPORT", D, "str", "ssh",
       "connection type (ssh, smart = ssh, paramiko, local, docker)"),
    _s("forks", "DEFAULT_FORKS", D, "int", 5,
       "hosts in parallel; edgeauto's own default stays 50 unless this is set"),
    _s("timeout", "DEFAULT_TIMEOUT", D, "int", 10, "connection timeout in seconds (like -T)"),
    _s("host_key_checking", "HOST_KEY_CHECKING", D, "bool", True,
       "strict host key checking; turning it off is honoured with a warning every run"),
    _s("ask_pass", "DEFAULT_ASK_PASS", D, "bool", False, "prompt for the SSH password (like -k)"),
    _s("gathering", "DEFAULT_GATHERING", D, "str", "implicit",
       "implicit: plays gather facts unless gather_facts: false; explicit: only with "
       "gather_facts: true; smart: gather once per host per run, or take fresh cached facts",
       choices=("implicit", "explicit", "smart")),
    _s("gather_subset", "DEFAULT_GATHER_SUBSET", D, "list", ["all"],
       "fact subsets of the implicit facts task when the play sets none"),
    _s("fact_caching", "CACHE_PLUGIN", D, "str", "memory",
       "memory: facts live for the run; any other plugin name (jsonfile, sqlite, redis…): "
       "edgeauto's SQLite fact cache", env=("ANSIBLE_CACHE_PLUGIN",)),
    _s("fact_caching_connection", "CACHE_PLUGIN_CONNECTION", D, "path", None,
       "the fact cache's file, or a directory that gets facts.db",
       env=("ANSIBLE_CACHE_PLUGIN_CONNECTION",)),
    _s("fact_caching_timeout", "CACHE_PLUGIN_TIMEOUT", D, "int", 86400,
       "seconds cached facts stay fresh (0: forever)", env=("ANSIBLE_CACHE_PLUGIN_TIMEOUT",)),
    _s("vault_password_file", "DEFAULT_VAULT_PASSWORD_FILE", D, "path", None,
       "vault password file (or executable) when no --vault-* option is given"),
    _s("vault_identity_list", "DEFAULT_VAULT_IDENTITY_LIST", D, "list", [],
       "vault ids (label@source) when no --vault-* option is given"),
    _s("ask_vault_pass", "DEFAULT_ASK_VAULT_PASS", D, "bool", False, "prompt for the vault password"),
    _s("retry_files_enabled", "RETRY_FILES_ENABLED", D, "bool", False,
       "write PLAYBOOK.retry with the failed and unreachable hosts (off, as in ansible-core)"),
    _s("retry_files_save_path", "RETRY_FILES_SAVE_PATH", D, "path", None,
       "directory for .retry files (default: beside the playbook)"),
    _s("stdout_callback", "DEFAULT_STDOUT_CALLBACK", D, "str", "default",
       "default and yaml: the console output; json: one JSON document (like --json)"),
    _s("callback_result_format", "CALLBACK_RESULT_FORMAT", D, "str", "json",
       "accepted (json or yaml); edgeauto's console prints results one way",
       env=("ANSIBLE_CALLBACK_RESULT_FORMAT",)),
    _s("nocolor", "ANSIBLE_NOCOLOR", D, "bool", False, "no colours",
       env=("ANSIBLE_NOCOLOR", "NO_COLOR")),
    _s("force_color", "ANSIBLE_FORCE_COLOR", D, "bool", False, "colours even when not a terminal"),
    _s("ansible_managed", "DEFAULT_MANAGED_STR", D, "str", "Ansible managed",
       "the ansible_managed string of templates"),
    _s("become", "DEFAULT_BECOME", P, "bool", False, "become for every play (like -b)"),
    _s("become_method", "DEFAULT_BECOME_METHOD", P, "str", "sudo", "become method",
       choices=("sudo", "su", "doas")),
    _s("become_user", "DEFAULT_BECOME_USER", P, "str", "root", "become user"),
    _s("become_ask_pass", "DEFAULT_BECOME_ASK_PASS", P, "bool", False,
       "prompt for the become password (like -K)"),
    _s("ssh_args", "ssh_args", S, "str", "-C -o ControlMaster=auto -o ControlPersist=60s",
       "extra ssh options; edgeauto keeps its own ControlMaster/ControlPath and strict host "
       "keys, so -o ControlMaster/ControlPath/ControlPersist given here are left out"),
    _s("control_path_dir", "control_path_dir", S, "path", f"{ANSIBLE_HOME}/cp",
       "where ControlMaster sockets live (a private 0700 directory)",
       env=("ANSIBLE_SSH_CONTROL_PATH_DIR",)),
    _s("ssh_executable", "ssh_executable", S, "str", "ssh", "the ssh program",
       env=("ANSIBLE_SSH_EXECUTABLE",)),
    _s("pipelining", "ANSIBLE_PIPELINING", S, "bool", False,
       "accepted; edgeauto always sends one script per host over one session",
       env=("ANSIBLE_PIPELINING", "ANSIBLE_SSH_PIPELINING")),
    _s("task_timeout", "EDGEAUTO_TASK_TIMEOUT", E, "float", 600.0,
       "bound on one script (segment) in seconds (like --task-timeout)",
       env=("EDGEAUTO_TASK_TIMEOUT",)),
    _s("retry_unreachable", "EDGEAUTO_RETRY_UNREACHABLE", E, "int", 0,
       "reconnect attempts before a host is unreachable (like --retry-unreachable)",
       env=("EDGEAUTO_RETRY_UNREACHABLE",)),
    _s("ssh_kex_algorithms", "EDGEAUTO_SSH_KEX_ALGORITHMS", E, "str", "fast",
       "key exchange for OpenSSH: fast (curve25519-sha256 first, ~6x less CPU per cold "
       "connection), openssh (ssh's default, post-quantum hybrid first) or a KexAlgorithms list",
       env=("EDGEAUTO_SSH_KEX_ALGORITHMS",)),
)
# fmt: on

BY_KEY: dict[tuple[str, str], Setting] = {
    (s.section, key): s for s in SETTINGS for key in (s.name, *s.aliases)
}
BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}
KNOWN_ENV: frozenset[str] = frozenset(e for s in SETTINGS for e in s.env)

# ANSIBLE_* variables other parts of edgeauto read themselves (or that only locate files)
ENV_READ_ELSEWHERE = frozenset(
    {"ANSIBLE_CONFIG", "ANSIBLE_HOME", "ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_INVENTORY"}
)
