"""The engine against real SSH hosts of the lab: convergence, check mode, busybox, become,
round trips, serial/max_fail_percentage and a host that dies mid-play."""

from __future__ import annotations

import textwrap

import pytest

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_HOST_UNREACHABLE, EXIT_OK
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder

pytestmark = pytest.mark.lab


def run_playbook(tmp_path, inventory, text, name="site.yml", **options):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    rec = Recorder()
    run = Run([path], RunOptions(inventory_sources=[str(inventory)], **options), rec)
    result = run.execute()
    return result, rec, run


TEN_TASKS = """
- hosts: all
  gather_facts: true
  vars:
    base: /opt/edgeauto-test
  tasks:
    - name: base directory
      file: {path: "{{ base }}", state: directory, mode: "0755"}
    - name: sub directories
      file: {path: "{{ base }}/{{ item }}", state: directory}
      loop: [etc, var, opt]
    - name: identity
      copy:
        dest: "{{ base }}/etc/identity"
        content: "host={{ inventory_hostname }} arch={{ ansible_facts['architecture'] | default('?') }}\\n"
    - name: motd
      copy: {dest: "{{ base }}/etc/motd", content: "welcome\\n", mode: "0644"}
    - name: run script
      copy: {dest: "{{ base }}/opt/run.sh", content: "#!/bin/sh\\necho run\\n", mode: "0755"}
    - name: max_conn
      lineinfile: {path: "{{ base }}/etc/settings.ini", regexp: "^max_conn=", line: max_conn=100, create: true}
    - name: log_level
      lineinfile: {path: "{{ base }}/etc/settings.ini", regexp: "^log_level=", line: log_level=info}
    - name: current link
      file: {src: "{{ base }}/opt", dest: "{{ base }}/current", state: link}
    - name: init once
      command: {cmd: "sh -c 'echo done > {{ base }}/var/init'", creates: "{{ base }}/var/init"}
    - name: report
      debug: {msg: "converged {{ inventory_hostname }}"}
"""


def test_ten_task_playbook_converges_then_reports_nothing_changed_in_two_round_trips(
    tmp_path, lab_inventory, fresh_host
):
    result, rec, run = run_playbook(tmp_path, lab_inventory, TEN_TASKS, limit=[fresh_host.name])
    assert result.exit_code == EXIT_OK, rec.results
    assert len(rec.changed(fresh_host.name)) == 9
    result, rec, run = run_playbook(tmp_path, lab_inventory, TEN_TASKS, limit=[fresh_host.name])
    assert result.exit_code == EXIT_OK
    assert rec.changed(fresh_host.name) == []
    # facts (+ checksums) and one script: the physical limit for a converged host
    assert run.states[fresh_host.name].transport.round_trips <= 2
    out = fresh_host.run("cat /opt/edgeauto-test/etc/settings.ini", check=True).stdout
    assert out.splitlines() == ["max_conn=100", "log_level=info"]


def test_check_mode_on_a_fresh_host_predicts_exactly_what_the_real_run_changes(
    tmp_path, lab_inventory, fresh_host
):
    name = fresh_host.name
    _, check, _ = run_playbook(tmp_path, lab_inventory, TEN_TASKS, limit=[name], check=True)
    assert fresh_host.run("test -e /opt/edgeauto-test").returncode != 0  # nothing written
    _, real, _ = run_playbook(tmp_path, lab_inventory, TEN_TASKS, limit=[name])
    assert check.changed(name) == real.changed(name)


def test_busybox_host_without_coreutils_or_python_converges(tmp_path, lab_inventory, busybox_host):
    text = TEN_TASKS.replace("/opt/edgeauto-test", "/tmp/edgeauto-engine-test")
    try:
        result, rec, _ = run_playbook(tmp_path, lab_inventory, text, limit=[busybox_host.name])
        assert result.exit_code == EXIT_OK, [r.result for r in rec.results if r.status == "failed"]
        result, rec, run = run_playbook(tmp_path, lab_inventory, text, limit=[busybox_host.name])
        assert rec.changed(busybox_host.name) == []
    finally:
        busybox_host.run("rm -rf /tmp/edgeauto-engine-test")


def test_become_as_the_non_root_tester_user_writes_root_owned_files(
    tmp_path, lab_inventory, fresh_host
):
    alias = f"{fresh_host.name}-tester"
    text = """
    - hosts: all
      gather_facts: false
      tasks:
        # The alias's ansible_become outranks the become keyword (as in Ansible), so this
        # task sudoes back to tester instead of saying become false.
        - name: who am i
          command: id -un
          register: who
          become_user: tester
        - name: as root
          copy: {dest: /root/by-become, content: "{{ who.stdout }}\\n"}
          become: true
    """
    result, rec, _ = run_playbook(tmp_path, lab_inventory, text, limit=[alias])
    assert result.exit_code == EXIT_OK, [r.result for r in rec.results]
    out = fresh_host.run("stat -c %U /root/by-become; cat /root/by-become", check=True).stdout
    assert out.split() == ["root", "tester"]


def test_serial_batches_stop_after_a_batch_over_max_fail_percentage(
    tmp_path, lab_inventory, lab_hosts
):
    debian = [h for h in lab_hosts if h.flavor == "debian"][:3]
    names = [h.name for h in debian]
    marker = f"/tmp/edgeauto-serial-{tmp_path.name}"
    text = f"""
    - hosts: all
      gather_facts: false
      serial: 1
      max_fail_percentage: 0
      tasks:
        - shell: "test {{{{ inventory_hostname }}}} != {names[0]}"
        - copy: {{dest: {marker}, content: "x"}}
    """
    try:
        result, rec, _ = run_playbook(tmp_path, lab_inventory, text, limit=names)
        assert result.exit_code == EXIT_HOST_FAILED
        for host in debian[1:]:
            assert host.run(f"test -e {marker}").returncode != 0
        assert any("max_fail_percentage" in e for e in rec.errors)
    finally:
        for host in debian:
            host.run(f"rm -f {marker}")


def test_a_host_dying_mid_play_is_unreachable_and_the_others_finish(
    tmp_path, lab_inventory, make_host, debian_host
):
    doomed = make_host(flavor="debian", systemd=True)
    marker = f"/tmp/edgeauto-dying-{tmp_path.name}"
    text = f"""
    - hosts: all
      gather_facts: false
      tasks:
        - name: arm the kill switch on the doomed host
          shell: "nohup sh -c 'sleep 1; pkill -9 sshd' >/dev/null 2>&1 &"
          when: inventory_hostname == '{doomed.name}'
          register: armed
        - name: outlive the connection
          shell: "sleep 3"
          when: armed is defined
        - name: everybody else finishes
          copy: {{dest: {marker}, content: "x"}}
    """
    try:
        result, rec, _ = run_playbook(
            tmp_path, lab_inventory, text, limit=[doomed.name, debian_host.name], task_timeout=60
        )
        shown = [
            (r.host, r.task.display_name, r.status, r.result.get("msg"))
            for r in rec.results
            if r.host == doomed.name
        ]
        assert result.exit_code == EXIT_HOST_UNREACHABLE, shown
        assert result.unreachable_hosts == [doomed.name]
        assert debian_host.run(f"test -e {marker}").returncode == 0
    finally:
        debian_host.run(f"rm -f {marker}")


def test_retry_unreachable_reconnects_and_resends_only_what_did_not_run(
    tmp_path, lab_inventory, make_host
):
    flaky = make_host(flavor="debian", systemd=True)
    text = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: drop the connection once (systemd restarts sshd)
          shell: "[ -e /root/armed ] || { touch /root/armed; nohup sh -c 'sleep 1; pkill -9 sshd' >/dev/null 2>&1 & }"
          register: armed
        - name: outlive the connection
          shell: "sleep 3; echo x >> /root/slept"
          when: armed is defined
        - name: finish
          copy: {dest: /root/finished, content: "x"}
    """
    result, rec, run = run_playbook(
        tmp_path, lab_inventory, text, limit=[flaky.name], retry_unreachable=4, retry_backoff=1.0
    )
    assert result.exit_code == EXIT_OK, [
        (r.task.display_name, r.status, r.result.get("msg")) for r in rec.results
    ]
    assert any("connection lost" in w for w in rec.warnings)
    assert flaky.run("cat /root/finished", check=True).stdout == "x"


def test_ignore_unreachable_reports_the_task_skipped_and_the_play_goes_on(
    tmp_path, lab_inventory, make_host
):
    flaky = make_host(flavor="debian", systemd=True)
    text = """
    - hosts: all
      gather_facts: false
      tasks:
        - name: drop the connection once
          shell: "[ -e /root/armed ] || { touch /root/armed; nohup sh -c 'sleep 1; pkill -9 sshd' >/dev/null 2>&1 & }"
          register: armed
        - name: cut short
          shell: "sleep 3"
          when: armed is defined
          ignore_unreachable: true
        - name: later
          shell: "true"
          ignore_unreachable: true
    """
    result, rec, run = run_playbook(tmp_path, lab_inventory, text, limit=[flaky.name])
    statuses = {r.task.display_name: r.status for r in rec.results}
    assert result.exit_code == EXIT_OK, statuses
    assert statuses["cut short"] == "skipped"
    assert not run.states[flaky.name].unreachable
