"""``docker_network`` (community.docker.docker_network): a docker network and the containers
attached to it. A network whose driver, IPAM subnets, internal flag, options or labels differ
from the task is recreated (its containers disconnected first and connected again)."""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.core._sys import letters
from edgeauto.modules.edge._docker import (
    DOCKER_SH,
    Blocks,
    DockerModule,
    docker_result,
    driver_and_maps,
    one_line,
    value_line,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="docker_network",
    short_description="Manage Docker networks",
    description=(
        "Works like community.docker.docker_network for the options listed, driving the "
        "docker CLI on the target. Differences in driver, ipam_config, internal, "
        "driver_options or labels recreate the network."
    ),
    aliases=("community.docker.docker_network",),
    oracle=None,  # community.docker collection, not in ansible-core
    options={
        "name": Option(required=True, aliases=("network_name",)),
        "driver": Option(default="bridge"),
        "driver_options": Option(type="dict", description="docker network create --opt."),
        "ipam_config": Option(
            type="list", elements="dict", description="Dicts with subnet, gateway, iprange."
        ),
        "internal": Option(type="bool", description="No external connectivity."),
        "attachable": Option(type="bool"),
        "labels": Option(type="dict"),
        "connected": Option(
            type="list", elements="str", aliases=("containers",), description="Containers."
        ),
        "appends": Option(
            type="bool",
            default=False,
            aliases=("incremental",),
            description="Keep connected containers that are not listed.",
        ),
        "state": Option(default="present", choices=("present", "absent")),
        "force": Option(
            type="bool", default=False, description="Accepted; removal always disconnects."
        ),
    },
    supports_diff=True,
    returns={"network": "docker network inspect data ({} when absent or in check mode)."},
    examples=(
        "- community.docker.docker_network:\n"
        "    name: edge-backplane\n"
        "    ipam_config:\n"
        "      - subnet: 172.30.7.0/24\n"
        "        gateway: 172.30.7.1\n"
        "    internal: true\n"
        "    labels: {site: north-7}\n"
        "    connected: [sensor-gw]\n"
    ),
)

EA_DOCKER_NETWORK = ShellFunction(
    "ea_docker_network",
    "docker_network.sh",
    needs=("fileattrs.sh", DOCKER_SH),
    params="name state flags fields want template connected",
    rest="args",
    defaults={"state": "present", "flags": "-"},
)

CONTAINERS_TEMPLATE = "@@containers\n{{range $i, $c := .Containers}}{{$c.Name}}{{println}}{{end}}"


class DockerNetworkModule(DockerModule):
    spec = SPEC
    shell_functions = (EA_DOCKER_NETWORK,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        self.build(args, pos)

    def build(self, args: dict, pos: Position | None) -> tuple[Blocks, list[str]]:
        blocks = Blocks()
        one_line("name", args["name"], pos)
        create = driver_and_maps(args, pos, blocks, "bridge")
        if args.get("ipam_config") is not None:
            lines = []
            for item in args["ipam_config"]:
                if not isinstance(item, dict) or not item.get("subnet"):
                    raise ModuleArgumentError(
                        "argument 'ipam_config': each entry needs a subnet", pos
                    )
                unknown = set(item) - {"subnet", "gateway", "iprange", "aux_addresses"}
                if unknown:
                    raise ModuleArgumentError(
                        f"argument 'ipam_config': unknown key(s) {', '.join(sorted(unknown))}", pos
                    )
                subnet = one_line("ipam_config.subnet", item["subnet"], pos)
                gateway = one_line("ipam_config.gateway", item.get("gateway") or "", pos)
                iprange = one_line("ipam_config.iprange", item.get("iprange") or "", pos)
                lines.append(f"{subnet} {gateway} {iprange}")
                create += ["--subnet", subnet]
                create += ["--gateway", gateway] if gateway else []
                create += ["--ip-range", iprange] if iprange else []
            template = (
                "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}}{{println}}{{end}}"
            )
            blocks.add("ipam_config", "set", template, lines)
        for option, template, flag in (
            ("internal", "{{.Internal}}", "--internal"),
            ("attachable", "{{.Attachable}}", "--attachable"),
        ):
            if args.get(option) is not None:
                blocks.add(option, "exact", value_line(template), [str(bool(args[option])).lower()])
                create += [flag] if args[option] else []
        for name in args.get("connected") or []:
            one_line("connected", name, pos)
        return blocks, create

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        blocks, create = self.build(args, ctx.pos)
        connected = [str(c) for c in args.get("connected") or []]
        return EA_DOCKER_NETWORK.call(
            name=str(args["name"]),
            state=args.get("state") or "present",
            flags=letters(c=args.get("connected") is not None, a=args.get("appends")),
            fields=blocks.names(),
            want="@payload:want",
            template="@payload:template",
            connected="@payload:connected",
            args=create,
            payloads={
                "want": blocks.want(),
                "template": blocks.template(CONTAINERS_TEMPLATE),
                "connected": ("".join(f"{c}\n" for c in connected) or "\n").encode(),
            },
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return docker_result(record, "network")


MODULE = DockerNetworkModule()
