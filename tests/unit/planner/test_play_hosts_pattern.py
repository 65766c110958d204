"""A play's ``hosts:`` may be a template, rendered with play vars and extra vars (-e)."""


def test_templated_hosts_pattern_selects_the_group_named_by_an_extra_var(make_lab, tmp_path):
    lab = make_lab(tmp_path, hosts=("h1", "h2"))
    book = lab.playbook(
        """
        - hosts: "{{ target | default('nobody') }}"
          gather_facts: false
          tasks:
            - debug: msg=hi
        """
    )
    result, reporter, _ = lab.run(book, extra_vars={"target": "h2"})
    assert result.exit_code == 0
    assert {r.host for r in reporter.results} == {"h2"}


def test_templated_hosts_pattern_falls_back_to_its_default_from_play_vars(make_lab, tmp_path):
    lab = make_lab(tmp_path, hosts=("h1", "h2"))
    book = lab.playbook(
        """
        - hosts: "{{ target }}"
          gather_facts: false
          vars:
            target: h1
          tasks:
            - debug: msg=hi
        """
    )
    result, reporter, _ = lab.run(book)
    assert {r.host for r in reporter.results} == {"h1"}
