"""``edgeauto demo``: the edge story on a local lab fleet, start to end (see
:mod:`edgeauto.lab.demo`): bring up 2 gateways, a Debian host and a BusyBox device, classify
and provision them with playbooks/site.yml, place a workload, deploy v1 from an image archive,
roll out v2 with a canary, watch v3 fail its health check and roll back, print status and the
service catalog, tear the lab down (``--keep`` leaves it up). Needs root (lab hosts)."""

from __future__ import annotations

from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="the edge demo on a local lab fleet (provision, deploy, canary, rollback)",
        description=__doc__.split("\n\n")[0],
    )
    parser.add_argument("--keep", action="store_true", help="leave the lab fleet up at the end")
    parser.add_argument(
        "--out", type=Path, help="where specs, image archives, the plan page and timelines go"
    )
    parser.set_defaults(func=run)


def run(args) -> int:
    from edgeauto.lab.demo import DemoOptions, run_demo
    from edgeauto.lab.lab import requirements_problem

    problem = requirements_problem()
    if problem:
        from edgeauto.lab.errors import LabError

        raise LabError(f"the edge demo needs lab hosts: {problem}")
    result = run_demo(DemoOptions(keep=args.keep, out=args.out))
    return 0 if result.ok else 1
