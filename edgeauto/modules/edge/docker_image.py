"""``docker_image`` (community.docker.docker_image): an image loaded from an archive, pulled,
tagged into another repository, or removed.

Air-gapped sites: ``load_src`` (an edgeauto extension) names an archive on the *controller*
(``docker save`` output). It travels inside the script only when the target may not have the
image: after a load the target keeps a marker file (``/var/lib/edgeauto/docker_image/``) with
the archive's sha1, whose checksum the facts round trip reads like copy's destination
checksums. A converged host therefore gets nothing but the call; one whose image was removed
since reports ``resend`` and the executor runs the task again with the archive.
``load_path`` keeps community.docker's meaning: an archive already on the target.
"""

from __future__ import annotations

import hashlib

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.core._sys import letters
from edgeauto.modules.edge._docker import DOCKER_SH, DockerModule, docker_result, one_line
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

MARKER_DIR = "/var/lib/edgeauto/docker_image"

SPEC = ModuleSpec(
    name="docker_image",
    short_description="Manage Docker images",
    description=(
        "Works like community.docker.docker_image for source load/pull/local, tagging "
        "(repository) and removal, driving the docker CLI on the target. load_src sends an "
        "archive from the controller only when the image is not there."
    ),
    aliases=("community.docker.docker_image",),
    oracle=None,  # community.docker collection, not in ansible-core
    options={
        "name": Option(required=True, description="Image name, may include :tag."),
        "tag": Option(default="latest", description="Tag, when name has none."),
        "source": Option(choices=("load", "pull", "local", "build")),
        "load_path": Option(type="path", description="Archive on the target (source: load)."),
        "load_src": Option(
            type="path",
            description="edgeauto: archive on the controller, sent only when needed.",
        ),
        "force_source": Option(type="bool", default=False),
        "force_absent": Option(type="bool", default=False),
        "force_tag": Option(type="bool", default=False),
        "repository": Option(description="Also tag the image as repository[:tag]."),
        "push": Option(type="bool", default=False, description="Only false: no registry push."),
        "state": Option(default="present", choices=("present", "absent")),
    },
    supports_diff=False,
    returns={
        "image": "docker image inspect data ({} when absent or in check mode).",
        "actions": "what was done, e.g. 'load image local/app:1'.",
    },
    examples=(
        "- community.docker.docker_image:\n"
        "    name: local/sensor-gw\n"
        "    tag: '1.4'\n"
        "    source: load\n"
        "    load_src: images/sensor-gw-1.4.tar   # on the controller; sent only if needed\n"
        "    repository: local/sensor-gw:current\n"
    ),
)

EA_DOCKER_IMAGE = ShellFunction(
    "ea_docker_image",
    "docker_image.sh",
    needs=("fileattrs.sh", DOCKER_SH),
    params="ref state source flags archive repository marker mark",
    defaults={"state": "present", "source": "local", "flags": "-"},
)


def image_ref(name: str, tag: str) -> str:
    """community.docker's name + tag: a tag or digest already in the name wins."""
    last = name.rsplit("/", 1)[-1]
    if "@" in name or ":" in last:
        return name
    return f"{name}:{tag or 'latest'}"


def marker_path(ref: str) -> str:
    return f"{MARKER_DIR}/{hashlib.sha1(ref.encode()).hexdigest()}.loaded"


class DockerImageModule(DockerModule):
    spec = SPEC
    shell_functions = (EA_DOCKER_IMAGE,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        one_line("name", args["name"], pos)
        source = args.get("source")
        if source == "build":
            raise ModuleArgumentError(
                "source: build is not supported (no build context on edge targets): build and "
                "docker save the image elsewhere, then use source: load with load_src",
                pos,
            )
        if args.get("push"):
            raise ModuleArgumentError("push: true is not supported (no registry push)", pos)
        if source == "load" and not (args.get("load_path") or args.get("load_src")):
            raise ModuleArgumentError(
                "source is load but neither load_path nor load_src is set", pos
            )
        if args.get("load_path") and args.get("load_src"):
            raise ModuleArgumentError("load_path and load_src are mutually exclusive", pos)
        if (
            args.get("state", "present") == "present"
            and source is None
            and not args.get("repository")
        ):
            raise ModuleArgumentError(
                "state is present but source is not set (load, pull or local)", pos
            )

    def checksum_paths(self, args: dict) -> list[str]:
        if not args.get("load_src"):
            return []
        return [marker_path(image_ref(str(args["name"]), str(args.get("tag") or "latest")))]

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        ref = image_ref(str(args["name"]), str(args.get("tag") or "latest"))
        payloads: dict[str, bytes] = {}
        archive = str(args.get("load_path") or "")
        marker = mark = ""
        if args.get("load_src"):
            data = ctx.locate("files", str(args["load_src"])).read_bytes()
            mark = hashlib.sha1(data).hexdigest()
            marker = marker_path(ref)
            loaded_before = hashlib.sha1(f"{mark}\n".encode()).hexdigest()
            wanted = ctx.remote_checksums.get(marker) != loaded_before or args.get("force_source")
            if wanted and not ctx.check_mode:  # check mode never loads: nothing to send
                payloads["archive"] = data
                archive = "@payload:archive"
        repository = str(args.get("repository") or "")
        if repository:
            repository = image_ref(repository, str(args.get("tag") or "latest"))
        return EA_DOCKER_IMAGE.call(
            ref=ref,
            state=args.get("state") or "present",
            source=args.get("source") or "local",
            flags=letters(
                s=args.get("force_source"), a=args.get("force_absent"), t=args.get("force_tag")
            ),
            archive=archive,
            repository=repository,
            marker=marker,
            mark=mark,
            payloads=payloads,
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = docker_result(record, "image")
        if out.get("resend") == "1":
            out["resend"] = True
        out["actions"] = [a for a in str(out.get("actions") or "").split("; ") if a]
        return out


MODULE = DockerImageModule()
