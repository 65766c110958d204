"""The controller side of the service modules: parsing what the shell functions send back
(systemctl show, service listings) into Ansible's result shapes."""

from edgeauto.modules.core._svc import parse_systemctl_show
from edgeauto.modules.core.service import MODULE as SERVICE
from edgeauto.modules.core.service_facts import MODULE as FACTS
from edgeauto.modules.core.service_facts import parse_services
from edgeauto.modules.core.systemd_service import MODULE as SYSTEMD


def test_systemctl_show_keeps_only_exec_values_multiline():
    text = (
        "Id=x.service\n"
        "Description={ odd description\n"
        "ExecStart={ path=/bin/sleep ; argv[]=/bin/sleep 1\n"
        "  ; status=0/0 }\n"
        "ActiveState=active\n"
    )
    status = parse_systemctl_show(text)
    assert status["Description"] == "{ odd description"
    assert status["ExecStart"] == "{ path=/bin/sleep ; argv[]=/bin/sleep 1\n  ; status=0/0 }"
    assert status["ActiveState"] == "active"


def record(status, **fields):
    return {"status": status, "rc": 0, "fields": fields}


def test_systemd_result_shape():
    args = {"name": "x", "state": "restarted", "enabled": True}
    out = SYSTEMD.finish(
        record("changed", show="ActiveState=inactive\n", state="started", enabled="1"), args, None
    )
    assert out == {
        "changed": True,
        "failed": False,
        "name": "x",
        "state": "started",
        "enabled": True,
        "status": {"ActiveState": "inactive"},
    }


def test_service_on_systemd_warns_about_ignored_options():
    args = {"name": "x", "state": "started", "sleep": 3, "arguments": "", "runlevel": "default"}
    out = SERVICE.finish(record("ok", mgr="systemd", show="A=1\n", state="started"), args, None)
    assert out["warnings"] == ['Ignoring "sleep" as it is not used in "systemd"']
    assert out["status"] == {"A": "1"} and "mgr" not in out


def test_service_sysv_result_reports_what_was_asked():
    args = {"name": "d", "state": "reloaded", "enabled": False}
    out = SERVICE.finish(record("changed", mgr="sysv", enabled="0", enable_tool="rcN"), args, None)
    assert out == {
        "changed": True,
        "failed": False,
        "name": "d",
        "state": "started",
        "enabled": False,
    }


SYSV = "  [ + ]  dbus\n [ - ]  hwclock.sh\n [ ? ]  weird\n"
UNITS = (
    "UNIT LOAD ACTIVE SUB DESCRIPTION\n"
    "dbus.service loaded active running D-Bus\n"
    "gone.service not-found inactive dead gone.service\n"
)
FILES = (
    "UNIT FILE STATE PRESET\n"
    "dbus.service static -\n"
    "gone.service masked enabled\n"
    "getty@.service enabled enabled\n"
    "x.service disabled enabled\n"
)


def test_services_from_sysv_and_systemd_listings():
    services = parse_services(
        {
            "sysv_all": SYSV,
            "units": UNITS,
            "unit_files": FILES,
            "unit_states": "x.service\tinactive\ngetty@.service\tunknown\n",
        }
    )
    assert services == {
        "dbus": {"name": "dbus", "state": "running", "source": "sysv"},
        "hwclock.sh": {"name": "hwclock.sh", "state": "stopped", "source": "sysv"},
        "dbus.service": {
            "name": "dbus.service",
            "state": "running",
            "status": "static",
            "source": "systemd",
        },
        "gone.service": {
            "name": "gone.service",
            "state": "stopped",
            "status": "not-found",
            "source": "systemd",
        },
        "getty@.service": {
            "name": "getty@.service",
            "state": "unknown",
            "status": "enabled",
            "source": "systemd",
        },
        "x.service": {
            "name": "x.service",
            "state": "inactive",
            "status": "disabled",
            "source": "systemd",
        },
    }


def test_openrc_and_busybox_listings():
    services = parse_services(
        {
            "openrc_status": " sshd started\n * x\n cron stopped\n",
            "openrc_update": " sshd | default\n cron |\n",
            "initd": "ntpd\trunning\tenabled\n",
        }
    )
    assert services["sshd"] == {
        "name": "sshd",
        "runlevels": ["default"],
        "state": "started",
        "source": "openrc",
    }
    assert services["cron"]["runlevels"] is None
    assert services["ntpd"] == {
        "name": "ntpd",
        "state": "running",
        "status": "enabled",
        "source": "sysv",
    }


def test_no_services_is_a_skip_with_ansibles_message():
    out = FACTS.finish(record("ok"), {}, None)
    assert out["skipped"] is True and out["msg"].startswith("Failed to find any services.")
    assert "ansible_facts" not in out
