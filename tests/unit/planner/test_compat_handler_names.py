"""notify names ansible-core 2.19 resolves (handlers target, test_handlers_listen.yml): a
role's listen topic prefixed with the role's name, and a collection role's handler by its
short name too. Controller-side tasks only (debug/set_fact)."""

from edgeauto.errors import EXIT_OK


def test_a_role_listen_topic_is_notified_with_the_role_name_prefix(lab):
    handlers = lab.root / "roles" / "r1" / "handlers"
    handlers.mkdir(parents=True)
    (lab.root / "roles" / "r1" / "tasks").mkdir()
    (lab.root / "roles" / "r1" / "tasks" / "main.yml").write_text("- debug: {msg: r1}\n")
    (handlers / "main.yml").write_text(
        "- name: by topic\n  set_fact: {heard_topic: true}\n  listen: specific_topic\n"
    )
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          roles: [r1]
          tasks:
            - debug: {msg: notify}
              changed_when: true
              notify: "r1 : specific_topic"
            - meta: flush_handlers
            - name: heard
              assert: {that: heard_topic is defined}
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK, rep.errors
    assert rep.status_of("h1", "heard") == "ok"
