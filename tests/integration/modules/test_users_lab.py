"""group/user/getent/authorized_key/known_hosts on real lab hosts over SSH: a fresh Debian
host (shadow utils, OpenSSH) and the BusyBox host (no account applets, no ssh-keygen: the
/etc files are edited directly). Every converge test: check mode predicts the real run, the
real run changes, the second run and a check afterwards change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from users_lab_helpers import converge, run_tasks  # noqa: E402

pytestmark = pytest.mark.lab


def etc(host, *names: str) -> str:
    return host.run("cat " + " ".join(f"/etc/{n}" for n in names), check=True).stdout


# ---- group -------------------------------------------------------------------------------

GROUP_TASKS = [
    {"name": "plain", "group": {"name": "eagrp1"}},
    {"name": "fixed gid", "ansible.builtin.group": {"name": "eagrp2", "gid": 2345}},
    {"name": "system", "group": {"name": "eagrpsys", "system": True}},
    {"name": "shared gid", "group": {"name": "eagrp3", "gid": 2345, "non_unique": True}},
]


def _group_checks(host, first):
    assert [r["changed"] for r in first] == [True] * 4
    assert first[1]["gid"] == 2345 and first[1]["name"] == "eagrp2"
    assert first[1]["state"] == "present" and first[1]["system"] is False
    assert first[2]["system"] is True and first[2]["gid"] < 1000
    assert first[0]["gid"] >= 1000
    text = etc(host, "group")
    assert "eagrp2:x:2345:" in text and "eagrp3:x:2345:" in text


def test_group_converges_on_debian_with_groupadd(tmp_path, lab_inventory, fresh_host):
    first = converge(tmp_path, lab_inventory, fresh_host.name, GROUP_TASKS)
    _group_checks(fresh_host, first)
    # gid change, then delete (check mode predicts, second run idempotent)
    tasks = [
        {"group": {"name": "eagrp1", "gid": 3456}},
        {"group": {"name": "eagrp2", "state": "absent"}},
        {"group": {"name": "never-there", "state": "absent"}},
    ]
    first = converge(tmp_path, lab_inventory, fresh_host.name, tasks)
    assert [r["changed"] for r in first] == [True, True, False]
    assert first[0]["gid"] == 3456 and "gid" not in first[1]
    assert "eagrp2:" not in etc(fresh_host, "group")


def test_group_local_edits_the_files_on_debian(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {**t, "group": {**t["group"], "local": True}} if "group" in t else t for t in GROUP_TASKS
    ]
    tasks[1] = {"group": {"name": "eagrp2", "gid": 2345, "local": True}}
    first = converge(tmp_path, lab_inventory, fresh_host.name, tasks)
    _group_checks(fresh_host, first)
    assert "eagrp2:!::" in etc(fresh_host, "gshadow")
    mode = fresh_host.run("stat -c '%a %U %G' /etc/group /etc/gshadow", check=True).stdout
    assert mode.split("\n")[:2] == ["644 root root", "640 root shadow"]
    code, res = run_tasks(
        tmp_path,
        lab_inventory,
        fresh_host.name,
        [{"group": {"name": "eagrp2", "state": "absent", "local": True}}],
    )
    assert code == 0 and res[0]["changed"]
    assert "eagrp2" not in etc(fresh_host, "group", "gshadow")


def test_group_converges_on_busybox_by_editing_the_files(tmp_path, lab_inventory, busybox_host):
    try:
        first = converge(tmp_path, lab_inventory, busybox_host.name, GROUP_TASKS)
        _group_checks(busybox_host, first)
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            busybox_host.name,
            [{"group": {"name": "eagrp2", "gid": 2345, "state": "absent"}}],
        )
        assert code == 0 and res[0]["changed"] and "gid" not in res[0]
    finally:
        busybox_host.run(
            "sed -i '/^eagrp/d' /etc/group; [ ! -f /etc/gshadow ] || sed -i '/^eagrp/d' /etc/gshadow"
        )


def test_group_refuses_bad_arguments_before_anything_runs(tmp_path, lab_inventory, debian_host):
    for bad in ({"name": "a:b"}, {"name": "eabad", "gid": "abc"}, {"name": "eabad", "nope": 1}):
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            debian_host.name,
            [{"group": bad}, {"group": {"name": "eabad2"}}],
        )
        assert code == "invalid" or res[0]["_status"] == "failed", res
        assert len(res) == 1
    assert "eabad" not in etc(debian_host, "group")


# ---- user --------------------------------------------------------------------------------

HASH = "$6$saltsalt$" + "a" * 86  # a well-formed sha512-crypt hash (nobody logs in with it)
HASH2 = "$6$saltsalt$" + "b" * 86

USER_TASKS = [
    {"name": "groups", "group": {"name": "eaops"}},
    {"group": {"name": "eadev", "gid": 4100}},
    {
        "name": "full user",
        "ansible.builtin.user": {
            "name": "eauser",
            "uid": 4200,
            "comment": "Edge User",
            "shell": "/bin/sh",
            "groups": ["eaops", "eadev"],
            "password": HASH,
            "expires": 1893456000,  # 2030-01-01
        },
    },
    {
        "name": "system user, no home",
        "user": {"name": "easys", "system": True, "create_home": False},
    },
    {
        "name": "primary group given",
        "user": {"name": "eagrouped", "group": "eadev", "home": "/srv/homes/eag"},
    },
    {"user": {"name": "eaapp", "groups": []}},
]


def _user_checks(host, first):
    full = first[2]
    assert full["uid"] == 4200 and full["comment"] == "Edge User" and full["shell"] == "/bin/sh"
    assert full["home"] == "/home/eauser" and full["groups"] == "eaops,eadev"
    assert full["password"] == "NOT_LOGGING_PASSWORD" and full["create_home"] is True
    assert full["system"] is False and full["state"] == "present" and full["name"] == "eauser"
    assert HASH not in repr(first)
    assert first[3]["uid"] < 1000 and first[3]["system"] is True
    assert first[4]["group"] == 4100 and first[4]["home"] == "/srv/homes/eag"
    shadow = host.run("grep ^eauser: /etc/shadow", check=True).stdout.strip().split(":")
    assert shadow[1] == HASH and shadow[7] == str(1893456000 // 86400)
    groups = etc(host, "group")
    assert ":eauser" in groups.split("eaops:")[1].split("\n")[0]
    assert host.run("stat -c '%u %a' /home/eauser", check=True).stdout.split() == ["4200", "755"]
    assert host.run("test -e /home/easys").returncode != 0
    assert host.run("stat -c %g /srv/homes/eag", check=True).stdout.strip() == "4100"


MODIFY_TASKS = [
    {"user": {"name": "eauser", "groups": ["eaops"], "comment": "Changed", "password": HASH2}},
    {"user": {"name": "eaapp", "groups": ["eaops"], "append": True}},
    {"user": {"name": "eauser", "password_lock": True}},
    {"user": {"name": "eauser", "password": HASH, "update_password": "on_create"}},
    {"user": {"name": "eauser", "home": "/home/eamoved", "move_home": True, "expires": -1}},
    {"user": {"name": "eauser", "password_expire_max": 90, "password_expire_min": 1}},
    {"user": {"name": "easys", "state": "absent"}},
    {"user": {"name": "eagrouped", "state": "absent", "remove": True}},
    {"user": {"name": "never-there", "state": "absent"}},
]


def _modify_checks(host, first):
    assert [r["changed"] for r in first] == [True, True, True, False, True, True, True, True, False]
    assert first[0]["append"] is False and first[0]["move_home"] is False
    assert first[6] == {
        **first[6],
        "force": False,
        "remove": False,
        "name": "easys",
        "state": "absent",
    }
    assert "uid" not in first[6]
    shadow = host.run("grep ^eauser: /etc/shadow", check=True).stdout.strip().split(":")
    assert shadow[1] == "!" + HASH2 and shadow[7] == "" and shadow[3:5] == ["1", "90"]
    entry = host.run("grep ^eauser: /etc/passwd", check=True).stdout.strip().split(":")
    assert entry[4:6] == ["Changed", "/home/eamoved"]
    assert host.run("test -d /home/eamoved && test ! -e /home/eauser").returncode == 0
    groups = etc(host, "group")
    assert "eauser" in groups.split("\neaops:")[1].split("\n")[0]
    assert "eauser" not in groups.split("\neadev:")[1].split("\n")[0]
    assert first[1]["append"] is True and first[1]["groups"] == "eaops"
    assert "easys" not in etc(host, "passwd", "shadow")
    assert host.run("test -e /srv/homes/eag").returncode != 0


def test_user_converges_on_debian_with_useradd(tmp_path, lab_inventory, fresh_host):
    first = converge(tmp_path, lab_inventory, fresh_host.name, USER_TASKS)
    _user_checks(fresh_host, first)
    first = converge(tmp_path, lab_inventory, fresh_host.name, MODIFY_TASKS)
    _modify_checks(fresh_host, first)


def test_user_local_edits_the_files_on_debian(tmp_path, lab_inventory, fresh_host):
    def local(tasks):
        out = []
        for t in tasks:
            key = next(k for k in t if k != "name")
            out.append({key: {**t[key], "local": True}})
        return out

    first = converge(tmp_path, lab_inventory, fresh_host.name, local(USER_TASKS))
    _user_checks(fresh_host, first)
    first = converge(tmp_path, lab_inventory, fresh_host.name, local(MODIFY_TASKS))
    _modify_checks(fresh_host, first)
    # what we wrote, the shadow tools read: pwck/grpck find nothing wrong with our entries
    out = fresh_host.run("pwck -r; grpck -r").stdout
    assert "'ea" not in out and "invalid" not in out, out


def test_user_converges_on_busybox_by_editing_the_files(tmp_path, lab_inventory, busybox_host):
    try:
        first = converge(tmp_path, lab_inventory, busybox_host.name, USER_TASKS)
        _user_checks(busybox_host, first)
        first = converge(tmp_path, lab_inventory, busybox_host.name, MODIFY_TASKS)
        _modify_checks(busybox_host, first)
        # the account works: su can switch to it
        out = busybox_host.run("su -s /bin/sh -c id eauser", check=True).stdout
        assert "uid=4200(eauser)" in out
    finally:
        busybox_host.run(
            "for f in passwd shadow group; do sed -i -e '/^ea/d' -e 's/,*eauser//' /etc/$f; done;"
            " rm -rf /home/eauser /home/eamoved /home/eaapp /srv/homes"
        )


def test_user_ssh_key_generation_on_debian(tmp_path, lab_inventory, fresh_host):
    tasks = [
        {
            "user": {
                "name": "eakey",
                "generate_ssh_key": True,
                "ssh_key_type": "ed25519",
                "ssh_key_comment": "edge key",
                "ssh_key_passphrase": "secret-pass",
            }
        }
    ]
    first = converge(tmp_path, lab_inventory, fresh_host.name, tasks)[0]
    assert first["ssh_key_file"] == "/home/eakey/.ssh/id_ed25519"
    assert first["ssh_public_key"].startswith("ssh-ed25519 ") and first["ssh_public_key"].endswith(
        " edge key"
    )
    assert "SHA256:" in first["ssh_fingerprint"]
    assert "secret-pass" not in repr(first)
    st = fresh_host.run("stat -c '%U %a' /home/eakey/.ssh /home/eakey/.ssh/id_ed25519", check=True)
    assert st.stdout.split("\n")[:2] == ["eakey 700", "eakey 600"]
    # the passphrase protects the key
    assert fresh_host.run("ssh-keygen -y -P '' -f /home/eakey/.ssh/id_ed25519").returncode != 0
    assert (
        fresh_host.run("ssh-keygen -y -P secret-pass -f /home/eakey/.ssh/id_ed25519").returncode
        == 0
    )
    code, res = run_tasks(
        tmp_path,
        lab_inventory,
        fresh_host.name,
        [
            {
                "user": {
                    "name": "eakey",
                    "generate_ssh_key": True,
                    "ssh_key_type": "ed25519",
                    "force": True,
                }
            }
        ],
    )
    assert code == 0 and res[0]["changed"] and res[0]["ssh_public_key"] != first["ssh_public_key"]


def test_user_ssh_key_generation_without_ssh_keygen_fails_clearly(
    tmp_path, lab_inventory, busybox_host
):
    code, res = run_tasks(
        tmp_path,
        lab_inventory,
        busybox_host.name,
        [{"user": {"name": "tester", "generate_ssh_key": True}}],
    )
    assert code != 0 and "needs ssh-keygen" in res[0]["msg"]


def test_user_refuses_bad_arguments_before_anything_runs(tmp_path, lab_inventory, debian_host):
    for bad in (
        {"name": "eabad", "comment": "a:b"},
        {"name": "eabad", "uid": "x"},
        {"name": "eabad", "state": "gone"},
        {"name": "eabad", "local": True, "uid_min": 5},
        {"name": "eabad", "password": "x:y"},
    ):
        code, res = run_tasks(
            tmp_path, lab_inventory, debian_host.name, [{"user": bad}, {"user": {"name": "eabad2"}}]
        )
        assert code == "invalid" or (res[0]["_status"] == "failed" and len(res) == 1), res
    assert "eabad" not in etc(debian_host, "passwd")


# ---- getent ------------------------------------------------------------------------------

GETENT_TASKS = [
    {"getent": {"database": "passwd", "key": "root"}},
    {"debug": {"var": "getent_passwd.root"}},
    {"ansible.builtin.getent": {"database": "group"}},
    {"debug": {"var": "ansible_facts.getent_group.root"}},
    {"getent": {"database": "passwd", "key": "nobody-here", "fail_key": False}},
    {"getent": {"database": "hosts", "key": "localhost"}},
    {"getent": {"database": "passwd", "key": "nobody-here"}, "ignore_errors": True},
]


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_getent_returns_the_databases_as_facts(tmp_path, lab_inventory, lab_hosts, flavor):
    host = next(h for h in lab_hosts if h.flavor == flavor)
    code, res = run_tasks(tmp_path, lab_inventory, host.name, GETENT_TASKS)
    assert code == 0, res
    shell = "/bin/bash" if flavor == "debian" else "/bin/sh"
    assert res[0]["ansible_facts"] == {
        "getent_passwd": {"root": ["x", "0", "0", "root", "/root", shell]}
    }
    assert res[0]["changed"] is False
    assert res[1]["getent_passwd.root"] == ["x", "0", "0", "root", "/root", shell]
    assert res[2]["ansible_facts"]["getent_group"]["root"] == ["x", "0", ""]
    assert res[3]["ansible_facts.getent_group.root"] == ["x", "0", ""]
    assert res[4]["ansible_facts"] == {"getent_passwd": {"nobody-here": None}}
    assert res[4]["msg"] == "One or more supplied key could not be found in the database."
    hosts = res[5]["ansible_facts"]["getent_hosts"]
    assert len(hosts) == 1 and "localhost" in next(iter(hosts.values())), hosts
    assert res[6]["failed"] and "could not be found" in res[6]["msg"]
    # check mode reads the same (getent changes nothing)
    code, checked = run_tasks(tmp_path, lab_inventory, host.name, GETENT_TASKS[:3], check=True)
    assert [r.get("ansible_facts") for r in checked] == [r.get("ansible_facts") for r in res[:3]]


# ---- authorized_key ----------------------------------------------------------------------

KEY1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl one"
KEY2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGOuSSrPTMoSYMQzOy6Gq9G5HmfAsDOS2KBcRSfx8q5s two"


def _ak_tasks(user: str) -> list[dict]:
    return [
        {"ansible.posix.authorized_key": {"user": user, "key": KEY1}},
        {"authorized_key": {"user": user, "key": KEY2, "key_options": 'from="10.0.0.0/8"'}},
        {"authorized_key": {"user": user, "key": KEY1.replace("one", "x"), "state": "absent"}},
    ]


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_authorized_key_converges_in_the_users_home(
    tmp_path, lab_inventory, lab_hosts, flavor, make_host
):
    host = (
        make_host(flavor="debian", systemd=True)
        if flavor == "debian"
        else next(h for h in lab_hosts if h.flavor == "busybox")
    )
    user = "tester"
    try:
        host.run(
            "rm -rf /home/tester/.ssh.bak; cp -a /home/tester/.ssh /home/tester/.ssh.bak; rm -rf /home/tester/.ssh"
        )
        tasks = _ak_tasks(user)
        first = converge(tmp_path, lab_inventory, host.name, tasks[:2])
        first += converge(tmp_path, lab_inventory, host.name, tasks[2:])
        assert [r["changed"] for r in first] == [True, True, True]
        assert (
            first[0]["keyfile"] == "/home/tester/.ssh/authorized_keys" and first[0]["path"] is None
        )
        assert first[0]["user"] == user and first[0]["state"] == "present"
        text = host.run("cat /home/tester/.ssh/authorized_keys", check=True).stdout
        assert text == f'from="10.0.0.0/8" {KEY2}\n'
        st = host.run(
            "stat -c '%U %a' /home/tester/.ssh /home/tester/.ssh/authorized_keys", check=True
        )
        assert st.stdout.split("\n")[:2] == ["tester 700", "tester 600"]
        # the diff shows the file before and after
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            host.name,
            [{"authorized_key": {"user": user, "key": KEY1, "exclusive": True}}],
            diff=True,
        )
        assert res[0]["changed"] and res[0]["diff"]["after"] == KEY1 + "\n"
        assert KEY2 in res[0]["diff"]["before"]
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            host.name,
            [{"authorized_key": {"user": "nobody-here", "key": KEY1}}],
        )
        assert code != 0 and "Failed to lookup user nobody-here" in res[0]["msg"]
        code, res = run_tasks(
            tmp_path,
            lab_inventory,
            host.name,
            [{"authorized_key": {"user": user, "key": "not a key"}}],
        )
        assert code != 0 and res[0]["msg"] == "invalid key specified: not a key"
    finally:
        host.run("rm -rf /home/tester/.ssh; mv /home/tester/.ssh.bak /home/tester/.ssh")


# ---- known_hosts -------------------------------------------------------------------------

HOSTKEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
HOSTKEY2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGOuSSrPTMoSYMQzOy6Gq9G5HmfAsDOS2KBcRSfx8q5s"


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_known_hosts_converges_in_roots_default_file(
    tmp_path, lab_inventory, lab_hosts, flavor, make_host
):
    host = (
        make_host(flavor="debian", systemd=True)
        if flavor == "debian"
        else next(h for h in lab_hosts if h.flavor == "busybox")
    )
    path = "/root/.ssh/known_hosts"
    host.run(f"mkdir -p /root/.ssh; cp -a {path} {path}.ea-bak 2>/dev/null; rm -f {path}")
    try:
        tasks = [
            {
                "ansible.builtin.known_hosts": {
                    "name": "git.example",
                    "key": f"git.example {HOSTKEY}",
                }
            },
            {
                "known_hosts": {
                    "name": "[git.example]:2222",
                    "key": f"[git.example]:2222 {HOSTKEY2}",
                }
            },
        ]
        if flavor == "debian":
            tasks.append(
                {
                    "known_hosts": {
                        "host": "hashed.example",
                        "key": f"hashed.example {HOSTKEY}",
                        "hash_host": True,
                    }
                }
            )
        first = converge(tmp_path, lab_inventory, host.name, tasks)
        assert all(r["changed"] for r in first) and first[0]["path"] == path
        assert first[0]["state"] == "file" and first[0]["mode"] == "0644"
        text = host.run(f"cat {path}", check=True).stdout.splitlines()
        assert text[:2] == [f"git.example {HOSTKEY}", f"[git.example]:2222 {HOSTKEY2}"]
        if flavor == "debian":
            assert text[2].startswith("|1|") and "hashed.example" not in text[2]
        # a new key for the host replaces the old one in its line
        tasks = [{"known_hosts": {"name": "git.example", "key": f"git.example {HOSTKEY2}"}}]
        assert converge(tmp_path, lab_inventory, host.name, tasks)[0]["changed"]
        text = host.run(f"cat {path}", check=True).stdout.splitlines()
        assert text[0] == f"[git.example]:2222 {HOSTKEY2}" and text[-1] == f"git.example {HOSTKEY2}"
        tasks = [{"known_hosts": {"name": "git.example", "state": "absent"}}]
        assert converge(tmp_path, lab_inventory, host.name, tasks)[0]["changed"]
        assert "git.example ssh" not in host.run(f"cat {path}", check=True).stdout
        if flavor == "busybox":
            code, res = run_tasks(
                tmp_path,
                lab_inventory,
                host.name,
                [
                    {
                        "known_hosts": {
                            "name": "h.example",
                            "key": f"h.example {HOSTKEY}",
                            "hash_host": True,
                        }
                    }
                ],
            )
            assert code != 0 and "needs ssh-keygen" in res[0]["msg"]
    finally:
        host.run(f"rm -f {path} {path}.old; [ ! -e {path}.ea-bak ] || mv {path}.ea-bak {path}")


def test_user_password_never_reaches_the_output_even_at_vvvv(tmp_path, lab_inventory, fresh_host):
    import subprocess

    play = tmp_path / "pw.yml"
    play.write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        f"    - user: {{name: eapw, password: '{HASH}', ssh_key_passphrase: not-shown-pass}}\n"
        "      register: r\n"
        "    - debug: {var: r}\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "edgeauto",
            "run",
            "-i",
            str(lab_inventory),
            str(play),
            "-l",
            fresh_host.name,
            "-vvvv",
            "--diff",
        ],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-3000:]
    assert "NOT_LOGGING_PASSWORD" in out and "ea_user" in out  # the dump is there, masked
    assert HASH not in out and "not-shown-pass" not in out
    assert fresh_host.run("grep -c '^eapw:' /etc/shadow", check=True).stdout.strip() == "1"
