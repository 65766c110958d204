"""``edge_workload_info``: what runs on a host, in one call — per workload the container's
state (status, health, restarts, image id, config digest) and the host's current/previous
records; the local ids of some image references; optionally the ``edgeauto_hw`` probe. The
rollout's probe and ``edgeauto workload status`` are this one task (one round trip per host).
"""

from __future__ import annotations

from edgeauto.facts.edge_hw import parse_edge_hw
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall
from edgeauto.modules.core._sys import lines_field, sys_result
from edgeauto.modules.edge.edge_workload import json_field, parse_state
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="edge_workload_info",
    short_description="Report the edge workloads of a host",
    description=(
        "Per workload: the container's state and the host's current/previous records; the "
        "ids of the image references asked for; with hardware=true the edgeauto_hw facts."
    ),
    aliases=("edgeauto.fleet.edge_workload_info",),
    oracle=None,
    options={
        "names": Option(type="list", elements="str", description="Workloads (default: all)."),
        "images": Option(type="list", elements="str", description="Image refs to look up."),
        "hardware": Option(type="bool", default=False, description="Also probe edgeauto_hw."),
    },
    supports_diff=False,
    returns={
        "docker": "whether a docker daemon answers.",
        "workloads": "name -> {state, current, previous}.",
        "images": "image ref -> local image id (refs not present are left out).",
        "ansible_facts": "edgeauto_hw (hardware=true).",
    },
    examples=(
        "- edge_workload_info: {names: [web]}\n"
        "  register: running\n"
        '- debug: {msg: "{{ running.workloads.web.current.image }}"}\n'
    ),
)

EA_STATUS = ShellFunction(
    "ea_edge_workload_status",
    "edge_workload.sh",
    needs=("fileattrs.sh", "filestat.sh", "docker.sh", "edge_hw.sh"),
    params="names refs hw",
)


class EdgeWorkloadInfoModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_STATUS,)
    returns_facts = True
    invalidates = None
    no_fixtures_because = "reads docker state: covered by the workload lab tests"
    converged_in = "tests/integration/edge/test_workloads_lab.py: changes nothing"

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        words = [str(n) for n in args.get("names") or []]
        refs = [str(r) for r in args.get("images") or []]
        return EA_STATUS.call(
            names=" ".join(words), refs=" ".join(refs), hw="1" if args.get("hardware") else ""
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = sys_result(record)
        names = str(out.pop("names", "")).split()
        out["docker"] = out.get("docker") == "1"
        out["workloads"] = {
            name: {
                "state": parse_state(out.pop(f"state_{name}", "")),
                "current": json_field(out.pop(f"current_{name}", "")),
                "previous": json_field(out.pop(f"previous_{name}", "")),
            }
            for name in names
        }
        out["images"] = dict(
            line.split(" ", 1) for line in lines_field(out.get("images")) if " " in line
        )
        hw = out.pop("hw", None)
        if hw is not None:
            out["ansible_facts"] = {"edgeauto_hw": parse_edge_hw(lines_field(hw))}
        return out


MODULE = EdgeWorkloadInfoModule()
