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


# ---- pam_limits -----------------------------------------------------------------------------


def test_pam_limits_converges_limits_lines(tmp_path, lab_inventory, fresh_host):
    f = "/etc/security/limits.d/90-ea.conf"
    fresh_host.run(
        f"printf '# mine\\njoe hard nproc 50 # old\\njoe  soft core 10\\n' > {f}", check=True
    )
    tasks = [
        {
            "community.general.pam_limits": {
                "domain": "joe",
                "limit_type": "soft",
                "limit_item": "nofile",
                "value": 64000,
                "dest": f,
            }
        },
        {
            "pam_limits": {
                "domain": "joe",
                "limit_type": "hard",
                "limit_item": "nproc",
                "value": 80,
                "use_max": True,
                "dest": f,
            }
        },
        {
            "pam_limits": {
                "domain": "joe",
                "limit_type": "soft",
                "limit_item": "core",
                "value": 60,
                "use_min": True,
                "dest": f,
            }
        },
        {
            "pam_limits": {
                "domain": "@adm",
                "limit_type": "-",
                "limit_item": "nice",
                "value": -5,
                "comment": "be nice",
                "dest": f,
            }
        },
    ]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True, True, False, True])
    assert sh(fresh_host, f"cat {f}") == (
        "# mine\njoe\thard\tnproc\t80\t# old\njoe  soft core 10\njoe\tsoft\tnofile\t64000\n@adm\t-\tnice\t-5\t#be nice\n"
    )
    assert first[0]["msg"] == "joe\tsoft\tnofile\t64000\n"
    assert "joe\tsoft\tnofile\t64000" in first[0]["diff"]["after"]


def test_pam_limits_refuses_a_bad_value_before_running(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {"pam_limits": {"domain": "joe", "limit_type": "soft", "limit_item": "nice", "value": 30}}
    ]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert code != 0 and "range -20 to 19" in results[0]["msg"]
    assert "joe" not in sh(fresh_host, "cat /etc/security/limits.conf")


# ---- cron -----------------------------------------------------------------------------------

CRON_TASKS = [
    {"cron": {"name": "PATH", "job": "/usr/bin:/bin", "env": True}},
    {"ansible.builtin.cron": {"name": "tick", "minute": "*/5", "job": "date +\\%s >> /tmp/tick"}},
    {"cron": {"name": "boot", "special_time": "reboot", "job": "echo up", "disabled": True}},
]


def test_cron_converges_a_user_crontab_with_ansible_markers(tmp_path, lab_inventory, fresh_host):
    install = fresh_host.run(
        "apt-get update -qq && apt-get install -y -qq cron >/dev/null 2>&1", timeout=600
    )
    if install.returncode != 0:
        pytest.skip("cron could not be installed from the Debian mirror")
    fresh_host.run("printf 'MAILTO=\"\"\\n# mine\\n' | crontab -", check=True)
    first = converge(tmp_path, lab_inventory, fresh_host, CRON_TASKS, changes=[True] * 3)
    assert sh(fresh_host, "crontab -l") == (
        'PATH="/usr/bin:/bin"\nMAILTO=""\n# mine\n#Ansible: tick\n*/5 * * * * date +\\%s >> /tmp/tick\n'
        "#Ansible: boot\n#@reboot echo up\n"
    )
    assert first[2]["jobs"] == ["tick", "boot"] and first[2]["envs"] == ["PATH", "MAILTO"]
    assert first[1]["diff"]["after_header"] == "crontab"
    # another user's crontab (crontab -u), a cron.d file, removal
    tasks = [
        {"cron": {"name": "t", "job": "id", "hour": "3", "user": "tester"}},
        {"cron": {"name": "d", "job": "id", "user": "tester", "cron_file": "ea-test"}},
        {"cron": {"name": "tick", "state": "absent", "backup": True}},
    ]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True] * 3)
    assert sh(fresh_host, "crontab -u tester -l") == "#Ansible: t\n* 3 * * * id\n"
    assert sh(fresh_host, "cat /etc/cron.d/ea-test") == "#Ansible: d\n* * * * * tester id\n"
    assert sh(fresh_host, "stat -c %a /etc/cron.d/ea-test").strip() == "644"
    assert "tick" not in sh(fresh_host, "crontab -l")
    assert "#Ansible: tick" in sh(fresh_host, f"cat {first[2]['backup_file']}")


def test_cron_without_crontab_fails_clearly_but_cron_file_works(
    tmp_path, lab_inventory, fresh_host
):
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, CRON_TASKS[:1])
    assert code != 0 and 'required executable "crontab"' in results[0]["msg"]
    tasks = [{"cron": {"name": "x", "job": "true", "user": "root", "cron_file": "/etc/cron.d/x"}}]
    converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])


def test_cron_bad_arguments_are_refused_before_anything_runs(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {"file": {"path": "/tmp/ea-marker", "state": "touch"}},
        {"cron": {"name": "x", "job": "true", "special_time": "sometimes"}},
    ]
    with pytest.raises(ValidationError, match="special_time"):
        play(tmp_path, lab_inventory, fresh_host, tasks)
    assert fresh_host.run("test -e /tmp/ea-marker").returncode != 0
    # cross-argument checks fail the task (as in Ansible) before it touches the crontab
    tasks = [{"cron": {"name": "x", "job": "true", "special_time": "daily", "hour": "1"}}]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert code != 0 and "cannot combine special_time" in results[0]["msg"]


def test_cron_on_busybox_crontab(tmp_path, lab_inventory, busybox_host):
    busybox_host.run("mkdir -p /var/spool/cron/crontabs; crontab -r 2>/dev/null; true")
    try:
        converge(tmp_path, lab_inventory, busybox_host, CRON_TASKS, changes=[True] * 3)
        out = sh(busybox_host, "crontab -l")
        assert out.startswith('PATH="/usr/bin:/bin"\n#Ansible: tick\n*/5 * * * * date'), out
    finally:
        busybox_host.run("crontab -r 2>/dev/null; true")


# ---- hostname -------------------------------------------------------------------------------

FACTS_ECHO = {"debug": {"msg": "{{ ansible_hostname }} {{ ansible_facts.nodename }}"}}


def test_hostname_on_a_systemd_host(tmp_path, lab_inventory, fresh_host):
    tasks = [{"hostname": {"name": "ea-renamed.example.test"}}, FACTS_ECHO]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True, False])
    assert sh(fresh_host, "cat /etc/hostname; uname -n") == (
        "ea-renamed.example.test\nea-renamed.example.test\n"
    )
    assert first[0]["ansible_facts"]["ansible_hostname"] == "ea-renamed"
    assert first[0]["diff"]["after"] == "hostname = ea-renamed.example.test\n"
    assert first[1]["msg"] == "ea-renamed ea-renamed.example.test"
    # use: the file strategy (alpine/generic) on the same host
    tasks = [{"ansible.builtin.hostname": {"name": "ea-second", "use": "alpine"}}]
    converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert sh(fresh_host, "cat /etc/hostname; uname -n") == "ea-second\nea-second\n"


def test_hostname_bsd_strategy_is_refused(tmp_path, lab_inventory, fresh_host):
    tasks = [{"hostname": {"name": "x", "use": "freebsd"}}]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert code != 0 and "not implemented by edgeauto" in results[0]["msg"]


def test_hostname_on_busybox(tmp_path, lab_inventory, busybox_host):
    old = sh(busybox_host, "uname -n").strip()
    had = busybox_host.run("cat /etc/hostname").stdout
    try:
        tasks = [{"hostname": {"name": "ea-bb"}}, FACTS_ECHO]
        first = converge(tmp_path, lab_inventory, busybox_host, tasks, changes=[True, False])
        assert sh(busybox_host, "cat /etc/hostname; uname -n") == "ea-bb\nea-bb\n"
        assert first[1]["msg"] == "ea-bb ea-bb"
    finally:
        busybox_host.run(f"hostname {old}; printf %s '{had}' > /etc/hostname")


# ---- timezone -------------------------------------------------------------------------------


def test_timezone_converges_zone_and_rtc(tmp_path, lab_inventory, fresh_host):
    if fresh_host.run("test -f /usr/share/zoneinfo/Asia/Tokyo").returncode != 0:
        install = fresh_host.run(
            "apt-get update -qq && apt-get install -y -qq tzdata >/dev/null 2>&1", timeout=600
        )
        if install.returncode != 0:
            pytest.skip("tzdata could not be installed from the Debian mirror")
    tasks = [
        {"community.general.timezone": {"name": "Asia/Tokyo"}},
        {"timezone": {"rtc": "local"}},
    ]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True, True])
    assert sh(fresh_host, "readlink /etc/localtime").strip().endswith("zoneinfo/Asia/Tokyo")
    assert sh(fresh_host, "date +%Z").strip() == "JST"
    assert first[0]["diff"]["after"] == {"name": "Asia/Tokyo"}
    assert first[1]["diff"] == {"before": {"hwclock": "UTC"}, "after": {"hwclock": "local"}}
    assert sh(fresh_host, "sed -n 3p /etc/adjtime").strip() == "LOCAL"
    code, results, _ = play(
        tmp_path, lab_inventory, fresh_host, [{"timezone": {"name": "No/Such"}}]
    )
    assert code != 0 and 'given timezone "No/Such" is not available' in results[0]["msg"]


# ---- alternatives ---------------------------------------------------------------------------


def test_alternatives_install_select_auto_remove(tmp_path, lab_inventory, fresh_host):
    fresh_host.run(
        "mkdir -p /opt/ea && for x in a b; do printf '#!/bin/sh\\necho %s\\n' $x > /opt/ea/$x;"
        " chmod 755 /opt/ea/$x; : > /opt/ea/$x.1; done",
        check=True,
    )
    alt = "community.general.alternatives"
    common = {"name": "ea-tool", "link": "/usr/local/bin/ea-tool", "state": "present"}
    man = {"name": "ea-tool.1", "link": "/usr/local/share/ea-tool.1"}
    tasks = [
        {alt: {**common, "path": "/opt/ea/a", "priority": 10,
               "subcommands": [{**man, "path": "/opt/ea/a.1"}]}},
        {"alternatives": {**common, "path": "/opt/ea/b", "priority": 20,
                          "slaves": [{**man, "path": "/opt/ea/b.1"}]}},
    ]  # fmt: skip
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True, True])
    assert first[0]["msg"] == "Install alternative '/opt/ea/a' for 'ea-tool'."
    assert first[1]["diff"]["after"]["priority"] == 20
    assert sh(fresh_host, "ea-tool; readlink -f /usr/local/share/ea-tool.1") == "b\n/opt/ea/b.1\n"
    converge(tmp_path, lab_inventory, fresh_host, [{alt: {"name": "ea-tool", "path": "/opt/ea/a"}}])
    assert sh(fresh_host, "ea-tool; readlink -f /usr/local/share/ea-tool.1") == "a\n/opt/ea/a.1\n"
    tasks = [{alt: {"name": "ea-tool", "path": "/opt/ea/a", "state": "auto"}}]
    converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert sh(fresh_host, "ea-tool") == "b\n"
    tasks = [{alt: {"name": "ea-tool", "path": "/opt/ea/b", "state": "absent"}}]
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert first[0]["diff"]["after"] == {"state": "absent"}
    assert sh(fresh_host, "ea-tool") == "a\n"
    code, results, _ = play(
        tmp_path, lab_inventory, fresh_host, [{alt: {"name": "nope", "path": "/opt/ea/a"}}]
    )
    assert code != 0 and "missing the link" in results[0]["msg"]


# ---- mount ----------------------------------------------------------------------------------


def mounted_at(host, path):
    return host.run(f"grep -F ' {path} ' /proc/self/mountinfo || true", check=True).stdout


def test_mount_tmpfs_mounted_remounted_unmounted_absent(tmp_path, lab_inventory, fresh_host):
    m = "/mnt/ea data"  # a space: fstab gets \040
    base = {"path": m, "src": "tmpfs", "fstype": "tmpfs"}
    tasks = [{"ansible.posix.mount": {**base, "opts": "size=8m,mode=0750", "state": "mounted"}}]
    probe = fresh_host.run("mkdir -p /tmp/p && mount -t tmpfs tmpfs /tmp/p && umount /tmp/p")
    if probe.returncode != 0:
        # the container refuses mount(2): the module must say so clearly
        code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
        assert code != 0 and "mount(2) refused" in results[0]["msg"], results
        pytest.skip(f"this lab host may not mount: {probe.stderr.strip()}")
    first = converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert "tmpfs /mnt/ea\\040data tmpfs size=8m,mode=0750 0 0\n" in sh(
        fresh_host, "cat /etc/fstab"
    )
    assert "size=8192k" in mounted_at(fresh_host, "/mnt/ea\\040data")
    assert first[0]["opts"] == "size=8m,mode=0750" and first[0]["boot"] == "yes"
    assert "/mnt/ea\\040data" in first[0]["diff"]["after"]
    # changed options: fstab rewritten and the mount remounted with them
    tasks = [{"mount": {**base, "opts": "size=16m,mode=0750", "state": "mounted"}}]
    converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert "size=16384k" in mounted_at(fresh_host, "/mnt/ea\\040data")
    code, results, _ = play(
        tmp_path, lab_inventory, fresh_host, [{"mount": {"path": m, "state": "remounted"}}]
    )
    assert code == 0 and results[0]["changed"] is True
    converge(
        tmp_path,
        lab_inventory,
        fresh_host,
        [{"mount": {"path": m, "state": "unmounted"}}],
        changes=[True],
    )
    assert mounted_at(fresh_host, "/mnt/ea\\040data") == ""
    assert "ea\\040data" in sh(fresh_host, "cat /etc/fstab")  # unmounted keeps the entry
    # ephemeral: mounted without fstab; absent: entry, mount and directory gone
    eph = [{"mount": {**base, "opts": "size=4m", "state": "ephemeral"}}]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, eph)
    assert (
        code == 0
        and results[0]["changed"]
        and "size=4096k" in mounted_at(fresh_host, "/mnt/ea\\040data")
    )
    converge(
        tmp_path,
        lab_inventory,
        fresh_host,
        [{"mount": {"path": m, "state": "absent"}}],
        changes=[True],
    )
    assert "ea\\040data" not in sh(fresh_host, "cat /etc/fstab")
    assert fresh_host.run(f"test -e '{m}'").returncode != 0


def test_mount_failure_restores_fstab_and_removes_made_dirs(tmp_path, lab_inventory, fresh_host):
    before = sh(fresh_host, "cat /etc/fstab")
    tasks = [
        {
            "mount": {
                "path": "/mnt/ea/x/y",
                "src": "/dev/nonexistent",
                "fstype": "ext4",
                "state": "mounted",
            }
        }
    ]
    code, results, _ = play(tmp_path, lab_inventory, fresh_host, tasks)
    assert code != 0 and results[0]["msg"].startswith("Error mounting /mnt/ea/x/y:")
    assert sh(fresh_host, "cat /etc/fstab") == before
    assert fresh_host.run("test -e /mnt/ea").returncode != 0


def test_mount_tmpfs_on_busybox(tmp_path, lab_inventory, busybox_host):
    m = "/tmp/ea-bbmnt"
    fstab = "/tmp/ea-fstab"
    busybox_host.run(f"rm -f {fstab}")
    tasks = [
        {
            "mount": {
                "path": m,
                "src": "tmpfs",
                "fstype": "tmpfs",
                "opts": "size=4m",
                "state": "mounted",
                "fstab": fstab,
            }
        }
    ]
    try:
        converge(tmp_path, lab_inventory, busybox_host, tasks, changes=[True])
        assert sh(busybox_host, f"cat {fstab}") == f"tmpfs {m} tmpfs size=4m 0 0\n"
        assert mounted_at(busybox_host, m)
        tasks = [{"mount": {"path": m, "state": "absent", "fstab": fstab}}]
        converge(tmp_path, lab_inventory, busybox_host, tasks, changes=[True])
        assert not mounted_at(busybox_host, m)
    finally:
        busybox_host.run(f"umount {m} 2>/dev/null; rmdir {m} 2>/dev/null; rm -f {fstab}")


# ---- modprobe -------------------------------------------------------------------------------


def test_modprobe_fails_naming_why_but_persistent_files_converge(
    tmp_path, lab_inventory, fresh_host
):
    fresh_host.run(
        "mkdir -p /etc/modprobe.d && echo 'options dummy numdummies=5' > /etc/modprobe.d/old.conf",
        check=True,
    )
    task = {
        "community.general.modprobe": {
            "name": "dummy",
            "params": "numdummies=2",
            "persistent": "present",
        }
    }
    kver = sh(fresh_host, "uname -r").strip()
    for check in (True, False, False):
        code, results, _ = play(tmp_path, lab_inventory, fresh_host, [task], check=check)
        assert code != 0, results
        msg = results[0]["msg"]
        assert msg.startswith("cannot load kernel module dummy: "), msg
        assert f"/lib/modules/{kver}" in msg or "not permitted" in msg, msg
    assert sh(fresh_host, "cat /etc/modules-load.d/dummy.conf") == "dummy\n"
    assert sh(fresh_host, "cat /etc/modprobe.d/dummy.conf") == "options dummy numdummies=2\n"
    assert sh(fresh_host, "cat /etc/modprobe.d/old.conf") == "#options dummy numdummies=5\n"
    # not loaded and not wanted now: only the files; persistent absent comments them out
    tasks = [{"modprobe": {"name": "dummy", "state": "absent", "persistent": "absent"}}]
    converge(tmp_path, lab_inventory, fresh_host, tasks, changes=[True])
    assert sh(fresh_host, "cat /etc/modules-load.d/dummy.conf") == "#dummy\n"
    assert sh(fresh_host, "cat /etc/modprobe.d/dummy.conf") == "#options dummy numdummies=2\n"


def test_sysctl_live_value_on_busybox_in_its_own_uts_namespace(
    tmp_path, lab_inventory, busybox_host
):
    # kernel.domainname belongs to the UTS namespace: safe only when the host has its own
    import os

    if sh(busybox_host, "readlink /proc/self/ns/uts").strip() == os.readlink("/proc/self/ns/uts"):
        pytest.skip("the busybox host shares the controller's UTS namespace")
    old = sh(busybox_host, "cat /proc/sys/kernel/domainname").strip()
    f = "/tmp/ea-sysctl-live.conf"
    tasks = [
        {
            "sysctl": {
                "name": "kernel.domainname",
                "value": "ea.lab",
                "sysctl_file": f,
                "sysctl_set": True,
            }
        }
    ]
    try:
        converge(tmp_path, lab_inventory, busybox_host, tasks, changes=[True])
        assert sh(busybox_host, "cat /proc/sys/kernel/domainname").strip() == "ea.lab"
    finally:
        busybox_host.run(f"echo '{old}' > /proc/sys/kernel/domainname; rm -f {f}")
