"""``async``/``poll``/``async_status`` and ``timeout`` over real SSH (issue 10, item 6): a
background job outlives the script and the SSH session that started it (also under sudo, and
on BusyBox), a later task reads its result, and a timed-out task leaves no process behind.
All of it in the one script per host: the job adds no round trip."""

from __future__ import annotations

import pytest

from edgeauto.errors import EXIT_OK
from tests.integration.test_engine_lab import run_playbook

pytestmark = pytest.mark.lab

BACKGROUND = """
- hosts: all
  gather_facts: false
  tasks:
    - name: start
      shell: sleep 2; id -un > /tmp/edgeauto-async-{{ inventory_hostname }}; echo done
      async: 60
      poll: 0
      register: job
    - name: started, not finished
      assert:
        that: [job.started, job is not finished]
    - name: wait
      async_status: jid={{ job.ansible_job_id }}
      register: st
      until: st is finished
      retries: 30
      delay: 1
    - name: cleanup
      async_status: jid={{ job.ansible_job_id }} mode=cleanup
"""


def _run(tmp_path, inventory, text, limit):
    return run_playbook(tmp_path, inventory, text, limit=[limit])


def _result(rec, name):
    return [r.result for r in rec.results if r.task.display_name == name][-1]


@pytest.mark.parametrize("login", ["root", "tester"])
def test_a_background_job_outlives_its_ssh_session_and_async_status_reads_it(
    tmp_path, lab_inventory, fresh_host, login
):
    alias = fresh_host.name if login == "root" else f"{fresh_host.name}-tester"  # sudo
    result, rec, _ = _run(tmp_path, lab_inventory, BACKGROUND, alias)
    assert result.exit_code == EXIT_OK, [r.result for r in rec.results]
    status = _result(rec, "wait")
    assert status["stdout"] == "done" and status["finished"] is True
    out = fresh_host.run(f"cat /tmp/edgeauto-async-{alias}", check=True).stdout
    assert out.strip() == "root"  # the tester alias becomes root for the whole script


def test_a_background_job_runs_on_busybox_too(tmp_path, lab_inventory, busybox_host):
    try:
        result, rec, _ = _run(tmp_path, lab_inventory, BACKGROUND, busybox_host.name)
        assert result.exit_code == EXIT_OK, [r.result for r in rec.results]
        assert _result(rec, "wait")["stdout"] == "done"
    finally:
        busybox_host.run(f"rm -f /tmp/edgeauto-async-{busybox_host.name}")


def test_a_task_past_its_timeout_is_killed_with_what_it_started(
    tmp_path, lab_inventory, fresh_host
):
    text = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: slow
          shell: sleep 300 && echo late > /tmp/late
          timeout: 2
          ignore_errors: true
        - name: afterwards
          command: "true"
    """
    result, rec, run = _run(tmp_path, lab_inventory, text, fresh_host.name)
    assert result.exit_code == EXIT_OK
    assert _result(rec, "slow")["msg"] == "Task failed: Timed out after 2 second(s)."
    left = fresh_host.run("pgrep -x sleep || true").stdout.strip()  # the task's sleep 300
    assert left == ""
    assert run.states[fresh_host.name].transport.round_trips == 1
