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


@pytest.mark.parametrize(
    "args, message",
    [
        ({"name": "ea-*", "state": "started"}, "glob patterns"),
        ({"state": "started"}, "required by 'state': name"),
        ({"name": "x", "state": "running"}, "must be one of"),
        ({"name": "x"}, "one of these arguments is required"),
        ({"name": "x", "enabled": "maybe"}, "boolean"),
        ({"name": "x", "scope": "session", "state": "started"}, "must be one of"),
    ],
)
def test_systemd_bad_arguments_rejected_before_anything_runs(
    tmp_path, lab_inventory, debian_host, args, message
):
    marker = f"/tmp/ea-svc-bad-{abs(hash(str(args)))}"
    tasks = [
        {"name": "first", "command": f"touch {marker}"},
        {"name": "bad", "systemd": args},
    ]
    r = play(tmp_path, lab_inventory, debian_host, tasks)
    assert r.exit_code != 0
    assert debian_host.run(f"test -e {marker}").returncode != 0, "a task ran"
    text = " ".join(r.errors + [str(x.result.get("msg", "")) for x in r.results])
    assert message in text, text
