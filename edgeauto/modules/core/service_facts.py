"""``service_facts``: ``ansible_facts.services`` in Ansible's shape.

``remote/service_facts.sh`` runs the listings Ansible's module runs (``service --status-all``,
``rc-status``/``rc-update``, ``systemctl list-units``/``list-unit-files``) and sends them raw;
:func:`parse_services` builds ``{name: {name, state, status, source}}`` the same way, so a
Debian host gives the same facts as with Ansible (SysV entries first, systemd entries after).
Where Ansible finds nothing (BusyBox devices: no ``service`` tool, no systemd) the init scripts
in /etc/init.d are listed with their status and S??NAME boot links, and runit's /etc/sv
services when ``sv`` exists.
"""

from __future__ import annotations

import re

from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec

SPEC = ModuleSpec(
    name="service_facts",
    short_description="Return service state information as fact data",
    description=(
        "Works like ansible.builtin.service_facts (systemd, SysV via service --status-all, "
        "OpenRC). On targets Ansible finds nothing on (BusyBox: no service tool), lists "
        "/etc/init.d scripts and runit /etc/sv services with state and enabled status."
    ),
    options={},
    returns={"ansible_facts.services": "{name: {name, state, status, source}}"},
    examples="- service_facts:\n- debug: var=ansible_facts.services['ssh.service']\n",
)

EA_SERVICE_FACTS = ShellFunction("ea_service_facts", "service_facts.sh", params=())

NOTHING = (
    "Failed to find any services. This can be due to privileges or some other configuration issue."
)
_SYSV_LINE = re.compile(r"^\s*\[ (?P<state>\+|\-) \]\s+(?P<name>.+)$", re.M)
_BAD_STATES = ("not-found", "masked", "failed")


def _tabbed(text: str, width: int) -> list[list[str]]:
    rows = []
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == width and parts[0]:
            rows.append(parts)
    return rows


def _sysv(fields: dict, services: dict) -> None:
    for match in _SYSV_LINE.finditer(fields.get("sysv_all", "")):
        name = match.group("name")
        state = "running" if match.group("state") == "+" else "stopped"
        services[name] = {"name": name, "state": state, "source": "sysv"}


def _openrc(fields: dict, services: dict) -> None:
    levels: dict[str, list[str] | None] = {}
    for line in fields.get("openrc_update", "").split("\n"):
        parts = line.split("|")
        if len(parts) < 2:
            continue
        runlevels = parts[1].strip()
        levels[parts[0].strip()] = runlevels.split() if runlevels else None
    for line in fields.get("openrc_status", "").split("\n"):
        parts = line.split()
        if len(parts) < 2 or parts[0] == "*" or parts[0] not in levels:
            continue
        services[parts[0]] = {
            "name": parts[0],
            "runlevels": levels[parts[0]],
            "state": parts[1],
            "source": "openrc",
        }


def _systemd(fields: dict, services: dict) -> None:
    for line in fields.get("units", "").split("\n"):
        if ".service" not in line:
            continue
        cols = line.split()
        if len(cols) < 4:
            continue
        status = next((bad for bad in _BAD_STATES if bad in cols[:-1]), cols[2])
        services[cols[0]] = {
            "name": cols[0],
            "state": "running" if cols[3] == "running" else "stopped",
            "status": status,
            "source": "systemd",
        }
    states = dict(_tabbed(fields.get("unit_states", ""), 2))
    for line in fields.get("unit_files", "").split("\n"):
        if ".service" not in line:
            continue
        cols = line.split()
        if len(cols) < 2:
            continue
        name, status = cols[0], cols[1]
        if name not in services:
            services[name] = {
                "name": name,
                "state": states.get(name, "unknown") or "unknown",
                "status": status,
                "source": "systemd",
            }
        elif services[name]["status"] not in _BAD_STATES:
            services[name]["status"] = status


def _listed(fields: dict, services: dict, key: str, source: str) -> None:
    for name, state, status in _tabbed(fields.get(key, ""), 3):
        if source == "runit" and name in services and status != "enabled":
            continue  # an /etc/sv dir runit does not supervise: the init script's entry stays
        services[name] = {"name": name, "state": state, "status": status, "source": source}


def parse_services(fields: dict) -> dict:
    """The raw listings of ``ea_service_facts`` → Ansible's ``services`` dict."""
    services: dict = {}
    _sysv(fields, services)
    _openrc(fields, services)
    _systemd(fields, services)
    _listed(fields, services, "initd", "sysv")
    _listed(fields, services, "runit", "runit")
    return services


_RAW = (
    "sysv_all",
    "sysv_rc",
    "initd_dir",
    "openrc_status",
    "openrc_update",
    "units",
    "unit_files",
    "unit_states",
    "initd",
    "runit",
)


class ServiceFactsModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_SERVICE_FACTS,)
    returns_facts = True
    invalidates = None
    converged_in = (
        "tests/integration/modules/test_svc_lab.py: reads real init systems "
        "(debian systemd, light debian SysV, busybox)"
    )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_SERVICE_FACTS.call()

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        fields = {k: out.pop(k) for k in _RAW if k in out}
        if out.get("failed"):
            return out
        warnings = []
        rc = fields.get("sysv_rc", "0")
        if rc not in ("0", "") and not (rc == "4" and "initd_dir" not in fields):
            warnings.append(f"Unable to query 'service' tool ({rc}): ")
        services = parse_services(fields)
        if not services:
            out.update(skipped=True, msg=NOTHING)
        else:
            out["ansible_facts"] = {"services": services}
        if warnings:
            out["warnings"] = warnings
        return out


MODULE = ServiceFactsModule()
