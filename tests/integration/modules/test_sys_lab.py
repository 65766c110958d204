"""The sys group's modules converging real lab hosts (debian systemd hosts, the busybox host):
check mode predicts the real run, the second run changes nothing, diffs show the file change,
bad arguments are refused before anything runs. Live kernel changes are made only where the
host has its own namespace for them (see test_sys_privileged_lab.py); ordinary lab hosts share
the controller's kernel, network namespace and /proc/sys (read-only under systemd-nspawn)."""

from __future__ import annotations

import pytest
from sys_play import converge, play

from edgeauto.errors import ValidationError

pytestmark = pytest.mark.lab


def sh(host, cmd):
    return host.run(cmd, check=True).stdout


# ---- sysctl ---------------------------------------------------------------------------------


def test_sysctl_converges_a_file_without_touching_the_live_kernel(
    tmp_path, lab_inventory, fresh_host
):
    fresh_host.run(
        "printf '# keep\\n vm.swappiness = 60 \\nvm.swappiness=1\\nkernel.x=2\\n' > /etc/sysctl.d/90-ea.conf",
        check=True,
    )
    f = "/etc/sysctl.d/90-ea.conf"
    tasks = [
        {
            "ansible.posix.sysctl": {
                "name": "vm.swappiness",
                "value": "10",
                "sysctl_file": f,
                "reload": False,
            }
        },
        {
            "sysctl": {
                "key": "net.core.somaxconn",
                "val": 1024,
                "sysctl_file": f,
                "reload": "no",
                "mode": "0600",
            }
        },
        {"sysctl": {"name": "kernel.x", "state": "absent", "sysctl_file": f, "reload": False}},
    ]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True, True, True])
    assert sh(fresh_host, f"cat {f}") == "# keep\nvm.swappiness=10\nnet.core.somaxconn=1024\n"
    assert sh(fresh_host, f"stat -c %a {f}").strip() == "600"
    assert first[0]["diff"]["after"].startswith("# keep\nvm.swappiness=10\n")


def test_sysctl_live_change_on_a_read_only_proc_sys_fails_naming_why(
    tmp_path, lab_inventory, fresh_host
):
    tasks = [
        {
            "sysctl": {
                "name": "vm.swappiness",
                "value": "11",
                "sysctl_file": "/etc/sysctl.d/91-ea.conf",
            }
        }
    ]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert code != 0
    assert results[0]["failed"]
    assert "Failed to reload sysctl" in results[0]["msg"]
    assert "may not change this kernel parameter" in results[0]["msg"]
    # the file part converged before the reload (as with Ansible)
    assert sh(fresh_host, "cat /etc/sysctl.d/91-ea.conf") == "vm.swappiness=11\n"


def test_sysctl_bad_arguments_are_refused_before_anything_runs(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {"file": {"path": "/tmp/ea-marker", "state": "touch"}},
        {"sysctl": {"name": "vm.swappiness", "sysctl_file": "/tmp/x.conf"}},  # no value
    ]
    with pytest.raises(ValidationError, match="requires argument"):
        play(tmp_path, lab_inventory, fresh_host, tasks)
    assert fresh_host.run("test -e /tmp/ea-marker").returncode != 0


def test_sysctl_file_on_busybox(tmp_path, lab_inventory, busybox_host):
    f = "/tmp/ea-sysctl.conf"
    busybox_host.run(f"rm -f {f}")
    try:
        tasks = [
            {
                "sysctl": {
                    "name": "kernel.domainname",
                    "value": "lab",
                    "sysctl_file": f,
                    "reload": False,
                }
            }
        ]
        converge(tmp_path, lab_inventory, busybox_host, tasks, changes=[True])
        assert sh(busybox_host, f"cat {f}") == "kernel.domainname=lab\n"
    finally:
        busybox_host.run(f"rm -f {f}")
