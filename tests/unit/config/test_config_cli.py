"""ansible.cfg changes what the commands do, the command line still wins, and
``edgeauto config dump`` shows it like ``ansible-config dump``. Runs go to localhost over the
local connection (no lab needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.cli import build_parser
from edgeauto.config import load_config
from edgeauto.config.apply import filter_ssh_args, transport_settings
from edgeauto.facts.cache import FactCache

INVENTORY = "localhost ansible_connection=local ansible_python_interpreter=none\n"


@pytest.fixture
def project(tmp_path) -> Path:
    (tmp_path / "home").mkdir()
    (tmp_path / "hosts.ini").write_text(INVENTORY)
    return tmp_path


def edgeauto(project: Path, *argv: str, cfg: str | None = None):
    if cfg is not None:
        (project / "ansible.cfg").write_text(cfg)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "EDGEAUTO_"))}
    env["HOME"] = str(project / "home")
    return subprocess.run(
        [sys.executable, "-m", "edgeauto", *argv],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120, cwd=project,
        env=env,
    )  # fmt: skip


def _playbook(project: Path, tasks: str, gather: str = "") -> str:
    head = "- hosts: all\n" + (f"  gather_facts: {gather}\n" if gather else "") + "  tasks:\n"
    (project / "pb.yml").write_text(head + tasks)
    return "pb.yml"


def test_the_configured_inventory_is_used_when_no_i_is_given(project):
    proc = edgeauto(project, "inventory", "--list", cfg="[defaults]\ninventory = hosts.ini\n")
    assert proc.returncode == 0, proc.stderr
    assert "localhost" in json.loads(proc.stdout)["ungrouped"]["hosts"]


def test_option_defaults_come_from_the_file_and_the_command_line_wins(project, monkeypatch):
    (project / "ansible.cfg").write_text(
        "[defaults]\nforks = 7\ntimeout = 25\nremote_user = deploy\n"
        "[privilege_escalation]\nbecome = yes\nbecome_user = admin\n[edgeauto]\ntask_timeout = 90\n"
    )
    monkeypatch.setenv("HOME", str(project / "home"))
    cfg = load_config({}, str(project))
    args = build_parser(cfg).parse_args(["run", "pb.yml"])
    assert (args.forks, args.timeout, args.remote_user) == (7, 25, "deploy")
    assert (args.become, args.become_user, args.task_timeout) == (True, "admin", 90.0)
    args = build_parser(cfg).parse_args(["run", "pb.yml", "-f", "2", "-u", "me"])
    assert (args.forks, args.remote_user) == (2, "me")
    # nothing configured: edgeauto's own defaults (forks 50), not ansible-core's 5
    assert build_parser(load_config({}, str(project / "home"))).parse_args(["run", "x"]).forks == 50


def test_retry_files_are_off_by_default_and_on_with_retry_files_enabled(project):
    pb = _playbook(project, "    - fail: msg=boom\n", gather="false")
    proc = edgeauto(project, "run", "-i", "hosts.ini", pb, cfg="")
    assert proc.returncode == 2 and not (project / "pb.retry").exists()
    cfg = "[defaults]\nretry_files_enabled = True\nretry_files_save_path = retries\n"
    (project / "retries").mkdir()
    proc = edgeauto(project, "run", "-i", "hosts.ini", pb, cfg=cfg)
    assert proc.returncode == 2
    assert (project / "retries" / "pb.retry").read_text() == "localhost\n"


def test_gathering_explicit_skips_facts_unless_the_play_asks(project):
    pb = _playbook(project, "    - debug: msg={{ ansible_facts.system | default('none') }}\n")
    cfg = "[defaults]\ngathering = explicit\nstdout_callback = json\n"
    doc = json.loads(edgeauto(project, "run", "-i", "hosts.ini", pb, cfg=cfg).stdout)
    tasks = [t["task"]["name"] for t in doc["plays"][0]["tasks"]]
    assert tasks == ["debug"]
    assert doc["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"] == "none"
    pb = _playbook(project, "    - debug: msg={{ ansible_facts.system }}\n", gather="true")
    doc = json.loads(edgeauto(project, "run", "-i", "hosts.ini", pb).stdout)
    assert doc["plays"][0]["tasks"][-1]["hosts"]["localhost"]["msg"] == "Linux"


def test_smart_gathering_takes_fresh_facts_from_the_cache_and_flush_cache_drops_them(project):
    cache_file = project / "facts.db"
    with FactCache(str(cache_file)) as cache:
        cache.put("localhost", {"system": "FromTheCache"})
    pb = _playbook(project, "    - debug: msg={{ ansible_facts.system }}\n")
    cfg = (
        "[defaults]\ngathering = smart\nfact_caching = jsonfile\nstdout_callback = json\n"
        f"fact_caching_connection = {cache_file}\n"
    )
    doc = json.loads(edgeauto(project, "run", "-i", "hosts.ini", pb, cfg=cfg).stdout)
    assert doc["plays"][0]["tasks"][-1]["hosts"]["localhost"]["msg"] == "FromTheCache"
    doc = json.loads(edgeauto(project, "run", "-i", "hosts.ini", pb, "--flush-cache").stdout)
    assert doc["plays"][0]["tasks"][-1]["hosts"]["localhost"]["msg"] == "Linux"
    with FactCache(str(cache_file)) as cache:  # the real facts replaced the entry
        assert cache.get("localhost")["system"] == "Linux"


def test_vault_password_file_from_the_config_opens_vaulted_vars_files(project):
    (project / "pass.txt").write_text("s3cret\n")
    plain = project / "secret.yml"
    plain.write_text("token: abc\n")
    enc = edgeauto(project, "vault", "encrypt", "--vault-password-file", "pass.txt", "secret.yml")
    assert enc.returncode == 0, enc.stderr
    (project / "pb.yml").write_text(
        "- hosts: all\n  gather_facts: false\n  vars_files: [secret.yml]\n  tasks:\n"
        "    - debug: msg={{ token | length }}\n"
    )
    cfg = "[defaults]\nvault_password_file = pass.txt\ninventory = hosts.ini\n"
    assert edgeauto(project, "check-syntax", "pb.yml", cfg=cfg).returncode == 0
    proc = edgeauto(project, "run", "pb.yml", "--json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"] == 3


def test_turning_host_key_checking_off_is_honoured_with_a_warning(project, monkeypatch):
    pb = _playbook(project, "    - ping:\n", gather="false")
    proc = edgeauto(
        project, "run", "-i", "hosts.ini", pb, cfg="[defaults]\nhost_key_checking = 0\n"
    )
    assert proc.returncode == 0
    assert "[WARNING]: host key checking is off" in proc.stderr
    monkeypatch.setenv("HOME", str(project / "home"))
    settings = transport_settings(load_config({}, str(project)))
    assert settings == {"host_key_checking": False}


def test_ssh_args_keep_user_options_but_not_the_ones_edgeauto_manages():
    argv = ["-C", "-o", "ControlMaster=auto", "-oControlPersist=60s", "-o", "ServerAliveInterval=5"]
    assert filter_ssh_args(argv) == ["-C", "-o", "ServerAliveInterval=5"]


def test_config_dump_shows_origins_like_ansible_config(project):
    cfg = "[defaults]\nforks = 7\ncallbacks_enabled = timer\n"
    proc = edgeauto(project, "config", "dump", "--only-changed", cfg=cfg)
    assert proc.returncode == 0
    assert proc.stdout == f"DEFAULT_FORKS({project / 'ansible.cfg'}) = 7\n"
    assert "not supported by edgeauto, ignored: [defaults] callbacks_enabled" in proc.stderr
    full = edgeauto(project, "config", "dump").stdout
    assert "HOST_KEY_CHECKING(default) = True" in full
    listed = json.loads(edgeauto(project, "config", "list", "--format", "json").stdout)
    assert {"gathering", "roles_path", "ssh_args"} <= {row["key"] for row in listed}
