"""The setup_deb_repo stand-in (tests/compat/roles) gives the apt and deb822_repository
targets ansible-core's local repository: foo/foobar/baz in both suites, built on the lab
host with dpkg-deb alone; apt installs from it as the targets expect."""

from __future__ import annotations

import textwrap

import pytest
from pkgs_harness import Recorder

from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.compat.targets import ROLES

pytestmark = pytest.mark.lab

PLAY = """
- hosts: all
  gather_facts: true
  roles: [setup_deb_repo]
  tasks:
    - name: stable
      apt: {name: foo, update_cache: true}
    - name: testing
      apt: {name: foo, default_release: testing, state: latest}
    - name: pinned
      apt: {name: "foobar=1.0.0", allow_downgrade: true}
"""


def test_the_setup_deb_repo_stand_in_serves_foo_from_stable_and_testing(
    tmp_path, lab_inventory, fresh_host
):
    (tmp_path / "roles").symlink_to(ROLES)
    site = tmp_path / "site.yml"
    site.write_text(textwrap.dedent(PLAY))
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(lab_inventory)], limit=[fresh_host.name])
    result = Run([site], opts, rec).execute()
    assert result.exit_code == 0, [(r.task.display_name, r.result) for r in rec.results]
    versions = fresh_host.run(
        "dpkg-query -W -f='${Package} ${Version}\\n' foo foobar", check=True
    ).stdout
    assert versions.splitlines() == ["foo 2.0.1", "foobar 1.0.0"]
    sources = fresh_host.run("cat /etc/apt/sources.list.d/*.list", check=True).stdout
    assert "deb [trusted=yes arch=all] file:/tmp/repo/ testing main" in sources
