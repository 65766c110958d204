"""``edge_catalog``: the service-discovery catalog written to a host (services.json and the
/etc/hosts-format services.hosts, each replaced atomically only when it differs) and set as
the fact ``edge_services`` for the templates of later tasks.

``edgeauto workload apply`` puts this task in the same script as each host's deploy; a
playbook passes the catalog it has (e.g. the ``services`` of ``edgeauto workload status
--json``, or one it builds) as ``services``.
"""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.fleet.catalog import CATALOG_DIR, render_hosts, render_json
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
            required=True,
            description="service name -> list of endpoint dicts (host, address, port, ...).",
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


MODULE = EdgeCatalogModule()
