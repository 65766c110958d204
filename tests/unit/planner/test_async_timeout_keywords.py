"""The ``timeout``, ``async`` and ``poll`` task keywords and ``async_status`` (issue 10): the
results ansible-core 2.19 gives (its integration targets async, script, wait_for and
command_shell assert on them), inside the one script per host."""

import pytest

from edgeauto.errors import EXIT_OK, EdgeautoError


def test_a_task_past_its_timeout_is_killed_and_fails_as_ansible_says(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: slow
              shell: sleep 30; touch WORK/not-reached
              timeout: 1
              ignore_errors: true
            - name: quick
              command: "true"
              timeout: 20
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    slow = rep.result_of("h1", "slow")
    assert slow["failed"] is True
    assert slow["msg"] == "Task failed: Timed out after 1 second(s)."
    assert slow["timedout"]["period"] == 1
    assert not (lab.work / "not-reached").exists()
    assert rep.status_of("h1", "quick") == "changed"


def test_async_with_poll_runs_in_the_foreground_and_reports_the_job_keys(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: counted
              shell: for i in 1 2; do echo $i; done
              async: 10
              poll: 1
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    res = rep.result_of("h1", "counted")
    assert res["stdout_lines"] == ["1", "2"] and res["rc"] == 0
    assert res["finished"] is True and res["started"] is True
    assert res["ansible_job_id"].startswith("j") and "." in res["ansible_job_id"]
    # as Ansible: the async dir exists, the finished job's status file was cleaned up
    assert (lab.work / "async").is_dir()
    assert list((lab.work / "async").iterdir()) == []


def test_async_with_poll_past_its_limit_fails_did_not_complete_in_time(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: too slow
              command: sleep 30
              async: 1
              poll: 1
              ignore_errors: true
        """
    )
    _result, rep, _ = lab.run(pb)
    res = rep.result_of("h1", "too slow")
    assert res["failed"] is True
    assert res["msg"] == "async task did not complete within the requested time - 1s"
    assert res["async_result"]["finished"] is False


def test_poll_zero_starts_a_background_job_that_async_status_reads_until_finished(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: start
              shell: sleep 1; echo done > WORK/marker; echo finished
              async: 30
              poll: 0
              register: job
            - name: started
              assert:
                that:
                  - job.started
                  - job is not finished
                  - job.ansible_job_id is match('j[0-9]+[.][0-9]+')
            - name: wait
              async_status: jid={{ job.ansible_job_id }}
              register: st
              until: st is finished
              retries: 20
              delay: 1
            - name: clean
              async_status:
                jid: "{{ job.ansible_job_id }}"
                mode: cleanup
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
    st = rep.result_of("h1", "wait")
    # the job's own module result (command's keys), plus the job keys
    assert st["stdout"] == "finished" and st["rc"] == 0 and st["changed"] is True
    assert st["finished"] is True and st["started"] is True
    assert (lab.work / "marker").read_text() == "done\n"
    assert rep.result_of("h1", "clean")["erased"].endswith(
        rep.result_of("h1", "start")["ansible_job_id"]
    )
    assert not any(p.name.startswith("j") for p in (lab.work / "async").iterdir())


def test_async_status_of_an_unknown_job_fails_with_could_not_find_job(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: missing
              async_status: jid=j1.2
              ignore_errors: true
        """
    )
    _result, rep, _ = lab.run(pb)
    res = rep.result_of("h1", "missing")
    assert res["failed"] is True and res["msg"] == "could not find job"


def test_async_on_an_action_plugin_without_async_support_fails_as_ansible_says(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: copy in background
              copy: {content: "x", dest: WORK/f}
              async: 2
              ignore_errors: true
            - name: a controller action
              debug: msg=hi
              async: 2
              ignore_errors: true
        """
    )
    _result, rep, _ = lab.run(pb)
    res = rep.result_of("h1", "copy in background")
    assert res["msg"] == "This action (copy) does not support async."
    assert rep.result_of("h1", "a controller action")["msg"] == (
        "This action (debug) does not support async."
    )
    assert not (lab.work / "f").exists()


def test_async_and_timeout_tasks_stay_in_the_one_script_of_their_play(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - command: "true"
            - command: "true"
              timeout: 10
            - command: "true"
              async: 10
              poll: 1
            - command: "true"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert len(rep.scripts) == 1


def test_a_timeout_that_is_not_a_number_is_an_error_at_the_tasks_line(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - command: "true"
              timeout: soon
        """
    )
    with pytest.raises(EdgeautoError) as err:
        lab.run(pb)
    assert "'timeout' expects an integer" in str(err.value)
    assert "site.yml:6" in str(err.value)


def test_async_status_in_a_later_run_gives_the_jobs_module_result(lab):
    start = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: start
              command: echo from-the-job
              async: 30
              poll: 0
        """,
        name="start.yml",
    )
    _result, rep, _ = lab.run(start)
    jid = rep.result_of("h1", "start")["ansible_job_id"]
    later = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {ansible_async_dir: WORK/async}
          tasks:
            - name: read
              async_status: {jid: "{{ jid }}"}
              register: st
              until: st is finished
              retries: 20
              delay: 1
        """,
        name="later.yml",
    )
    result, rep, _ = lab.run(later, extra_vars={"jid": jid})
    assert result.exit_code == EXIT_OK
    st = rep.result_of("h1", "read")
    assert st["stdout_lines"] == ["from-the-job"] and st["rc"] == 0
    assert "_ea_function" not in st
