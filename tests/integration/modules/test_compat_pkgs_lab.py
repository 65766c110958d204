"""Package modules where ansible-core's own integration targets (tests/compat, run half)
found edgeauto different from ansible-playbook, on real lab hosts."""

from __future__ import annotations

import pytest
from pkgs_harness import play

pytestmark = pytest.mark.lab


def test_package_facts_still_lists_apt_when_the_task_environment_breaks_path(
    tmp_path, lab_inventory, debian_host
):
    # The package_facts target: PATH "${PATH}:DIR" (taken literally, as Ansible does) with a
    # misleading empty `rpm` in DIR; rpm is asked first and lists nothing, apt is used.
    debian_host.run(
        "mkdir -p /tmp/ea-fake-rpm && : > /tmp/ea-fake-rpm/rpm && chmod 700 /tmp/ea-fake-rpm/rpm",
        check=True,
    )
    tasks = """
    - name: auto
      package_facts:
      environment: {PATH: "${PATH}:/tmp/ea-fake-rpm"}
    - name: rpm first
      package_facts: {manager: [rpm, apt]}
      environment: {PATH: "${PATH}:/tmp/ea-fake-rpm"}
    """
    try:
        code, res, _ = play(tmp_path, lab_inventory, debian_host, tasks)
    finally:
        debian_host.run("rm -rf /tmp/ea-fake-rpm")
    assert code == 0, res
    for name in ("auto", "rpm first"):
        assert res[name]["ansible_facts"]["packages"]["dpkg"][0]["source"] == "apt"
    assert res["rpm first"]["warnings"] == ['Found "rpm" but no associated packages']
