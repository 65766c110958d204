"""The sys group's file-only cases against ansible-core on this machine: ``cron`` with a
``cron_file`` in a temp directory must leave the same bytes and report the same changed/jobs/
envs as ansible.builtin.cron (a stub ``crontab`` on PATH: Ansible looks for the command even
when it only writes the cron file; nothing here touches the real crontab)."""

import json
import os
import tempfile
from pathlib import Path

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import ANSIBLE, ansible_localhost, run_under

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (test oracle) not installed"),
]

INITIAL = (
    "# hand made\nMAILTO=root\n#Ansible: old\n1 2 * * * root /bin/old\n"
    "*/5 * * * * root /usr/bin/adopt-me\n"
)
CASES = [
    {"name": "new", "job": "/bin/true", "minute": "*/10", "user": "root"},
    {"name": "old", "job": "/bin/old", "minute": "1", "hour": "2", "user": "root"},
    {"name": "old", "job": "/bin/new", "hour": "3", "user": "root", "disabled": True},
    {"name": "adopt", "job": "/usr/bin/adopt-me", "minute": "*/5", "user": "root"},
    {"name": "old", "state": "absent"},
    {"name": "boot", "job": "/bin/boot", "special_time": "reboot", "user": "nobody"},
    {"name": "PATH", "job": "/bin:/usr/bin", "env": True, "user": "root"},
    {"name": "SHELL", "job": "/bin/sh", "env": True, "user": "root", "insertafter": "MAILTO"},
    {"name": "MAILTO", "job": "ops", "env": True, "user": "root"},
    {"name": "MAILTO", "env": True, "state": "absent"},
]


@pytest.fixture(scope="module")
def stub_crontab(tmp_path_factory):
    bindir = tmp_path_factory.mktemp("stubbin")
    stub = bindir / "crontab"
    stub.write_text("#!/bin/sh\necho 'stub crontab must not run' >&2\nexit 99\n")
    stub.chmod(0o755)
    old = os.environ["PATH"]
    os.environ["PATH"] = f"{bindir}:{old}"
    yield
    os.environ["PATH"] = old


def on_file(runner, args: dict, initial: str | None) -> tuple[dict, str | None]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ea-job"
        if initial is not None:
            path.write_text(initial)
        result = runner({**args, "cron_file": str(path)})
        return result, (path.read_text() if path.exists() else None)


@pytest.mark.parametrize("shell", ["dash", "busybox"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: json.dumps(c, sort_keys=True)[:60])
def test_cron_file_matches_ansible(stub_crontab, shell, case):
    theirs, their_bytes = on_file(lambda a: ansible_localhost("cron", a), case, INITIAL)
    mine, my_bytes = on_file(
        lambda a: run_under(shell, [LocalTask("cron", a)]).results[0], case, INITIAL
    )
    assert not theirs.get("failed"), theirs
    assert my_bytes == their_bytes
    for key in ("changed", "jobs", "envs", "state"):
        assert mine.get(key) == theirs.get(key), key


@pytest.mark.parametrize("shell", ["dash", "busybox"])
def test_cron_file_last_job_removed_removes_the_file_like_ansible(stub_crontab, shell):
    initial = "#Ansible: only\n* * * * * root /bin/x\n"
    case = {"name": "only", "state": "absent"}
    theirs, their_bytes = on_file(lambda a: ansible_localhost("cron", a), case, initial)
    mine, my_bytes = on_file(
        lambda a: run_under(shell, [LocalTask("cron", a)]).results[0], case, initial
    )
    assert their_bytes is None and my_bytes is None
    assert mine["changed"] is theirs["changed"] is True
