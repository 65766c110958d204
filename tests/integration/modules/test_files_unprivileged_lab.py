"""File modules as an unprivileged user (become_user) on a real host, as the find and file
targets run them. find: a directory it cannot list is in ``skipped_paths`` with Python's
OSError text (Ansible's os.walk onerror), the rest is found, and a working directory that
user cannot read (root's home) does not stop find -exec. file: touching a file the user may
write but does not own sets both times to now (ansible issue 50943)."""

from __future__ import annotations

import pytest
from svc_lab import play

pytestmark = pytest.mark.lab

TOP = "/tmp/ea-permission-test/readable"


def test_find_as_another_user_lists_what_it_can_and_records_what_it_cannot(
    tmp_path, lab_inventory, fresh_host
):
    setup = [
        {"file": {"path": TOP, "state": "directory", "owner": "nobody", "mode": "1711"}},
        {"file": {"path": f"{TOP}/1-unreadable", "state": "directory", "mode": "0700"}},
        {"file": {"path": f"{TOP}/2-readable", "state": "touch", "owner": "nobody"}},
    ]
    assert play(tmp_path, lab_inventory, fresh_host, setup).failed() == []
    search = [
        {
            "name": "find",
            "find": {"paths": f"{TOP}/", "patterns": "*", "recurse": True},
            "become": True,
            "become_user": "nobody",
        }
    ]
    for _ in range(2):  # read-only: the same answer, changed=0, every time
        found = play(tmp_path, lab_inventory, fresh_host, search)["find"]
        assert found["_status"] == "ok" and found["changed"] is False
        assert [f["path"] for f in found["files"]] == [f"{TOP}/2-readable"]
        assert found["skipped_paths"] == {
            f"{TOP}/1-unreadable": f"[Errno 13] Permission denied: '{TOP}/1-unreadable'"
        }
        assert found["msg"] == "All paths examined" and "warnings" not in found


def test_touch_as_a_user_who_may_write_but_not_own_the_file_moves_both_times(
    tmp_path, lab_inventory, fresh_host
):
    path = "/tmp/ea-write-utime"
    setup = [{"file": {"path": path, "state": "touch", "mode": "0666"}}]
    assert play(tmp_path, lab_inventory, fresh_host, setup).failed() == []
    fresh_host.run(f"touch -d '2001-01-01 00:00' {path}", check=True)
    touch = [
        {
            "name": "touch",
            "file": {"path": path, "state": "touch"},
            "become": True,
            "become_user": "nobody",
        }
    ]
    # state=touch always changes (Ansible too): no second-run changed=0 to check here
    touched = play(tmp_path, lab_inventory, fresh_host, touch)["touch"]
    assert touched["_status"] == "changed", touched
    times = fresh_host.run(f"stat -c '%X %Y %U' {path}", check=True).stdout.split()
    assert int(times[0]) > 978307200 and int(times[1]) > 978307200 and times[2] == "root"
