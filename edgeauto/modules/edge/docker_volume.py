"""``docker_volume`` (community.docker.docker_volume): a docker volume with its driver,
driver options and labels; ``recreate`` says what a difference does (community's choices)."""

from __future__ import annotations

from edgeauto.errors import Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.edge._docker import (
    DOCKER_SH,
    Blocks,
    DockerModule,
    docker_result,
    driver_and_maps,
    one_line,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="docker_volume",
    short_description="Manage Docker volumes",
    description=(
        "Works like community.docker.docker_volume, driving the docker CLI on the target. "
        "With recreate: never (the default, as in community.docker) a volume whose driver, "
        "options or labels differ is reported in differences and left alone."
    ),
    aliases=("community.docker.docker_volume",),
    oracle=None,  # community.docker collection, not in ansible-core
    options={
        "volume_name": Option(required=True, aliases=("name",)),
        "driver": Option(default="local"),
        "driver_options": Option(type="dict", description="docker volume create --opt."),
        "labels": Option(type="dict"),
        "recreate": Option(default="never", choices=("always", "never", "options-changed")),
        "state": Option(default="present", choices=("present", "absent")),
    },
    supports_diff=True,
    returns={
        "volume": "docker volume inspect data ({} when absent or in check mode).",
        "differences": "space-separated names of the options that differ.",
    },
    examples=(
        "- community.docker.docker_volume:\n    name: sensor-data\n    labels: {site: north-7}\n"
    ),
)

EA_DOCKER_VOLUME = ShellFunction(
    "ea_docker_volume",
    "docker_volume.sh",
    needs=("fileattrs.sh", DOCKER_SH),
    params="name state recreate fields want template",
    rest="args",
    defaults={"state": "present", "recreate": "never"},
)

RECREATE = {"always": "always", "never": "never", "options-changed": "changed"}


class DockerVolumeModule(DockerModule):
    spec = SPEC
    shell_functions = (EA_DOCKER_VOLUME,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        self.build(args, pos)

    def build(self, args: dict, pos: Position | None) -> tuple[Blocks, list[str]]:
        blocks = Blocks()
        one_line("volume_name", args["volume_name"], pos)
        create = driver_and_maps(args, pos, blocks, "local")
        return blocks, create

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        blocks, create = self.build(args, ctx.pos)
        return EA_DOCKER_VOLUME.call(
            name=str(args["volume_name"]),
            state=args.get("state") or "present",
            recreate=RECREATE[args.get("recreate") or "never"],
            fields=blocks.names(),
            want="@payload:want",
            template="@payload:template",
            args=create,
            payloads={"want": blocks.want(), "template": blocks.template()},
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        return docker_result(record, "volume")


MODULE = DockerVolumeModule()
