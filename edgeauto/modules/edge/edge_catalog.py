"""``edge_catalog``: the service-discovery catalog written to a host (services.json and the
/etc/hosts-format services.hosts, each replaced atomically only when it differs) and set as
the fact ``edge_services`` for the templates of later tasks.

``edgeauto workload apply`` puts this task in the same script as each host's deploy, with
the catalog it built (``services``). A playbook names instead the variable its
``edge_workload`` tasks registered (``from_results: deployed``): the catalog is then built
from that result on every host of the play (address ``edge_address``, else ``ansible_host``)
— put the task in a play after the deploy play, so every host's result is in.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.fleet.catalog import (
    CATALOG_DIR,
    build_catalog,
    endpoints_for,
    host_address,
    render_hosts,
    render_json,
)
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option, is_templated

SPEC = ModuleSpec(
    name="edge_catalog",
    short_description="Write the service-discovery catalog to a host",
    description=(
        "Writes services.json (service -> endpoints with host, address, port, proto, health, "
        "version) and services.hosts (ADDRESS SERVICE.svc.edgeauto HOST.SERVICE.svc.edgeauto "
        "for every serving endpoint) into dir, atomically, and sets the fact edge_services."
    ),
    aliases=("edgeauto.fleet.edge_catalog",),
    oracle=None,
    options={
        "services": Option(
            type="dict",
            description="service name -> list of endpoint dicts (host, address, port, ...).",
        ),
        "from_results": Option(
            description="Name of the variable edge_workload results were registered as: "
            "the catalog of the play's hosts is built from them.",
        ),
        "dir": Option(type="path", default=CATALOG_DIR, description="Catalog directory."),
    },
    supports_diff=False,
    returns={"ansible_facts": "edge_services: the catalog's services."},
    examples="- edge_catalog:\n    services: '{{ catalog.services }}'\n",
)

EA_EDGE_CATALOG = ShellFunction(
    "ea_edge_catalog", "edge_catalog.sh", needs=("fileattrs.sh",), params="dir json hosts"
)
ENDPOINT_KEYS = {"host", "address", "port", "proto", "health", "version"}


class EdgeCatalogModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_EDGE_CATALOG,)
    returns_facts = True
    invalidates = None
    no_fixtures_because = "writes /etc/edgeauto: covered by the workload lab tests"
    converged_in = "tests/integration/edge/test_workloads_lab.py: part of every apply"

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final=final)
        if not final and not is_templated(args):
            self.check_args(out, pos)
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        if (args.get("services") is None) == (args.get("from_results") is None):
            raise ModuleArgumentError("give one of services and from_results", pos)
        for service, endpoints in (args.get("services") or {}).items():
            if not isinstance(endpoints, list):
                raise ModuleArgumentError(
                    f"argument 'services': {service}: expected a list of endpoints", pos
                )
            for ep in endpoints:
                missing = {"host", "address", "port"} - set(ep if isinstance(ep, dict) else ())
                if missing or not isinstance(ep, dict) or set(ep) - ENDPOINT_KEYS:
                    raise ModuleArgumentError(
                        f"argument 'services': {service}: an endpoint is a dict with host, "
                        f"address, port (and proto, health, version), found {ep!r}",
                        pos,
                    )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        if args.get("from_results"):
            args["services"] = services_from_results(str(args["from_results"]), ctx.task_vars)
        catalog = {"services": args["services"]}
        return EA_EDGE_CATALOG.call(
            dir=str(args.get("dir") or CATALOG_DIR),
            json="@payload:json",
            hosts="@payload:hosts",
            payloads={"json": render_json(catalog), "hosts": render_hosts(catalog)},
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        if not out.get("failed"):
            out["ansible_facts"] = {"edge_services": args["services"]}
        return out


def services_from_results(var: str, task_vars: dict) -> dict:
    """The catalog from the edge_workload results each play host registered as ``var``
    (a loop's ``results`` too): the host's current record gives the ports and version, the
    container's state the health."""
    from edgeauto.fleet.spec import Workload

    hostvars = task_vars.get("hostvars") or {}
    endpoints = []
    for host in task_vars.get("ansible_play_hosts_all") or []:
        hv = hostvars[host] if host in hostvars else {}
        registered = hv.get(var) or {}
        for result in registered.get("results") or [registered]:
            current = (result or {}).get("current") or {}
            if not current:
                continue
            try:
                workload = Workload.from_json(current)
            except (KeyError, TypeError, ValueError):
                continue
            state = result.get("container_state") or {}
            health = (
                str(state.get("health") or "unknown")
                if state.get("status") == "running"
                else "down"
            )
            address = host_address(host, hv)
            endpoints += endpoints_for(workload, host, address, health, workload.image)
    return build_catalog(endpoints)["services"]


MODULE = EdgeCatalogModule()
