"""authorized_key and known_hosts on files of this machine: the same call through Ansible
(ansible.posix.authorized_key / ansible.builtin.known_hosts via ``ansible localhost -c
local``, the oracle) and through our compiled script under dash and BusyBox sh must leave the
same file bytes and report the same ``changed``; a second run changes nothing.

The ansible.posix collection is not part of ansible-core: its cases run when the collection
is found in ``EDGEAUTO_ANSIBLE_COLLECTIONS`` (default ~/.cache/edgeauto/collections) and are
skipped otherwise. Only temp files are touched (``path`` given, ``manage_dir: false``).
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import tempfile
from pathlib import Path

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import ANSIBLE, ansible_localhost, run_under

COLLECTIONS = Path(
    os.environ.get("EDGEAUTO_ANSIBLE_COLLECTIONS", Path.home() / ".cache/edgeauto/collections")
)
HAVE_POSIX = (COLLECTIONS / "ansible_collections/ansible/posix/plugins/modules").is_dir()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (test oracle) not installed"),
]
needs_posix = pytest.mark.skipif(
    not HAVE_POSIX, reason=f"ansible.posix collection not found below {COLLECTIONS}"
)

ED1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
ED2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGOuSSrPTMoSYMQzOy6Gq9G5HmfAsDOS2KBcRSfx8q5s"
RSA = (
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7b2Nn8GrSmhL0C1vBnj6MTqmGQ3rGzHmU0ZnA6d+J3k"
    "cFq1xU0bS2ZQ5VQ2ZJ8dN1b0xN5lYk6Q1lT2Yx8eP0rT9yqWk3s5mVb6Qx9d8t5QyW0c3nq9T1mS8bKx2"
    "Q0f4gHn3n7L2aK9ZcQw=="
)
EXISTING = (
    "# managed keys\n"
    f"{ED1} alice@laptop\n"
    "\n"
    f'no-pty,command="echo hi there" {RSA} backup key\n'
    f"{ED2}\n"
)

AK_CASES = [
    {"key": ED1 + " alice@laptop"},
    {"key": ED1 + " other comment"},
    {"key": ED1, "comment": "set by task"},
    {"key": ED1 + " alice@laptop", "key_options": 'from="10.0.0.1",no-agent-forwarding'},
    {"key": f"{ED2}\n{ED1} new\n# a comment line\n\n{RSA} r"},
    {"key": RSA + " backup key", "key_options": 'command="echo hi there",no-pty'},
    {"key": ED2 + " x", "exclusive": True},
    {"key": f"{ED1} alice@laptop\n{ED2}", "exclusive": True},
    {"key": ED1, "state": "absent"},
    {"key": f"{RSA} y\n{ED2} z", "state": "absent"},
    {"key": "ssh-ed25519 AAAAnotthere", "state": "absent"},
    {"key": "\\# ssh-ed25519 AAAAhashed c"},
]


@functools.cache
def ansible_authorized_key(case_json: str, initial: str | None) -> tuple[dict, str]:
    os.environ["ANSIBLE_COLLECTIONS_PATH"] = str(COLLECTIONS)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "authorized_keys"
        if initial is not None:
            path.write_text(initial)
        args = {**json.loads(case_json), "user": getpass.getuser(), "path": str(path)}
        result = ansible_localhost("ansible.posix.authorized_key", {"manage_dir": False, **args})
        return result, path.read_text() if path.exists() else ""


def ours(shell: str, module: str, args: dict, check: bool = False) -> dict:
    out = run_under(shell, [LocalTask(module, args, check=check)])
    return out.results[0]


@needs_posix
@pytest.mark.parametrize("initial", [EXISTING, None], ids=["existing", "missing"])
@pytest.mark.parametrize("case", AK_CASES, ids=lambda c: json.dumps(c)[:60])
def test_authorized_key_matches_ansible_posix_bytes_and_changed(case, initial, shell, tmp_path):
    theirs, their_text = ansible_authorized_key(json.dumps(case, sort_keys=True), initial)
    path = tmp_path / "authorized_keys"
    if initial is not None:
        path.write_text(initial)
    args = {**case, "user": getpass.getuser(), "path": str(path), "manage_dir": False}
    if theirs.get("failed"):
        assert ours(shell, "authorized_key", args).get("failed"), theirs
        return
    predicted = ours(shell, "authorized_key", args, check=True)
    first = ours(shell, "authorized_key", args)
    assert not first.get("failed"), first
    assert (predicted["changed"], first["changed"]) == (theirs["changed"],) * 2
    text = path.read_text() if path.exists() else ""
    assert text == their_text
    if path.exists() and theirs["changed"]:
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    keys = ("user", "key", "manage_dir", "state", "key_options", "exclusive", "comment", "mode")
    keys += ("owner", "group", "uid", "gid", "size", "validate_certs", "follow")
    assert {k: first.get(k) for k in keys} == {k: theirs.get(k) for k in keys}
    assert first["keyfile"] == first["path"] == str(path)
    if not case["key"].startswith("\\#"):  # Ansible writes that line without a newline
        assert ours(shell, "authorized_key", args)["changed"] is False


# ---- known_hosts (ansible.builtin: always available with ansible-core) -------------------

HK1 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"
HK2 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGOuSSrPTMoSYMQzOy6Gq9G5HmfAsDOS2KBcRSfx8q5s"
HKR = RSA
KNOWN = (
    f"alpha.example {HK1}\n"
    f"beta.example,10.0.0.2 {HK2}\n"
    "# a comment\n"
    f"[gamma.example]:2222 {HKR}\n"
    f"@cert-authority *.example {HK2}\n"
    f"beta.example {HKR}\n"
)

KH_CASES = [
    {"name": "alpha.example", "key": f"alpha.example {HK1}"},
    {"name": "alpha.example", "key": f"alpha.example {HK2}"},
    {"name": "ALPHA.example", "key": f"alpha.example {HKR}"},
    {"name": "delta.example", "key": f"delta.example {HK1} comment"},
    {"name": "beta.example", "key": f"beta.example {HK2}"},
    {"name": "beta.example", "key": f"beta.example {HKR}"},
    {"name": "[gamma.example]:2222", "key": f"[gamma.example]:2222 {HK1}"},
    {"name": "alpha.example", "state": "absent"},
    {"name": "beta.example", "state": "absent"},
    {"name": "nowhere.example", "state": "absent"},
    {"name": "alpha.example", "key": f"alpha.example {HK1}", "state": "absent"},
    {"name": "alpha.example", "key": f"alpha.example {HK2}", "state": "absent"},
    {"name": "alpha.example", "key": f"other.example {HK1}"},
    {"name": "a.example,b.example", "key": f"a.example {HK1}"},
]


@functools.cache
def ansible_known_hosts(case_json: str, initial: str | None) -> tuple[dict, str | None]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "known_hosts"
        if initial is not None:
            path.write_text(initial)
        args = {**json.loads(case_json), "path": str(path)}
        result = ansible_localhost("known_hosts", args)
        text = path.read_text() if path.exists() else None
        again = ansible_localhost("known_hosts", args)
        # ansible -t trees of failed calls carry msg but no "failed": successes have path
        result["failed"] = result.get("failed") or "path" not in result
        result["changed_again"] = again.get("changed")
        return result, text


@pytest.mark.parametrize("initial", [KNOWN, None], ids=["existing", "missing"])
@pytest.mark.parametrize("case", KH_CASES, ids=lambda c: json.dumps(c)[:60])
def test_known_hosts_matches_ansible_bytes_changed_and_diff(case, initial, shell, tmp_path):
    theirs, their_text = ansible_known_hosts(json.dumps(case, sort_keys=True), initial)
    path = tmp_path / "known_hosts"
    if initial is not None:
        path.write_text(initial)
    args = {**case, "path": str(path)}
    if theirs.get("failed"):
        failed = ours(shell, "known_hosts", args)
        assert failed.get("failed") and failed["msg"] == theirs["msg"], (failed, theirs)
        return
    predicted = ours(shell, "known_hosts", args, check=True)
    first = ours(shell, "known_hosts", args)
    assert not first.get("failed"), first
    assert (predicted["changed"], first["changed"]) == (theirs["changed"],) * 2, (first, theirs)
    assert (path.read_text() if path.exists() else None) == their_text
    keys = ("name", "key", "hash_host", "state", "mode", "owner", "group", "size")
    assert {k: first.get(k) for k in keys} == {k: theirs.get(k) for k in keys}
    assert first["path"] == str(path)
    # a wildcard entry (@cert-authority *.example) keeps Ansible's absent changing every run
    assert ours(shell, "known_hosts", args)["changed"] is bool(theirs["changed_again"])


def test_known_hosts_hash_host_stores_a_hashed_name_ssh_keygen_finds(tmp_path):
    path = tmp_path / "known_hosts"
    args = {
        "name": "alpha.example",
        "key": f"alpha.example {HK1}",
        "hash_host": True,
        "path": str(path),
    }
    first = ours("dash", "known_hosts", args)
    assert first["changed"] and path.read_text().startswith("|1|")
    assert "alpha.example" not in path.read_text()
    assert ours("dash", "known_hosts", args)["changed"] is False  # the hashed entry is found
    refused = ours("busybox", "known_hosts", {**args, "path": str(tmp_path / "k2")})
    assert refused["failed"] and "needs ssh-keygen" in refused["msg"]
    hashed = path.read_text().strip()
    refused = ours("busybox", "known_hosts", {**args, "key": hashed, "hash_host": False})
    assert refused["failed"] and "hashed" in refused["msg"] and "ssh-keygen" in refused["msg"]


# ---- user, read-only: check mode against this machine's root (changes nothing) -----------

USER_CHECK_CASES = [
    {"name": "root"},
    {"name": "root", "shell": "/bin/bash", "groups": [], "append": True},
    {"name": "root", "comment": "someone else", "uid": 0},
    {"name": "no-such-user-ea"},
    {"name": "no-such-user-ea", "state": "absent"},
    {"name": "root", "generate_ssh_key": True, "ssh_key_file": "KEYFILE"},
]


def ansible_check(module: str, args: dict) -> dict:
    import subprocess

    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(
            [str(ANSIBLE), "localhost", "-c", "local", "-m", module, "--check", "-t", tree]
            + ["-e", f"ansible_python_interpreter={ANSIBLE.parent / 'python'}"]
            + ["-a", json.dumps(args)],
            capture_output=True,
            env=env,
            stdin=subprocess.DEVNULL,
        )
        return json.loads((Path(tree) / "localhost").read_text())


@pytest.mark.skipif(os.geteuid() != 0, reason="reads /etc/shadow like Ansible does as root")
@pytest.mark.parametrize("case", USER_CHECK_CASES, ids=lambda c: json.dumps(c)[:60])
def test_user_check_mode_reports_what_ansible_reports(case, shell, tmp_path):
    import subprocess

    if case.get("ssh_key_file") == "KEYFILE":
        key = tmp_path / "key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        case = {**case, "ssh_key_file": str(key)}
    theirs = ansible_check("user", case)
    mine = ours(shell, "user", case, check=True)
    if shell == "busybox" and case.get("generate_ssh_key"):
        assert mine["failed"] and "needs ssh-keygen" in mine["msg"]
        return
    keys = set(theirs) - {"invocation", "_ansible_no_log", "ansible_facts", "warnings"}
    keys -= {"ssh_fingerprint"}  # ssh-keygen's text, compared below without the host name
    assert {k: mine.get(k) for k in keys} == {k: theirs.get(k) for k in keys}
    assert set(mine) - {"failed", "warnings"} <= set(theirs)
    if "ssh_fingerprint" in theirs:
        assert mine["ssh_fingerprint"] == theirs["ssh_fingerprint"]
        # ansible -t trees drop warnings; ansible-playbook registers this one
        skipped = "no force, so skipping ssh-keygen generation"
        assert skipped in mine["warnings"][0]
