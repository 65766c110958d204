"""The one task-tree walker (playbook/walk.py) on loaded playbooks."""

from __future__ import annotations

from edgeauto.playbook import load_playbook
from edgeauto.playbook.model import Block
from edgeauto.playbook.walk import any_node, flatten_roles, iter_nodes, iter_tasks, static_tasks


def _site(write):
    write("roles/base/tasks/main.yml", "- {name: base task, command: /bin/true}\n")
    write("roles/base/handlers/main.yml", "- {name: base handler, command: /bin/true}\n")
    write("roles/app/meta/main.yml", "dependencies: [base]\n")
    write("roles/app/tasks/main.yml", "- {name: app task, command: /bin/true}\n")
    return write(
        "pb.yml",
        """
        - hosts: all
          pre_tasks:
            - {name: pre, command: /bin/true}
          roles: [app]
          tasks:
            - block:
                - {name: in block, command: /bin/true}
              rescue:
                - {name: in rescue, command: /bin/true}
              always:
                - block:
                    - {name: nested always, command: /bin/true, any_errors_fatal: true}
          post_tasks:
            - {name: post, command: /bin/true}
          handlers:
            - {name: play handler, command: /bin/true}
        """,
    )


def test_iter_tasks_opens_block_rescue_always_recursively(write):
    play = load_playbook(_site(write)).plays[0]
    assert [t.name for t in iter_tasks(play.tasks)] == ["in block", "in rescue", "nested always"]
    nodes = list(iter_nodes(play.tasks))
    assert sum(isinstance(n, Block) for n in nodes) == 2 and len(nodes) == 5


def test_flatten_roles_dependencies_first_each_role_once(write):
    play = load_playbook(_site(write)).plays[0]
    names = [r.name for r in flatten_roles(play.roles)]
    assert names == ["base", "app"]
    assert [r.name for r in flatten_roles(play.roles + play.roles)] == ["base", "app"]


def test_static_tasks_in_run_order_with_handlers(write):
    play = load_playbook(_site(write)).plays[0]
    assert [t.name for t in static_tasks(play)] == [
        "pre",
        "base task",
        "base handler",
        "app task",
        "in block",
        "in rescue",
        "nested always",
        "post",
        "base handler",
        "play handler",
    ]


def test_any_node_sees_nested_blocks_and_role_tasks(write):
    play = load_playbook(_site(write)).plays[0]
    assert any_node(play, lambda n: getattr(n, "any_errors_fatal", None) is True)
    assert any_node(play, lambda n: n.name == "app task")
    assert not any_node(play, lambda n: n.name == "play handler")
    assert any_node(play, lambda n: n.name == "play handler", handlers=True)
