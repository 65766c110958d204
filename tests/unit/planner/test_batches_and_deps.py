from edgeauto.planner.deps import condition_names, expand_names, reads_pending, template_names
from edgeauto.planner.play import serial_batches

HOSTS = [f"h{i}" for i in range(10)]


def sizes(batches):
    return [len(b) for b in batches]


def test_serial_integer_splits_hosts_into_equal_batches_with_a_smaller_last_one():
    assert sizes(serial_batches(HOSTS, 4)) == [4, 4, 2]


def test_serial_percentage_rounds_down_but_never_below_one():
    assert sizes(serial_batches(HOSTS, "30%")) == [3, 3, 3, 1]
    assert sizes(serial_batches(HOSTS[:2], "10%")) == [1, 1]


def test_serial_list_repeats_its_last_size():
    assert sizes(serial_batches(HOSTS, [1, "20%", 5])) == [1, 2, 5, 2]


def test_no_serial_is_one_batch_in_inventory_order():
    assert serial_batches(HOSTS, None) == [HOSTS]


def test_template_names_finds_free_variables_only():
    assert template_names("{{ a.b }} {% for x in items %}{{ x }}{% endfor %}") == {"a", "items"}
    assert template_names({"k": ["{{ c | default(d) }}"]}) == {"c", "d"}
    assert template_names("plain") == frozenset()


def test_conditions_are_bare_expressions():
    assert condition_names(["r.rc == 0", "x is defined"]) == {"r", "x"}


def test_reading_a_pending_register_requires_a_flush():
    pending = {"result"}
    assert reads_pending(frozenset({"result"}), pending)
    assert not reads_pending(frozenset({"other"}), pending)
    assert reads_pending(frozenset({"hostvars"}), pending)  # could reach anything
    assert reads_pending(frozenset({"ansible_distribution"}), {"*facts*"})


def test_names_expand_through_templated_variables():
    variables = {"msg": "{{ res.stdout }}", "res": None, "plain": "x"}
    assert "res" in expand_names(frozenset({"msg"}), variables)
    assert expand_names(frozenset({"plain"}), variables) == {"plain"}
