"""``docker_container`` (community.docker.docker_container): one container, recreated only
when what the task asks for differs from ``docker inspect``.

Each option the task sets becomes one compared field (an inspect template and the wanted
lines, see :class:`~edgeauto.modules.edge._docker.Blocks`); options left out are not compared,
as in community.docker. The container is created with the docker CLI (``docker create``), so
the shell side needs nothing but ``docker``.
"""

from __future__ import annotations

import shlex

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, ShellCall
from edgeauto.modules.core._sys import letters
from edgeauto.modules.edge._docker import (
    DOCKER_SH,
    Blocks,
    DockerModule,
    docker_result,
    duration_ns,
    key_values,
    lines_of,
    one_line,
    size_bytes,
    value_line,
)
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option, to_bool

SPEC = ModuleSpec(
    name="docker_container",
    short_description="Manage Docker containers",
    description=(
        "Works like community.docker.docker_container for the options listed, driving the "
        "docker CLI on the target (no Python, no Docker SDK there). Only the options a task "
        "sets are compared with docker inspect; a difference recreates the container, "
        "networks are connected in place."
    ),
    aliases=("community.docker.docker_container",),
    oracle=None,  # community.docker collection, not in ansible-core
    options={
        "name": Option(required=True, description="Container name."),
        "image": Option(description="Image (repository:tag); needed unless state=absent."),
        "command": Option(
            type="raw", description="Command: a string (split like a shell) or a list."
        ),
        "entrypoint": Option(type="list", elements="str", description="Entrypoint as a list."),
        "env": Option(type="dict", description="Environment variables (string values)."),
        "published_ports": Option(
            type="list",
            elements="str",
            aliases=("ports",),
            description="[ip:][host_port:]container_port[/proto] (no ranges).",
        ),
        "volumes": Option(type="list", elements="str", description="src:dest[:mode] or /anon."),
        "mounts": Option(
            type="list",
            elements="dict",
            description="Dicts with target, source, type (bind/volume/tmpfs), read_only.",
        ),
        "restart_policy": Option(choices=("no", "on-failure", "always", "unless-stopped")),
        "restart_retries": Option(type="int", description="With restart_policy on-failure."),
        "cpus": Option(type="float", description="CPU limit (--cpus)."),
        "memory": Option(description="Memory limit, e.g. 64m, 1g ('0' = unlimited)."),
        "runtime": Option(description="OCI runtime (runc, kata-runtime...)."),
        "labels": Option(type="dict", description="Labels (merged over the image's)."),
        "networks": Option(
            type="list", elements="dict", description="Dicts with name, ipv4_address, aliases."
        ),
        "network_mode": Option(description="bridge, host, none, container:NAME or a network."),
        "purge_networks": Option(
            type="bool", default=False, description="Disconnect networks not listed."
        ),
        "healthcheck": Option(
            type="dict",
            description="test (string = CMD-SHELL, or a list), interval, timeout, retries, start_period.",
        ),
        "state": Option(default="started", choices=("started", "stopped", "present", "absent")),
        "recreate": Option(type="bool", default=False, description="Always recreate."),
        "pull": Option(
            type="raw",
            default="missing",
            description="missing (default), always, never; true = always, false = missing.",
        ),
        "detach": Option(
            type="bool", default=True, description="false: wait for the exit, return output."
        ),
        "user": Option(),
        "working_dir": Option(),
        "hostname": Option(),
        "keep_volumes": Option(
            type="bool", default=True, description="Keep anonymous volumes on removal."
        ),
        "force_kill": Option(
            type="bool", default=False, description="Kill instead of stop (state=stopped)."
        ),
    },
    required_if=(("state", "started", ("image",)), ("state", "present", ("image",))),
    supports_diff=True,
    returns={
        "container": "docker inspect data of the container ({} when absent or in check mode).",
        "differences": "space-separated names of the options that made it be recreated.",
        "output": "the container's output (detach: false).",
        "status": "exit status (detach: false).",
    },
    examples=(
        "- community.docker.docker_container:\n"
        "    name: sensor-gw\n"
        "    image: local/sensor-gw:1.4\n"
        "    command: [httpd, -f, -p, '8080']\n"
        "    published_ports: ['127.0.0.1:8080:8080']\n"
        "    env: {SITE: north-7}\n"
        "    restart_policy: on-failure\n"
        "    restart_retries: 3\n"
        "    cpus: 0.5\n"
        "    memory: 64m\n"
        "    healthcheck:\n"
        "      test: wget -q -O /dev/null http://127.0.0.1:8080/\n"
        "      interval: 2s\n"
        "      retries: 3\n"
    ),
)

EA_DOCKER_CONTAINER = ShellFunction(
    "ea_docker_container",
    "docker_container.sh",
    needs=("fileattrs.sh", DOCKER_SH),
    params="name state image pull flags fields want template nets",
    rest="args",
    defaults={"state": "started", "pull": "missing", "flags": "-"},
)

# "name address" per network (the address only when one was asked for: IPAMConfig)
NETWORKS_TEMPLATE = (
    "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} "
    "{{with $v.IPAMConfig}}{{.IPv4Address}}{{end}}{{println}}{{end}}"
)
# the running state, and the whole inspect data: the result when nothing had to change
RUNNING_TEMPLATE = "@@running\n{{.State.Running}}{{println}}@@json\n{{json .}}{{println}}"
PORT_TEMPLATE = (
    "{{range $p, $b := .HostConfig.PortBindings}}{{range $b}}"
    "{{$p}} {{.HostIP}} {{.HostPort}}{{println}}{{end}}{{end}}"
)
LABEL_TEMPLATE = "{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{println}}{{end}}"
HEALTH_TEST = "{{with .Config.Healthcheck}}{{range .Test}}{{println .}}{{end}}{{end}}"
HEALTH_TIMING = (
    "{{with .Config.Healthcheck}}{{json .Interval}} {{json .Timeout}} {{.Retries}} {{json .StartPeriod}}"
    "{{end}}{{println}}"
)
MOUNT_TEMPLATE = (
    "{{range .HostConfig.Mounts}}{{.Type}} {{.Source}} {{.Target}} {{.ReadOnly}}{{println}}{{end}}"
)


def pull_policy(value, pos: Position | None) -> str:
    if isinstance(value, bool):
        return "always" if value else "missing"
    text = str(value).strip().lower()
    if text in ("missing", "always", "never"):
        return text
    try:
        return "always" if to_bool(text) else "missing"
    except ValueError:
        raise ModuleArgumentError(
            f"argument 'pull': expected missing, always, never or a boolean, found {value!r}", pos
        ) from None


def command_words(value, pos: Position | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [one_line("command", w, pos) for w in value]
    try:
        return shlex.split(one_line("command", value, pos))
    except ValueError as exc:
        raise ModuleArgumentError(f"argument 'command': {exc}: {value!r}", pos) from None


def port_binding(spec: str, pos: Position | None) -> tuple[str, str]:
    """(docker's 'PORT/proto HOSTIP HOSTPORT' line, the -p value) of a published port."""
    text = one_line("published_ports", spec, pos).strip()
    if text == "all" or "-" in text:
        raise ModuleArgumentError(
            f"argument 'published_ports': {text!r}: 'all' and port ranges are not supported; "
            "list each port",
            pos,
        )
    ip = ""
    rest = text
    if rest.startswith("["):
        ip, _, rest = rest[1:].partition("]")
        rest = rest.lstrip(":")
        parts = rest.split(":")
        host_port, container = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    else:
        parts = rest.split(":")
        if len(parts) == 3:
            ip, host_port, container = parts
        elif len(parts) == 2:
            host_port, container = parts
        elif len(parts) == 1:
            host_port, container = "", parts[0]
        else:
            raise ModuleArgumentError(f"argument 'published_ports': cannot read {text!r}", pos)
    port, _, proto = container.partition("/")
    if not port.isdigit() or (host_port and not host_port.isdigit()):
        raise ModuleArgumentError(
            f"argument 'published_ports': expected [ip:][host_port:]port[/proto], found {text!r}",
            pos,
        )
    return f"{port}/{proto or 'tcp'} {ip} {host_port}", text


def mount_spec(item, pos: Position | None) -> tuple[str, str]:
    """(inspect line 'type source target readonly', the --mount value) of a mounts entry."""
    if not isinstance(item, dict) or not item.get("target"):
        raise ModuleArgumentError("argument 'mounts': each entry needs a target", pos)
    kind = str(item.get("type") or "volume")
    if kind not in ("bind", "volume", "tmpfs"):
        raise ModuleArgumentError(
            f"argument 'mounts': type must be bind, volume or tmpfs: {kind!r}", pos
        )
    source = one_line("mounts.source", item.get("source") or "", pos)
    target = one_line("mounts.target", item["target"], pos)
    readonly = to_bool(item.get("read_only", False))
    if any("," in v or " " in v for v in (source, target)):
        raise ModuleArgumentError(
            "argument 'mounts': source/target with ',' or ' ' are not supported", pos
        )
    cli = f"type={kind},target={target}" + (f",source={source}" if source else "")
    return f"{kind} {source} {target} {'true' if readonly else 'false'}", cli + (
        ",readonly" if readonly else ""
    )


class DockerContainerModule(DockerModule):
    spec = SPEC
    shell_functions = (EA_DOCKER_CONTAINER,)

    def check_args(self, args: dict, pos: Position | None) -> None:
        self.build(args, pos)

    def build(self, args: dict, pos: Position | None) -> tuple[Blocks, list[str], list[str]]:
        """(compared fields, docker create arguments, NETS lines)."""
        blocks, create, nets = Blocks(), [], []
        name = one_line("name", args["name"], pos)
        if not name or name.startswith("-") or "/" in name:
            raise ModuleArgumentError(f"argument 'name': not a container name: {name!r}", pos)
        if args.get("state") == "absent":
            return blocks, create, nets
        image = one_line("image", args.get("image") or "", pos)
        blocks.add("image", "image", value_line("{{.Image}}"), [])
        words = command_words(args.get("command"), pos)
        entry = [one_line("entrypoint", w, pos) for w in args.get("entrypoint") or []]
        if args.get("entrypoint") is not None:
            # the CLI sets one entrypoint word; the rest of a longer one leads the command
            create += ["--entrypoint", entry[0] if entry else ""]
            blocks.add("entrypoint", "exact", lines_of(".Config.Entrypoint"), entry[:1])
            words = entry[1:] + words
        if args.get("command") is not None or len(entry) > 1:
            blocks.add("command", "exact", lines_of(".Config.Cmd"), words)
        env = key_values("env", args.get("env"), pos)
        if args.get("env") is not None:
            blocks.add("env", "merge", lines_of(".Config.Env"), env)
            create += [w for kv in env for w in ("--env", kv)]
        if args.get("published_ports") is not None:
            bound = [port_binding(p, pos) for p in args["published_ports"]]
            blocks.add("published_ports", "set", PORT_TEMPLATE, [line for line, _ in bound])
            create += [w for _, cli in bound for w in ("--publish", cli)]
        self._volumes(args, pos, blocks, create)
        self._limits(args, pos, blocks, create)
        labels = key_values("labels", args.get("labels"), pos)
        if args.get("labels") is not None:
            blocks.add("labels", "merge", LABEL_TEMPLATE, labels)
            create += [w for kv in labels for w in ("--label", kv)]
        self._networks(args, pos, blocks, create, nets)
        self._healthcheck(args.get("healthcheck"), pos, blocks, create)
        for option, flag, template in (
            ("user", "--user", ".Config.User"),
            ("working_dir", "--workdir", ".Config.WorkingDir"),
            ("hostname", "--hostname", ".Config.Hostname"),
        ):
            if args.get(option) is not None:
                value = one_line(option, args[option], pos)
                blocks.add(option, "exact", value_line("{{" + template + "}}"), [value])
                create += [flag, value]
        return blocks, [*create, image, *words], nets

    @staticmethod
    def _volumes(args: dict, pos, blocks: Blocks, create: list[str]) -> None:
        if args.get("volumes") is not None:
            vols = [one_line("volumes", v, pos) for v in args["volumes"]]
            binds = [v for v in vols if ":" in v]
            anonymous = [v for v in vols if ":" not in v]
            blocks.add("volumes", "set", lines_of(".HostConfig.Binds"), binds)
            if anonymous:
                tmpl = "{{range $k, $v := .Config.Volumes}}{{$k}}{{println}}{{end}}"
                blocks.add("anonymous_volumes", "subset", tmpl, anonymous)
            create += [w for v in vols for w in ("--volume", v)]
        if args.get("mounts") is not None:
            mounts = [mount_spec(m, pos) for m in args["mounts"]]
            blocks.add("mounts", "set", MOUNT_TEMPLATE, [line for line, _ in mounts])
            create += [w for _, cli in mounts for w in ("--mount", cli)]

    @staticmethod
    def _limits(args: dict, pos, blocks: Blocks, create: list[str]) -> None:
        policy = args.get("restart_policy")
        retries = args.get("restart_retries")
        if retries is not None and policy != "on-failure":
            raise ModuleArgumentError("restart_retries needs restart_policy: on-failure", pos)
        if policy is not None:
            count = int(retries or 0)
            template = (
                "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}"
            )
            blocks.add("restart_policy", "exact", value_line(template), [f"{policy} {count}"])
            create += [
                "--restart",
                f"{policy}:{count}" if policy == "on-failure" and count else policy,
            ]
        if args.get("cpus") is not None:
            nano = round(float(args["cpus"]) * 1e9)
            if nano <= 0:
                raise ModuleArgumentError(
                    f"argument 'cpus': must be above 0, found {args['cpus']}", pos
                )
            blocks.add("cpus", "exact", value_line("{{.HostConfig.NanoCPUs}}"), [str(nano)])
            create += ["--cpus", str(args["cpus"])]
        if args.get("memory") is not None:
            limit = size_bytes("memory", args["memory"], pos)
            blocks.add("memory", "exact", value_line("{{.HostConfig.Memory}}"), [str(limit)])
            create += ["--memory", str(limit)]
        if args.get("runtime") is not None:
            runtime = one_line("runtime", args["runtime"], pos)
            blocks.add("runtime", "exact", value_line("{{.HostConfig.Runtime}}"), [runtime])
            create += ["--runtime", runtime]

    @staticmethod
    def _networks(args: dict, pos, blocks: Blocks, create: list[str], nets: list[str]) -> None:
        mode = args.get("network_mode")
        networks = args.get("networks")
        if mode is not None:
            mode = one_line("network_mode", mode, pos)
            blocks.add("network_mode", "exact", value_line("{{.HostConfig.NetworkMode}}"), [mode])
            create += ["--network", mode]
        if networks is None:
            return
        if mode in ("host", "none") or (mode or "").startswith("container:"):
            raise ModuleArgumentError(f"networks cannot be used with network_mode {mode}", pos)
        names = []
        for item in networks:
            if not isinstance(item, dict) or not item.get("name"):
                raise ModuleArgumentError("argument 'networks': each entry needs a name", pos)
            net = one_line("networks.name", item["name"], pos)
            ip = one_line("networks.ipv4_address", item.get("ipv4_address") or "", pos)
            aliases = [one_line("networks.aliases", a, pos) for a in item.get("aliases") or []]
            if any(c in v for v in (net, ip, *aliases) for c in ",|"):
                raise ModuleArgumentError(
                    "argument 'networks': names may not contain ',' or '|'", pos
                )
            names.append(net)
            if not names[1:] and mode is None:
                # the first network is the one docker create attaches (networks_cli_compatible)
                create += ["--network", net] + (["--ip", ip] if ip else [])
                create += [w for a in aliases for w in ("--network-alias", a)]
            nets.append(f"{net}|{ip}|{','.join(aliases)}")
        blocks.add("networks", "networks", NETWORKS_TEMPLATE, sorted(names))

    @staticmethod
    def _healthcheck(check, pos, blocks: Blocks, create: list[str]) -> None:
        if check is None:
            return
        if not isinstance(check, dict):
            raise ModuleArgumentError("argument 'healthcheck': expected a dictionary", pos)
        unknown = set(check) - {"test", "interval", "timeout", "retries", "start_period"}
        if unknown:
            raise ModuleArgumentError(
                f"argument 'healthcheck': unknown key(s) {', '.join(sorted(unknown))} "
                "(expected test, interval, timeout, retries, start_period)",
                pos,
            )
        test = check.get("test")
        if isinstance(test, list) and test[:1] == ["NONE"]:
            blocks.add("healthcheck", "exact", HEALTH_TEST, ["NONE"])
            create.append("--no-healthcheck")
            return
        if isinstance(test, list):
            if test[:1] not in (["CMD"], ["CMD-SHELL"]) or len(test) < 2:
                raise ModuleArgumentError(
                    "argument 'healthcheck.test': a list must start with CMD, CMD-SHELL or NONE",
                    pos,
                )
            # the CLI makes every health check CMD-SHELL: the exec form travels shell-quoted
            shell = test[1] if test[0] == "CMD-SHELL" else shlex.join(str(w) for w in test[1:])
        elif test is not None:
            shell = str(test)
        else:
            raise ModuleArgumentError("argument 'healthcheck': test is required", pos)
        shell = one_line("healthcheck.test", shell, pos)
        blocks.add("healthcheck", "exact", HEALTH_TEST, ["CMD-SHELL", shell])
        create += ["--health-cmd", shell]
        timing = []
        for key, flag in (
            ("interval", "--health-interval"),
            ("timeout", "--health-timeout"),
            ("start_period", "--health-start-period"),
        ):
            ns = duration_ns(f"healthcheck.{key}", check[key], pos) if check.get(key) else 0
            timing.append(str(ns))
            if ns:
                create += [flag, f"{ns // 10**6}ms" if ns % 10**9 else f"{ns // 10**9}s"]
        retries = int(check.get("retries") or 0)
        if retries:
            create += ["--health-retries", str(retries)]
        interval, timeout, start = timing
        blocks.add(
            "healthcheck_timing",
            "exact",
            HEALTH_TIMING,
            [f"{interval} {timeout} {retries} {start}"],
        )

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        blocks, create, nets = self.build(args, ctx.pos)
        state = args.get("state") or "started"
        template = blocks.template(RUNNING_TEMPLATE)
        if state != "absent" and "@@networks\n" not in template.decode():
            template += ("@@networks\n" + NETWORKS_TEMPLATE).encode()
        return EA_DOCKER_CONTAINER.call(
            name=str(args["name"]),
            state=state,
            image=str(args.get("image") or ""),
            pull=pull_policy(args.get("pull", "missing"), ctx.pos),
            flags=letters(
                r=args.get("recreate"),
                k=args.get("keep_volumes", True),
                p=args.get("purge_networks"),
                a=not args.get("detach", True),
                f=args.get("force_kill"),
            ),
            fields=blocks.names(),
            want="@payload:want",
            template="@payload:template",
            nets="@payload:nets",
            args=create,
            payloads={
                "want": blocks.want(),
                "template": template,
                "nets": ("".join(f"{n}\n" for n in nets) or "\n").encode(),
            },
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = docker_result(record, "container")
        if "status" in out and str(out["status"]).isdigit():
            out["status"] = int(out["status"])
        return out


MODULE = DockerContainerModule()
