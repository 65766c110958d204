"""group/user/getent/authorized_key/known_hosts on real lab hosts over SSH: a fresh Debian
host (shadow utils, OpenSSH) and the BusyBox host (no account applets, no ssh-keygen: the
/etc files are edited directly). Every converge test: check mode predicts the real run, the
real run changes, the second run and a check afterwards change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from users_lab_helpers import converge, run_tasks  # noqa: E402

pytestmark = pytest.mark.lab


def etc(host, *names: str) -> str:
    return host.run("cat " + " ".join(f"/etc/{n}" for n in names), check=True).stdout


# ---- group -------------------------------------------------------------------------------

GROUP_TASKS = [
    {"name": "plain", "group": {"name": "eagrp1"}},
    {"name": "fixed gid", "ansible.builtin.group": {"name": "eagrp2", "gid": 2345}},
    {"name": "system", "group": {"name": "eagrpsys", "system": True}},
    {"name": "shared gid", "group": {"name": "eagrp3", "gid": 2345, "non_unique": True}},
]


def _group_checks(host, first):
    assert [r["changed"] for r in first] == [True] * 4
    assert first[1]["gid"] == 2345 and first[1]["name"] == "eagrp2"
    assert first[1]["state"] == "present" and first[1]["system"] is False
    assert first[2]["system"] is True and first[2]["gid"] < 1000
    assert first[0]["gid"] >= 1000
    text = etc(host, "group")
    assert "eagrp2:x:2345:" in text and "eagrp3:x:2345:" in text


def test_group_converges_on_debian_with_groupadd(tmp_path, lab_inventory, fresh_host):
    first = converge(tmp_path, lab_inventory, fresh_host.name, GROUP_TASKS)
    _group_checks(fresh_host, first)
    # gid change, then delete (check mode predicts, second run idempotent)
    tasks = [
        {"group": {"name": "eagrp1", "gid": 3456}},
        {"group": {"name": "eagrp2", "state": "absent"}},
        {"group": {"name": "never-there", "state": "absent"}},
    ]
    first = converge(tmp_path, lab_inventory, fresh_host.name, tasks)
    assert [r["changed"] for r in first] == [True, True, False]
    assert first[0]["gid"] == 3456 and "gid" not in first[1]
    assert "eagrp2:" not in etc(fresh_host, "group")


def test_group_local_edits_the_files_on_debian(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {**t, "group": {**t["group"], "local": True}} if "group" in t else t for t in GROUP_TASKS
    ]
    tasks[1] = {"group": {"name": "eagrp2", "gid": 2345, "local": True}}
    first = converge(tmp_path, lab_inventory, fresh_host.name, tasks)
    _group_checks(fresh_host, first)
    assert "eagrp2:!::" in etc(fresh_host, "gshadow")
    mode = fresh_host.run("stat -c '%a %U %G' /etc/group /etc/gshadow", check=True).stdout
    assert mode.split("\n")[:2] == ["644 root root", "640 root shadow"]
    code, res = run_tasks(
        tmp_path,
        lab_inventory,
        fresh_host.name,
        [{"group": {"name": "eagrp2", "state": "absent", "local": True}}],
    )
    assert code == 0 and res[0]["changed"]
    assert "eagrp2" not in etc(fresh_host, "group", "gshadow")


def test_group_converges_on_busybox_by_editing_the_files(tmp_path, lab_inventory, busybox_host):
    try:
        first = converge(tmp_path, lab_inventory, busybox_host.name, GROUP_TASKS)
        _group_checks(busybox_host, first)
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            busybox_host.name,
            [{"group": {"name": "eagrp2", "gid": 2345, "state": "absent"}}],
        )
        assert code == 0 and res[0]["changed"] and "gid" not in res[0]
    finally:
        busybox_host.run(
            "sed -i '/^eagrp/d' /etc/group; [ ! -f /etc/gshadow ] || sed -i '/^eagrp/d' /etc/gshadow"
        )


def test_group_refuses_bad_arguments_before_anything_runs(tmp_path, lab_inventory, debian_host):
    for bad in ({"name": "a:b"}, {"name": "eabad", "gid": "abc"}, {"name": "eabad", "nope": 1}):
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            debian_host.name,
            [{"group": bad}, {"group": {"name": "eabad2"}}],
        )
        assert code == "invalid" or res[0]["_status"] == "failed", res
        assert len(res) == 1
    assert "eabad" not in etc(debian_host, "group")
