"""Variable precedence (Ansible's documented order), magic vars and lazy hostvars."""

from __future__ import annotations

import itertools

import pytest

from edgeauto.errors import EdgeautoError
from edgeauto.templating import OMIT, Templar
from edgeauto.templating.variables import (
    LAYERS,
    HostVars,
    VarLayers,
    facts_layer,
    magic_vars,
)

DOCUMENTED_ORDER = [
    "role_defaults",
    "inventory_file_group_vars",
    "inventory_group_vars_all",
    "playbook_group_vars_all",
    "inventory_group_vars",
    "playbook_group_vars",
    "inventory_file_host_vars",
    "inventory_host_vars",
    "playbook_host_vars",
    "host_facts",
    "play_vars",
    "play_vars_prompt",
    "play_vars_files",
    "role_vars",
    "block_vars",
    "task_vars",
    "include_vars",
    "set_facts",
    "role_params",
    "include_params",
    "extra_vars",
]


def test_layers_follow_ansible_documented_order():
    assert list(LAYERS) == DOCUMENTED_ORDER


@pytest.mark.parametrize("low,high", list(itertools.pairwise(DOCUMENTED_ORDER)))
def test_each_layer_beats_the_one_below(low, high):
    layers = VarLayers({high: {"v": high}, low: {"v": low}})
    assert layers.compose()["v"] == high
    assert layers.origin("v") == high


def test_extra_vars_beat_every_other_layer():
    layers = VarLayers({name: {"v": name} for name in DOCUMENTED_ORDER})
    assert layers.compose()["v"] == "extra_vars"


def test_hash_behaviour_replace_does_not_merge_dicts():
    layers = VarLayers({"role_defaults": {"cfg": {"a": 1, "b": 2}}, "play_vars": {"cfg": {"a": 9}}})
    assert layers.compose()["cfg"] == {"a": 9}


def test_list_layer_applies_in_order_parents_first():
    layers = VarLayers().set("inventory_group_vars", [{"v": "parent", "p": 1}, {"v": "child"}])
    assert layers.compose() == {"v": "child", "p": 1}


def test_add_appends_and_later_wins_within_layer():
    layers = VarLayers().add("set_facts", {"x": 1}).add("set_facts", {"x": 2})
    assert layers.compose()["x"] == 2


def test_copy_is_independent_for_per_task_overrides():
    base = VarLayers({"play_vars": {"x": 1}})
    task = base.copy().set("task_vars", {"x": 2})
    assert base.compose()["x"] == 1 and task.compose()["x"] == 2


def test_unknown_layer_name_is_rejected_with_hint():
    with pytest.raises(EdgeautoError) as err:
        VarLayers().set("play_var", {})
    assert "did you mean 'play_vars'" in str(err.value)


def test_magic_vars_win_even_over_extra_vars_like_ansible_core():
    magic = {"inventory_hostname": "real"}
    layers = VarLayers({"play_vars": {"inventory_hostname": "fake", "x": 1}})
    assert layers.compose(magic)["inventory_hostname"] == "real"
    layers.set("extra_vars", {"x": 2, "inventory_hostname": "extra"})
    composed = layers.compose(magic)
    assert composed["x"] == 2 and composed["inventory_hostname"] == "real"


def test_facts_are_injected_as_ansible_vars():
    layer = facts_layer({"distribution": "Debian", "ansible_local": {}})
    assert layer["ansible_facts"]["distribution"] == "Debian"
    assert layer["ansible_distribution"] == "Debian"
    assert "ansible_local" in layer and "ansible_ansible_local" not in layer


def _inventory():
    groups = {
        "all": ["web1.example.com", "db1"],
        "web": ["web1.example.com"],
        "db": ["db1"],
        "ungrouped": [],
    }
    per_host = {
        "web1.example.com": VarLayers({"inventory_group_vars": {"port": 80}, "play_vars": {"url": "http://{{ inventory_hostname }}:{{ port }}"}}),
        "db1": VarLayers({"inventory_group_vars": {"port": 5432}, "set_facts": {"secret_port": "{{ port + 1 }}"}}),
    }  # fmt: skip

    def compose(host: str) -> dict:
        names = [g for g, members in groups.items() if host in members]
        return per_host[host].compose(
            magic_vars(
                host, groups=groups, group_names=names, hostvars=hostvars, playbook_dir="/pb"
            )
        )

    hostvars = HostVars(groups["all"], compose)
    return compose, hostvars


def test_magic_vars_names_and_values():
    compose, _ = _inventory()
    v = compose("web1.example.com")
    t = Templar(v)
    assert t.render("{{ inventory_hostname_short }}") == "web1"
    assert t.render("{{ group_names }}") == ["web"]
    assert t.render("{{ groups.db }}") == ["db1"]
    assert (
        t.render("{{ play_hosts }}")
        == t.render("{{ ansible_play_batch }}")
        == ["web1.example.com", "db1"]
    )
    assert t.render("{{ playbook_dir }}") == "/pb"
    assert t.render("{{ ansible_check_mode }}") is False
    assert t.render("{{ omit }}") == OMIT


def test_hostvars_templates_other_hosts_values_in_their_own_context():
    compose, _ = _inventory()
    t = Templar(compose("web1.example.com"))
    assert t.render("{{ hostvars['db1'].secret_port }}") == 5433
    assert t.render("{{ hostvars['web1.example.com']['url'] }}") == "http://web1.example.com:80"
    assert t.render("{{ groups.all | map('extract', hostvars, 'port') | list }}") == [80, 5432]
    assert t.render("{{ hostvars.nohost is defined }}") is False


def test_hostvars_composes_a_host_only_when_read():
    calls = []

    def compose(host):
        calls.append(host)
        return {"x": host}

    hv = HostVars(["a", "b", "c"], compose)
    assert Templar({"hostvars": hv}).render("{{ hostvars.b.x }}") == "b"
    assert calls == ["b"]
    assert list(hv) == ["a", "b", "c"]
    hv.invalidate("b")
    Templar({"hostvars": hv}).render("{{ hostvars.b.x }}")
    assert calls == ["b", "b"]


def test_vault_value_read_through_hostvars_stays_secret_in_text():
    from edgeauto.templating import VaultSecrets, is_secret
    from edgeauto.templating.vault import EncryptedString, encrypt

    secrets = VaultSecrets.from_password("pw")
    enc = EncryptedString(encrypt(b"tok", secrets))
    hv = HostVars(["db1"], lambda h: {"token": enc}, vault=secrets)
    out = Templar({"hostvars": hv}, vault=secrets).render("Bearer {{ hostvars.db1.token }}")
    assert out == "Bearer tok" and is_secret(out)
