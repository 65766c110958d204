"""The files group (stat, slurp, fetch, blockinfile, replace, ini_file, find, tempfile, assemble)
run for real on this machine under dash and BusyBox sh (a PATH of BusyBox applets only):
read-only modules are compared with ansible-core's answer on the same paths; editing modules
converge (check mode predicts the real run, the second run changes nothing) and their end
state is compared with what ansible-core leaves on an identical copy."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from edgeauto import remote
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


@pytest.fixture(scope="module")
def tree(tmp_path_factory):
    """Files of every kind stat distinguishes (read-only: shared by both shells)."""
    tmp_path = tmp_path_factory.mktemp("stat")
    (tmp_path / "file").write_text("hello\n")
    os.chmod(tmp_path / "file", 0o640)
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "file")
    (tmp_path / "dangling").symlink_to(tmp_path / "nothing")
    (tmp_path / "suid").write_text("#!/bin/sh\n")
    os.chmod(tmp_path / "suid", 0o4755)
    os.mkfifo(tmp_path / "fifo")
    return tmp_path


_STAT_ORACLE: dict = {}
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
    key = repr(sorted(args.items()))
    if key not in _STAT_ORACLE:
        _STAT_ORACLE[key] = ansible_localhost("stat", args)
    theirs = _STAT_ORACLE[key]
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


# ---------------------------------------------------------------- slurp


def test_slurp_returns_the_bytes_base64_encoded(shell, tmp_path):
    import base64

    data = bytes(range(256)) * 5 + b"tail"
    (tmp_path / "bin").write_bytes(data)
    result = ok(shell, "slurp", {"src": str(tmp_path / "bin")})
    assert base64.b64decode(result["content"]) == data
    assert result["encoding"] == "base64" and result["source"] == str(tmp_path / "bin")
    assert result["changed"] is False and "\n" not in result["content"]


def test_slurp_without_base64_tools_falls_back_to_od_and_awk(tmp_path):
    """A BusyBox PATH without base64 (and no busybox/openssl binary to ask)."""
    import base64
    import subprocess

    from edgeauto.remote.localrun import busybox_path_dir

    bindir = busybox_path_dir(tmp_path / "bb")
    for name in ("base64", "busybox", "openssl"):
        (bindir / name).unlink(missing_ok=True)
    data = b"\x00\xff\x10abc\n" * 40 + b"xy"
    (tmp_path / "f").write_bytes(data)
    from edgeauto.modules.base import CompileContext
    from edgeauto.remote.builder import TaskInvocation, build_script, new_nonce
    from edgeauto.remote.framing import parse_run

    module = get_module("slurp")
    args = module.validate({"src": str(tmp_path / "f")}, final=True)
    nonce = new_nonce()
    call = module.compile(args, CompileContext())
    script = build_script([TaskInvocation("t0", call, False, False, False, {})], nonce=nonce)
    env = dict(os.environ, PATH=str(bindir), TMPDIR=str(tmp_path))
    proc = subprocess.run(
        [shutil.which("busybox"), "sh", "-s"], input=script, capture_output=True, env=env
    )
    record = parse_run(proc.stdout, nonce).records[0].as_dict()
    result = module.finish(record, args, CompileContext())
    assert base64.b64decode(result["content"]) == data, result


@needs_oracle
@pytest.mark.parametrize("what", ["missing", "dir", "below_a_file"])
def test_slurp_failures_say_what_ansible_says(shell, tmp_path, what):
    path = tmp_path / what
    if what == "dir":
        path.mkdir()
    if what == "below_a_file":  # ENOTDIR: the slurp target's "access file as directory"
        path.write_text("x")
        path = path / "somefile"
    ours = run(shell, "slurp", {"src": str(path)})
    theirs = ansible_localhost("slurp", {"src": str(path)})
    assert ours["failed"]  # (ansible -t drops the failed key)
    if what == "below_a_file":  # ansible-core 2.19 prints "{source}" literally (no f-string)
        assert theirs["msg"] == "Unable to slurp file: {source}"
        assert ours["msg"] == f"Unable to slurp file: {path}"
    else:
        assert ours["msg"] == theirs["msg"]


# ---------------------------------------------------------------- fetch


def fetch(shell, args, playbook_dir, host="node1", check=False):
    from edgeauto.modules.base import CompileContext

    def ctx(task):
        return CompileContext(
            check_mode=task.check,
            host=host,
            task_vars={"inventory_hostname": host, "playbook_dir": str(playbook_dir)},
        )

    return run_under(shell, [LocalTask("fetch", args, check=check)], ctx_factory=ctx).results[0]


def test_fetch_writes_dest_host_path_and_converges(shell, tmp_path):
    src = tmp_path / "remote" / "etc" / "app.conf"
    src.parent.mkdir(parents=True)
    src.write_bytes(b"port=1\n\x00binary\n")
    args = {"src": str(src), "dest": "fetched"}
    skipped = fetch(shell, args, tmp_path, check=True)
    assert skipped["skipped"] is True and "check mode" in skipped["msg"]
    first = fetch(shell, args, tmp_path)
    local = tmp_path / "fetched" / "node1" / str(src).lstrip("/")
    assert first["changed"] is True and first["dest"] == str(local)
    assert local.read_bytes() == src.read_bytes()
    assert first["checksum"] == first["remote_checksum"] and first["remote_md5sum"] is None
    second = fetch(shell, args, tmp_path)
    assert second["changed"] is False and second["dest"] == str(local)
    assert second["file"] == str(src) and second["md5sum"] == first["md5sum"]
    src.write_text("port=2\n")
    third = fetch(shell, args, tmp_path)
    assert third["changed"] is True and local.read_text() == "port=2\n"
    assert not [p for p in local.parent.iterdir() if p.name.startswith(".edgeauto")]


def test_fetch_flat_with_a_trailing_slash_uses_the_basename(shell, tmp_path):
    src = tmp_path / "hostname"
    src.write_text("box\n")
    out = tmp_path / "out"
    result = fetch(shell, {"src": str(src), "dest": f"{out}/", "flat": True}, tmp_path)
    assert result["changed"] and (out / "hostname").read_text() == "box\n"
    out.mkdir(exist_ok=True)
    with pytest.raises(ModuleArgumentError, match="use a trailing slash"):
        fetch(shell, {"src": str(src), "dest": str(out), "flat": True}, tmp_path)


@pytest.mark.parametrize("fail_on_missing", [True, False])
def test_fetch_missing_source(shell, tmp_path, fail_on_missing):
    args = {"src": str(tmp_path / "nope"), "dest": "x", "fail_on_missing": fail_on_missing}
    result = fetch(shell, args, tmp_path)
    assert result["msg"] == "the remote file does not exist, not transferring, ignored"
    assert result["failed"] is fail_on_missing and result["changed"] is False
    assert not (tmp_path / "x").exists()


@needs_oracle
def test_fetch_result_keys_match_ansible(shell, tmp_path):
    src = tmp_path / "f"
    src.write_text("data\n")
    theirs = ansible_localhost("fetch", {"src": str(src), "dest": f"{tmp_path}/a/", "flat": True})
    ours = fetch(shell, {"src": str(src), "dest": f"{tmp_path}/b/", "flat": True}, tmp_path)
    assert set(theirs) - {"invocation"} == set(ours) - {"failed"}
    for key in ("changed", "checksum", "remote_checksum", "md5sum", "remote_md5sum"):
        assert ours[key] == theirs[key], key
    theirs = ansible_localhost("fetch", {"src": str(src), "dest": f"{tmp_path}/a/", "flat": True})
    ours = fetch(shell, {"src": str(src), "dest": f"{tmp_path}/b/", "flat": True}, tmp_path)
    assert set(theirs) - {"invocation"} == set(ours) - {"failed"}
    assert ours["changed"] is theirs["changed"] is False


# ---------------------------------------------------------------- editing modules vs ansible


_ORACLE: dict = {}  # (module, initial, args) -> (result, content): the same for both shells


def oracle_edit(tmp_path, module, initial, args, path_key):
    key = (module, initial, repr(sorted(args.items())))
    if key not in _ORACLE:
        target = tmp_path / "ansible" / "f.conf"
        target.parent.mkdir(parents=True, exist_ok=True)
        if initial is not None:
            target.write_bytes(initial)
        result = ansible_localhost(module, {**args, path_key: str(target)})
        result["msg"] = str(result.get("msg", "")).replace(str(target.parent), "D")
        _ORACLE[key] = (result, target.read_bytes() if target.exists() else None)
    return _ORACLE[key]


def same_as_ansible(
    shell, tmp_path, module, initial, args, path_key="path", expect_change=None, idempotent=True
):
    """Run ansible-core and edgeauto on identical copies; the files and results must agree.

    ``initial`` is the file's bytes (None: no file). Also converges ours (check predicts the
    real run, the second run changes nothing). Returns our first real result.
    """
    theirs, their_content = oracle_edit(tmp_path, module, initial, args, path_key)
    target = tmp_path / "ours" / "f.conf"
    target.parent.mkdir(parents=True, exist_ok=True)
    if initial is not None:
        target.write_bytes(initial)
    call = {**args, path_key: str(target)}
    predicted = run(shell, module, call, check=True, diff=True)
    ours = run(shell, module, call, diff=True)
    if not ours.get("failed") and idempotent:
        again = ok(shell, module, call)
        assert again["changed"] is False, again
        assert predicted["changed"] == ours["changed"]
        assert predicted.get("msg") == ours.get("msg")
    content = target.read_bytes() if target.exists() else None
    assert content == their_content, (content, their_content, theirs, ours)
    assert str(ours.get("msg", "")).replace(str(target.parent), "D") == theirs["msg"], (
        theirs,
        ours,
    )
    assert ours["changed"] == theirs["changed"]
    their_failed = "failed" in theirs or bool(theirs.get("rc"))  # ansible -t drops 'failed'
    assert bool(ours.get("failed")) == their_failed, (theirs, ours)
    if expect_change is not None:
        assert ours["changed"] is expect_change
    return ours


CONF = b"# app\n[main]\nport=1\n#end\n[extra]\nx=1\n"

BLOCK_CASES = {
    "append_eof": (CONF, {"block": "a=1\nb=2"}),
    "create": (None, {"block": "a=1\n", "create": True}),
    "missing_no_create": (None, {"block": "a=1\n"}),
    "after_regex": (CONF, {"block": "k=v", "insertafter": r"^\[main\]"}),
    "before_regex": (CONF, {"block": "k=v", "insertbefore": r"^\[\w+\]"}),
    "bof": (CONF, {"block": "k=v", "insertbefore": "BOF"}),
    "no_match_goes_to_eof": (CONF, {"block": "k=v", "insertafter": "^nothing"}),
    "update_existing": (
        CONF + b"# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\ntail\n",
        {"block": "new\nlines"},
    ),
    "unchanged": (
        b"x\n# BEGIN ANSIBLE MANAGED BLOCK\nsame\n# END ANSIBLE MANAGED BLOCK\n",
        {"block": "same"},
    ),
    "remove": (
        b"x\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\ny\n",
        {"state": "absent"},
    ),
    "empty_block_removes": (
        b"x\n# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\ny\n",
        {"block": ""},
    ),
    "custom_markers": (
        CONF,
        {"block": "k", "marker": "// {mark} X", "marker_begin": "start", "marker_end": "stop"},
    ),
    "no_trailing_newline": (b"a\nb", {"block": "k"}),
    "newlines_around": (
        CONF,
        {"block": "k", "insertafter": "^port", "prepend_newline": True, "append_newline": True},
    ),
    "absent_missing": (None, {"state": "absent", "create": True}),
}


@needs_oracle
@pytest.mark.parametrize("case", sorted(BLOCK_CASES))
def test_blockinfile_matches_ansible(shell, tmp_path, case):
    initial, args = BLOCK_CASES[case]
    same_as_ansible(shell, tmp_path, "blockinfile", initial, args)


def test_blockinfile_backup_mode_validate_and_symlink(shell, tmp_path):
    real = tmp_path / "real.conf"
    real.write_text("a\n")
    os.chmod(real, 0o644)
    link = tmp_path / "link.conf"
    link.symlink_to(real)
    args = {"path": str(link), "block": "b", "backup": True, "mode": "0600"}
    _, first = converge(shell, "blockinfile", args)
    assert first["msg"] == "Block inserted and ownership, perms or SE linux context changed"
    assert link.is_symlink() and "# BEGIN ANSIBLE MANAGED BLOCK\nb\n" in real.read_text()
    assert open(first["backup_file"]).read() == "a\n"
    assert real.stat().st_mode & 0o777 == 0o600
    assert first["diff"]["before"] == "a\n"
    bad = run(shell, "blockinfile", {"path": str(real), "block": "c", "validate": "false %s"})
    assert bad["failed"] and bad["msg"].startswith("failed to validate: rc:1")
    assert "\nb\n" in real.read_text()
    assert "validate must contain %s" in rejected("blockinfile", {"path": "/x", "validate": "true"})


HOSTS = b"127.0.0.1 localhost\n10.0.0.1 old.host old\n10.0.0.2 other\n# old.host comment\nend"
VHOST = b"a=1\n<VirtualHost *:80>\nport=1\na=1\n</VirtualHost>\na=1\n<VirtualHost *:81>\na=1\n</VirtualHost>\n"

REPLACE_CASES = {
    "groups": (HOSTS, {"regexp": r"(\s+)old\.host(\s+.*)?$", "replace": r"\1new.host\2"}),
    "all_occurrences": (HOSTS, {"regexp": "old", "replace": "new"}),
    "no_match": (HOSTS, {"regexp": "^nothing$", "replace": "x"}),
    "same_text": (HOSTS, {"regexp": "other", "replace": "other"}),
    "delete_comments": (HOSTS, {"regexp": r"^#.*$", "replace": ""}),
    "g_ref_and_amp": (HOSTS, {"regexp": r"(\d+)\.0", "replace": r"\g<1>&0 & \\ \t"}),
    "newline_in_replacement": (HOSTS, {"regexp": "^end$", "replace": "end\nmore"}),
    "after": (VHOST, {"regexp": "^a=1$", "replace": "a=2", "after": "<VirtualHost [*]:80>"}),
    "before": (VHOST, {"regexp": "^a=1$", "replace": "a=2", "before": "</VirtualHost>"}),
    "after_before": (
        VHOST,
        {"regexp": "^a=1$", "replace": "a=2", "after": "<VirtualHost", "before": "</Virt"},
    ),
    "after_no_match": (VHOST, {"regexp": "a", "replace": "b", "after": "<nothing>"}),
    "after_anchored_midline": (b"xa=1\na=1\n", {"regexp": "1", "replace": "2", "after": "^a=1"}),
    "after_anchored": (VHOST, {"regexp": "a=1", "replace": "a=3", "after": "^a=1"}),
    "empty_matches": (b"abc\nbd\n", {"regexp": "^x*", "replace": "-"}),
    "class_escapes": (
        b"key =  value\t\nk2=v2\n",
        {"regexp": r"^(\w+)\s*=\s*(\S+)[ \t]*$", "replace": r"\1=\2"},
    ),
    "missing_file": (None, {"regexp": "a", "replace": "b"}),
}


@needs_oracle
@pytest.mark.parametrize("case", sorted(REPLACE_CASES))
def test_replace_matches_ansible(shell, tmp_path, case):
    initial, args = REPLACE_CASES[case]
    # these match again after replacing, with Ansible too: no second-run check
    idempotent = case not in ("empty_matches", "newline_in_replacement")
    same_as_ansible(shell, tmp_path, "replace", initial, args, idempotent=idempotent)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"regexp": "(a)", "replace": "\\2"}, "invalid group reference"),
        ({"regexp": "(a", "replace": "x"}, "invalid regular expression"),
        ({"regexp": "a", "encoding": "utf-16"}, "not ASCII-compatible"),
        ({"regexp": "a", "validate": "visudo -c"}, "validate must contain %s"),
    ],
)
def test_replace_refuses_what_it_cannot_do_like_python(args, message):
    assert message in rejected("replace", {"path": "/x", **args})


@pytest.mark.parametrize(
    "args", [{"regexp": "a\\nb"}, {"regexp": "(?<=a)b"}, {"regexp": "a", "after": "x$"}]
)
def test_replace_gives_what_sed_cannot_do_to_perl(args):
    """A newline, look-around or an anchor inside after/before: Ansible's algorithm in perl
    (tests/shell/test_perl_regex_path.py runs it)."""
    from edgeauto.modules.base import CompileContext

    mod = get_module("replace")
    call = mod.compile(mod.validate({"path": "/x", **args}, final=True), CompileContext())
    assert call.function == "ea_replace_perl"


def test_replace_backup_and_validate(shell, tmp_path):
    path = tmp_path / "f"
    path.write_text("a=1\n")
    _, first = converge(
        shell, "replace", {"path": str(path), "regexp": "1", "replace": "2", "backup": True}
    )
    assert first["msg"] == "1 replacements made" and first["rc"] == 0
    assert open(first["backup_file"]).read() == "a=1\n" and path.read_text() == "a=2\n"
    bad = run(
        shell,
        "replace",
        {"path": str(path), "regexp": "2", "replace": "3", "validate": "grep -q 2 %s"},
    )
    assert bad["failed"] and "failed to validate" in bad["msg"] and path.read_text() == "a=2\n"


# ---------------------------------------------------------------- ini_file

# community.general is not part of ansible-core: its ini_file is the oracle only where a
# collections path holding it is given (e.g. extracted from the `ansible` wheel)
COLLECTIONS = os.environ.get("EDGEAUTO_ORACLE_COLLECTIONS", "/tmp/hf_collections")
needs_community = pytest.mark.skipif(
    not os.path.isfile(
        f"{COLLECTIONS}/ansible_collections/community/general/plugins/modules/ini_file.py"
    ),
    reason="community.general (ini_file's oracle) not found; set EDGEAUTO_ORACLE_COLLECTIONS",
)

INI = b"; top comment\nglobal=1\n\n[main]\nport=1\n#host = x\n  user =  me\n\n# trailing comment\n[other]\na=1\na=2\n"

INI_CASES = {
    "change": (INI, {"section": "main", "option": "port", "value": "2"}),
    "same": (b"[main]\nport = 1\n", {"section": "main", "option": "port", "value": "1"}),
    "respace": (INI, {"section": "main", "option": "port", "value": "1"}),
    "ignore_spaces": (
        INI,
        {"section": "main", "option": "port", "value": "1", "ignore_spaces": True},
    ),
    "no_extra_spaces": (
        INI,
        {"section": "main", "option": "new", "value": "v", "no_extra_spaces": True},
    ),
    "activate_comment": (INI, {"section": "main", "option": "host", "value": "y"}),
    "keep_comment": (
        INI,
        {"section": "main", "option": "host", "value": "y", "modify_inactive_option": False},
    ),
    "add_option_before_comments": (INI, {"section": "main", "option": "k", "value": "v"}),
    "new_section": (INI, {"section": "new", "option": "k", "value": "v"}),
    "only_section": (INI, {"section": "empty", "allow_no_value": True}),
    "top_level": (INI, {"option": "global", "value": "2"}),
    "top_level_new": (INI, {"option": "g2", "value": "x"}),
    "values_exclusive": (INI, {"section": "other", "option": "a", "values": ["2", "3"]}),
    "values_not_exclusive": (
        INI,
        {"section": "other", "option": "a", "values": ["3"], "exclusive": False},
    ),
    "absent_option": (INI, {"section": "other", "option": "a", "state": "absent"}),
    "absent_value": (
        INI,
        {"section": "other", "option": "a", "values": ["1"], "state": "absent", "exclusive": False},
    ),
    "absent_section": (INI, {"section": "main", "state": "absent"}),
    "no_value": (INI, {"section": "main", "option": "flag", "allow_no_value": True}),
    "create": (None, {"section": "s", "option": "o", "value": "v"}),
    "no_create": (None, {"section": "s", "option": "o", "value": "v", "create": False}),
    "no_final_newline": (b"[s]\no=1", {"section": "s", "option": "o", "value": "1"}),
    "spaced_header": (b"[ s ]\no = 1\n", {"section": "s", "option": "o", "value": "2"}),
}


@needs_oracle
@needs_community
@pytest.mark.parametrize("case", sorted(INI_CASES))
def test_ini_file_matches_community_general(shell, tmp_path, monkeypatch, case):
    monkeypatch.setenv("ANSIBLE_COLLECTIONS_PATH", COLLECTIONS)
    initial, args = INI_CASES[case]
    same_as_ansible(shell, tmp_path, "community.general.ini_file", initial, args)


def test_ini_file_backup_mode_and_check_mode(shell, tmp_path):
    path = tmp_path / "app.ini"
    path.write_text("[main]\nport = 1\n")
    args = {"path": str(path), "section": "main", "option": "port", "value": 2, "backup": True}
    _, first = converge(shell, "community.general.ini_file", {**args, "mode": "0600"})
    assert first["msg"] == "option changed" and path.read_text() == "[main]\nport = 2\n"
    assert open(first["backup_file"]).read() == "[main]\nport = 1\n"
    assert path.stat().st_mode & 0o777 == 0o600
    assert first["diff"]["after"] == "[main]\nport = 2\n"


def test_ini_file_refuses_bad_arguments():
    assert "must be defined" in rejected("ini_file", {"path": "/x", "option": "a"})
    assert "mutually exclusive" in str(
        pytest.raises(
            ModuleArgumentError,
            get_module("ini_file").validate,
            {"path": "/x", "value": "1", "values": ["2"]},
            final=True,
        ).value
    )


# ---------------------------------------------------------------- find


@pytest.fixture(scope="module")
def files_tree(tmp_path_factory):
    """Read-only for every find test, so the oracle answers once per case for both shells."""
    root = tmp_path_factory.mktemp("find") / "t"
    (root / "sub" / "deep" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.log").write_text("error: x\nok\n")
    (root / "b.txt").write_text("hello\n" * 100)
    (root / ".dot.log").write_text("x")
    (root / "sub" / "c.log").write_text("warning\n")
    (root / "sub" / "deep" / "d.log").write_text("error: deep\n")
    (root / "sub" / "deep" / "deeper" / "e.log").write_text("")
    (root / ".hidden" / "f.log").write_text("error: hidden\n")
    (root / "link.log").symlink_to(root / "a.log")
    (root / "dirlink").symlink_to(root / "sub")
    os.chmod(root / "b.txt", 0o600)
    old = 1_600_000_000
    os.utime(root / "a.log", (old, old))
    return root


_FIND_ORACLE: dict = {}
FIND_CASES = {
    "defaults": {},
    "glob": {"patterns": ["*.log"]},
    "comma_patterns": {"patterns": "*.log,*.txt"},
    "recurse": {"patterns": "*.log", "recurse": True},
    "depth": {"patterns": "*.log", "recurse": True, "depth": 2},
    "hidden": {"patterns": "*.log", "recurse": True, "hidden": True},
    "regex_excludes": {
        "patterns": [r".*\.log$"],
        "use_regex": True,
        "excludes": ["^a"],
        "recurse": True,
    },
    "dirs": {"file_type": "directory", "recurse": True},
    "links": {"file_type": "link"},
    "any": {"file_type": "any", "recurse": True, "hidden": True},
    "follow": {"recurse": True, "follow": True, "file_type": "any"},
    "contains": {"contains": "error", "recurse": True},
    "contains_whole": {"contains": "deep", "recurse": True, "read_whole_file": True},
    "age": {"age": "1d", "recurse": True},
    "young": {"age": "-1d", "recurse": True},
    "size": {"size": "500", "recurse": True},
    "small": {"size": "-1k", "recurse": True},
    "mode": {"mode": "0600"},
    "mode_symbolic": {"mode": "u=rw", "exact_mode": False},
    "checksum": {"get_checksum": True, "checksum_algorithm": "sha256", "recurse": True},
    "limit": {"limit": 1, "patterns": "*.log", "recurse": True},
    "missing_path": {"paths": ["/nonexistent-edgeauto"]},
}


@needs_oracle
@pytest.mark.parametrize("case", sorted(FIND_CASES))
def test_find_returns_what_ansible_returns(shell, files_tree, case):
    args = {"paths": [str(files_tree)], **FIND_CASES[case]}
    if case not in _FIND_ORACLE:
        _FIND_ORACLE[case] = ansible_localhost("find", args)
    theirs = _FIND_ORACLE[case]
    ours = ok(shell, "find", args)
    for key in ("matched", "examined", "msg", "changed", "skipped_paths"):
        assert ours[key] == theirs[key], (key, ours[key], theirs[key])
    assert [f["path"] for f in ours["files"]] == [f["path"] for f in theirs["files"]]
    for mine, other in zip(ours["files"], theirs["files"], strict=True):
        assert mine.keys() == other.keys()
        for key in mine:
            if key != "atime":
                assert mine[key] == other[key], (mine["path"], key)


@pytest.mark.parametrize(
    "line",
    [
        "find: '/t/r/1-unreadable': Permission denied",  # GNU findutils
        "find: /t/r/1-unreadable: Permission denied",  # BusyBox
    ],
)
def test_find_records_directories_its_walk_cannot_read_as_ansibles_os_walk_errors(line):
    """The find target (as an unprivileged user): a directory the walk cannot list is in
    ``skipped_paths`` with Python's OSError text, and no warning, as os.walk's onerror does;
    root reads every directory, so find's own complaint is fed to the parser here."""
    script = os.path.join(os.path.dirname(remote.__file__), "find.sh")
    out = {}
    for sh in ("dash", "busybox sh"):
        proc = subprocess.run(
            [*sh.split(), "-c", f'. "{script}"; ea__find_walk_errors /t/r'],
            input=f"{line}\nfind: '/t/r/x': Too many levels of symbolic links\n"
            "find: Failed to restore initial working directory: /root: Permission denied\n",
            capture_output=True,
            text=True,
            check=True,
        )
        out[sh] = proc.stdout
    expected = "W\t/t/r/1-unreadable\t[Errno 13] Permission denied: '/t/r/1-unreadable'\n"
    assert out == {"dash": expected, "busybox sh": expected}
    listing = "R\t/t/r\n" + expected
    result = get_module("find").select(listing, {"paths": ["/t/r"]}, 0, None)
    assert result["skipped_paths"] == {"/t/r/1-unreadable": expected.split("\t")[2].strip()}
    assert "warnings" not in result and result["msg"] == "All paths examined"


def test_find_refuses_bad_arguments():
    assert "failed to process age" in rejected("find", {"paths": "/", "age": "3y"})
    assert "limit cannot be 0" in rejected("find", {"paths": "/", "limit": 0})
    # a look-behind is no error: perl matches it on the target (test_perl_regex_path.py)
    assert "invalid regular expression" in rejected("find", {"paths": "/", "contains": "(a"})


# ---------------------------------------------------------------- tempfile


@pytest.mark.parametrize("state", ["file", "directory"])
def test_tempfile_creates_a_fresh_private_path_each_run(shell, tmp_path, state):
    args = {"state": state, "path": str(tmp_path), "prefix": "build.", "suffix": ".tmp"}
    skipped = run(shell, "tempfile", args, check=True)
    assert skipped["skipped"] is True and list(tmp_path.iterdir()) == []
    first, second = ok(shell, "tempfile", args), ok(shell, "ansible.builtin.tempfile", args)
    assert first["changed"] is True and first["path"] != second["path"]
    for result in (first, second):
        path = result["path"]
        name = os.path.basename(path)
        assert os.path.dirname(path) == str(tmp_path)
        assert name.startswith("build.") and name.endswith(".tmp") and len(name) == 18
        assert os.path.isdir(path) if state == "directory" else os.path.isfile(path)
        assert os.stat(path).st_mode & 0o777 == (0o700 if state == "directory" else 0o600)


def test_tempfile_defaults_and_errors(shell, tmp_path):
    result = ok(shell, "tempfile", {})
    assert os.path.basename(result["path"]).startswith("ansible.")  # in TMPDIR
    missing = run(shell, "tempfile", {"path": str(tmp_path / "nope")})
    assert missing["failed"] and "No such file or directory" in missing["msg"]
    assert "valid file name component" in rejected("tempfile", {"prefix": "a/b"})


# ---------------------------------------------------------------- assemble


def fragments(root):
    root.mkdir(parents=True, exist_ok=True)
    (root / "10-base").write_text("base=1\n")
    (root / "20-nonl").write_text("no newline")
    (root / "30-more.conf").write_text("more=1\n")
    (root / "B-upper").write_text("upper\n")
    (root / ".hidden").write_text("hidden\n")
    (root / "sub").mkdir(exist_ok=True)
    return root


ASSEMBLE_CASES = {
    "plain": {},
    "delimiter": {"delimiter": "### fragment"},
    "delimiter_escapes": {"delimiter": "\\n# --\\n"},
    "regexp": {"regexp": r"^\d+-"},
    "ignore_hidden": {"ignore_hidden": True},
    "mode": {"mode": "0600"},
}


@pytest.fixture(scope="module")
def assemble_oracle(tmp_path_factory):
    """One fragments directory and ansible-core's answer per case, shared by both shells."""
    root = tmp_path_factory.mktemp("assemble")
    answers: dict = {}

    def answer(case):
        if case not in answers:
            dest = root / f"theirs-{case}.conf"
            args = {"src": str(root / "frags"), **ASSEMBLE_CASES[case], "dest": str(dest)}
            answers[case] = (ansible_localhost("assemble", args), dest.read_bytes())
        return answers[case]

    fragments(root / "frags")
    return root / "frags", answer


@needs_oracle
@pytest.mark.parametrize("case", sorted(ASSEMBLE_CASES))
def test_assemble_matches_ansible(shell, tmp_path, assemble_oracle, case):
    src, answer = assemble_oracle
    theirs, content = answer(case)
    args = {"src": str(src), **ASSEMBLE_CASES[case], "dest": str(tmp_path / "ours.conf")}
    _, ours = converge(shell, "assemble", args)
    assert (tmp_path / "ours.conf").read_bytes() == content
    for key in ("checksum", "md5sum", "msg", "changed", "mode", "state", "size", "owner"):
        assert ours[key] == theirs[key], key


def test_assemble_from_the_controller_backup_and_validate(shell, tmp_path):
    src = fragments(tmp_path / "local")
    dest = tmp_path / "out.conf"
    dest.write_text("old\n")
    args = {"src": str(src), "dest": str(dest), "remote_src": False, "backup": True}
    _, first = converge(shell, "assemble", args)
    assert dest.read_text() == "hidden\nbase=1\nno newline\nmore=1\nupper\n"  # bytewise order
    assert open(first["backup_file"]).read() == "old\n"
    bad = run(shell, "assemble", {**args, "delimiter": "x", "validate": "false %s"})
    assert bad["failed"] and "failed to validate: rc:1" in bad["msg"]
    missing = run(shell, "assemble", {"src": str(tmp_path / "nope"), "dest": str(dest)})
    assert missing["failed"] and missing["msg"] == f"Source ({tmp_path / 'nope'}) does not exist"


@pytest.mark.parametrize("follow", [True, False])
def test_ini_file_follow_edits_the_target_else_replaces_the_link(shell, tmp_path, follow):
    real = tmp_path / "real.ini"
    real.write_text("[s]\no = 1\n")
    link = tmp_path / "link.ini"
    link.symlink_to(real)
    ok(
        shell,
        "ini_file",
        {"path": str(link), "section": "s", "option": "o", "value": "2", "follow": follow},
    )
    assert link.is_symlink() is follow
    assert real.read_text() == ("[s]\no = 2\n" if follow else "[s]\no = 1\n")
    assert link.read_text() == "[s]\no = 2\n"
