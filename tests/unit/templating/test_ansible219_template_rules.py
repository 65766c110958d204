"""ansible-core 2.19 templating rules its own integration targets rely on (tests/compat).

Backslashes in string literals: ansible-core 2.19 keeps them in ``{{ }}`` templates but
evaluates conditionals with Jinja2's own escapes (escape_backslashes off), so the systemd
target's ``regex_search('(\\\\+|-)(PAM|AUDIT)') is not none`` holds there and nowhere else.
Checked against ansible-core 2.19.14's Templar (evaluate_conditional / template)."""

from edgeauto.templating import Templar

FEATURES = {"f": "+PAM +AUDIT -GNUTLS"}


def test_a_conditional_reads_a_doubled_backslash_as_one():
    t = Templar(FEATURES)
    assert t.is_true(r"f | regex_search('(\\+|-)(PAM|AUDIT)') is not none") is True
    assert t.is_true(r"'a\\b' == 'a' + '\\' + 'b'") is True


def test_a_template_keeps_the_backslashes_as_written():
    t = Templar(FEATURES)
    assert t.render(r"{{ f | regex_search('(\\+|-)(PAM|AUDIT)') }}") is None
    assert t.render(r"{{ f | regex_search('\+PAM') }}") == "+PAM"


def test_a_filter_that_yields_an_iterator_gives_a_list_as_in_ansible_core_2_19():
    # deb822_repository target: `stats.results | map(attribute='stat') | selectattr('exists')
    # == []` holds there (every filter's iterator output is consumed into a list).
    t = Templar({"r": {"results": [{"stat": {"exists": False}}, {"stat": {"exists": False}}]}})
    assert t.is_true("r.results | map(attribute='stat') | selectattr('exists') == []") is True
    assert t.render("{{ [1, 2, 3] | select('odd') }}") == [1, 3]
    assert t.render("{{ [1, 2] | reject('odd') | first }}") == 2
