"""``kata_runtime``: install a pinned Kata Containers static release and register it with
containerd and Docker.

No Ansible module does this job (kata-deploy is a DaemonSet, the public roles shell out), so the
arguments are edgeauto's own, named like Ansible's ``get_url``/``unarchive`` where they overlap
(``src``, ``url``, ``checksum``, ``validate_certs``, ``timeout``).

Why it is one module and not a role of copy/unarchive/lineinfile tasks: the pieces depend on
each other (the shim link needs the tree, containerd must restart only when its drop-in changed,
Docker only when daemon.json did, ``kata-runtime check`` needs the installed tree) and a role
would need a ``register``/``when`` per step, so several round trips. Here it is one call.

* The release: ``kata-static-<version>-<arch>.tar.xz`` unpacks to ``./opt/kata/``. A stamp
  ``/opt/kata/.edgeauto-release`` records version and sha256 of what was installed; its sha1 is
  collected in the facts round trip, so a converged host receives no archive bytes (as copy).
  ``url`` makes the target download it itself, only when the stamp differs.
* containerd: a drop-in (``/etc/containerd/conf.d/kata.toml``) reached through ``imports`` in
  ``/etc/containerd/config.toml`` (created, or the one line added/extended); the script picks
  the drop-in for the config schema of the containerd it finds (1.x: version 2, 2.x: version 3).
* Docker: the ``runtimes`` member of ``/etc/docker/daemon.json`` is merged by an awk JSON
  splicer (``remote/jsonobj.sh``); the rest of the file stays byte for byte. When the
  ``docker_engine`` role renders daemon.json itself, pass ``docker: false`` and give it
  ``docker_engine_runtimes`` instead (docs/modules/kata.md).
* KVM: Kata boots a VM per container, so a host without usable KVM is refused before anything
  changes. The answer comes from the ``edgeauto_hw`` facts when they were gathered, else from
  the script's own probe. ``require_kvm: false`` is for labs (stand-in releases) only.
"""

from __future__ import annotations

import hashlib
import json
import re

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import (
    CompileContext,
    RemoteModule,
    ShellCall,
    payload_ref,
    standard_result,
)
from edgeauto.modules.core._common import flag, text
from edgeauto.modules.core._xfer import static_check
from edgeauto.modules.core.copy import read_source
from edgeauto.modules.core.get_url import parse_checksum
from edgeauto.modules.edge._kata_config import containerd_dropins, docker_entry
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

PREFIX = "/opt/kata"  # the static release is built for it (configuration paths compiled in)
STAMP = f"{PREFIX}/.edgeauto-release"

SPEC = ModuleSpec(
    name="kata_runtime",
    short_description="Install a pinned Kata Containers static release; register it",
    description=(
        "Installs kata-static-VERSION-ARCH.tar.xz (from src on the controller or url on the "
        "target) into /opt/kata only when the installed release differs, links "
        "containerd-shim-kata-v2 and kata-runtime into link_dir, registers the runtime with "
        "containerd (io.containerd.kata.v2, a drop-in through imports) and Docker (runtimes in "
        "daemon.json, merged), restarts only the daemons whose configuration changed and "
        "reports kata-runtime check. Refuses hosts without usable KVM unless require_kvm is "
        "false (labs)."
    ),
    aliases=("edgeauto.edge.kata_runtime",),
    oracle=None,
    options={
        "version": Option(description="The pinned release, e.g. 3.2.0 (state=present)."),
        "state": Option(
            default="present",
            choices=("present", "absent"),
            description="absent removes the release edgeauto installed, its links and the "
            "registrations (and restarts the daemons whose configuration changed).",
        ),
        "src": Option(type="path", description="The release archive on the controller."),
        "url": Option(description="The release archive's URL, downloaded by the target."),
        "checksum": Option(
            description="algo:hex of the archive (required with url; checked for src)."
        ),
        "name": Option(
            default="kata", description="Runtime name in containerd's CRI config and Docker."
        ),
        "link_dir": Option(
            type="path",
            default="/usr/local/bin",
            description="Where the shim and kata-runtime are linked (on containerd's PATH).",
        ),
        "config_file": Option(
            type="path",
            default=f"{PREFIX}/share/defaults/kata-containers/configuration.toml",
            description="The Kata configuration containerd passes to the shim (ConfigPath).",
        ),
        "containerd": Option(
            type="bool",
            default=None,
            description="Register with containerd (default: when containerd is installed).",
        ),
        "containerd_config": Option(type="path", default="/etc/containerd/config.toml"),
        "containerd_dropin": Option(type="path", default="/etc/containerd/conf.d/kata.toml"),
        "docker": Option(
            type="bool",
            default=None,
            description="Merge the runtime into daemon.json (default: when dockerd is installed).",
        ),
        "docker_daemon_json": Option(type="path", default="/etc/docker/daemon.json"),
        "docker_runtime_path": Option(
            type="path",
            description="Docker < 23 only: a runc-compatible binary to register as path "
            "(labs/stand-ins; Kata 2+ has none). Default: runtimeType io.containerd.kata.v2.",
        ),
        "restart": Option(
            type="bool", default=True, description="Restart containerd/docker after a change."
        ),
        "runtime_check": Option(
            default="fail",
            choices=("fail", "report", "skip"),
            description="Run kata-runtime check: fail the task when it fails, only report, "
            "or not at all.",
        ),
        "require_kvm": Option(
            type="bool",
            default=True,
            description="Refuse hosts without usable KVM. false only for labs and stand-ins.",
        ),
        "validate_certs": Option(type="bool", default=True, description="For url."),
        "timeout": Option(type="int", default=60, description="Download timeout, seconds."),
    },
    supports_diff=True,
    returns={
        "version": "The release now installed.",
        "installed": "True when this run (would have) installed the release (state=absent: "
        "removed it).",
        "kvm_usable": "Whether the host has usable KVM (facts, else the script's probe).",
        "kvm_reason": "What the KVM decision was based on.",
        "registered": "Where the runtime is registered: containerd, docker.",
        "reconfigured": "The daemons whose configuration changed: containerd, docker.",
        "restarted": "The daemons this run restarted (would restart, in check mode); a "
        "stopped daemon is not started.",
        "kata_check": "kata-runtime check: {rc, output} (absent when skipped).",
    },
    examples=(
        "- kata_runtime:\n    version: 3.2.0\n    src: kata-static-3.2.0-amd64.tar.xz\n"
        "- kata_runtime:\n    version: 3.2.0\n"
        "    url: https://mirror.site/kata-static-3.2.0-amd64.tar.xz\n"
        "    checksum: sha256:0123...\n"
    ),
)

EA_KATA = ShellFunction(
    "ea_kata_runtime",
    "kata_runtime.sh",
    needs=("fileattrs.sh", "http.sh", "unarchive.sh", "jsonobj.sh"),
    params=(
        "stamp_text archive url algo digest timeout validate kvm kvm_why link_dir ctd ctd_config"
        " ctd_dropin dropin_v2 dropin_v3 docker daemon_json name entry needs_shim restart check"
        " state"
    ),
    defaults={
        "timeout": "60",
        "validate": "1",
        "restart": "1",
        "check": "fail",
        "state": "present",
    },
)

#: the keys of ``edgeauto_hw`` that answer "can this host boot a Kata VM", best first: the
#: hw facts' usability verdict (PVM and nested KVM that cannot boot a guest say no), then the
#: older capability flag
KVM_FACT_KEYS = ("kvm_usable", "kvm_capable")


def kvm_from_facts(task_vars: dict) -> tuple[str, str]:
    """('1'/'0', the facts' reason) when the gathered ``edgeauto_hw`` facts decide KVM
    usability, ('?', '') when they were not gathered (the script probes then)."""
    hw = task_vars.get("edgeauto_hw")
    if not isinstance(hw, dict):
        hw = (task_vars.get("ansible_facts") or {}).get("edgeauto_hw")
    if not isinstance(hw, dict):
        return "?", ""
    kvm = hw.get("kvm")
    if isinstance(kvm, dict) and isinstance(kvm.get("usable"), bool):
        return flag(kvm["usable"]), str(kvm.get("reason") or "")
    for key in KVM_FACT_KEYS:
        if isinstance(hw.get(key), bool):
            return flag(hw[key]), ""
    return "?", ""


def tristate(value) -> str:
    """An auto/true/false option as the script takes it: '' auto, '1', '0'."""
    return "" if value is None else flag(value)


_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+~_-]*$")


class KataRuntimeModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_KATA,)
    converged_in = (
        "tests/integration/modules/test_kata_privileged_lab.py: needs containerd and dockerd "
        "(the privileged lab host) and a stand-in release, since Kata cannot boot VMs here"
    )

    def validate(self, args: dict, pos: Position | None = None, final: bool = False) -> dict:
        out = super().validate(args, pos, final)
        static_check(self, out, pos, final)  # literal arguments: refused before anything runs
        return out

    def check_args(self, args: dict, pos: Position | None) -> None:
        # src/url are checked here, on final values: a role passes one of them as omit
        present = args.get("state", "present") == "present"
        if present and bool(args.get("src")) == bool(args.get("url")):
            which = "both given" if args.get("src") else "neither given"
            raise ModuleArgumentError(
                f"exactly one of src (an archive on the controller) and url is needed: {which}",
                pos,
            )
        version = str(args.get("version") or "").strip()
        if (present or version) and not _VERSION.match(version):
            raise ModuleArgumentError(
                f"argument 'version': expected a release like 3.2.0, found {version!r}", pos
            )
        if args.get("url"):
            if not re.match(r"^(https?|ftp|file)://", str(args["url"])):
                raise ModuleArgumentError(
                    f"argument 'url': expected an http(s)/ftp/file URL, found {args['url']!r}",
                    pos,
                )
            if not args.get("checksum"):
                raise ModuleArgumentError(
                    "argument 'checksum' is required with url: the release is pinned, so the "
                    "target must be able to verify what it downloaded (sha256:HEX)",
                    pos,
                )
        algo, digest, sum_url = parse_checksum(str(args.get("checksum") or ""), pos)
        if sum_url:
            raise ModuleArgumentError(
                "argument 'checksum': give the digest itself (sha256:HEX), not a URL", pos
            )
        name = str(args.get("name") or "")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            raise ModuleArgumentError(
                f"argument 'name': a runtime name is letters, digits, '.', '_', '-': {name!r}",
                pos,
            )
        for key in ("link_dir", "config_file", "containerd_config", "containerd_dropin"):
            if not str(args.get(key) or "").startswith("/"):
                raise ModuleArgumentError(f"argument '{key}': expected an absolute path", pos)
        if not str(args.get("docker_daemon_json") or "").startswith("/"):
            raise ModuleArgumentError(
                "argument 'docker_daemon_json': expected an absolute path", pos
            )

    def checksum_paths(self, args: dict) -> list[str]:
        return [STAMP]

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        if args.get("state") == "absent":
            return self.compile_absent(args)
        algo, digest, _ = parse_checksum(str(args.get("checksum") or ""), ctx.pos)
        payloads: dict[str, bytes] = {}
        archive = ""
        if args.get("src"):
            data = read_source(ctx.locate("files", str(args["src"])), args, ctx)
            actual = hashlib.new(algo or "sha256", data).hexdigest()
            if digest and actual != digest:
                raise ModuleArgumentError(
                    f"{args['src']}: {algo} is {actual}, but checksum says {digest}", ctx.pos
                )
            algo, digest = algo or "sha256", actual
        stamp = f"version={str(args['version']).strip()}\n{algo}={digest}\n"
        if args.get("src"):
            known = ctx.remote_checksums.get(STAMP) == hashlib.sha1(stamp.encode()).hexdigest()
            if not known:
                payloads["archive"] = data
                archive = payload_ref("archive")
        kvm, kvm_why = kvm_from_facts(ctx.task_vars)
        if not args.get("require_kvm", True):
            kvm, kvm_why = "skip", ""
        v2, v3 = containerd_dropins(str(args["name"]), str(args["config_file"]))
        return EA_KATA.call(
            payloads=payloads,
            stamp_text=stamp,
            archive=archive,
            url=text(args.get("url")),
            algo=algo,
            digest=digest,
            timeout=str(args.get("timeout") or 60),
            validate=flag(args.get("validate_certs", True)),
            kvm=kvm,
            kvm_why=kvm_why,
            link_dir=str(args["link_dir"]),
            ctd=tristate(args.get("containerd")),
            ctd_config=str(args["containerd_config"]),
            ctd_dropin=str(args["containerd_dropin"]),
            dropin_v2=v2,
            dropin_v3=v3,
            docker=tristate(args.get("docker")),
            daemon_json=str(args["docker_daemon_json"]),
            name=str(args["name"]),
            entry=json.dumps(docker_entry(args.get("docker_runtime_path"))),
            needs_shim="0" if args.get("docker_runtime_path") else "1",
            restart=flag(args.get("restart", True)),
            check=str(args.get("runtime_check") or "fail"),
        )

    def compile_absent(self, args: dict) -> ShellCall:
        """Removal needs no release, no KVM and no rendering: paths and switches only."""
        return EA_KATA.call(
            kvm="skip",
            link_dir=str(args["link_dir"]),
            ctd=tristate(args.get("containerd")),
            ctd_config=str(args["containerd_config"]),
            ctd_dropin=str(args["containerd_dropin"]),
            docker=tristate(args.get("docker")),
            daemon_json=str(args["docker_daemon_json"]),
            name=str(args["name"]),
            restart=flag(args.get("restart", True)),
            check="skip",
            state="absent",
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        if out.pop("resend", "") == "1":
            out["resend"] = True
        for key in ("installed", "kvm_usable"):
            if key in out:
                out[key] = out[key] == "1"
        for key in ("registered", "reconfigured", "restarted"):
            out[key] = [w for w in str(out.get(key, "")).split() if w]
        if "check_rc" in out:
            rc = str(out.pop("check_rc"))
            out["kata_check"] = {
                "rc": int(rc) if rc.lstrip("-").isdigit() else rc,
                "output": out.pop("check_output", ""),
            }
        if not args.get("require_kvm", True) and args.get("state", "present") == "present":
            out.setdefault("warnings", []).append(
                "require_kvm is false: KVM was not checked (for labs and stand-ins only; "
                "Kata cannot boot a VM without KVM)"
            )
        return out


MODULE = KataRuntimeModule()
