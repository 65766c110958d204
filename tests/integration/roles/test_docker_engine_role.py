"""roles/docker_engine on a privileged lab host (Debian bookworm with docker.io, dockerd
under systemd in its own netns): converge twice — the second run changes nothing — and
`docker info` shows the storage driver, log driver and the extra runtime. The runtime is a
stand-in (``kata-standin`` -> runc): Kata cannot boot VMs here (no usable KVM)."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "edge"))

from docker_lab import IMAGE, import_busybox, play  # noqa: E402
from sys_play import Recorder  # noqa: E402

from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

pytestmark = [pytest.mark.lab, pytest.mark.privileged]

ROLES = Path(__file__).resolve().parents[3] / "roles"
DAEMON_JSON = "/etc/docker/daemon.json"


def run_role(tmp_path, inventory, host, role_vars, *, check=False):
    """Run the role; (exit code, names of the changed tasks and handlers, recorder)."""
    doc = [{"hosts": host.name, "roles": [{"role": "docker_engine", "vars": role_vars}]}]
    path = tmp_path / "engine.yml"
    path.write_text(textwrap.dedent(yaml.safe_dump(doc, sort_keys=False)))
    rec = Recorder()
    opts = RunOptions(
        inventory_sources=[str(inventory)], limit=[host.name], check=check, roles_path=[str(ROLES)]
    )
    result = Run([path], opts, rec).execute()
    changed = [r.task.name for r in rec.results if not r.hidden and r.result.get("changed")]
    return result.exit_code, changed, rec


def test_docker_engine_role_converges_twice_and_docker_info_shows_the_settings(
    tmp_path, lab_inventory, privileged_host
):
    host = privileged_host
    original = host.run(f"cat {DAEMON_JSON}", check=True).stdout
    role_vars = {
        "docker_engine_storage_driver": "vfs",  # what works on the lab's overlay root
        "docker_engine_log_max_size": "5m",
        "docker_engine_log_max_file": 2,
        "docker_engine_runtimes": {"kata-standin": {"path": "/usr/bin/runc"}},
        # docker_engine_daemon_options comes from the lab inventory: the lab's cgroup-parent
    }
    try:
        code, predicted, rec = run_role(tmp_path, lab_inventory, host, role_vars, check=True)
        assert code == 0, rec.errors
        assert host.run(f"cat {DAEMON_JSON}", check=True).stdout == original  # check: no change
        code, changed, rec = run_role(tmp_path, lab_inventory, host, role_vars)
        assert code == 0, rec.errors
        assert changed == predicted
        assert "daemon.json holds the storage driver, log limits and runtimes" in changed
        assert "restart docker" in changed
        code, changed, rec = run_role(tmp_path, lab_inventory, host, role_vars)
        assert code == 0 and changed == [], changed
        info = host.run(
            "docker info --format '{{.Driver}} {{.LoggingDriver}} {{json .Runtimes}}'", check=True
        ).stdout.split(" ", 2)
        assert info[:2] == ["vfs", "json-file"]
        assert json.loads(info[2])["kata-standin"] == {"path": "/usr/bin/runc"}
        written = json.loads(host.run(f"cat {DAEMON_JSON}", check=True).stdout)
        assert written["log-opts"] == {"max-size": "5m", "max-file": "2"}
        assert written["cgroup-parent"] == json.loads(original)["cgroup-parent"]
        # a container on the extra runtime, and the daemon's log limits applied to it
        import_busybox(host)
        task = {
            "docker_container": {
                "name": "eadk-test-runtime",
                "image": IMAGE,
                "command": ["sleep", "300"],
                "runtime": "kata-standin",
                "pull": "never",
            }
        }
        code, results, rec = play(tmp_path, lab_inventory, host, [task])
        assert code == 0, (results, rec.errors)
        config = results[0]["container"]["HostConfig"]
        assert config["Runtime"] == "kata-standin"
        assert config["LogConfig"] == {
            "Type": "json-file",
            "Config": {"max-file": "2", "max-size": "5m"},
        }
    finally:
        host.run(
            "docker rm -f eadk-test-runtime >/dev/null 2>&1;"
            f" printf '%s' '{original.strip()}' > {DAEMON_JSON} && systemctl restart docker",
            timeout=120,
        )
