"""Modules edgeauto does not implement, run as Ansible's own modules on real lab hosts.

On a Debian host with Python: ``ansible.builtin.debconf`` (ansible-core, not native) and a
module of a role's ``library/`` written here converge, check mode predicts exactly the real
run and changes nothing, ``--diff`` shows the module's diff, a second run changes nothing,
``no_log`` keeps the secret out of every output, and the whole play is one script. On the
BusyBox host and on a Debian host without Python the host is refused before anything runs
there, naming the module, the host and the native alternatives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder as SharedRecorder

pytest.importorskip("ansible", reason="ansible-core (the packager) is not installed")
pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]
MARKER = Path(__file__).resolve().parent / "fallback" / "ea_marker.py"
SECRET = "hunter2-never-printed"


class Recorder(SharedRecorder):
    def by_name(self, host: str) -> dict:
        """By the task's own ``name:`` (unnamed tasks left out)."""
        return {r.task.name: r for r in self.results if r.host == host and r.task.name}


def write_project(root: Path, play: str) -> Path:
    """site.yml + roles/marker/{tasks,library}: the role's module is our own tiny one."""
    (root / "roles" / "marker" / "tasks").mkdir(parents=True, exist_ok=True)
    (root / "roles" / "marker" / "library").mkdir(parents=True, exist_ok=True)
    (root / "roles" / "marker" / "library" / "ea_marker.py").write_text(MARKER.read_text())
    (root / "roles" / "marker" / "tasks" / "main.yml").write_text(
        textwrap.dedent(
            """\
            - name: marker file
              ea_marker: {path: /srv/fallback/marker, content: "converged\\n"}
              register: marker
            """
        )
    )
    site = root / "site.yml"
    site.write_text(textwrap.dedent(play))
    return site


PLAY = """\
- hosts: all
  gather_facts: {gather}
  roles: [marker]
  tasks:
    - name: before
      file: {{path: /srv/fallback/before, state: touch}}
    - name: debconf area
      ansible.builtin.debconf:
        name: tzdata
        question: tzdata/Areas
        value: Europe
        vtype: select
      register: area
    - name: secret marker
      ea_marker: {{path: /srv/fallback/secret, content: "{{{{ secret }}}}\\n"}}
      no_log: true
    - name: show
      debug: {{msg: "{{{{ area.changed }}}} {{{{ marker.path }}}}"}}
"""


def run(site: Path, inventory, host: str, **options) -> tuple[int, Recorder]:
    rec = Recorder()
    opts = RunOptions(
        inventory_sources=[str(inventory)],
        limit=[host],
        extra_vars={"secret": SECRET},
        **options,
    )
    result = Run([site], opts, rec).execute()
    return result.exit_code, rec


@pytest.fixture(scope="module")
def python_host(lab):
    host = lab.add_host(flavor="debian", systemd=False, with_python=True)
    host.run("mkdir -p /srv/fallback", check=True)
    yield host
    lab.remove_host(host.name)


def debconf_area(host) -> str:
    out = host.run("debconf-show tzdata | grep 'tzdata/Areas'", check=False).stdout
    return out.strip()


def test_ansible_modules_converge_with_check_diff_second_run_and_one_script(
    tmp_path, python_host, lab
):
    site = write_project(tmp_path, PLAY.format(gather="true"))
    before_area = debconf_area(python_host)
    assert "Europe" not in before_area

    code, check = run(site, lab.inventory, python_host.name, check=True, diff=True)
    assert code == EXIT_OK, [r.result for r in check.results]
    predicted = check.by_name(python_host.name)
    assert predicted["debconf area"].status == "changed"
    assert predicted["marker file"].status == "changed"
    assert predicted["marker file"].result["diff"] == {"before": "", "after": "converged\n"}
    assert "diff" in predicted["debconf area"].result
    gone = python_host.run("ls /srv/fallback", check=True).stdout.split()
    assert gone == [] and debconf_area(python_host) == before_area

    code, real = run(site, lab.inventory, python_host.name, diff=True)
    assert code == EXIT_OK, [r.result for r in real.results]
    done = real.by_name(python_host.name)
    statuses = {name: r.status for name, r in done.items()}
    assert statuses == {n: r.status for n, r in predicted.items()}  # check mode predicted it
    assert done["debconf area"].result["changed"] is True
    assert done["show"].result["msg"] == "True /srv/fallback/marker"
    assert python_host.run("cat /srv/fallback/marker", check=True).stdout == "converged\n"
    assert python_host.run("cat /srv/fallback/secret", check=True).stdout == SECRET + "\n"
    assert "Europe" in debconf_area(python_host)
    # one script for the whole play (the facts round trip is not a script)
    assert len(real.scripts) == 1, real.scripts

    code, again = run(site, lab.inventory, python_host.name)
    assert code == EXIT_OK
    changed = [n for n, r in again.by_name(python_host.name).items() if r.status == "changed"]
    assert changed == ["before"]  # file state=touch always changes, as with Ansible


def test_no_log_keeps_the_secret_out_of_every_output(tmp_path, python_host, lab):
    site = write_project(tmp_path, PLAY.format(gather="false"))
    env = dict(os.environ, NO_COLOR="1")
    for flags in (["-vvvv", "--diff"], ["--json", "--diff"]):
        proc = subprocess.run(
            [sys.executable, "-m", "edgeauto", "run", "-i", str(lab.inventory), "-l",
             python_host.name, str(site), "-e", f"secret={SECRET}", "--no-retry-file", *flags],
            capture_output=True, text=True, env=env, cwd=REPO, stdin=subprocess.DEVNULL,
            timeout=300,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
    doc = json.loads(proc.stdout)
    assert "secret marker" in json.dumps(doc)


REFUSED_PLAY = """\
- hosts: all
  gather_facts: {gather}
  tasks:
    - name: before
      file: {{path: /tmp/fallback-before, state: touch}}
    - name: debconf area
      ansible.builtin.debconf: {{name: tzdata, question: tzdata/Areas, value: Europe, vtype: select}}
"""


@pytest.mark.parametrize("gather", ["true", "false"])
@pytest.mark.parametrize("flavor", ["busybox", "debian"])
def test_a_host_without_python_is_refused_before_anything_runs(
    tmp_path, lab, busybox_host, debian_host, flavor, gather
):
    host = busybox_host if flavor == "busybox" else debian_host
    host.run("rm -f /tmp/fallback-before", check=True)
    site = write_project(tmp_path, REFUSED_PLAY.format(gather=gather))
    code, rec = run(site, lab.inventory, host.name)
    assert code == EXIT_HOST_FAILED
    results = [r for r in rec.results if r.host == host.name and r.task.name != "Gathering Facts"]
    assert [(r.task.name, r.status) for r in results] == [("debconf area", "failed")]
    msg = results[0].result["msg"]
    assert "ansible.builtin.debconf" in msg and host.name in msg and "no Python" in msg
    assert "native alternatives" in msg and "command" in msg
    assert rec.scripts == []  # no task script reached the host
    assert host.run("test -e /tmp/fallback-before", check=False).returncode != 0


BECOME_PLAY = """\
- hosts: all
  gather_facts: false
  tasks:
    - name: as root through sudo
      ea_marker: {path: /srv/fallback/by-root, content: "root\\n"}
    - name: as another become user
      ea_marker: {path: /tmp/by-tester, content: "tester\\n"}
      become_user: tester
"""


def test_become_and_the_playbooks_own_library(tmp_path, python_host, lab):
    """A module in the ``library/`` next to the playbook; the script runs under become."""
    (tmp_path / "library").mkdir()
    (tmp_path / "library" / "ea_marker.py").write_text(MARKER.read_text())
    site = tmp_path / "site.yml"
    site.write_text(BECOME_PLAY)
    code, rec = run(site, lab.inventory, f"{python_host.name}-tester")
    assert code == EXIT_OK, [r.result for r in rec.results]
    owners = python_host.run(
        "stat -c %U /srv/fallback/by-root /tmp/by-tester", check=True
    ).stdout.split()
    assert owners == ["root", "tester"]
