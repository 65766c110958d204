"""invoke tasks: ``invoke lab.up --hosts 3``, ``lab.down``, ``lab.status``, ``lab.ssh NAME``,
``vagrant.up``, ``vagrant.down``, ``vagrant.status`` (the real Vagrant lab), ``test``, ``lint``,
``bench``. The lab tasks call the same Python API as the tests
(:mod:`edgeauto.lab`); the others call pytest/ruff from this checkout's .venv."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from invoke import Collection, task

ROOT = Path(__file__).resolve().parent
VENV_BIN = ROOT / ".venv" / "bin"
PY = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable


def _lab(state_dir=None, subnet="127.77.0"):
    from edgeauto.lab import Lab

    return Lab(state_dir=state_dir, subnet=subnet)


@task(
    help={
        "hosts": "number of hosts to add (default 1)",
        "flavor": "debian (default) or busybox",
        "arch": "debian architecture: amd64 (native), arm64, armhf (qemu-user)",
        "with_python": "install python3 on the hosts (ansible-core oracle)",
        "no_systemd": "run sshd as PID 1 instead of booting systemd",
        "state_dir": "lab state directory (default .lab/ or $EDGEAUTO_LAB_DIR)",
        "capability": "comma list: docker,ovs (privileged host with its own network namespace)",
    }
)
def up(
    c,
    hosts=1,
    flavor="debian",
    arch=None,
    with_python=False,
    no_systemd=False,
    state_dir=None,
    capability="",
):
    """Bring up lab hosts (real sshd in namespaces over a cached base image)."""
    lab = _lab(state_dir)
    for h in lab.up(
        hosts=int(hosts),
        flavor=flavor,
        arch=arch,
        with_python=with_python,
        systemd=False if no_systemd else None,
        capabilities=tuple(x for x in capability.split(",") if x),
    ):
        print(f"{h.name}\t{h.address}:{h.port}\t{h.flavor}/{h.arch}\t{h.mode}\t{h.state}")
    print(f"ssh -F {lab.ssh_config} <name>   inventory: {lab.extra_inventory or lab.inventory}")


@task(help={"force": "also clean up after a crash (by state dir and cgroups)"})
def down(c, force=False, state_dir=None):
    """Stop every lab host and remove what the lab created."""
    report = _lab(state_dir).down(force=force)
    if report.problems:
        raise SystemExit("lab down problems:\n  " + "\n  ".join(report.problems))


@task
def status(c, state_dir=None):
    """List lab hosts and whether they answer on SSH."""
    from edgeauto.commands.lab import run_status

    class Args:
        pass

    args = Args()
    args.state_dir, args.subnet = state_dir, "127.77.0"
    run_status(args)


@task(positional=["name"])
def ssh(c, name, user="root", state_dir=None):
    """Open an interactive SSH session on lab host NAME."""
    argv = _lab(state_dir).host(name).ssh_argv(user)
    os.execvp(argv[0], argv)


@task(help={"integration": "also run tests/integration (needs root; starts its own lab)"})
def test(c, integration=False, args=""):
    """Run the test suite with pytest."""
    paths = "tests" if integration else "tests/unit"
    c.run(f"{PY} -m pytest {paths} -q {args}", pty=False)


@task
def lint(c, fix=False):
    """ruff check + ruff format --check (with --fix: apply both)."""
    ruff = str(VENV_BIN / "ruff") if (VENV_BIN / "ruff").exists() else "ruff"
    if fix:
        c.run(f"{ruff} check --fix . && {ruff} format .")
    else:
        c.run(f"{ruff} check . && {ruff} format --check .")


@task(
    help={
        "quick": "sizes 1 and 10, RTT runs at 10 hosts, the 500-host scale run once (cold)",
        "args": "more bench/run.py options, e.g. \"--sizes 10 --tools ref,edgeauto --scale 0\"",
    }
)
def bench(c, quick=False, args=""):
    """Run the side-by-side benchmark (bench/run.py) and regenerate docs/benchmarks.md and its
    charts. Needs root and the bench extra (matplotlib): pip install -e '.[bench]'."""
    runner = ROOT / "bench" / "run.py"
    c.run(f"{PY} {runner} {'--quick ' if quick else ''}{args}", pty=False)


def _vagrant_lab():
    from edgeauto.vagrantlab.lab import VagrantLab

    return VagrantLab()


@task(name="up")
def vagrant_up(c):
    """The real Vagrant lab: scripts/setup-vagrant.sh, box, libvirtd in a netns, vagrant up."""
    c.run(str(ROOT / "scripts" / "setup-vagrant.sh"))
    timings = _vagrant_lab().up()
    print("vagrant lab up:", " ".join(f"{k}={v}s" for k, v in timings.phases.items()))
    print("inventory: edgeauto run -i vagrant:vagrant PLAYBOOK")


@task(name="down", help={"purge": "also remove the base-box volume and the added box"})
def vagrant_down(c, purge=False):
    """Destroy the guests, stop the lab's libvirt daemons by PID, delete its netns."""
    problems = _vagrant_lab().down(purge=purge)
    if problems:
        raise SystemExit("vagrant down problems:\n  " + "\n  ".join(problems))


@task(name="status")
def vagrant_status(c):
    """vagrant status of the lab's machines (inside its netns)."""
    print(_vagrant_lab().status())


vagrant = Collection("vagrant")
for t in (vagrant_up, vagrant_down, vagrant_status):
    vagrant.add_task(t)

lab = Collection("lab")
for t in (up, down, status, ssh):
    lab.add_task(t)
ns = Collection(test, lint, bench, lab, vagrant)
