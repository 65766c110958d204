"""The files group (stat, slurp, fetch, blockinfile, replace, ini_file, find, tempfile, assemble)
run for real on this machine under dash and BusyBox sh (a PATH of BusyBox applets only):
read-only modules are compared with ansible-core's answer on the same paths; editing modules
converge (check mode predicts the real run, the second run changes nothing) and their end
state is compared with what ansible-core leaves on an identical copy."""

from __future__ import annotations

import os

import pytest

from edgeauto.errors import ModuleArgumentError
from edgeauto.modules.registry import get_module
from edgeauto.remote.localrun import LocalTask

from .harness import ANSIBLE, ansible_localhost, run_under

needs_oracle = pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core not installed")


def run(shell, module, args, check=False, diff=False, **kw):
    out = run_under(shell, [LocalTask(module, args, check=check, diff=diff, **kw)])
    return out.results[0]


def ok(shell, module, args, **kw):
    result = run(shell, module, args, **kw)
    assert not result.get("failed"), result
    return result


def converge(shell, module, args, expect_change=True):
    """check → real → real again → check again; returns (predicted, first real result)."""
    predicted = ok(shell, module, args, check=True, diff=True)
    first = ok(shell, module, args, diff=True)
    second = ok(shell, module, args, diff=True)
    after = ok(shell, module, args, check=True)
    assert predicted["changed"] == first["changed"] == expect_change, (predicted, first)
    assert second["changed"] is False, second
    assert after["changed"] is False, after
    for key in ("msg", "diff"):
        if key in first:
            assert predicted.get(key) == first[key], key
    return predicted, first


def rejected(module, args):
    """Bad arguments fail at validation/compile time, before any script exists."""
    from edgeauto.modules.base import CompileContext

    mod = get_module(module)
    with pytest.raises(ModuleArgumentError) as err:
        mod.compile(mod.validate(args, final=True), CompileContext())
    return str(err.value)


# ---------------------------------------------------------------- stat


@pytest.fixture
def tree(tmp_path):
    """Files of every kind stat distinguishes."""
    (tmp_path / "file").write_text("hello\n")
    os.chmod(tmp_path / "file", 0o640)
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "file")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    (tmp_path / "suid").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "suid", 0o4755)
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


STAT_CASES = [
    ("file", {}),
    ("file", {"checksum_algorithm": "sha256"}),
    ("file", {"checksum_algorithm": "md5"}),
    ("dir", {}),
    ("link", {}),
    ("link", {"follow": True}),
    ("dangling", {}),
    ("dangling", {"follow": True}),
    ("suid", {"get_checksum": False}),
    ("fifo", {}),
    ("missing", {}),
]


@needs_oracle
@pytest.mark.parametrize(("name", "extra"), STAT_CASES, ids=lambda v: str(v))
def test_stat_reports_what_ansible_reports(shell, tree, name, extra):
    args = {"path": str(tree / name), **extra}
    if shell == "busybox":  # file(1)/lsattr are not BusyBox applets: Ansible's fallback values
        args.update(get_mime=False, get_attributes=False)
    ours = ok(shell, "stat", args)
    theirs = ansible_localhost("stat", args)
    assert ours["changed"] is False and theirs["changed"] is False
    assert ours["stat"].keys() == theirs["stat"].keys()
    for key, value in theirs["stat"].items():
        if key != "atime":  # ansible's own read may touch atime
            assert ours["stat"][key] == value, key


def test_stat_without_file_and_lsattr_gives_ansibles_fallback_values(tree):
    result = ok("busybox", "stat", {"path": str(tree / "file")})["stat"]
    assert (result["mimetype"], result["charset"]) == ("unknown", "unknown")
    assert (result["version"], result["attributes"], result["attr_flags"]) == (None, [], "")
    assert result["checksum"] == "f572d396fae9206628714fb2ce00f72e94f2258f"


def test_stat_accepts_fqcn_and_aliases(shell, tree):
    result = ok(
        shell, "ansible.builtin.stat", {"name": str(tree / "file"), "checksum_algo": "sha1"}
    )
    assert result["stat"]["isreg"] is True and result["stat"]["mode"] == "0640"
    assert "checksum" in result["stat"]


def test_stat_refuses_bad_arguments():
    with pytest.raises(ModuleArgumentError):
        get_module("stat").validate({"path": "/x", "checksum_algorithm": "crc"}, final=True)
    with pytest.raises(ModuleArgumentError):
        get_module("stat").validate({"follow": True}, final=True)


def test_stat_in_check_mode_reports_the_same(shell, tree):
    real = ok(shell, "stat", {"path": str(tree / "file")})
    check = ok(shell, "stat", {"path": str(tree / "file")}, check=True)
    for result in (real, check):
        result["stat"].pop("atime")  # the checksum read may move it
    assert real == check
