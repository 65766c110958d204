"""systemd_service / service / service_facts on real lab hosts (SSH, the real engine).

Every converge test runs check mode first (it must predict the real run's changes and change
nothing), then the real run, then the same tasks again (nothing may change). Units and init
scripts are written by the tests: the lab images carry few services (no cron).
"""

from __future__ import annotations

import pytest
from svc_lab import out, play, sh

pytestmark = pytest.mark.lab

SLEEP_UNIT = """[Unit]
Description=edgeauto test sleeper
[Service]
ExecStart=/bin/sh -c 'trap "echo hup >>/run/ea-sleep.hup" HUP; while :; do sleep 1 & wait; done'
ExecReload=/bin/kill -HUP $MAINPID
[Install]
WantedBy=multi-user.target
"""


def write_unit(host, name="ea-sleep", text=SLEEP_UNIT):
    host.run(f"cat >/usr/lib/systemd/system/{name}.service", input=text, check=True)


def converge(tmp_path, inv, host, tasks, expect_changed):
    """check → real → again; returns (check, real, again) outcomes."""
    check = play(tmp_path, inv, host, tasks, check=True)
    assert check.failed() == [], check.failed()
    real = play(tmp_path, inv, host, tasks)
    assert real.failed() == [], real.failed()
    assert check.changed() == real.changed() == expect_changed
    again = play(tmp_path, inv, host, tasks)
    assert again.failed() == [] and again.changed() == [], again.changed()
    return check, real, again


# ---------------------------------------------------------------- systemd_service


def test_systemd_starts_enables_a_new_unit_after_daemon_reload(tmp_path, lab_inventory, fresh_host):
    h = fresh_host
    write_unit(h)
    tasks = [
        {
            "name": "sleeper",
            "ansible.builtin.systemd_service": {
                "name": "ea-sleep",
                "state": "started",
                "enabled": True,
                "daemon_reload": True,
            },
            "register": "r",
        }
    ]
    check = play(tmp_path, lab_inventory, h, tasks, check=True)
    assert check.changed() == ["sleeper"], check.failed()
    assert out(h, "systemctl is-active ea-sleep") == "inactive"
    assert out(h, "systemctl is-enabled ea-sleep") == "disabled"
    real = play(tmp_path, lab_inventory, h, tasks)
    assert real.changed() == ["sleeper"], real.failed()
    assert sh(h, "systemctl is-active ea-sleep") == "active"
    assert sh(h, "systemctl is-enabled ea-sleep") == "enabled"
    res = real["sleeper"]
    assert res["name"] == "ea-sleep" and res["state"] == "started" and res["enabled"] is True
    # status is systemctl show from before the change; check mode saw the same
    assert res["status"]["ActiveState"] == "inactive"
    assert res["status"]["Id"] == "ea-sleep.service"
    assert check["sleeper"]["status"]["ActiveState"] == "inactive"
    assert {k for k in res if not k.startswith("_")} >= {"name", "state", "enabled", "status"}
    again = play(tmp_path, lab_inventory, h, tasks)
    assert again.changed() == []
    assert again["sleeper"]["status"]["ActiveState"] == "active"
    assert again["sleeper"]["status"]["UnitFileState"] == "enabled"


def test_systemd_restarted_reloaded_stopped_masked(tmp_path, lab_inventory, fresh_host):
    h = fresh_host
    write_unit(h)
    sh(h, "systemctl daemon-reload && systemctl start ea-sleep")
    pid = sh(h, "systemctl show -p MainPID --value ea-sleep")
    r = play(
        tmp_path, lab_inventory, h, [{"name": "bounce", "systemd": "name=ea-sleep state=restarted"}]
    )
    assert r.changed() == ["bounce"] and r["bounce"]["state"] == "started"
    assert sh(h, "systemctl show -p MainPID --value ea-sleep") not in (pid, "0")
    # reloaded on a running unit reloads (ExecReload sends HUP) and always reports a change
    r = play(
        tmp_path, lab_inventory, h, [{"name": "reload", "systemd": "name=ea-sleep state=reloaded"}]
    )
    assert r.changed() == ["reload"] and r["reload"]["state"] == "started"
    assert "hup" in sh(h, "sleep 1; cat /run/ea-sleep.hup")
    converge(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "stop", "ansible.builtin.systemd": {"unit": "ea-sleep", "state": "stopped"}}],
        ["stop"],
    )
    assert out(h, "systemctl is-active ea-sleep") == "inactive"
    # reloaded on a stopped unit starts it
    r = play(
        tmp_path, lab_inventory, h, [{"name": "reload", "systemd": "name=ea-sleep state=reloaded"}]
    )
    assert r.changed() == ["reload"] and sh(h, "systemctl is-active ea-sleep") == "active"
    sh(h, "systemctl stop ea-sleep")
    converge(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "mask", "systemd": {"name": "ea-sleep.service", "masked": True}}],
        ["mask"],
    )
    assert out(h, "systemctl is-enabled ea-sleep") == "masked"
    r = play(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "start masked", "systemd": "name=ea-sleep state=started"}],
    )
    assert r.failed() and "Unable to start service ea-sleep" in r.failed()[0][1]["msg"]
    converge(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "unmask", "systemd": {"name": "ea-sleep", "masked": False, "state": "started"}}],
        ["unmask"],
    )
    assert sh(h, "systemctl is-active ea-sleep") == "active"


def test_systemd_disable_and_real_units(tmp_path, lab_inventory, fresh_host):
    h = fresh_host
    write_unit(h)
    sh(h, "systemctl daemon-reload && systemctl enable --now ea-sleep")
    converge(
        tmp_path,
        lab_inventory,
        h,
        [
            {"name": "ssh stays", "systemd": {"name": "ssh", "state": "started", "enabled": True}},
            {
                "name": "disable",
                "systemd": {"name": "ea-sleep", "enabled": False, "no_block": True},
            },
            {
                "name": "masked absent unit",
                "systemd": {"name": "ea-nothing", "masked": True, "force": True},
            },
            {"name": "reload only", "systemd": {"daemon_reload": True}, "register": "reload"},
        ],
        ["disable", "masked absent unit"],
    )
    assert out(h, "systemctl is-enabled ea-sleep") == "disabled"
    assert sh(h, "systemctl is-active ea-sleep") == "active"  # enabled=false does not stop
    assert out(h, "systemctl is-enabled ea-nothing") == "masked"
    r = play(tmp_path, lab_inventory, h, [{"name": "r", "systemd": {"daemon_reexec": True}}])
    assert r.changed() == [] and r["r"]["name"] is None and r["r"]["status"] == {}


def test_systemd_missing_unit_fails_like_ansible(tmp_path, lab_inventory, fresh_host):
    for check in (True, False):
        r = play(
            tmp_path,
            lab_inventory,
            fresh_host,
            [{"name": "x", "systemd": {"name": "ea-absent", "state": "started"}}],
            check=check,
        )
        assert r["x"]["msg"] == "Could not find the requested service ea-absent: host"
        assert r["x"]["status"]["LoadState"] == "not-found"


def test_systemd_on_busybox_says_systemctl_is_missing(tmp_path, lab_inventory, busybox_host):
    r = play(
        tmp_path, lab_inventory, busybox_host, [{"name": "x", "systemd": "name=ntpd state=started"}]
    )
    assert r["x"]["msg"].startswith('Failed to find required executable "systemctl"')
    r = play(
        tmp_path, lab_inventory, busybox_host, [{"name": "x", "service": "name=ntpd state=started"}]
    )
    assert r["x"]["msg"] == "Could not find the requested service ntpd: host"


@pytest.mark.parametrize(
    "module, args, message",
    [
        ("systemd", {"name": "ea-*", "state": "started"}, "glob patterns"),
        ("systemd", {"state": "started"}, "required by 'state': name"),
        ("systemd_service", {"name": "x", "state": "running"}, "must be one of"),
        # ({"name": "x"} alone is accepted, as by ansible-core: daemon_reload's default
        #  counts toward required_one_of)
        ("systemd", {"name": "x", "enabled": "maybe"}, "boolean"),
        ("systemd", {"name": "x", "scope": "session", "state": "started"}, "must be one of"),
        ("service", {"name": "x"}, "one of these arguments is required: state, enabled"),
        ("service", {"state": "started"}, "missing required argument 'name'"),
        ("service", {"name": "x", "state": "started", "sleep": "soon"}, "integer"),
        ("service_facts", {"name": "x"}, "has no argument 'name'"),
    ],
)
def test_bad_arguments_rejected_before_anything_runs(
    tmp_path, lab_inventory, debian_host, module, args, message
):
    marker = f"/tmp/ea-svc-bad-{abs(hash(str((module, args))))}"
    tasks = [
        {"name": "first", "command": f"touch {marker}"},
        {"name": "bad", module: args},
    ]
    r = play(tmp_path, lab_inventory, debian_host, tasks)
    assert r.exit_code != 0
    assert debian_host.run(f"test -e {marker}").returncode != 0, "a task ran"
    text = " ".join(r.errors + [str(x.result.get("msg", "")) for x in r.results])
    assert message in text, text


# ---------------------------------------------------------------- service

INIT_SCRIPT = r"""#!/bin/sh
### BEGIN INIT INFO
# Provides:          NAME
# Required-Start:
# Required-Stop:
# Default-Start:     2 3 4 5
# Default-Stop:      0 1 6
# Short-Description: edgeauto test daemon
### END INIT INFO
PIDFILE=/run/NAME.pid
running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }
case "$1" in
    start)
        echo "$*" >>/run/NAME.log
        running && exit 0
        sleep 4242424 >/dev/null 2>&1 &
        echo $! >"$PIDFILE"
        ;;
    stop)
        echo "$*" >>/run/NAME.log
        running && kill "$(cat "$PIDFILE")"
        rm -f "$PIDFILE"
        ;;
    restart) "$0" stop; "$0" start ;;
    reload) echo reload >>/run/NAME.log ;;
    status)
        if running; then echo "NAME is running"; exit 0; fi
        echo "NAME is not running"
        exit 3
        ;;
    *) echo "usage: $0 start|stop|restart|reload|status" >&2; exit 2 ;;
esac
exit 0
"""


def write_init_script(host, name="ea-demo"):
    host.run(
        f"mkdir -p /etc/init.d && cat >/etc/init.d/{name} && chmod 0755 /etc/init.d/{name}",
        input=INIT_SCRIPT.replace("NAME", name),
        check=True,
    )


def pid_of(host, name="ea-demo") -> str:
    return out(host, f"cat /run/{name}.pid 2>/dev/null")


def alive(host, name="ea-demo") -> bool:
    pid = pid_of(host, name)
    return bool(pid) and host.run(f"kill -0 {pid}").returncode == 0


def test_service_on_systemd_is_a_systemd_task(tmp_path, lab_inventory, fresh_host):
    h = fresh_host
    write_unit(h)
    sh(h, "systemctl daemon-reload")
    tasks = [
        {
            "name": "svc",
            "ansible.builtin.service": {
                "name": "ea-sleep",
                "state": "started",
                "enabled": True,
                "pattern": "sleep",
            },
        }
    ]
    _, real, again = converge(tmp_path, lab_inventory, h, tasks, ["svc"])
    res = real["svc"]
    assert res["status"]["ActiveState"] == "inactive" and res["enabled"] is True
    assert res["state"] == "started" and res["name"] == "ea-sleep"
    assert res["warnings"] == ['Ignoring "pattern" as it is not used in "systemd"']
    assert sh(h, "systemctl is-active ea-sleep") == "active"
    assert sh(h, "systemctl is-enabled ea-sleep") == "enabled"


def test_service_sysv_scripts_on_a_light_debian_host(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="debian", systemd=False)
    write_init_script(h)
    start = [
        {
            "name": "demo",
            "service": {
                "name": "ea-demo",
                "state": "started",
                "enabled": True,
                "args": "--fast",
            },
        }
    ]
    check, real, _ = converge(tmp_path, lab_inventory, h, start, ["demo"])
    assert real["demo"]["state"] == "started" and real["demo"]["enabled"] is True
    assert "status" not in real["demo"]
    assert alive(h)
    assert sh(h, "ls /etc/rc2.d /etc/rc5.d | grep -c '^S..ea-demo$'") == "2"
    assert "start --fast" in sh(h, "cat /run/ea-demo.log")
    # the script ran with the login umask (022), not the edgeauto script's private 077
    assert sh(h, "stat -c %a /run/ea-demo.log") == "644"
    pid = pid_of(h)
    r = play(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "bounce", "service": "name=ea-demo state=restarted sleep=1"}],
    )
    assert r.changed() == ["bounce"] and alive(h) and pid_of(h) != pid
    r = play(
        tmp_path, lab_inventory, h, [{"name": "reload", "service": "name=ea-demo state=reloaded"}]
    )
    assert r.changed() == ["reload"] and "reload" in sh(h, "cat /run/ea-demo.log")
    # a ps pattern decides "running" instead of the script's status
    converge(
        tmp_path,
        lab_inventory,
        h,
        [
            {
                "name": "by pattern",
                "service": {"name": "ea-demo", "state": "started", "pattern": "sleep 4242424"},
            }
        ],
        [],
    )
    converge(
        tmp_path,
        lab_inventory,
        h,
        [{"name": "off", "service": {"name": "ea-demo", "state": "stopped", "enabled": False}}],
        ["off"],
    )
    assert not alive(h)
    assert out(h, "ls /etc/rc2.d | grep -c '^S..ea-demo$'") == "0"
    r = play(
        tmp_path, lab_inventory, h, [{"name": "x", "service": "name=ea-nothing state=started"}]
    )
    assert r["x"]["msg"] == "Could not find the requested service ea-nothing: host"


@pytest.mark.parametrize("rc_d", [False, True], ids=["init.d-links", "rc.d-links"])
def test_service_busybox_init_scripts_and_start_links(tmp_path, lab_inventory, make_host, rc_d):
    h = make_host(flavor="busybox")
    write_init_script(h)
    if rc_d:
        sh(h, "mkdir -p /etc/rc.d")
    links = "/etc/rc.d" if rc_d else "/etc/init.d"
    tasks = [{"name": "demo", "service": {"name": "ea-demo", "state": "started", "enabled": True}}]
    converge(tmp_path, lab_inventory, h, tasks, ["demo"])
    assert alive(h)
    link = sh(h, f"ls {links} | grep '^S..ea-demo$'")
    assert link == "S50ea-demo"
    target = sh(h, f"readlink {links}/{link}")
    assert target == ("/etc/init.d/ea-demo" if rc_d else "ea-demo")
    converge(
        tmp_path,
        lab_inventory,
        h,
        [
            {
                "name": "off",
                "ansible.builtin.service": {
                    "name": "ea-demo",
                    "state": "stopped",
                    "enabled": False,
                },
            }
        ],
        ["off"],
    )
    assert not alive(h)
    assert out(h, f"ls {links} | grep -c '^S..ea-demo$'") == "0"
    converge(
        tmp_path,
        lab_inventory,
        h,
        [
            {
                "name": "by pattern",
                "service": {"name": "ea-demo", "state": "started", "pattern": "sleep 4242424"},
            }
        ],
        ["by pattern"],
    )
    assert alive(h)


def apt_install(host, *packages):
    proc = host.run(
        "apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive "
        f"apt-get install -y -q --no-install-recommends {' '.join(packages)}",
        timeout=600,
    )
    if proc.returncode != 0:
        pytest.skip(f"cannot install {packages} from the Debian mirror: {proc.stderr[-300:]}")


OPENRC_SCRIPT = """#!/sbin/openrc-run
description="edgeauto test daemon"
command=/bin/sleep
command_args=4242426
command_background=true
pidfile=/run/ea-orc.pid
"""


def test_service_openrc_with_the_real_rc_service_and_rc_update(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="debian", systemd=False)
    apt_install(h, "openrc")
    # OpenRC did not boot this host (sshd is PID 1): give rc-service its state directory
    sh(h, "mkdir -p /run/openrc && touch /run/openrc/softlevel")
    h.run(
        "cat >/etc/init.d/ea-orc && chmod 0755 /etc/init.d/ea-orc", input=OPENRC_SCRIPT, check=True
    )
    tasks = [
        {
            "name": "orc",
            "service": {
                "name": "ea-orc",
                "state": "started",
                "enabled": True,
                "runlevel": "default",
            },
        }
    ]
    converge(tmp_path, lab_inventory, h, tasks, ["orc"])
    assert "started" in out(h, "rc-service ea-orc status")
    assert "default" in sh(h, "rc-update show | grep ea-orc")
    services = facts_of(tmp_path, lab_inventory, h)
    # seen missing once in a loaded full run (not reproduced alone): say what OpenRC listed
    listing = out(h, "rc-status -a -s -m; rc-update show -v")
    assert "ea-orc" in services, (sorted(services), listing)
    assert services["ea-orc"] == {
        "name": "ea-orc",
        "runlevels": ["default"],
        "state": "started",
        "source": "openrc",
    }
    pid = sh(h, "cat /run/ea-orc.pid")
    r = play(
        tmp_path, lab_inventory, h, [{"name": "bounce", "service": "name=ea-orc state=restarted"}]
    )
    assert r.changed() == ["bounce"] and sh(h, "cat /run/ea-orc.pid") != pid
    off = [{"name": "off", "service": {"name": "ea-orc", "state": "stopped", "enabled": False}}]
    converge(tmp_path, lab_inventory, h, off, ["off"])
    assert "stopped" in out(h, "rc-service ea-orc status")
    assert out(h, "rc-update show | grep ea-orc") == "" or "default" not in out(
        h, "rc-update show | grep ea-orc"
    )


def test_service_runit_with_the_real_sv_and_runsvdir(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="debian", systemd=False)
    apt_install(h, "runit")
    sh(
        h,
        "mkdir -p /etc/sv/ea-run && printf '#!/bin/sh\\nexec sleep 4242427\\n' >/etc/sv/ea-run/run"
        " && chmod 0755 /etc/sv/ea-run/run && mkdir -p /etc/service/",
    )
    # runit is not PID 1 here: run its supervisor tree like runit's stage 2 would, without
    # the links Debian enables by default (runit's ssh would fight the lab's sshd, PID 1)
    sh(h, "rm -f /etc/service/ssh /etc/service/default-syslog")
    sh(h, "setsid runsvdir -P /etc/service </dev/null >/dev/null 2>&1 &")
    tasks = [{"name": "run", "service": {"name": "ea-run", "state": "started", "enabled": True}}]
    check, real, _ = converge(tmp_path, lab_inventory, h, tasks, ["run"])
    assert real["run"]["state"] == "started"
    assert sh(h, "readlink /etc/service/ea-run") == "/etc/sv/ea-run"
    assert sh(h, "sv status /etc/service/ea-run").startswith("run:")
    r = play(tmp_path, lab_inventory, h, [{"name": "stop", "service": "name=ea-run state=stopped"}])
    assert r.changed() == ["stop"] and sh(h, "sv status /etc/service/ea-run").startswith("down:")
    r = play(
        tmp_path, lab_inventory, h, [{"name": "bounce", "service": "name=ea-run state=restarted"}]
    )
    assert r.changed() == ["bounce"] and sh(h, "sv status /etc/service/ea-run").startswith("run:")
    off = [
        {
            "name": "off",
            "service": {"name": "ea-run", "state": "stopped", "enabled": False, "use": "runit"},
        }
    ]
    converge(tmp_path, lab_inventory, h, off, ["off"])
    assert h.run("test -e /etc/service/ea-run").returncode != 0
    assert out(h, "pgrep -f 'sleep 4242427'") == ""
    # service_facts: with Debian's `service` tool the listing is Ansible's (no runit entries);
    # on a device without it, /etc/init.d scripts and runit's /etc/sv services are listed
    sh(h, "ln -s /etc/sv/ea-run /etc/service/ea-run")
    services = facts_of(tmp_path, lab_inventory, h)
    assert "ea-run" not in services and services["ssh"]["source"] == "sysv"
    sh(h, "mv /usr/sbin/service /usr/sbin/service.hidden")
    for _ in range(70):  # runsv may still hold the service down from the disable above
        if out(h, "sv start /etc/service/ea-run; sv status /etc/service/ea-run").count("run:"):
            break
        sh(h, "sleep 0.1")
    services = facts_of(tmp_path, lab_inventory, h)
    assert services["ea-run"] == {
        "name": "ea-run",
        "state": "running",
        "status": "enabled",
        "source": "runit",
    }
    # /etc/sv/ssh exists (openssh-server ships it) but runit does not supervise it: the init
    # script's entry stays
    assert services["ssh"] == {
        "name": "ssh",
        "state": "running",
        "status": "enabled",
        "source": "sysv",
    }


# ---------------------------------------------------------------- service_facts


def facts_of(tmp_path, inv, host, check=False) -> dict:
    tasks = [
        {"name": "facts", "service_facts": {}},
        {"name": "seen", "assert": {"that": ["ansible_facts.services | length > 0"]}},
    ]
    r = play(tmp_path, inv, host, tasks, check=check)
    assert r.failed() == [] and r.changed() == [], r.failed()
    return r["facts"]["ansible_facts"]["services"]


def test_service_facts_on_systemd(tmp_path, lab_inventory, fresh_host):
    h = fresh_host
    write_unit(h)
    write_unit(h, "ea-masked")
    write_init_script(h)
    sh(h, "systemctl daemon-reload && systemctl start ea-sleep && systemctl mask ea-masked")
    services = facts_of(tmp_path, lab_inventory, h)
    assert facts_of(tmp_path, lab_inventory, h, check=True) == services
    assert services["ssh.service"] == {
        "name": "ssh.service",
        "state": "running",
        "status": "enabled",
        "source": "systemd",
    }
    assert services["ea-sleep.service"]["state"] == "running"
    assert services["ea-sleep.service"]["status"] == "disabled"
    assert services["ea-masked.service"]["status"] == "masked"
    assert services["getty@.service"]["state"] == "unknown"  # a template: show refuses it
    # SysV scripts come from `service --status-all`, as with Ansible (no status key)
    assert services["ssh"] == {"name": "ssh", "state": "running", "source": "sysv"}
    assert services["ea-demo"] == {"name": "ea-demo", "state": "stopped", "source": "sysv"}
    # every unit file systemd lists is there, with the ActiveState systemctl reports
    files = sh(
        h,
        "systemctl list-unit-files --no-pager --type service --all | awk '/\\.service/ {print $1}'",
    )
    assert set(files.split()) <= set(services)
    state = sh(
        h, "systemctl show -p ActiveState --value systemd-networkd-wait-online.service || true"
    )
    entry = services.get("systemd-networkd-wait-online.service")
    if entry and state:
        assert entry["state"] in (state, "stopped", "running")


def test_service_facts_on_a_light_debian_host(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="debian", systemd=False)
    write_init_script(h)
    sh(h, "/etc/init.d/ea-demo start")
    services = facts_of(tmp_path, lab_inventory, h)
    assert services["ea-demo"] == {"name": "ea-demo", "state": "running", "source": "sysv"}
    assert services["ssh"]["source"] == "sysv"
    assert not any(v["source"] == "systemd" for v in services.values())


def test_service_facts_on_busybox(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="busybox")
    write_init_script(h)
    write_init_script(h, "ea-other")
    sh(h, "/etc/init.d/ea-demo start && ln -s ea-demo /etc/init.d/S50ea-demo")
    services = facts_of(tmp_path, lab_inventory, h)
    assert services == {
        "ea-demo": {"name": "ea-demo", "state": "running", "status": "enabled", "source": "sysv"},
        "ea-other": {
            "name": "ea-other",
            "state": "stopped",
            "status": "disabled",
            "source": "sysv",
        },
    }
    assert facts_of(tmp_path, lab_inventory, h, check=True) == services


def test_service_facts_without_services_is_skipped(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="busybox")  # no /etc/init.d at all
    r = play(tmp_path, lab_inventory, h, [{"name": "facts", "service_facts": {}}])
    assert r["facts"]["_status"] == "skipped"
    assert r["facts"]["msg"].startswith("Failed to find any services.")


# OpenWrt's /etc/rc.common (a test-provided minimal one: the real one needs procd): scripts
# run as `/bin/sh /etc/rc.common SCRIPT ACTION`; enable/disable/enabled manage
# /etc/rc.d/S<START>name links, which is what `service` must call on such a device.
RC_COMMON = r"""#!/bin/sh
initscript=$1
action=${2:-help}
shift 2
name=${initscript##*/}
. "$initscript"
enable() { disable; ln -s "../init.d/$name" "/etc/rc.d/S${START:-50}$name"; }
disable() { rm -f /etc/rc.d/S??"$name"; }
enabled() { for l in /etc/rc.d/S??"$name"; do [ -L "$l" ] && return 0; done; return 1; }
"$action" "$@"
"""

OPENWRT_SCRIPT = r"""#!/bin/sh /etc/rc.common
START=77
PIDFILE=/var/run/ea-owrt.pid
start() { sleep 4242428 >/dev/null 2>&1 & echo $! >"$PIDFILE"; }
stop() { [ -f "$PIDFILE" ] && kill "$(cat "$PIDFILE")"; rm -f "$PIDFILE"; }
status() {
    if [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then echo running; return 0; fi
    echo inactive
    return 3
}
"""


def test_service_openwrt_rc_common_scripts_on_busybox(tmp_path, lab_inventory, make_host):
    h = make_host(flavor="busybox")
    h.run(
        "mkdir -p /etc/init.d /etc/rc.d /var/run && cat >/etc/rc.common",
        input=RC_COMMON,
        check=True,
    )
    h.run(
        "cat >/etc/init.d/ea-owrt && chmod 0755 /etc/init.d/ea-owrt",
        input=OPENWRT_SCRIPT,
        check=True,
    )
    tasks = [{"name": "owrt", "service": {"name": "ea-owrt", "state": "started", "enabled": True}}]
    converge(tmp_path, lab_inventory, h, tasks, ["owrt"])
    assert sh(h, "readlink /etc/rc.d/S77ea-owrt") == "../init.d/ea-owrt"  # rc.common made it
    assert sh(h, "/etc/init.d/ea-owrt status") == "running"
    off = [{"name": "off", "service": {"name": "ea-owrt", "state": "stopped", "enabled": False}}]
    converge(tmp_path, lab_inventory, h, off, ["off"])
    assert out(h, "ls /etc/rc.d") == ""
    assert out(h, "/etc/init.d/ea-owrt status") == "inactive"
