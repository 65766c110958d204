"""``docker_compose_v2`` (community.docker.docker_compose_v2): a compose project driven by the
compose v2 CLI plugin on the target. Where the plugin is missing (Debian bookworm has only
docker-compose v1) the task fails naming what to install; it never falls back to v1, whose
behaviour differs."""

from __future__ import annotations

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.core._sys import sys_result
from edgeauto.modules.edge._docker import DOCKER_SH, DockerModule, one_line
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="docker_compose_v2",
    short_description="Manage multi-container Docker applications with Docker Compose CLI plugin",
    description=(
        "Works like community.docker.docker_compose_v2 for project_src/project_name/files "
        "and the states present, stopped, restarted, absent. Needs the compose v2 CLI "
        "plugin on the target (docker compose version); changed is read from compose's "
        "output (Created/Started/Recreated/Stopped/Removed), check mode uses --dry-run."
    ),
    aliases=("community.docker.docker_compose_v2",),
    oracle=None,  # community.docker collection, not in ansible-core
    options={
        "project_src": Option(type="path", description="Directory with the compose file."),
        "project_name": Option(),
        "files": Option(type="list", elements="path"),
        "state": Option(default="present", choices=("present", "stopped", "restarted", "absent")),
        "pull": Option(default="policy", choices=("always", "missing", "never", "policy")),
        "recreate": Option(default="auto", choices=("always", "never", "auto")),
        "remove_orphans": Option(type="bool", default=False),
        "remove_volumes": Option(type="bool", default=False),
        "services": Option(type="list", elements="str"),
        "wait": Option(type="bool", default=False),
    },
    required_one_of=(("project_src", "project_name"),),
    returns={"compose_version": "the plugin's version line.", "stderr": "compose's output."},
    examples=(
        "- community.docker.docker_compose_v2:\n"
        "    project_src: /opt/sensor-stack\n"
        "    state: present\n"
    ),
)

EA_DOCKER_COMPOSE_V2 = ShellFunction(
    "ea_docker_compose_v2",
    "docker_compose_v2.sh",
    needs=(DOCKER_SH,),
    params="dir state",
    rest="args",
    defaults={"state": "present"},
)


class DockerComposeV2Module(DockerModule):
    spec = SPEC
    shell_functions = (EA_DOCKER_COMPOSE_V2,)
    converged_in = (
        "tests/integration/edge/test_docker_lab.py: needs dockerd; the lab has no compose "
        "v2 plugin, so the test covers the clear failure"
    )

    def check_args(self, args: dict, pos: Position | None) -> None:
        self.argv(args, pos)

    @staticmethod
    def argv(args: dict, pos: Position | None) -> list[str]:
        words = []
        if args.get("project_name"):
            words += ["-p", one_line("project_name", args["project_name"], pos)]
        for path in args.get("files") or []:
            words += ["-f", one_line("files", path, pos)]
        services = [one_line("services", s, pos) for s in args.get("services") or []]
        if any(s.startswith("-") for s in services):
            raise ModuleArgumentError(
                "argument 'services': a service name cannot start with -", pos
            )
        state = args.get("state") or "present"
        if state == "present":
            words += ["up", "-d", "--pull", args.get("pull") or "policy"]
            recreate = args.get("recreate") or "auto"
            words += {"always": ["--force-recreate"], "never": ["--no-recreate"]}.get(recreate, [])
            words += ["--remove-orphans"] if args.get("remove_orphans") else []
            words += ["--wait"] if args.get("wait") else []
        elif state == "stopped":
            words.append("stop")
        elif state == "restarted":
            words.append("restart")
        else:
            words += ["down"] + (["--volumes"] if args.get("remove_volumes") else [])
            words += ["--remove-orphans"] if args.get("remove_orphans") else []
        return words + services

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        return EA_DOCKER_COMPOSE_V2.call(
            dir=str(args.get("project_src") or ""),
            state=args.get("state") or "present",
            args=self.argv(args, ctx.pos),
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return sys_result(record)


MODULE = DockerComposeV2Module()
