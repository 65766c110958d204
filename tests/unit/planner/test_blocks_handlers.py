"""block/rescue/always, handlers (notify/listen/flush), pending handler replay."""

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK


def test_rescue_runs_after_a_failure_and_the_host_counts_as_rescued(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - copy: {dest: WORK/in-block, content: "x"}
                - name: boom
                  shell: exit 2
                - copy: {dest: WORK/never, content: "x"}
              rescue:
                - copy: {dest: WORK/rescued, content: "x"}
              always:
                - copy: {dest: WORK/always, content: "x"}
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    for name in ("in-block", "rescued", "always", "after"):
        assert (lab.work / name).exists(), name
    assert not (lab.work / "never").exists()
    stats = run.states["h1"].stats
    assert (stats.failed, stats.rescued) == (0, 1)


def test_always_runs_after_an_unrescued_failure_and_the_host_still_fails(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - shell: exit 2
              always:
                - copy: {dest: WORK/always, content: "x"}
            - copy: {dest: WORK/after, content: "x"}
        """
    )
    result, _, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert (lab.work / "always").exists()
    assert not (lab.work / "after").exists()


def test_a_failure_before_a_guarded_block_is_not_rescued_by_it(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - shell: exit 2
            - block:
                - copy: {dest: WORK/b, content: "x"}
              rescue:
                - copy: {dest: WORK/wrongly-rescued, content: "x"}
        """
    )
    result, _, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert not (lab.work / "wrongly-rescued").exists()


def test_block_when_and_vars_apply_to_every_task_inside(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - copy: {dest: "WORK/{{ name }}", content: "x"}
              vars: {name: from-block}
              when: true
            - block:
                - copy: {dest: WORK/skipped, content: "x"}
              when: false
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "from-block").exists() and not (lab.work / "skipped").exists()


HANDLERS = """
- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: WORK/conf, content: "v1"}
      notify: [restart app]
    - shell: "true"
      changed_when: false
      notify: restart app
  handlers:
    - name: restart app
      shell: echo restarted >> WORK/restarts
    - name: also listening
      shell: echo heard >> WORK/heard
      listen: restart app
"""


def test_handlers_run_once_at_the_end_only_when_notified_by_a_change(lab):
    pb = lab.playbook(HANDLERS)
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "restarts").read_text() == "restarted\n"
    assert (lab.work / "heard").read_text() == "heard\n"
    assert [r.is_handler for r in rep.results][-2:] == [True, True]
    lab.run(pb)  # converged: nothing changes, no handler runs
    assert (lab.work / "restarts").read_text() == "restarted\n"


def test_a_handler_notified_before_a_failure_is_replayed_by_the_next_run(lab):
    text = """
    - hosts: all
      gather_facts: false
      tasks:
        - copy: {dest: WORK/conf, content: "v1"}
          notify: restart app
        - shell: "test -e WORK/fixed"
      handlers:
        - name: restart app
          shell: echo restarted >> WORK/restarts
    """
    pb = lab.playbook(text)
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert not (lab.work / "restarts").exists()
    assert any("pending" in w for w in rep.warnings)
    (lab.work / "fixed").write_text("")
    result, rep, _ = lab.run(pb)  # conf is unchanged now, yet the restart happens
    assert result.exit_code == EXIT_OK
    assert (lab.work / "restarts").read_text() == "restarted\n"
    result, rep, _ = lab.run(pb)  # and only once
    assert (lab.work / "restarts").read_text() == "restarted\n"


def test_force_handlers_runs_notified_handlers_even_after_a_failure(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          force_handlers: true
          tasks:
            - copy: {dest: WORK/conf, content: "v1"}
              notify: restart app
            - shell: exit 1
          handlers:
            - name: restart app
              shell: echo restarted >> WORK/restarts
        """
    )
    result, _, _ = lab.run(pb)
    assert result.exit_code == EXIT_HOST_FAILED
    assert (lab.work / "restarts").exists()


def test_notifications_reach_the_host_with_the_next_script_and_leave_after_the_handlers(lab):
    state = lab.root / "state" / "h1" / "pending-handlers"
    pb = lab.playbook(
        f"""
        - hosts: all
          gather_facts: false
          tasks:
            - copy: {{dest: WORK/conf, content: "v1"}}
              notify: restart app
            - shell: echo x
              register: r
            - name: look at the state file from the next script
              shell: "cat {state}/* > WORK/seen"
              when: r.stdout == 'x'
          handlers:
            - name: restart app
              shell: echo restarted >> WORK/restarts
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert (lab.work / "seen").read_text() == "restart app\n"  # saved before the handler ran
    assert list(state.iterdir()) == []  # and removed by the handler script
    assert run.states["h1"].transport.round_trips == 3


def test_a_role_handler_runs_once_although_play_handlers_also_list_it(lab):
    role = lab.root / "roles" / "svc"
    (role / "tasks").mkdir(parents=True)
    (role / "handlers").mkdir(parents=True)
    (role / "tasks" / "main.yml").write_text(
        "- shell: echo changed\n  notify: bounce\n- shell: echo again\n  notify: play handler\n"
    )
    (role / "handlers" / "main.yml").write_text(
        "- name: bounce\n  shell: echo bounced >> {{ out }}/bounces\n"
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {out: WORK}
          roles: [svc]
          handlers:
            - name: play handler
              shell: echo play >> WORK/bounces
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "bounces").read_text() == "bounced\nplay\n"
    handlers = [r.task.display_name for r in rep.results if r.is_handler]
    assert handlers == ["svc : bounce", "play handler"]


def test_a_role_listed_twice_runs_the_last_defined_handler_once_after_the_others(lab):
    """Ansible resolves a handler name to the LAST handler defined with it: the dependency
    instance of 'common' notifies, but the handler of the later 'common' entry runs, after
    the handler of 'web' (oracle: ansible-playbook 2.19 writes 'web' then 'common')."""
    roles = lab.root / "roles"
    for role, text in {
        "common/tasks/main.yml": "- shell: echo c\n  notify: common changed\n",
        "common/handlers/main.yml": "- name: common changed\n  shell: echo common >> {{ out }}/log\n",
        "web/meta/main.yml": "dependencies:\n  - role: common\n    flavour: dep\n",
        "web/tasks/main.yml": "- shell: echo w\n  notify: web changed\n",
        "web/handlers/main.yml": "- name: web changed\n  shell: echo web >> {{ out }}/log\n",
    }.items():
        (roles / role).parent.mkdir(parents=True, exist_ok=True)
        (roles / role).write_text(text)
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {out: WORK}
          roles: [web, common]
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, [r.result for r in rep.results]
    assert (lab.work / "log").read_text() == "web\ncommon\n"
