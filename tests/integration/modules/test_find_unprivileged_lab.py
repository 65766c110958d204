"""find as an unprivileged user (become_user) on a real host, as the find target runs it: a
directory it cannot list is in ``skipped_paths`` with Python's OSError text (Ansible's
os.walk onerror), the rest is found, and a working directory that user cannot read (root's
home) does not stop find -exec."""

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
