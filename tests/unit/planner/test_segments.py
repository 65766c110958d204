"""Segmenting: how many scripts (round trips) a host needs, and that results come back in order."""

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK


def trips(run, host="h1"):
    return run.states[host].transport.round_trips


def test_independent_remote_tasks_go_in_one_script(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - file: {path: WORK/d, state: directory}
            - copy: {dest: WORK/d/a, content: "a\\n"}
            - lineinfile: {path: WORK/d/b, line: x=1, create: true}
            - command: {cmd: touch WORK/d/c, creates: WORK/d/c}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert trips(run) == 1
    assert [s for _, s in rep.statuses("h1")] == ["changed"] * 4
    result, rep, run = lab.run(pb)
    assert trips(run) == 1
    assert [s for _, s in rep.statuses("h1")] == ["ok"] * 4
    assert run.states["h1"].stats.changed == 0


def test_a_register_read_by_a_later_task_ends_the_segment(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: echo one
              register: first
            - shell: echo two
            - name: reads first
              shell: echo "{{ first.stdout }}-x"
              register: second
            - copy: {dest: WORK/out, content: "{{ second.stdout }}"}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert trips(run) == 3
    assert (lab.work / "out").read_text() == "one-x"


def test_a_variable_defined_from_a_register_is_followed(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars:
            derived: "{{ r.stdout | upper }}"
          tasks:
            - shell: echo abc
              register: r
            - copy: {dest: WORK/out, content: "{{ derived }}"}
        """
    )
    result, _, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "out").read_text() == "ABC"
    assert trips(run) == 2


def test_a_failed_task_stops_the_host_and_later_tasks_never_run(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {dest: WORK/before, content: "x"}
            - name: breaks
              shell: echo oops >&2; exit 3
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert (lab.work / "before").exists() and not (lab.work / "after").exists()
    assert rep.statuses("h1") == [("copy", "changed"), ("breaks", "failed")]
    failed = rep.results[-1]
    assert failed.explain["rc"] == 3
    assert "oops" in failed.explain["stderr_tail"]
    assert failed.explain["at"].endswith(":7:15") or "site.yml:" in failed.explain["at"]
    assert run.states["h1"].stats.failed == 1


def test_ignore_errors_lets_the_script_continue_and_counts_ignored(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: exit 1
              ignore_errors: true
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "after").exists()
    stats = run.states["h1"].stats
    assert (stats.ignored, stats.failed, stats.changed) == (1, 0, 2)  # as ansible-playbook
    assert trips(run) == 1


def test_failed_when_and_changed_when_are_decided_on_the_controller(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: grep miss is fine
              shell: exit 1
              register: g
              failed_when: g.rc > 1
              changed_when: false
            - name: success that counts as failure
              shell: echo bad
              failed_when: "'bad' in stdout"
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, rep, run = lab.run(pb)
    assert rep.status_of("h1", "grep miss is fine") == "ok"
    assert rep.status_of("h1", "success that counts as failure") == "failed"
    assert not (lab.work / "after").exists()
    assert result.exit_code == EXIT_HOST_FAILED


def test_loop_results_are_registered_as_a_list_and_when_applies_per_item(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: echo {{ item }}
              loop: [a, b, c]
              when: item != 'b'
              register: out
            - copy:
                dest: WORK/out
                content: "{{ out.results | map(attribute='stdout', default='-') | join(',') }}"
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "out").read_text() == "a,-,c"
    looped = rep.results[0]
    assert [bool(r.get("skipped")) for r in looped.item_results] == [False, True, False]


def test_until_retries_the_task_alone_until_the_condition_holds(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: third time lucky
              shell: echo x >> WORK/count; wc -l < WORK/count
              register: c
              until: c.stdout | int >= 3
              retries: 5
              delay: 0
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.results[-1].result["attempts"] == 3
    assert len((lab.work / "count").read_text().splitlines()) == 3


def test_until_that_never_holds_fails_after_retries(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: "true"
              register: c
              until: false
              retries: 2
              delay: 0
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert rep.results[-1].result["attempts"] == 3


def test_a_file_changed_since_facts_gets_its_content_sent_after_all(lab):
    target = lab.work / "conf"
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: true
          tasks:
            - name: someone else edits the file after the facts round trip
              shell: "echo edited > WORK/conf"
              changed_when: false
            - copy: {dest: WORK/conf, content: "wanted\\n"}
            - copy: {dest: WORK/other, content: "x"}
        """
    )
    target.write_text("wanted\n")
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert target.read_text() == "wanted\n"
    assert (lab.work / "other").exists()
    assert run.states["h1"].transport.round_trips == 3  # facts, script, re-sent tail
