"""Modules edgeauto runs through Ansible's Python modules, on hosts declared without Python."""

from edgeauto.lint.model import Example, Finding, Rule
from edgeauto.playbook.actions import canonical_action

NO_PYTHON_VAR = "edgeauto_has_python"


def check(file, ctx):
    inventory = getattr(ctx, "inventory", None)
    if inventory is None:
        return
    for play in file.plays:
        bare = _hosts_without_python(inventory, play.raw.get("hosts"))
        if not bare:
            continue
        for task in play.tasks:
            if task.action is None or canonical_action(task.action) is not None:
                continue
            yield Finding(
                RULE.id,
                f"{task.action} is not a native edgeauto module: it runs as Ansible's Python "
                f"module, and {', '.join(bare[:3])}{' …' if len(bare) > 3 else ''} "
                f"declare{'s' if len(bare) == 1 else ''} no Python ({NO_PYTHON_VAR}: false); "
                "use a native module or limit the play",
                task.pos,
                severity="error",
            )


def _hosts_without_python(inventory, pattern) -> list[str]:
    if not isinstance(pattern, (str, list)):
        return []
    try:
        hosts = inventory.select(pattern)
    except Exception:  # noqa: BLE001 - a templated or bad pattern: check-syntax reports it
        return []
    bare = []
    for host in hosts:
        value = inventory.host_vars(host.name).get(NO_PYTHON_VAR, True)
        if value is False or str(value).lower() in ("false", "no", "0"):
            bare.append(host.name)
    return bare


RULE = Rule(
    id="python-required",
    summary="modules that need Python on hosts without it",
    description=(
        "edgeauto's own modules are POSIX sh and need nothing on the target. Any other module "
        "runs as Ansible's own Python module, which fails on BusyBox and OpenWrt devices. "
        "Mark such hosts or groups with `edgeauto_has_python: false` in the inventory and "
        "this rule (run with `-i`) finds the tasks that would fail there before any run."
    ),
    check=check,
    fails=(
        Example(
            "- name: Devices\n  hosts: devices\n  tasks:\n    - name: Debconf\n"
            "      ansible.builtin.debconf: {name: tzdata, question: q, value: v, vtype: string}\n"
        ),
    ),
    passes=(
        Example(
            "- name: Devices\n  hosts: devices\n  tasks:\n    - name: Marker\n"
            "      copy: {dest: /etc/marker, content: x}\n"
        ),
    ),
)
