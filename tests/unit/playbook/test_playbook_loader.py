"""Loading playbooks into the model: every Ansible spelling ends up in one normalised shape."""

from __future__ import annotations

import pytest

from edgeauto.errors import ValidationError
from edgeauto.playbook import Block, Task, iter_playbook_tasks, load_playbook, load_task_file
from edgeauto.playbook.walk import all_tags


@pytest.fixture
def site(site_dir):
    return load_playbook(site_dir / "site.yml")


def _task(playbook, name) -> Task:
    for entry in iter_playbook_tasks(playbook, handlers=True):
        if entry.task.name == name:
            return entry.task
    raise AssertionError(f"no task named {name!r}")


def _entry(playbook, name):
    return next(e for e in iter_playbook_tasks(playbook) if e.task.name == name)


def test_play_keywords_are_normalised(site):
    play = site.plays[0]
    assert play.hosts == "web" and play.name == "web servers"
    assert play.serial == [1, "50%"]
    assert play.max_fail_percentage == 20
    assert play.become.become is True
    assert play.vars == {"port": 8080, "listen_addr": "0.0.0.0"}
    assert play.vars_files == ["vars/common.yml"]
    assert play.basedir.name == "site"


def test_with_items_becomes_loop_with_its_kind(site):
    task = _task(site, "make dirs")
    assert task.loop == ["a", "b"] and task.loop_kind == "with_items"
    assert task.args == {"path": "/tmp/{{ item }}", "state": "directory", "mode": "0755"}
    assert task.tags == ["dirs"]


def test_free_form_command_goes_to_cmd_and_known_keys_are_pulled_out(site):
    task = _task(site, "run a command")
    assert task.action == "command"
    assert task.args == {"cmd": "ls -l /tmp", "chdir": "/tmp", "creates": "/tmp/x"}
    assert task.register == "listing" and task.changed_when == [False]


def test_args_keyword_is_merged_under_inline_arguments(site):
    task = _task(site, "shell free form keeps quoting")
    assert task.args == {"chdir": "/tmp", "cmd": 'echo "a  b" | tr a b > /tmp/out'}
    assert task.notify == ["restart web"]


def test_local_action_runs_on_localhost_and_action_form_names_the_module(site):
    local = _task(site, "local step")
    assert (local.action, local.delegate_to, local.args) == (
        "command",
        "localhost",
        {"cmd": "echo local"},
    )
    action = _task(site, "action form")
    assert (action.action, action.args) == ("file", {"path": "/tmp/z", "state": "touch"})


def test_block_keeps_rescue_always_and_its_keywords(site):
    block = next(n for n in site.plays[0].tasks if isinstance(n, Block) and n.rescue)
    assert [t.name for t in block.block] == ["in block"]
    assert [t.name for t in block.rescue] == ["on failure"]
    assert [t.name for t in block.always] == ["always"]
    assert block.when == ["port | int > 0"] and block.tags == ["blocky"]
    assert block.become.user == "nobody"
    entry = _entry(site, "in block")
    assert entry.when == ["port | int > 0", "listing.rc == 0"]
    assert "blocky" in entry.tags


def test_import_tasks_expands_into_a_block_carrying_when_tags_and_vars(site):
    block = next(n for n in site.plays[0].tasks if isinstance(n, Block) and n.tags == ["imported"])
    assert block.when == ["run_common | default(true)"]
    assert block.vars == {"greeting": "hi"}
    assert [t.name for t in block.block] == ["common file task", "second common task"]
    assert str(block.block[0].pos.file).endswith("tasks/common.yml")


def test_include_tasks_stays_a_task_for_the_executor(site):
    task = next(
        n for n in site.plays[0].tasks if isinstance(n, Task) and n.action == "include_tasks"
    )
    assert task.include_target == "tasks/common.yml"
    assert task.args == {"file": "tasks/common.yml"}
    assert task.loop == [1, 2] and task.loop_kind == "loop"
    assert task.loop_control == {"loop_var": "outer", "label": "{{ outer }}"}


def test_until_gets_ansible_default_retries_and_delay(site):
    task = _task(site, "retry")
    assert task.until == ["r.rc == 0"] and task.retries == 3 and task.delay == 5


def test_import_role_with_tasks_from_loads_that_file(site):
    entry = _entry(site, "common extra task")
    assert entry.task.role.name == "common"
    assert entry.task.pos.file.endswith("roles/common/tasks/extra.yml")


def test_handlers_of_roles_come_first_and_each_only_once(site):
    handlers = site.plays[0].handlers
    names = [h.name for h in handlers]
    assert names == ["common handler", "reload web", "restart web", "reload all"]
    assert all(h.is_handler for h in handlers)
    assert handlers[-1].listen == ["reload things", "web changed"]
    assert handlers[0].role.name == "common" and handlers[2].role is None


def test_import_playbook_applies_its_when_tags_and_vars_to_imported_plays(site):
    play = site.plays[1]
    assert play.hosts == "db" and play.gather_facts is False
    assert play.tags == ["other"] and play.vars == {"from_import": 1}
    assert play.when == ["second_play | default(false)"]
    assert play.tasks[0].when == ["second_play | default(false)"]


def test_positions_point_at_the_module_key_of_each_task(site):
    task = _task(site, "make dirs")
    assert (task.pos.line, task.pos.col) == (25, 7)
    assert task.pos.file.endswith("site.yml")


def test_jinja_is_kept_unrendered(site):
    task = _task(site, "page")
    assert task.args["dest"] == "{{ web_root }}/index.html"


def test_iter_tasks_gives_effective_tags_and_all_tags_lists_them(site):
    entry = _entry(site, "page")
    assert entry.section == "roles" and entry.tags == ["web"]
    assert entry.when == ['ansible_os_family == "Debian"']
    assert {"web", "dirs", "blocky", "imported", "other"} <= set(all_tags(site))


def test_scalar_keywords_become_lists_and_tag_strings_split_on_commas(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - name: t
              command: /bin/true
              when: a
              notify: h
              tags: one, two
          handlers:
            - name: h
              command: /bin/true
              listen: topic
        """,
    )
    play = load_playbook(path).plays[0]
    task = play.tasks[0]
    assert task.when == ["a"] and task.notify == ["h"] and task.tags == ["one", "two"]
    assert play.handlers[0].listen == ["topic"] and play.handlers[0].is_handler


def test_fqcn_module_names_resolve_to_the_short_name(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - ansible.builtin.file: path=/tmp/a state=touch
            - ansible.legacy.command: /bin/true
            - edgeauto.builtin.file: {path: /tmp/b, state: absent}
            - ansible.builtin.include_tasks: t.yml
        """,
    )
    write("t.yml", "- command: /bin/true\n")
    actions = [t.action for t in load_playbook(path).plays[0].tasks]
    assert actions == ["file", "command", "file", "include_tasks"]


def test_load_task_file_for_a_runtime_include_finds_the_file_in_the_role(site_dir):
    from edgeauto.playbook import load_role

    role = load_role("web", basedir=site_dir)
    nodes = load_task_file("extra.yml", role=role, basedir=site_dir)
    assert [n.name for n in nodes] == ["web extra"]
    assert nodes[0].role is role


def test_load_task_file_reports_a_missing_file_with_the_include_position(site_dir):
    from edgeauto.errors import Position

    pos = Position("site.yml", 3, 7)
    with pytest.raises(ValidationError) as err:
        load_task_file("nope.yml", pos=pos, basedir=site_dir)
    assert str(err.value).startswith("site.yml:3:7: task file 'nope.yml' not found")


def test_extra_vars_can_name_a_static_import(write):
    path = write(
        "pb.yml",
        """
        - hosts: all
          tasks:
            - import_tasks: "{{ which }}.yml"
        """,
    )
    write("chosen.yml", "- name: chosen\n  command: /bin/true\n")
    block = load_playbook(path, extra_vars={"which": "chosen"}).plays[0].tasks[0]
    assert block.block[0].name == "chosen"
