"""ansible.cfg is found and read as ansible-core finds and reads it; edgeauto.cfg and the
environment override it; bad values name file:line; unsupported keys are one warning."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from edgeauto.config import ConfigError, load_config


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return home


def _cfg(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_the_first_file_found_wins_env_then_cwd_then_home(home, tmp_path):
    cwd = tmp_path / "project"
    _cfg(home / ".ansible.cfg", "[defaults]\nforks = 3\n")
    assert load_config({}, str(tmp_path)).get("forks") == 3
    _cfg(cwd / "ansible.cfg", "[defaults]\nforks = 4\n")
    assert load_config({}, str(cwd)).get("forks") == 4
    other = _cfg(tmp_path / "elsewhere" / "ansible.cfg", "[defaults]\nforks = 5\n")
    assert load_config({"ANSIBLE_CONFIG": str(other)}, str(cwd)).get("forks") == 5
    # ANSIBLE_CONFIG naming a directory means its ansible.cfg, as in ansible-core
    assert load_config({"ANSIBLE_CONFIG": str(other.parent)}, str(cwd)).get("forks") == 5


def test_only_one_ansible_cfg_is_read_not_a_merge(home, tmp_path):
    _cfg(home / ".ansible.cfg", "[defaults]\nremote_user = homeuser\n")
    _cfg(tmp_path / "ansible.cfg", "[defaults]\nforks = 4\n")
    cfg = load_config({}, str(tmp_path))
    assert cfg.get("forks") == 4 and cfg.get("remote_user") is None


def test_a_world_writable_working_directory_is_not_trusted(home, tmp_path):
    shared = tmp_path / "shared"
    _cfg(shared / "ansible.cfg", "[defaults]\nhost_key_checking = False\n")
    os.chmod(shared, 0o777)
    cfg = load_config({}, str(shared))
    assert cfg.get("host_key_checking") is True
    assert any("world writable" in w for w in cfg.warnings)


def test_environment_beats_the_file_and_edgeauto_cfg_beats_ansible_cfg(home, tmp_path):
    _cfg(tmp_path / "ansible.cfg", "[defaults]\nforks = 4\ntimeout = 20\nremote_user = a\n")
    _cfg(tmp_path / "edgeauto.cfg", "[defaults]\ntimeout = 30\n[edgeauto]\ntask_timeout = 90\n")
    cfg = load_config({"ANSIBLE_FORKS": "9"}, str(tmp_path))
    assert (cfg.get("forks"), cfg.get("timeout"), cfg.get("remote_user")) == (9, 30, "a")
    assert cfg.get("task_timeout") == 90.0
    assert cfg.origins["forks"] == "env: ANSIBLE_FORKS"
    assert cfg.origins["timeout"] == str(tmp_path / "edgeauto.cfg")


def test_relative_paths_are_relative_to_the_file_and_lists_split_like_ansible(home, tmp_path):
    _cfg(
        tmp_path / "conf" / "ansible.cfg",
        "[defaults]\nroles_path = roles:~/shared/roles\ninventory = hosts.ini, /srv/inv\n"
        "vault_identity_list = dev@a.txt, prod@b.txt ; inline comment\n",
    )
    cfg = load_config({"ANSIBLE_CONFIG": str(tmp_path / "conf" / "ansible.cfg")}, str(tmp_path))
    assert cfg.get("roles_path") == [str(tmp_path / "conf" / "roles"), str(home / "shared/roles")]
    assert cfg.get("inventory") == [str(tmp_path / "conf" / "hosts.ini"), "/srv/inv"]
    assert cfg.get("vault_identity_list") == ["dev@a.txt", "prod@b.txt"]


def test_a_bad_value_names_the_file_line_expectation_and_value(home, tmp_path):
    _cfg(tmp_path / "ansible.cfg", "[defaults]\n# comment\nforks = many\n")
    with pytest.raises(ConfigError) as err:
        load_config({}, str(tmp_path))
    assert (
        str(err.value) == f"{tmp_path / 'ansible.cfg'}:3: forks: expected an integer, found 'many'"
    )
    _cfg(tmp_path / "ansible.cfg", "[defaults]\ngathering = sometimes\n")
    with pytest.raises(ConfigError, match="expected one of implicit, explicit, smart"):
        load_config({}, str(tmp_path))
    _cfg(tmp_path / "ansible.cfg", "forks = 3\n")
    with pytest.raises(ConfigError, match=r"ansible.cfg:1: cannot read this configuration file"):
        load_config({}, str(tmp_path))


def test_unsupported_keys_and_variables_are_listed_once_never_silently_ignored(home, tmp_path):
    _cfg(
        tmp_path / "ansible.cfg",
        "[defaults]\ncallbacks_enabled = timer\nforks = 2\n[galaxy]\nserver = x\n",
    )
    cfg = load_config({"ANSIBLE_STRATEGY": "free", "ANSIBLE_FORKS": "3"}, str(tmp_path))
    assert len(cfg.warnings) == 2
    assert "[defaults] callbacks_enabled, [galaxy] server" in cfg.warnings[0]
    assert "ANSIBLE_STRATEGY" in cfg.warnings[1] and "ANSIBLE_FORKS" not in cfg.warnings[1]


ORACLE_CFG = """\
[defaults]
forks = 12
timeout = 33
remote_user = deploy
host_key_checking = no
gathering = explicit
retry_files_enabled = yes
fact_caching = jsonfile
fact_caching_timeout = 600
roles_path = /srv/roles:/opt/roles
stdout_callback = yaml
[privilege_escalation]
become = true
become_user = admin
become_method = su
"""


def test_values_match_ansible_config_dump_for_every_shared_setting(home, tmp_path):
    """ansible-config (the oracle) and edgeauto read the same file to the same values."""
    ansible_config = Path(sys.executable).with_name("ansible-config")
    if not ansible_config.exists():
        pytest.skip("ansible-core (the oracle) not installed")
    path = _cfg(tmp_path / "ansible.cfg", ORACLE_CFG)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(path), HOME=str(home))
    out = subprocess.run(
        [str(ansible_config), "dump", "--only-changed", "--format", "json"],
        env=env, capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    oracle = {e["name"]: e["value"] for e in json.loads(out) if e.get("origin") == str(path)}
    ours = load_config({"ANSIBLE_CONFIG": str(path)}, str(tmp_path))
    compared = 0
    for setting in ours.changed():
        if setting.ansible_name in oracle:
            assert ours.get(setting.name) == oracle[setting.ansible_name], setting.name
            compared += 1
    assert compared == 13  # every setting of ORACLE_CFG


def test_docs_config_md_holds_the_current_settings_table():
    from edgeauto.commands.config import markdown_table
    from edgeauto.config import SETTINGS

    docs = (Path(__file__).resolve().parents[3] / "docs" / "config.md").read_text()
    assert markdown_table(SETTINGS) in docs, "regenerate: edgeauto config list --format markdown"
