"""Host patterns (``hosts:`` and ``--limit``) checked against Ansible's InventoryManager.

Every row selects hosts with our :meth:`Inventory.select` and with Ansible's
``InventoryManager.get_hosts`` (after ``subset`` for a limit) on the same inventory, and the
ordered host lists must be equal.
"""

from __future__ import annotations

import pytest

from edgeauto.errors import InventoryError
from edgeauto.inventory import load_inventory

from .conftest import CASES, EXAMPLE

PATTERNS = [
    "all",
    "*",
    "gateways",
    "gateways:servers",
    "gateways,servers",
    "gateways, devices",
    "sites:&lyon",
    "sites:!lyon",
    "all:!devices",
    "!devices",
    "&berlin",
    "devices:&berlin:!dev-berlin-b",
    "berlin:!gateways:&servers",
    "dev-*",
    "*-berlin-*",
    "srv-berlin-0?",
    "dev-lyon-0[13]",
    "~dev-(berlin|lyon)-0?[a5]",
    "~srv",
    "~.*-01$",
    "devices[0]",
    "devices[-1]",
    "devices[1:3]",
    "devices[2:]",
    "servers[0:1],gateways[1]",
    "dev-*[0:1]",
    "gw-berlin-01",
    "gw-berlin-01:srv-lyon-01",
    "gw-berlin-01,gw-berlin-01",
    "lyon:berlin",
    "nosuchgroup",
    "nosuchgroup:gateways",
    "localhost",
    "ungrouped",
    "all:&ungrouped",
    "sit*",
    "*s",
    "role*",
]


@pytest.fixture(scope="module")
def example_pair(ansible_manager):
    return load_inventory([str(EXAMPLE)]), ansible_manager([EXAMPLE])


def _ansible_select(manager, pattern, limit=None):
    manager.subset(limit)
    manager.clear_pattern_cache()
    try:
        return [h.name for h in manager.get_hosts(pattern)]
    finally:
        manager.subset(None)


@pytest.mark.parametrize("pattern", PATTERNS)
def test_pattern_selects_the_same_hosts_in_the_same_order_as_ansible(pattern, example_pair):
    ours, theirs = example_pair
    assert [h.name for h in ours.select(pattern)] == _ansible_select(theirs, pattern)


LIMITS = [
    ("all", "berlin"),
    ("all", "lyon:&devices"),
    ("devices", "dev-berlin-*"),
    ("servers", "!srv-lyon-01"),
    ("all", "gateways,servers[0]"),
    ("sites", "~.*-0[12]$"),
    ("gateways", "devices"),
    ("all", "all"),
]


@pytest.mark.parametrize("pattern,limit", LIMITS)
def test_limit_restricts_selection_like_ansible(pattern, limit, example_pair):
    ours, theirs = example_pair
    assert [h.name for h in ours.select(pattern, limit)] == _ansible_select(theirs, pattern, limit)


def test_limit_at_file_reads_one_pattern_per_line_like_a_retry_file(tmp_path, example_pair):
    ours, theirs = example_pair
    retry = tmp_path / "site.retry"
    retry.write_text("dev-lyon-03\ngw-berlin-01\n\nservers\n")
    limit = f"@{retry}"
    assert [h.name for h in ours.select("all", limit)] == _ansible_select(theirs, "all", limit)
    assert [h.name for h in ours.select("all", limit)] == [
        "gw-berlin-01",
        "srv-berlin-01",
        "srv-berlin-02",
        "srv-lyon-01",
        "dev-lyon-03",
    ]


def test_limit_at_missing_file_is_a_clear_error(tmp_path):
    inv = load_inventory([str(EXAMPLE)])
    with pytest.raises(InventoryError, match="limit file not found"):
        inv.select("all", f"@{tmp_path / 'nope.retry'}")


def test_out_of_range_index_names_the_pattern_and_the_host_count():
    inv = load_inventory([str(EXAMPLE)])
    with pytest.raises(InventoryError, match=r"gateways\[7\].*2 host"):
        inv.select("gateways[7]")


INI_PATTERNS = [
    "prod",
    "prod:!db",
    "web[0:2]",
    "web-?",
    "2001:db8::10",
    "ipv6",
    "ipv6:!2001:db8::10",
    "ipv6,!2001:db8::10",
    "later:staging",
    "~^db",
    "lonely",
    "ungrouped",
    "*.example.org",
]


@pytest.fixture(scope="module")
def ini_pair(ansible_manager):
    path = CASES / "ini_typing/hosts"
    return load_inventory([str(path)]), ansible_manager([path])


@pytest.mark.parametrize("pattern", INI_PATTERNS)
def test_ini_inventory_patterns_match_ansible(pattern, ini_pair):
    ours, theirs = ini_pair
    assert [h.name for h in ours.select(pattern)] == _ansible_select(theirs, pattern)


def test_implicit_localhost_is_selectable_but_not_in_all():
    inv = load_inventory([str(EXAMPLE)])
    assert [h.name for h in inv.select("localhost")] == ["localhost"]
    assert "localhost" not in [h.name for h in inv.select("all")]
    assert inv.select("localhost")[0].vars["ansible_connection"] == "local"


def test_invalid_regex_is_reported_with_the_pattern():
    inv = load_inventory([str(EXAMPLE)])
    with pytest.raises(InventoryError, match=r"invalid host pattern '~\(unclosed'"):
        inv.select("~(unclosed")
