"""Which keywords each level of a playbook accepts.

Kept as plain sets so the loader can tell a misspelt keyword ("whn") from a module name and
offer a 'did you mean'. Ansible keywords edgeauto does not implement are listed separately so
the error says "not supported" instead of "unknown" — the user's playbook is valid Ansible, it
just asks for something we deliberately left out.
"""

from __future__ import annotations

# The meta actions are declared once, by the meta module (the executor keys its table by it).
from edgeauto.modules.core.meta import META_ACTIONS as META_ACTIONS

BECOME = {"become", "become_user", "become_method", "become_flags"}
BECOME_METHODS = ("sudo", "su", "doas")

# Lookups usable as with_<name>; with_items etc. normalise to Task.loop + Task.loop_kind.
LOOP_LOOKUPS = {
    "items",
    "list",
    "dict",
    "fileglob",
    "together",
    "subelements",
    "sequence",
    "nested",
    "indexed_items",
    "flattened",
    "lines",
    "first_found",
    "random_choice",
    "cartesian",
}

LOOP_CONTROL_KEYS = {"loop_var", "label", "index_var", "pause", "extended", "extended_allitems"}

_SHARED = {
    "name",
    "when",
    "tags",
    "vars",
    "environment",
    "ignore_errors",
    "ignore_unreachable",
    "no_log",
    "check_mode",
    "diff",
    "any_errors_fatal",
    "run_once",
    "delegate_to",
    "timeout",
    "remote_user",
    "module_defaults",
} | BECOME

TASK = _SHARED | {
    "async",
    "poll",
    "action",
    "local_action",
    "args",
    "loop",
    "loop_control",
    "register",
    "notify",
    "failed_when",
    "changed_when",
    "until",
    "retries",
    "delay",
    "serial",  # edgeauto extension (ansible-playbook refuses it on tasks): playbook/serial.py
}
HANDLER = TASK | {"listen"}
#: task/handler keywords edgeauto adds to Ansible's: ansible-playbook rejects a playbook using
#: them (the lint rule ``edgeauto-extension`` says so)
EDGEAUTO_TASK_KEYWORDS = frozenset({"serial"})
#: actions a task-level ``serial`` cannot apply to: they run no task of their own
NO_SERIAL_ACTIONS = frozenset(
    {"include_tasks", "import_tasks", "include", "include_role", "import_role", "meta"}
)

BLOCK = _SHARED | {"block", "rescue", "always", "notify"}

PLAY = {
    "hosts",
    "name",
    "vars",
    "vars_files",
    "roles",
    "pre_tasks",
    "tasks",
    "post_tasks",
    "handlers",
    "serial",
    "max_fail_percentage",
    "any_errors_fatal",
    "gather_facts",
    "gather_subset",
    "gather_timeout",
    "tags",
    "environment",
    "strategy",
    "remote_user",
    "connection",
    "check_mode",
    "diff",
    "no_log",
    "force_handlers",
    "order",
    "ignore_unreachable",
    "ignore_errors",
    "run_once",
    "timeout",
    "module_defaults",
} | BECOME

IMPORT_PLAYBOOK = {"import_playbook", "name", "when", "tags", "vars"}

# Keywords on a `roles:` entry; every other key is a role parameter.
ROLE_ENTRY = {
    "role",
    "name",
    "when",
    "tags",
    "vars",
    "environment",
    "delegate_to",
    "ignore_errors",
    "no_log",
    "any_errors_fatal",
    "check_mode",
    "diff",
    "run_once",
} | BECOME
# ...of those, the ones carried on a block around the role's tasks (the rest shape the entry)
ROLE_BLOCK = ROLE_ENTRY - {"role", "name", "when", "tags", "vars"}

ROLE_INCLUDE_ARGS = {
    "name",
    "tasks_from",
    "vars_from",
    "defaults_from",
    "handlers_from",
    "allow_duplicates",
    "public",
    "apply",
    "rolespec_validate",
}
TASK_INCLUDE_ARGS = {"file", "apply", "_raw_params"}

# Valid Ansible keywords that edgeauto accepts and ignores (they change nothing for us).
IGNORED = {"collections", "debugger", "gather_timeout"}

# Valid Ansible keywords that edgeauto refuses, with the reason shown to the user.
UNSUPPORTED = {
    "throttle": "edgeauto runs one script per host; per-task throttling is not supported",
    "delegate_facts": "only delegate_to: localhost is supported",
    "port": "set ansible_port in the inventory instead",
    "become_exe": "become_exe is not supported; use become_method",
    "vars_prompt": "edgeauto never prompts; pass values with -e",
    "fact_path": "local facts (fact_path) are not supported",
    "connection": "set ansible_connection in the inventory instead",
    "sudo": "removed from Ansible; use become: true",
    "sudo_user": "removed from Ansible; use become_user",
    "su": "removed from Ansible; use become: true with become_method: su",
    "su_user": "removed from Ansible; use become_user",
    "always_run": "removed from Ansible; use check_mode: false",
}
# Play-level keywords that are supported there even though UNSUPPORTED lists them for tasks.
PLAY_ONLY_OK = {"connection"}

# Controller-side actions and load-time directives the registry may not define.
CONTROL_ACTIONS = {
    "include_tasks",
    "import_tasks",
    "include_role",
    "import_role",
    "import_playbook",
    "meta",
    "include_vars",
    "add_host",
    "group_by",
    "wait_for_connection",
}

# Modules whose `module: text` is a command line (Ansible's FREEFORM_ACTIONS). Only a few
# k=v keys are pulled out of the text; everything else stays in _raw_params.
FREE_FORM = {"command", "shell", "script", "raw"}
FREE_FORM_KEYS = {
    "creates",
    "removes",
    "chdir",
    "executable",
    "warn",
    "stdin",
    "stdin_add_newline",
    "strip_empty_ends",
}
# Actions that take `action: text` as their main argument without being command lines.
RAW_PARAM_ACTIONS = FREE_FORM | {
    "include_tasks",
    "import_tasks",
    "include_role",
    "import_role",
    "include_vars",
    "meta",
    "set_fact",
    "add_host",
    "group_by",
}

MAGIC_VARS = {
    "inventory_hostname",
    "inventory_hostname_short",
    "inventory_dir",
    "inventory_file",
    "groups",
    "group_names",
    "hostvars",
    "play_hosts",
    "ansible_play_hosts",
    "ansible_play_hosts_all",
    "ansible_play_batch",
    "ansible_play_name",
    "playbook_dir",
    "role_path",
    "role_name",
    "omit",
    "item",
    "ansible_loop",
    "ansible_loop_var",
    "ansible_index_var",
    "ansible_search_path",
    "ansible_check_mode",
    "ansible_diff_mode",
    "ansible_facts",
    "ansible_run_tags",
    "ansible_skip_tags",
    "ansible_version",
    "ansible_limit",
    "ansible_parent_role_names",
    "ansible_role_names",
    "environment",
    "lookup",
    "query",
    "q",
    "now",
    "range",
    "dict",
    "lipsum",
    "cycler",
    "joiner",
    "namespace",
    "undef",
    "true",
    "false",
    "none",
    "True",
    "False",
    "None",
}
