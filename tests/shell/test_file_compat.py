"""``file`` behaviours the ansible-core file target checks, run for real under dash and BusyBox
sh, with ansible-core's own file module (``ansible localhost -m file``) as the oracle where the
answer is a result: the internal ``_diff_peek`` argument, ``state=link`` without ``src``,
``src`` without ``state``, times on ``state=file``, and the diff of a re-pointed link."""

from __future__ import annotations

import os

import pytest

from .harness import ANSIBLE, ansible_localhost
from .test_files_converge import ok, run

needs_oracle = pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core not installed")


@needs_oracle
@pytest.mark.parametrize(("content", "binary"), [(b"text\n", False), (b"a\x00b", True)])
def test_file_diff_peek_reports_whether_the_file_looks_binary_like_ansible(
    shell, tmp_path, content, binary
):
    path = tmp_path / "f"
    path.write_bytes(content)
    theirs = ansible_localhost("file", {"path": str(path), "_diff_peek": True})
    ours = ok(shell, "file", {"path": str(path), "_diff_peek": True})
    assert ours["appears_binary"] is theirs["appears_binary"] is binary
    assert ours["changed"] is theirs["changed"] is False
    assert "warnings" not in ours and "warnings" not in theirs
    assert path.read_bytes() == content


@needs_oracle
def test_file_state_link_without_src_updates_an_existing_link_and_cannot_create_one(
    shell, tmp_path
):
    (tmp_path / "target").write_text("x")
    os.chmod(tmp_path / "target", 0o644)
    (tmp_path / "link").symlink_to("target")
    args = {"path": str(tmp_path / "link"), "state": "link", "mode": "0600", "follow": False}
    ours = ok(shell, "file", args)
    assert os.readlink(tmp_path / "link") == "target"
    assert (tmp_path / "target").stat().st_mode & 0o777 == 0o644  # follow=false: not the target
    assert ok(shell, "file", args)["changed"] is False
    missing = {"path": str(tmp_path / "new-link"), "state": "link"}
    theirs = ansible_localhost("file", missing)
    ours = run(shell, "file", missing)
    assert ours["failed"] and not theirs.get("changed")  # ansible -t drops 'failed'
    assert ours["msg"] == theirs["msg"] == "src is required for creating new symlinks"
    assert not os.path.lexists(tmp_path / "new-link")


@needs_oracle
def test_file_src_without_state_fails_unless_the_path_already_is_a_link(shell, tmp_path):
    (tmp_path / "target").write_text("x")
    args = {"src": str(tmp_path / "target"), "path": str(tmp_path / "plain")}
    theirs = ansible_localhost("file", args)
    ours = run(shell, "file", args)
    assert ours["failed"] and not theirs.get("changed")  # ansible -t drops 'failed'
    assert ours["msg"] == theirs["msg"] == "src option requires state to be 'link' or 'hard'"
    assert not os.path.lexists(tmp_path / "plain")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    kept = ok(shell, "file", {"src": str(tmp_path / "target"), "path": str(tmp_path / "link")})
    assert kept["changed"] is False and kept["state"] == "link"


def test_file_modification_time_on_state_file_is_predicted_set_and_then_converged(shell, tmp_path):
    path = tmp_path / "f"
    path.write_text("x")
    before = path.stat().st_mtime
    args = {
        "path": str(path),
        "modification_time": "202202081414.00",
        "modification_time_format": "%Y%m%d%H%M.%S",
    }
    predicted = ok(shell, "file", args, check=True, diff=True)
    assert predicted["changed"] is True and path.stat().st_mtime == before
    assert set(predicted["diff"]["after"]) == {"path", "mtime"}
    first = ok(shell, "file", args, diff=True)
    assert first["changed"] is True and first["diff"] == predicted["diff"]
    assert path.stat().st_mtime != before
    second = ok(shell, "file", args, diff=True)
    assert second["changed"] is False
    assert second["diff"] == {"before": {"path": str(path)}, "after": {"path": str(path)}}
    assert ok(shell, "file", {"path": str(path)})["changed"] is False  # no time given: kept


@needs_oracle
def test_file_repointing_a_link_shows_the_old_and_new_src_in_the_diff_like_ansible(shell, tmp_path):
    (tmp_path / "a").write_text("a")
    (tmp_path / "ours").symlink_to(tmp_path / "a")
    (tmp_path / "theirs").symlink_to(tmp_path / "a")
    theirs = ansible_localhost(
        "file", {"path": str(tmp_path / "theirs"), "src": "a", "state": "link"}
    )
    ours = ok(
        shell, "file", {"path": str(tmp_path / "ours"), "src": "a", "state": "link"}, diff=True
    )
    assert ours["changed"] is True and os.readlink(tmp_path / "ours") == "a"
    assert ours["diff"]["before"]["src"] == str(tmp_path / "a")
    assert ours["diff"]["after"]["src"] == "a"
    assert theirs["changed"] is True and os.readlink(tmp_path / "theirs") == "a"


def test_file_returns_its_diff_only_in_diff_mode_as_ansibles_file_module(shell, tmp_path):
    args = {"path": str(tmp_path / "f"), "state": "touch", "mode": "0755"}
    assert "diff" not in ok(shell, "file", args)
    again = ok(shell, "file", {**args, "state": "file", "mode": "0644"}, diff=True)
    assert again["changed"] is True and again["diff"]["after"]["mode"] == "0644"


@needs_oracle
def test_file_touch_removes_the_file_it_created_when_its_attributes_fail_like_ansible(
    shell, tmp_path
):
    """The file target's 'Verify that the file doesn't exist on failure' (a chown nobody may
    not do); here the owner does not exist, the same failure path."""
    args = {"state": "touch", "owner": "no-such-user-edgeauto"}
    theirs = ansible_localhost("file", {**args, "path": str(tmp_path / "theirs")})
    ours = run(shell, "file", {**args, "path": str(tmp_path / "ours")})
    assert ours["failed"] and "msg" in theirs and not theirs.get("changed")
    assert not (tmp_path / "theirs").exists() and not (tmp_path / "ours").exists()


def test_path_arguments_expand_environment_variables_on_the_target_as_type_path_does(
    shell, tmp_path
):
    """Ansible's type=path runs expandvars then expanduser on the target (copy target:
    ``src: $HOME/.ssh/authorized_keys`` with remote_src); unset names stay as written."""
    (tmp_path / "src.txt").write_text("keys\n")
    env = {"EA_BASE": str(tmp_path)}
    args = {
        "src": "$EA_BASE/src.txt",
        "dest": "${EA_BASE}/copied-$EA_UNSET_NAME",
        "remote_src": True,
        "mode": "0600",
    }
    first = ok(shell, "copy", args, environment=env)
    assert first["changed"] is True
    assert (tmp_path / "copied-$EA_UNSET_NAME").read_text() == "keys\n"
    assert ok(shell, "copy", args, environment=env)["changed"] is False
    link = {"path": "$EA_BASE/ln", "src": "src.txt", "state": "link"}
    assert ok(shell, "file", link, environment=env)["changed"] is True
    assert os.readlink(tmp_path / "ln") == "src.txt"
    assert ok(shell, "file", link, environment=env)["changed"] is False


def test_file_absent_on_a_directory_lists_what_it_removes_in_the_diff_like_ansible(shell, tmp_path):
    """Ansible's file module lists the tree it removes (``diff.before.path_content``) as
    ``os.walk`` sees it: a link to a directory is a directory, not descended. (ansible's
    ad-hoc tree output drops the diff, so os.walk itself is the oracle here.)"""
    top = tmp_path / "top"
    (top / "sub" / "deeper").mkdir(parents=True)
    (top / "sub" / "a.txt").write_text("a")
    (top / "b.txt").write_text("b")
    (top / "to-sub").symlink_to("sub")
    walked = {"directories": [], "files": []}
    for base, dirs, files in os.walk(top):
        walked["directories"] += [os.path.join(base, d) for d in dirs]
        walked["files"] += [os.path.join(base, f) for f in files]
    args = {"path": str(top), "state": "absent"}
    predicted = ok(shell, "file", args, check=True, diff=True)["diff"]["before"]
    listed = predicted["path_content"]
    assert {k: sorted(v) for k, v in listed.items()} == {k: sorted(v) for k, v in walked.items()}
    one_file = ok(shell, "file", {**args, "path": str(top / "b.txt")}, check=True, diff=True)
    assert "path_content" not in one_file["diff"]["before"]
    assert "diff" not in ok(shell, "file", args, check=True)  # only in diff mode
    assert ok(shell, "file", args)["changed"] is True and not top.exists()
    assert ok(shell, "file", args)["changed"] is False


@needs_oracle
@pytest.mark.parametrize("mode", ["o+t", "u+s,g+s", "0644"])
def test_file_reports_the_mode_with_a_leading_zero_like_ansible(shell, tmp_path, mode):
    """add_path_info's '0%03o': 01444 with the sticky bit (file target), 0644 without."""
    if shell == "busybox" and mode == "o+t":
        pytest.xfail("BusyBox chmod ignores t after o (symbolic modes are chmod's on the target)")
    ours_path, their_path = tmp_path / "ours", tmp_path / "theirs"
    for p in (ours_path, their_path):
        p.write_text("")
        os.chmod(p, 0o444)
    theirs = ansible_localhost("file", {"path": str(their_path), "mode": mode, "state": "file"})
    args = {"path": str(ours_path), "mode": mode, "state": "file"}
    first = ok(shell, "file", args)
    assert first["mode"] == theirs["mode"] and first["changed"] is theirs["changed"] is True
    assert ok(shell, "file", args)["changed"] is False


@pytest.mark.parametrize(
    ("ids", "warning"),
    [
        ({"owner": "ea-no-such-user"}, "failed to look up user ea-no-such-user"),
        ({"owner": "911911"}, "failed to look up user with uid 911911"),
        ({"group": "ea-no-such-group"}, "failed to look up group ea-no-such-group"),
        ({"group": "911912"}, "failed to look up group with gid 911912"),
        ({"owner": "root", "group": "0"}, None),
    ],
)
def test_file_in_check_mode_warns_of_an_owner_or_group_that_does_not_exist_yet(
    shell, tmp_path, ids, warning
):
    """Ansible's file module (issue 67307; file target): in check mode an unknown owner or
    group is a warning (an earlier task may create it in the real run), with its words."""
    missing = {"path": str(tmp_path / "nothing"), **ids}
    failed = run(shell, "file", missing, check=True)  # no state: the path must exist
    assert failed["failed"] and failed["msg"].endswith("is absent, cannot continue")
    touch = {**missing, "state": "touch"}
    predicted = ok(shell, "file", touch, check=True)
    kind = "user" if "owner" in ids else "group"
    for result in (failed, predicted):
        if warning is None:
            assert "warnings" not in result
        else:
            assert result["warnings"] == [f"{warning}. Create {kind} up to this point in real play"]
    assert "warnings" not in run(shell, "file", {**touch, "state": "absent"}, check=True)
    assert predicted["changed"] is True and not (tmp_path / "nothing").exists()


@needs_oracle
@pytest.mark.parametrize("follow", [False, True])
def test_file_recurse_follows_links_into_directories_like_ansible(shell, tmp_path, follow):
    """recurse + follow=true sets the attributes on link targets and walks into linked
    directories (recursive_set_attributes); follow=false leaves them (file target)."""

    def tree(base):
        top, outside = base / "top", base / "outside"
        top.mkdir(parents=True)
        outside.mkdir()
        (outside / "foo").write_text("")
        (base / "target_file").write_text("")
        for path in (outside, outside / "foo", base / "target_file"):
            os.chmod(path, 0o700)
        (top / "link_dir").symlink_to("../outside")
        (top / "link_file").symlink_to("../target_file")
        (top / "dangling").symlink_to("does_not_exist")
        return base

    def modes(base):
        paths = ("outside", "outside/foo", "target_file")
        return {p: oct(os.stat(base / p).st_mode & 0o7777) for p in paths}

    theirs, ours = tree(tmp_path / "theirs"), tree(tmp_path / "ours")
    args = {"mode": "a-x", "recurse": True, "follow": follow}
    ansible_localhost("file", {"path": str(theirs / "top"), **args})
    first = ok(shell, "file", {"path": str(ours / "top"), **args})
    assert modes(ours) == modes(theirs)
    assert modes(ours)["outside/foo"] == ("0o600" if follow else "0o700")
    assert first["changed"] is True  # top itself loses its x bits either way
    assert ok(shell, "file", {"path": str(ours / "top"), **args})["changed"] is False


@needs_oracle
def test_file_state_hard_without_or_with_a_missing_src_fails_in_ansibles_words(shell, tmp_path):
    """ansible issue 55971 (file target): src is needed to create a hard link, not to keep
    one; a src that does not exist fails naming dest and src."""
    dest = tmp_path / "hard.txt"
    no_src = {"path": str(dest), "state": "hard"}
    theirs = ansible_localhost("file", no_src)
    ours = run(shell, "file", no_src)
    assert ours["failed"] and ours["msg"] == theirs["msg"]
    assert ours["msg"] == "src is required for creating new hardlinks"
    missing = {**no_src, "src": str(tmp_path / "nothing")}
    ours = run(shell, "file", missing)
    assert ours["msg"] == ansible_localhost("file", missing)["msg"] == "src does not exist"
    assert ours["dest"] == str(dest) and ours["src"] == str(tmp_path / "nothing")
    (tmp_path / "orig").write_text("x")
    os.link(tmp_path / "orig", dest)
    kept = ok(shell, "file", no_src)  # an existing hard link needs no src
    assert kept["changed"] is False and os.stat(dest).st_nlink == 2
