"""service tasks as real public roles write them for systemd hosts (``daemon_reload`` with
``service:``), which Ansible's service action hands to the systemd module; elsewhere the
service module refuses those options as ansible-core does. Real init systems on lab hosts."""

from __future__ import annotations

import pytest
from svc_lab import play, sh
from test_svc_lab import converge, write_init_script, write_unit

pytestmark = pytest.mark.lab


def test_service_with_daemon_reload_on_systemd_reloads_and_starts_the_unit(
    tmp_path, lab_inventory, fresh_host
):
    h = fresh_host
    write_unit(h, name="ea-reload")  # no daemon-reload by hand: the task's does it
    tasks = [
        {
            "name": "svc",
            "service": {"name": "ea-reload", "state": "started", "daemon_reload": True},
        },
        {"name": "reload only", "service": {"daemon_reload": True}},
    ]
    _, real, _ = converge(tmp_path, lab_inventory, h, tasks, ["svc"])
    assert real["svc"]["state"] == "started" and real["svc"]["name"] == "ea-reload"
    assert sh(h, "systemctl is-active ea-reload") == "active"
    assert real["reload only"]["_status"] == "ok"


def test_service_with_systemd_options_fails_on_sysv_as_ansibles_service_module_does(
    tmp_path, lab_inventory, make_host
):
    h = make_host(flavor="debian", systemd=False)
    write_init_script(h)
    tasks = [
        {
            "name": "svc",
            "service": {"name": "ea-demo", "state": "started", "daemon_reload": True},
            "register": "r",
            "ignore_errors": True,
        },
        {"name": "unnamed", "service": {"daemon_reload": True}, "ignore_errors": True},
    ]
    r = play(tmp_path, lab_inventory, h, tasks)
    assert r["svc"]["_status"] == "failed"
    assert r["svc"]["msg"] == (
        "Unsupported parameters for (service) module: daemon_reload. Supported parameters "
        "include: arguments, enabled, name, pattern, runlevel, sleep, state (args)."
    )
    assert r["unnamed"]["msg"] == "missing required arguments: name"


def test_service_takes_the_module_defaults_of_the_systemd_backend_it_is_handed_to(
    tmp_path, lab_inventory, fresh_host
):
    """As Ansible's service action: on a systemd host (``service_mgr`` from the facts, or
    ``use: systemd``) the defaults written for ``systemd:`` fill a bare ``service:`` task,
    templated; those for another backend (``sysvinit:``) do not apply there."""
    h = fresh_host
    write_unit(h, name="ea-dflt")
    tasks = [
        {
            "name": "from facts",
            "service": None,
            "module_defaults": {
                "sysvinit": {"name": "not-this-one", "enabled": False},
                "ansible.builtin.systemd": {"name": "{{ 'ea-dflt' }}", "enabled": True},
            },
        },
        {
            "name": "named backend",
            "service": {"use": "systemd"},
            "module_defaults": {"systemd_service": {"name": "ea-dflt", "state": "started"}},
        },
    ]
    runs = [
        play(tmp_path, lab_inventory, h, tasks, check=True, gather_facts=True),
        play(tmp_path, lab_inventory, h, tasks, gather_facts=True),
        play(tmp_path, lab_inventory, h, tasks, gather_facts=True),
    ]
    check, real, again = runs
    assert check.failed() == real.failed() == again.failed() == [], real.failed()
    assert check.changed() == real.changed() == ["from facts", "named backend"]
    assert again.changed() == []
    assert real["from facts"]["name"] == "ea-dflt" and real["from facts"]["enabled"] is True
    assert sh(h, "systemctl is-enabled ea-dflt") == "enabled"
    assert sh(h, "systemctl is-active ea-dflt") == "active"
