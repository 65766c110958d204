"""``module_defaults`` on plays, blocks and tasks (the service target leaves `name` to them):
defaults merge under a task's own arguments, inner levels over outer, by short name or FQCN,
also for tasks of files included at run time; a malformed value is refused at its line."""

import pytest

from edgeauto.errors import EXIT_OK, ValidationError


def test_module_defaults_fill_the_arguments_a_task_leaves_out_inner_levels_first(lab):
    (lab.root / "inc.yml").write_text("- name: included\n  ping:\n  register: inc\n")
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          module_defaults:
            ansible.builtin.copy: {dest: WORK/play, content: "play"}
            ping: {data: play}
          tasks:
            - name: from the play
              copy: {}
            - block:
                - name: from the block
                  copy: {content: "block"}
                - name: the task's own level
                  copy: {content: "task"}
                  module_defaults:
                    copy: {dest: WORK/task}
                - name: explicit arguments win
                  copy: {content: "x", dest: WORK/explicit}
                - include_tasks: inc.yml
              module_defaults:
                - copy: {dest: WORK/block}
                  ping: {data: "{{ 'block' }}"}
            - name: templated default
              ping:
              register: pinged
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
    files = {p.name: p.read_text() for p in lab.work.iterdir()}
    assert files == {"play": "play", "block": "block", "task": "task", "explicit": "x"}
    pings = [r.result["ping"] for r in rep.results if r.task.action == "ping"]
    assert pings == ["block", "play"]  # the included task got the block's default


def test_module_defaults_that_are_not_a_mapping_are_refused_at_their_line(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - ping:
              module_defaults:
                ping: pong
        """
    )
    with pytest.raises(ValidationError) as err:
        lab.run(pb)
    assert "module_defaults for 'ping' expects a mapping of arguments" in str(err.value)
    assert "site.yml:7" in str(err.value)


def test_backend_module_defaults_satisfy_the_load_check_and_others_do_not(lab):
    """``package``/``service`` hand their task to a backend module whose module_defaults
    then apply (ansible's package and service actions): a bare task with such defaults is
    valid at load (the Fedora-only ``dnf5:`` block of the package target, skipped here);
    defaults of a module that is no backend of it leave it invalid."""
    ok = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - package:
              when: false
              module_defaults:
                dnf5: {name: "{{ 'apt' }}", state: present}
            - service:
              when: false
              module_defaults:
                ansible.builtin.sysvinit: {name: x, enabled: true}
        """
    )
    result, rep, _ = lab.run(ok)
    assert result.exit_code == EXIT_OK, rep.statuses("h1")
    bad = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - service:
              module_defaults:
                apt: {name: x, enabled: true}
        """
    )
    with pytest.raises(ValidationError) as err:
        lab.run(bad)
    assert "missing required argument 'name'" in str(err.value)
