"""sysctl, pam_limits and mount on temp files against the real ansible.posix /
community.general modules (the oracle), when those collections are installed: same bytes,
same changed and msg. Only file-editing cases: sysctl with reload/sysctl_set off, mount with
state present/absent_from_fstab on a temp fstab — nothing touches the kernel or mounts.

The collections are not part of ansible-core: point EDGEAUTO_ANSIBLE_COLLECTIONS at a
directory holding ansible_collections/ (for example extracted from the `ansible` wheel), or
install them with ansible-galaxy; otherwise these tests skip.
"""

import importlib.util
import json
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import ANSIBLE, run_under

COLLECTIONS = os.environ.get("EDGEAUTO_ANSIBLE_COLLECTIONS", "")


def _have(fqcn: str) -> bool:
    if not ANSIBLE.exists():
        return False
    if not COLLECTIONS and importlib.util.find_spec("ansible_collections") is None:
        return False  # nothing installed: do not pay for ansible-doc at collection time
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=COLLECTIONS) if COLLECTIONS else None
    doc = Path(ANSIBLE).with_name("ansible-doc")
    proc = subprocess.run(
        [str(doc), "-j", fqcn], capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    return proc.returncode == 0 and fqcn in proc.stdout


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (_have("ansible.posix.sysctl") and _have("community.general.pam_limits")),
        reason="ansible.posix/community.general (the oracle) not installed "
        "(set EDGEAUTO_ANSIBLE_COLLECTIONS)",
    ),
]


def oracle(fqcn: str, args: dict) -> dict:
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    if COLLECTIONS:
        env["ANSIBLE_COLLECTIONS_PATH"] = COLLECTIONS
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(
            [
                str(ANSIBLE),
                "localhost",
                "-c",
                "local",
                "-m",
                fqcn,
                "-t",
                tree,
                "-a",
                json.dumps(args),
            ],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        return json.loads((Path(tree) / "localhost").read_text())


def both(fqcn, module, key, initial, case, shell):
    out = {}
    for tool in ("ansible", "edgeauto"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "f"
            path.write_text(initial)
            args = {**case, key: str(path)}
            if tool == "ansible":
                res = oracle(fqcn, args)
            else:
                res = run_under(shell, [LocalTask(module, args)]).results[0]
            out[tool] = (res, path.read_text() if path.exists() else None)
    return out["ansible"], out["edgeauto"]


SYSCTL_INITIAL = "# keep\n vm.swappiness = 60 \nvm.swappiness=1\nkernel.x=2\n;semi\n\nnoequals\n"
SYSCTL_CASES = [
    {"name": "vm.swappiness", "value": "10"},
    {"name": "vm.swappiness", "value": "1"},
    {"name": "net.core.somaxconn", "value": "1024"},
    {"name": "kernel.x", "state": "absent"},
    {"name": "kernel.y", "state": "absent"},
    {"name": "net.ipv4.ip_forward", "value": True},
    {"name": "net.ipv4.ip_local_port_range", "value": "32768  60999"},
]


@pytest.mark.parametrize("shell", ["dash", "busybox"])
@pytest.mark.parametrize("case", SYSCTL_CASES, ids=lambda c: json.dumps(c)[:50])
def test_sysctl_file_matches_ansible_posix(shell, case):
    case = {**case, "reload": False}
    (theirs, their_text), (mine, my_text) = both(
        "ansible.posix.sysctl", "sysctl", "sysctl_file", SYSCTL_INITIAL, case, shell
    )
    assert not theirs.get("failed"), theirs
    assert my_text == their_text
    assert mine["changed"] == theirs["changed"]


LIMITS_INITIAL = "# limits\njoe hard nproc 50\n*  soft  core 0\n\n@adm - nice 0\n"
LIMITS_CASES = [
    {"domain": "joe", "limit_type": "soft", "limit_item": "nofile", "value": "64000"},
    {"domain": "joe", "limit_type": "hard", "limit_item": "nproc", "value": "80", "use_max": True},
    {"domain": "joe", "limit_type": "hard", "limit_item": "nproc", "value": "40", "use_max": True},
    {"domain": "joe", "limit_type": "hard", "limit_item": "nproc", "value": "10", "use_min": True},
    {
        "domain": "joe",
        "limit_type": "hard",
        "limit_item": "nproc",
        "value": "unlimited",
        "use_min": True,
    },
    {"domain": "*", "limit_type": "soft", "limit_item": "core", "value": "unlimited"},
    {"domain": "*", "limit_type": "soft", "limit_item": "core", "value": "0"},
    {
        "domain": "bob",
        "limit_type": "-",
        "limit_item": "memlock",
        "value": "1024",
        "comment": "lock",
    },
    {"domain": "@adm", "limit_type": "-", "limit_item": "nice", "value": "-5"},
]


@pytest.mark.parametrize("shell", ["dash", "busybox"])
@pytest.mark.parametrize("case", LIMITS_CASES, ids=lambda c: json.dumps(c)[:60])
def test_pam_limits_matches_community_general(shell, case):
    (theirs, their_text), (mine, my_text) = both(
        "community.general.pam_limits", "pam_limits", "dest", LIMITS_INITIAL, case, shell
    )
    assert not theirs.get("failed"), theirs
    assert my_text == their_text
    assert (mine["changed"], mine["msg"]) == (theirs["changed"], theirs["msg"])


FSTAB_INITIAL = (
    "# fstab\nUUID=1 / ext4 defaults 0 1\n/dev/x /mnt/a\\040b ext4 rw\n"
    "/dev/sw none swap sw 0 0\n/dev/y /data xfs noatime 0 2\n"
)
FSTAB_CASES = [
    {
        "path": "/mnt/new dir",
        "src": "tmpfs",
        "fstype": "tmpfs",
        "opts": "size=8m",
        "state": "present",
    },
    {"path": "/mnt/a b", "src": "/dev/x", "fstype": "ext4", "opts": "rw", "state": "present"},
    {
        "path": "/data",
        "src": "/dev/y",
        "fstype": "xfs",
        "opts": "noatime",
        "passno": "2",
        "state": "present",
    },
    {"path": "/data", "src": "/dev/y", "fstype": "xfs", "state": "present", "boot": False},
    {"path": "none", "src": "/dev/sw2", "fstype": "swap", "opts": "sw", "state": "present"},
    {"path": "/data", "state": "absent_from_fstab"},
    {"path": "/mnt/a b", "state": "absent_from_fstab"},
    {"path": "/nothing", "state": "absent_from_fstab"},
]


@pytest.mark.parametrize("shell", ["dash", "busybox"])
@pytest.mark.parametrize("case", FSTAB_CASES, ids=lambda c: json.dumps(c)[:60])
def test_mount_fstab_matches_ansible_posix(shell, case):
    (theirs, their_text), (mine, my_text) = both(
        "ansible.posix.mount", "mount", "fstab", FSTAB_INITIAL, case, shell
    )
    assert not theirs.get("failed"), theirs
    assert my_text == their_text
    assert mine["changed"] == theirs["changed"]
    for key in ("name", "src", "fstype", "opts", "dump", "passno", "boot"):
        assert mine.get(key) == theirs.get(key), key
