"""Python regexps POSIX ERE cannot express (lineinfile, blockinfile, replace) are matched by
perl on targets that have it — the end state, result and msg must equal ansible-core's on an
identical file, check mode must predict the real run and a second run must change nothing —
and on a BusyBox-only PATH (no perl) the task fails naming the construct, before changing
anything. Run under dash (this machine has perl) and BusyBox sh (a PATH of BusyBox applets)."""

from __future__ import annotations

import pytest

from .test_files_converge import CONF, HOSTS, VHOST, needs_oracle, run, same_as_ansible

PERL_REPLACE_CASES = {
    # the ansible-core replace target's "quote everything between bof and eof"
    "negated_class_in_brackets": (b"a b\nc\n", {"regexp": r"^([\S\s]+)$", "replace": r"'\1'"}),
    "lookbehind": (HOSTS, {"regexp": r"(?<=10\.0\.0\.)1\b", "replace": "9"}),
    "named_groups": (
        HOSTS,
        {"regexp": r"^(?P<ip>\d+(?:\.\d+){3}) (?P<name>\S+)", "replace": r"\g<name> \g<ip>"},
    ),
    "match_spans_lines": (VHOST, {"regexp": r"port=1\na=1", "replace": "port=2"}),
    "lazy_quantifier": (HOSTS, {"regexp": r"o.*?o", "replace": "0"}),
    "backreference_in_pattern": (b"aa ab\nbb\n", {"regexp": r"(\w)\1", "replace": r"<\1>"}),
    "end_of_text_Z": (b"x\ny\ny", {"regexp": r"y\Z", "replace": "z"}),
    "unicode_word": ("grüße=1\n".encode(), {"regexp": r"(?<=\w)=1", "replace": "=2"}),
    "after_before_with_lookbehind": (
        VHOST,
        {
            "regexp": r"(?<=a=)1",
            "replace": "5",
            "after": "<VirtualHost [*]:80>",
            "before": "</VirtualHost>",
        },
    ),
    "after_no_match": (VHOST, {"regexp": r"(?<=a)=", "replace": ":", "after": "<none>"}),
}

PERL_BLOCK_CASES = {
    # the blockinfile target's multiline_search: (?m) searches the whole file at once
    "multiline_insertafter": (
        b"SID_LIST_LISTENER_DG =\n  (SID_LIST =\n    (SID_DESC = x)\n  )\n",
        {"block": "k=v", "insertafter": r"(?m)SID_LIST_LISTENER_DG =\n.*\(SID_LIST ="},
    ),
    "multiline_insertbefore": (
        CONF,
        {"block": "k=v", "insertbefore": r"(?m)^port=1\n#end"},
    ),
    "lookahead_line_by_line": (CONF, {"block": "k=v", "insertafter": r"^\[(?!main)"}),
}

PERL_LINE_CASES = {
    # the lineinfile target's "Replace a line with backrefs"
    "backreference_with_backrefs": (
        b"REF this is a line for backrefs REF\nREF x REF y\n",
        {"regexp": r"^(REF) .* \1$", "line": r"\1 changed", "backrefs": True},
    ),
    "word_boundary": (b"foo=1\nfoobar=2\n", {"regexp": r"\bfoo\b", "line": "foo=9"}),
    "lookahead_insertafter": (CONF, {"line": "k=v", "insertafter": r"^\[(?=main)"}),
}


# their replacement matches again (with Ansible too): no second-run check
MATCH_AGAIN = {"negated_class_in_brackets"}


def _case(module, cases, name, shell, tmp_path):
    initial, args = cases[name]
    if shell == "busybox":
        target = tmp_path / "f.conf"
        if initial is not None:
            target.write_bytes(initial)
        result = run(shell, module, {**args, "path": str(target)})
        assert result.get("failed") and "needs perl on the target" in result["msg"], result
        assert "argument '" in result["msg"]  # names the argument and its construct
        assert (target.read_bytes() if target.exists() else None) == initial
        return
    idempotent = name not in MATCH_AGAIN
    same_as_ansible(shell, tmp_path, module, initial, args, idempotent=idempotent)


@needs_oracle
@pytest.mark.parametrize("case", sorted(PERL_REPLACE_CASES))
def test_replace_with_a_python_only_regexp_runs_with_perl_like_ansible(shell, tmp_path, case):
    _case("replace", PERL_REPLACE_CASES, case, shell, tmp_path)


@needs_oracle
@pytest.mark.parametrize("case", sorted(PERL_BLOCK_CASES))
def test_blockinfile_with_a_python_only_anchor_runs_with_perl_like_ansible(shell, tmp_path, case):
    _case("blockinfile", PERL_BLOCK_CASES, case, shell, tmp_path)


@needs_oracle
@pytest.mark.parametrize("case", sorted(PERL_LINE_CASES))
def test_lineinfile_with_a_python_only_regexp_runs_with_perl_like_ansible(shell, tmp_path, case):
    _case("lineinfile", PERL_LINE_CASES, case, shell, tmp_path)


@needs_oracle
def test_find_read_whole_file_matches_the_end_of_the_text_not_of_a_line_like_ansible(
    shell, tmp_path
):
    """The find target's "'$' only matches the true end of the file with read_whole_file";
    without perl (BusyBox) the search goes line by line (docs/modules/files.md)."""
    from .harness import ansible_localhost

    (tmp_path / "a.txt").write_text("this is OK\nKO\nthis is OK\n")
    (tmp_path / "b.txt").write_text("last KO\n")
    args = {"paths": [str(tmp_path)], "patterns": "*.txt", "read_whole_file": True}
    for contains, names in (("KO$", ["b.txt"]), ("OK\\nKO", ["a.txt"]), ("^this", ["a.txt"])):
        theirs = ansible_localhost("find", {**args, "contains": contains})
        ours = run(shell, "find", {**args, "contains": contains})
        assert sorted(f["path"].rsplit("/", 1)[1] for f in theirs["files"]) == names
        if shell == "busybox" and "\\n" in contains:  # ERE cannot say it, and no perl
            assert ours["failed"] and "needs perl on the target" in ours["msg"], ours
            continue
        found = sorted(f["path"].rsplit("/", 1)[1] for f in ours["files"])
        if shell == "busybox" and contains == "KO$":
            assert found == ["a.txt", "b.txt"]  # line by line without perl (documented)
            continue
        assert found == names, contains


@needs_oracle
def test_find_contains_line_by_line_never_matches_across_lines_like_ansible(shell, tmp_path):
    """The find target's "When read_whole_file=False, do not match across line boundaries":
    a pattern naming a newline is matched per line with perl (it then only fits a line end)."""
    from .harness import ansible_localhost

    (tmp_path / "a.txt").write_text("this has\na few\nlines\n")
    args = {"paths": [str(tmp_path)], "patterns": "*.txt"}
    for contains, count in (("has\na few", 0), (".*has\n", 1)):
        theirs = ansible_localhost("find", {**args, "contains": contains})
        ours = run(shell, "find", {**args, "contains": contains})
        assert theirs["matched"] == count
        if shell == "busybox":
            assert ours["failed"] and "needs perl on the target" in ours["msg"], ours
        else:
            assert ours["matched"] == count, (contains, ours)


@needs_oracle
def test_find_contains_stops_at_a_file_its_encoding_cannot_read_like_ansible(shell, tmp_path):
    """The find target's 'read a gbk file by utf-8': the path is skipped with Ansible's
    message (perl or iconv tell valid UTF-8 on the target)."""
    from .harness import ansible_localhost

    (tmp_path / "hello_world.gbk").write_bytes("你好世界\n".encode("gbk"))
    args = {
        "paths": [str(tmp_path)],
        "patterns": "*.gbk",
        "contains": "你好世界",
        "encoding": "utf-8",
    }
    theirs = ansible_localhost("find", args)
    ours = run(shell, "find", args)
    if shell == "busybox" and not ours.get("skipped_paths"):
        pytest.skip("this BusyBox has neither perl nor iconv: no encoding check")
    for key in ("msg", "skipped_paths", "matched"):
        assert ours[key] == theirs[key], key


@needs_oracle
def test_find_contains_reads_a_file_in_the_given_encoding_like_ansible(shell, tmp_path):
    """The find target's 'read a gbk file by gbk': converted with iconv on the target."""
    from .harness import ansible_localhost

    (tmp_path / "hello_world.gbk").write_bytes("你好世界\n".encode("gbk"))
    args = {
        "paths": [str(tmp_path)],
        "patterns": "*.gbk",
        "contains": "你好世界",
        "encoding": "gbk",
    }
    theirs = ansible_localhost("find", args)
    ours = run(shell, "find", args)
    assert theirs["matched"] == 1
    if shell == "busybox" and ours["matched"] == 0:
        pytest.skip("this BusyBox has no iconv: the bytes are grepped")
    assert ours["matched"] == 1 and ours["msg"] == theirs["msg"]


@needs_oracle
def test_find_contains_with_an_unknown_encoding_skips_the_path_like_ansible(shell, tmp_path):
    from .harness import ansible_localhost

    (tmp_path / "a.txt").write_text("x\n")
    args = {"paths": [str(tmp_path)], "contains": "x", "encoding": "idontexist"}
    theirs = ansible_localhost("find", args)
    ours = run(shell, "find", args)
    assert (
        ours["skipped_paths"]
        == theirs["skipped_paths"]
        == {str(tmp_path): "unknown encoding: idontexist"}
    )
    assert ours["msg"] == theirs["msg"] and ours["matched"] == theirs["matched"] == 0
