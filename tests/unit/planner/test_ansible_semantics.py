"""Engine behaviours the differential tests against ansible-playbook found missing (each one
checked against ansible-core 2.19 with ``ansible-playbook -c local``)."""

from edgeauto.errors import EXIT_OK


def _msgs(rep, host="h1"):
    return [r.result.get("msg") for r in rep.results if r.host == host and "msg" in r.result]


def test_rescue_tasks_see_the_failed_task_and_its_result(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - name: this fails
                  fail: {msg: deliberate}
              rescue:
                - name: what failed
                  debug:
                    msg: "{{ ansible_failed_task.name }}/{{ ansible_failed_task.action }}: {{ ansible_failed_result.msg }} {{ ansible_failed_result.failed }}"
            - name: still defined after the block
              debug: {msg: "after {{ ansible_failed_result.msg }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "what failed") == "ok"
    assert "this fails/fail: deliberate True" in _msgs(rep)
    assert "after deliberate" in _msgs(rep)


def test_rescue_sees_the_result_of_a_failed_remote_command(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - name: first ok
                  shell: "true"
                - name: remote failure
                  shell: "echo out; exit 3"
              rescue:
                - name: report
                  debug: {msg: "{{ ansible_failed_task.name }} rc={{ ansible_failed_result.rc }} {{ ansible_failed_result.stdout }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "remote failure rc=3 out" in _msgs(rep)


def test_no_log_failed_result_reaches_rescue_censored(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - block:
                - name: secret failure
                  fail: {msg: "s3cret"}
                  no_log: true
              rescue:
                - name: report
                  debug: {msg: "{{ ansible_failed_result }}"}
        """
    )
    _, rep, _ = lab.run(pb)
    reported = [r.result["msg"] for r in rep.results if r.task.name == "report"]
    assert reported and "censored" in str(reported[0])
    assert "s3cret" not in str(reported[0])


def test_include_vars_does_not_override_an_earlier_set_fact_but_beats_task_vars(lab):
    (lab.root / "vars").mkdir()
    (lab.root / "vars" / "more.yml").write_text("p: included\nq: included\nr: included\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          vars: {q: play}
          tasks:
            - set_fact: {p: set_fact}
            - include_vars: vars/more.yml
            - name: which wins
              debug: {msg: "{{ p }} {{ q }} {{ r }}"}
            - set_fact: {r: later_set_fact}
            - name: later set_fact wins
              debug: {msg: "{{ r }} {{ hostvars[inventory_hostname].q }}"}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "set_fact included included" in _msgs(rep)
    assert "later_set_fact included" in _msgs(rep)


def test_check_mode_applies_changed_when_false_to_a_command_in_a_predicted_directory(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: base directory
              file: {path: WORK/base, state: directory}
            - name: chdir
              command: ls
              args: {chdir: WORK/base}
              register: listing
              changed_when: false
            - name: plain
              command: "true"
              changed_when: false
        """
    )
    result, rep, _ = lab.run(pb, check=True)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "base directory") == "changed"
    assert rep.status_of("h1", "chdir") == "ok"
    assert rep.status_of("h1", "plain") == "ok"
    assert not (lab.work / "base").exists()


def test_check_mode_ignored_false_command_registers_a_result_later_tasks_can_read(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: ignore_errors keeps going
              command: "false"
              register: ignored
              ignore_errors: true
            - name: the ignored result is registered
              debug: {msg: "{{ ignored.failed }} {{ ignored.rc }}"}
        """
    )
    result, rep, _ = lab.run(pb, check=True)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "the ignored result is registered") == "ok"
    assert "False 0" in _msgs(rep)


def _registered(run, name, host="h1"):
    return run.states[host].registered[name]


def test_looped_register_items_carry_loop_var_index_and_extended_loop_like_ansible(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: looped command
              command: "echo {{ x }}"
              loop: [a, b]
              loop_control: {loop_var: x, index_var: i, extended: true, label: "L{{ x }}"}
              register: r
              changed_when: false
            - name: with_items
              debug: {msg: "{{ item }}"}
              with_items: [1]
              register: w
            - name: all skipped
              debug: {msg: "{{ item }}"}
              loop: [1]
              when: item == 2
              register: s
        """
    )
    result, _, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    r = _registered(run, "r")
    assert r["skipped"] is False and r["msg"] == "All items completed"
    first, second = r["results"]
    assert first["x"] == "a" and "item" not in first
    assert first["ansible_loop_var"] == "x"
    assert (first["failed"], first["changed"]) == (False, False)
    assert (first["i"], first["ansible_index_var"], second["i"]) == (0, "i", 1)
    assert first["ansible_loop"] == {
        "allitems": ["a", "b"],
        "first": True,
        "index": 1,
        "index0": 0,
        "last": False,
        "length": 2,
        "nextitem": "b",
        "revindex": 2,
        "revindex0": 1,
    }
    assert second["ansible_loop"]["previtem"] == "a" and "nextitem" not in second["ansible_loop"]
    assert not any(k.startswith("_ansible") for k in first)
    w_item = _registered(run, "w")["results"][0]
    assert w_item == {
        "ansible_loop_var": "item",
        "changed": False,
        "failed": False,
        "item": 1,
        "msg": 1,
    }
    s = _registered(run, "s")
    assert s["skipped"] is True and s["msg"] == "All items skipped"
    assert "failed" not in s["results"][0]


def test_loop_item_labels_still_print_with_a_custom_loop_var(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: labelled
              debug: {msg: "{{ x }}"}
              loop: [one]
              loop_control: {loop_var: x}
        """
    )
    _, rep, _ = lab.run(pb)
    (res,) = [r for r in rep.results if r.task.name == "labelled"]
    from edgeauto.output.render import item_label

    assert item_label(res.item_results[0]) == "one"


def test_include_tasks_and_include_role_report_themselves_and_count_in_the_recap(lab):
    (lab.root / "inc.yml").write_text('- debug: {msg: "inc {{ item | default(0) }}"}\n')
    (lab.root / "roles" / "r1" / "tasks").mkdir(parents=True)
    (lab.root / "roles" / "r1" / "tasks" / "main.yml").write_text("- debug: {msg: role}\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: plain include
              include_tasks: inc.yml
            - name: looped include
              include_tasks: inc.yml
              loop: [1, 2]
            - name: skipped include
              include_tasks: inc.yml
              when: false
            - name: include role
              include_role: {name: r1}
        """
    )
    result, rep, run = lab.run(pb)
    assert result.exit_code == EXIT_OK
    names = [n for n, _ in rep.statuses("h1")]
    assert names[:2] == ["plain include", "debug"]
    assert names[2:5] == ["looped include", "debug", "debug"]
    assert rep.status_of("h1", "skipped include") == "skipped"
    assert rep.status_of("h1", "include role") == "ok"
    stats = run.states["h1"].stats
    # as ansible-playbook: 4 debug + 1 + 2 (one per included item) + 1 include_role
    assert (stats.ok, stats.skipped) == (8, 1)


def _role(lab, name, tasks, handlers=None, meta=None, defaults=None):
    base = lab.root / "roles" / name
    for kind, text in (
        ("tasks", tasks),
        ("handlers", handlers),
        ("meta", meta),
        ("defaults", defaults),
    ):
        if text:
            (base / kind).mkdir(parents=True, exist_ok=True)
            (base / kind / "main.yml").write_text(text)


def test_include_role_skips_a_dependency_already_run_with_the_same_params(lab):
    _role(lab, "common", '- name: common task\n  debug: {msg: "common {{ tag }}"}\n')
    _role(
        lab,
        "web",
        "- name: web task\n  debug: {msg: web}\n",
        meta="dependencies:\n  - role: common\n    tag: dep\n",
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          roles: [web]
          tasks:
            - name: again
              include_role: {name: web}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    names = [n for n, _ in rep.statuses("h1")]
    assert names.count("common : common task") == 1
    assert names.count("web : web task") == 2


def test_handlers_of_an_included_role_see_the_include_vars(lab):
    _role(
        lab,
        "web",
        '- name: change\n  copy: {content: "{{ web_name }}", dest: "WORK/{{ web_name }}"}\n'
        "  notify: web changed\n".replace("WORK", str(lab.work)),
        handlers='- name: web changed\n  debug: {msg: "handler {{ web_name }}"}\n',
        defaults="web_name: default\n",
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: include with vars
              include_role: {name: web}
              vars: {web_name: second}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert "handler second" in _msgs(rep)
