"""The edge demo: the whole story on a small local lab fleet, with nothing to set up by hand.

WHY a driver and not a playbook: the story crosses commands an operator types one after the
other — bring up hosts, ``run site.yml``, ``workload plan``, ``workload apply`` three times,
read the catalog — and each step's real output is the point. So every step runs the real
``edgeauto`` command line in a subprocess and its output is shown as it comes.

The fleet: two gateways (privileged lab hosts with their own network namespace running
dockerd; the first also Open vSwitch) at sites lyon and paris, a plain Debian host and a
BusyBox device. The workload ``web`` (busybox httpd) is built here as image archives —
air-gapped delivery, no registry — v1, v2, and a v3 whose health page is missing, so the
rollout's canary fails its HTTP health check and is rolled back to v2 automatically.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from edgeauto.fsutil import atomic_write
from edgeauto.lab.errors import LabError
from edgeauto.lab.images import build_archive, web_app

PORT = 8080
SITES = ("lyon", "paris")


@dataclass
class DemoOptions:
    keep: bool = False  # leave the lab up at the end (``edgeauto lab down --state-dir …``)
    state_dir: Path | None = None
    out: Path | None = None  # where specs, archives, plan page and timelines go


@dataclass
class Step:
    title: str
    argv: list[str]
    expect: tuple[int, ...] = (0,)
    note: str = ""


@dataclass
class DemoResult:
    steps: list[tuple[str, int]] = field(default_factory=list)
    out: Path | None = None

    @property
    def ok(self) -> bool:
        return all(rc == 0 for _, rc in self.steps)


def repo_root() -> Path:
    """The checkout the demo runs from: its playbooks/ and roles/ are the ones used."""
    root = Path(__file__).resolve().parents[2]
    if not (root / "playbooks" / "site.yml").is_file():
        raise LabError(f"the edge demo runs from a checkout: no playbooks/site.yml under {root}")
    return root


def fleet_inventory(lab_inventory: Path, gateways: list, plain, device) -> dict:
    """The lab's connection variables plus what an operator says about the fleet: sites,
    the gateways group, one OVS bridge on the first gateway. The gateways' own network
    namespaces have no route to a package mirror, so the demo installs no extra base packages
    there (docker and OVS come with the privileged lab image)."""
    doc = yaml.safe_load(lab_inventory.read_text())["all"]
    hosts = {}
    for index, gateway in enumerate(gateways):
        hostvars = dict(
            doc["hosts"][gateway.name],
            site=SITES[index % len(SITES)],
            edge_classify_class="gateway",
            edge_common_packages={},
        )
        if index == 0:
            hostvars["ovs_bridges"] = [
                {"name": "br-site", "ports": [{"name": "site-int", "type": "internal"}]}
            ]
        hosts[gateway.name] = hostvars
    hosts[plain.name] = dict(doc["hosts"][plain.name], site=SITES[0])
    hosts[device.name] = dict(doc["hosts"][device.name], site=SITES[1])
    return {
        "all": {
            "vars": doc["vars"],
            "hosts": hosts,
            "children": {"gateways": {"hosts": {g.name: None for g in gateways}}},
        }
    }


def web_spec(version: str, archive: Path) -> dict:
    return {
        "name": "web",
        "image": f"demo/web:{version}",
        "archive": archive.name,
        "resources": {"cpus": 0.5, "memory": "64Mi"},
        "ports": [f"{PORT}:{PORT}"],
        "env": {"DEMO_VERSION": version},
        "restart": "unless-stopped",
        "health": {
            "http": f"http://127.0.0.1:{PORT}/health",
            "interval": "1s",
            "timeout": "2s",
            "retries": 3,
            "start_period": "1s",
        },
        "placement": {"groups": ["gateways"], "per_host": 1},
        "update": {
            "canary": 1,
            "max_parallel": 1,
            "min_healthy_time": "3s",
            "healthy_deadline": "30s",
            "auto_revert": True,
            "auto_promote": True,
        },
    }


def prepare_workloads(out: Path) -> dict[str, Path]:
    """Image archives and one spec per version, side by side (``archive`` is relative)."""
    specs = {}
    for version, healthy in (("v1", True), ("v2", True), ("v3", False)):
        archive = out / f"web-{version}.tar.gz"
        build_archive(web_app(f"demo/web:{version}", version, PORT, healthy=healthy), archive)
        spec = out / f"web-{version}.yml"
        atomic_write(spec, yaml.safe_dump(web_spec(version, archive), sort_keys=False))
        specs[version] = spec
    return specs


def steps(inventory: Path, specs: dict[str, Path], out: Path, probe_host: str) -> list[Step]:
    inv = ["-i", str(inventory)]
    return [
        Step(
            "classify and provision the fleet (playbooks/site.yml)",
            ["run", *inv, "playbooks/site.yml", "--no-retry-file"],
        ),
        Step(
            "where does web go, and why not elsewhere",
            ["workload", "plan", *inv, str(specs["v1"]), "--html", str(out / "plan.html")],
        ),
        Step(
            "deploy web v1 from its image archive",
            ["workload", "apply", *inv, str(specs["v1"]), "--timeline", str(out / "v1")],
        ),
        Step(
            "roll out v2: canary first, then the rest",
            ["workload", "apply", *inv, str(specs["v2"]), "--timeline", str(out / "v2")],
        ),
        Step(
            "roll out v3 (its health page is missing): the canary fails, v2 comes back",
            ["workload", "apply", *inv, str(specs["v3"]), "--timeline", str(out / "v3")],
            expect=(2,),
            note="exit 2 is the point: the rollout stopped and rolled back",
        ),
        Step("what runs where now", ["workload", "status", *inv, "web"]),
        Step(
            f"the service catalog on {probe_host}",
            ["adhoc", *inv, probe_host, "-m", "command", "-a", "cat /etc/edgeauto/services.json"],
        ),
    ]


def run_step(step: Step, root: Path, echo) -> int:
    echo(f"\n=== {step.title}\n$ edgeauto {' '.join(step.argv)}")
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", *step.argv], cwd=root, stdin=subprocess.DEVNULL
    )
    if proc.returncode in step.expect:
        if step.note:
            echo(f"({step.note})")
        return 0
    echo(f"demo: step failed with exit code {proc.returncode}: {step.title}")
    return proc.returncode or 1


def serving_version(gateway) -> str:
    """What the gateway's port answers now, asked from inside its own network namespace."""
    res = gateway.run(f"wget -q -O - http://127.0.0.1:{PORT}/version || true")
    return res.stdout.strip()


def run_demo(options: DemoOptions, echo=print) -> DemoResult:
    from edgeauto.lab.testing import claim_test_lab, release_test_lab

    root = repo_root()
    lab = claim_test_lab("demo", 200, 219)
    out = Path(options.out or lab.state_dir / "demo").resolve()
    out.mkdir(parents=True, exist_ok=True)
    result = DemoResult(out=out)
    started = time.monotonic()
    try:
        echo(
            "=== bringing up the lab fleet: 2 gateways (docker; OVS on the first), a Debian host, a BusyBox device"
        )
        gateways = [lab.up(capabilities=("docker", "ovs"))[0], lab.up(capabilities=("docker",))[0]]
        plain = lab.up(flavor="debian")[0]
        device = lab.up(flavor="busybox")[0]
        inventory = out / "fleet.yml"
        doc = fleet_inventory(lab.inventory, gateways, plain, device)
        atomic_write(inventory, yaml.safe_dump(doc, sort_keys=False))
        specs = prepare_workloads(out)
        for step in steps(inventory, specs, out, gateways[0].name):
            rc = run_step(step, root, echo)
            result.steps.append((step.title, rc))
            if rc:
                break
        if result.ok:
            versions = {g.name: serving_version(g) for g in gateways}
            echo(
                f"\n=== serving now (port {PORT}, from each gateway's netns): {json.dumps(versions)}"
            )
            if set(versions.values()) != {"v2"}:
                result.steps.append(("v2 serves on every gateway after the rollback", 1))
        echo(f"\nplan page and rollout timelines: {out}")
        echo(f"demo {'done' if result.ok else 'FAILED'} in {time.monotonic() - started:.0f}s")
    finally:
        if options.keep:
            echo(f"lab kept: edgeauto lab --state-dir {lab.state_dir} down  (to remove it)")
        else:
            lab.down()
        release_test_lab(lab)
    return result
