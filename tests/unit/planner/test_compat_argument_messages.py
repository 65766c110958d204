"""A task whose arguments are wrong under ignore_errors registers ansible-core's own words
(targets compare ``msg`` exactly) while edgeauto prints its own, with file:line."""

import pytest

from edgeauto.errors import EXIT_OK, EdgeautoError
from edgeauto.playbook.validate import load_and_validate


def test_an_argument_error_still_prints_our_words_with_file_and_line(lab):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - wait_for_connection: {foo: bar}
              register: invalid_parameter
              ignore_errors: true
            - name: exact
              assert:
                that:
                  - invalid_parameter is failed
                  - "invalid_parameter.msg == 'Invalid options for wait_for_connection: foo'"
        """
    )
    result, rep, _ = lab.run(pb)
    assert result.exit_code == EXIT_OK
    assert rep.status_of("h1", "exact") == "ok"
    failed = [r for r in rep.results if r.status == "failed"]
    assert (
        "site.yml:5" in failed[0].result["msg"]
        and "has no argument 'foo'" in failed[0].result["msg"]
    )


def test_an_argument_failure_that_failed_when_expects_passes_and_one_it_does_not_fails(lab):
    # The group target: `failed_when: not result.failed` on a task with bad arguments; no
    # module runs (the arguments are refused on the controller).
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - name: expected
              group: {name: g1, gid_min: 1000, local: true}
              register: r
              failed_when: not r.failed
            - name: seen
              assert:
                that: "r.msg == \\"'gid_min' and 'gid_max' can not be used with 'local'\\""
            - name: unexpected
              group: {name: g2, gid_min: 1000, local: true}
              failed_when: "'gid_min' in msg"
        """
    )
    result, rep, _ = lab.run(pb)
    assert rep.status_of("h1", "expected") == "ok"
    assert rep.status_of("h1", "seen") == "ok"
    assert rep.status_of("h1", "unexpected") == "failed"
    assert result.exit_code != EXIT_OK


def test_a_failed_when_that_does_not_expect_a_failure_keeps_the_error_before_anything_runs(
    lab,
):
    pb = lab.playbook(
        """
        - hosts: all
          gather_facts: false
          tasks:
            - group: {name: g1, gid_min: 1000, local: true, bogus: 1}
              register: r
              failed_when: r.rc != 0
        """
    )
    with pytest.raises(EdgeautoError) as caught:
        load_and_validate(pb)
    assert "site.yml:5" in str(caught.value) and "bogus" in str(caught.value)
