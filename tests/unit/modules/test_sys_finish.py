"""The sys group's finish(): the framed string fields become Ansible's result shapes
(alternatives' msg and diff dicts, timezone's diff, hostname's facts, cron's lists)."""

from edgeauto.modules.base import CompileContext
from edgeauto.modules.registry import get_module


def finish(module: str, args: dict, fields: dict, status: str = "changed") -> dict:
    mod = get_module(module)
    args = mod.validate(args, final=True)
    return mod.finish({"status": status, "rc": 0, "fields": fields}, args, CompileContext())


def test_alternatives_install_and_select_report_like_community_general():
    out = finish(
        "alternatives",
        {"name": "ea", "path": "/opt/b", "link": "/usr/bin/ea"},
        {
            "cur_mode": "auto", "cur_value": "/opt/a", "cur_link": "/usr/bin/ea", "found": "0",
            "cur_priority": "", "cur_subs": "", "link": "/usr/bin/ea", "priority": "50",
            "subs": "ea.1 /opt/b.1 /usr/share/ea.1", "actions": " install set",
        },
    )  # fmt: skip
    assert out["msg"] == "Install alternative '/opt/b' for 'ea'. Set alternative '/opt/b' for 'ea'."
    assert out["diff"] == {
        "before": {"state": "absent"},
        "after": {
            "state": "selected", "path": "/opt/b", "priority": 50, "link": "/usr/bin/ea",
            "subcommands": [{"name": "ea.1", "path": "/opt/b.1", "link": "/usr/share/ea.1"}],
        },
    }  # fmt: skip
    assert out["changed"] is True


def test_timezone_diff_holds_only_the_given_keys():
    out = finish("timezone", {"name": "Asia/Tokyo"}, {"before_name": "Etc/UTC"})
    assert out["diff"] == {"before": {"name": "Etc/UTC"}, "after": {"name": "Asia/Tokyo"}}


def test_hostname_facts_and_diff():
    out = finish(
        "hostname",
        {"name": "web1.example.com"},
        {"diff_before": "hostname = old\n", "diff_after": "hostname = web1.example.com\n",
         "fqdn": "web1.example.com", "strategy": "systemd"},
    )  # fmt: skip
    assert out["ansible_facts"] == {
        "ansible_hostname": "web1",
        "ansible_nodename": "web1.example.com",
        "ansible_fqdn": "web1.example.com",
        "ansible_domain": "example.com",
    }
    assert out["diff"] == {"before": "hostname = old\n", "after": "hostname = web1.example.com\n"}
    assert "strategy" not in out


def test_cron_lists_and_removed_cron_file():
    out = finish("cron", {"name": "a", "job": "true"}, {"jobs": "a\nb\n", "envs": ""}, "ok")
    assert out["jobs"] == ["a", "b"] and out["envs"] == [] and out["changed"] is False
    out = finish("cron", {"name": "a", "state": "absent", "cron_file": "x"}, {"state": "absent"})
    assert out["cron_file"] == "x" and "jobs" not in out


def test_mount_result_carries_the_entry_and_masks_opts_when_asked():
    args = {"path": "/mnt/s", "src": "//h/s", "fstype": "cifs", "opts": "password=x",
            "opts_no_log": True, "state": "present", "boot": False}  # fmt: skip
    out = finish("mount", args, {})
    assert out["opts"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert (out["name"], out["boot"], out["fstab"], out["backup_file"]) == (
        "/mnt/s",
        "no",
        "/etc/fstab",
        "",
    )
