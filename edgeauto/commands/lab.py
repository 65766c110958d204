"""``edgeauto lab up|down|status|ssh|leftovers``: real SSH test hosts on this machine.

Hosts are overlay root filesystems over a cached Debian (or busybox) base, each with its own
namespaces and its own sshd on a 127.77.0.N address. ``up`` writes an ssh_config and an
Ansible-compatible inventory (inventories/lab.yml) with pinned host keys. Needs root.
"""

from __future__ import annotations

import os
import sys


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "lab", help="bring lab test hosts up/down", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--state-dir", help="lab state directory (default .lab/ in the repo or $EDGEAUTO_LAB_DIR)"
    )
    parser.add_argument("--subnet", default="127.77.0", help="loopback /24 for host addresses")
    sub = parser.add_subparsers(dest="lab_command", metavar="ACTION")

    up = sub.add_parser("up", help="add hosts to the lab and wait until they accept SSH")
    up.add_argument("--hosts", "-n", type=int, default=1, help="how many hosts (default 1)")
    up.add_argument("--flavor", choices=("debian", "busybox"), default="debian")
    up.add_argument("--arch", help="debian architecture (amd64, arm64, armhf); foreign = qemu-user")
    up.add_argument("--with-python", action="store_true", help="install python3 (ansible oracle)")
    up.add_argument(
        "--no-systemd",
        dest="systemd",
        action="store_false",
        default=None,
        help="sshd as PID 1 instead of booting systemd (light host)",
    )
    up.add_argument(
        "--capability",
        action="append",
        default=[],
        choices=("docker", "ovs", "libvirt"),
        help="privileged host with its own network namespace running docker/OVS/libvirt",
    )
    up.add_argument("--timeout", type=float, default=300.0, help="seconds to wait per host")
    up.set_defaults(func=run_up)

    down = sub.add_parser("down", help="stop every host and remove what the lab made")
    down.add_argument(
        "--force",
        action="store_true",
        help="also clean up after a crash: find leftovers by state directory and cgroups",
    )
    down.set_defaults(func=run_down)

    status = sub.add_parser("status", help="list hosts and whether they answer")
    status.set_defaults(func=run_status)

    ssh = sub.add_parser("ssh", help="open a shell (or run a command) on a lab host")
    ssh.add_argument("name")
    ssh.add_argument("--user", "-l", default="root")
    ssh.add_argument("command", nargs="*", help="command to run instead of a shell")
    ssh.set_defaults(func=run_ssh)

    left = sub.add_parser("leftovers", help="list anything of this lab still on the machine")
    left.set_defaults(func=run_leftovers)
    parser.set_defaults(func=lambda args: parser.print_help() or 0)


def _lab(args):
    from edgeauto.lab import Lab

    return Lab(state_dir=args.state_dir, subnet=args.subnet)


def run_up(args) -> int:
    lab = _lab(args)
    hosts = lab.up(
        hosts=args.hosts,
        flavor=args.flavor,
        arch=args.arch,
        with_python=args.with_python,
        systemd=args.systemd,
        capabilities=tuple(args.capability),
        timeout=args.timeout,
    )
    for h in hosts:
        print(f"{h.name}\t{h.address}:{h.port}\t{h.flavor}/{h.arch}\t{h.mode}\t{h.state}")
    print(f"ssh_config: {lab.ssh_config}   (ssh -F {lab.ssh_config} {hosts[0].name})")
    print(f"inventory:  {lab.extra_inventory or lab.inventory}")
    return 0


def run_down(args) -> int:
    report = _lab(args).down(force=args.force)
    for problem in report.problems:
        print(f"problem: {problem}", file=sys.stderr)
    return 1 if report.problems else 0


def run_status(args) -> int:
    rows = _lab(args).status()
    if not rows:
        print("no lab hosts (edgeauto lab up --hosts N)")
        return 0
    cols = ("name", "flavor", "arch", "mode", "address", "state", "processes", "ssh")
    widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print("  ".join(c.upper().ljust(widths[c]) for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    return 0 if all(r["ssh"] == "up" for r in rows) else 1


def run_ssh(args) -> int:
    lab = _lab(args)
    host = lab.host(args.name)
    argv = host.ssh_argv(args.user)
    if args.command:
        argv += ["--", *args.command]
    sys.stdout.flush()
    os.execvp(argv[0], argv)
    return 0  # not reached


def run_leftovers(args) -> int:
    found = _lab(args).leftovers()
    for item in found:
        print(item)
    return 1 if found else 0
