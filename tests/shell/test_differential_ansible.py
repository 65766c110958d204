"""Differential tests: the same module call through ansible-core (the oracle, run locally with
`ansible localhost -c local`) and through our compiled script must leave identical file bytes
and report the same changed/msg and key results."""

import functools
import json
import os
import random
import tempfile
from pathlib import Path

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import ANSIBLE, ansible_localhost, run_under

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (test oracle) not installed"),
]


@functools.cache
def cached_ansible(module: str, args_json: str) -> dict:
    return ansible_localhost(module, json.loads(args_json))


@functools.cache
def ansible_on_file(
    module: str, case_json: str, initial: bytes | None, key: str
) -> tuple[dict, bytes]:
    """Run ansible once per case (cached across shells): result and the file's bytes after."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "f"
        if initial is not None:
            path.write_bytes(initial)
        result = ansible_localhost(module, {**json.loads(case_json), key: str(path)})
        data = path.read_bytes() if path.is_file() else b""
        return result, data


def ours(shell: str, module: str, args: dict) -> dict:
    return run_under(shell, [LocalTask(module, args)]).results[0]


INITIAL = b"# comment\n\n  \nPort 22\n#PermitRootLogin yes\nPermitRootLogin yes\nListen 1\nListen 2\nlast line no eol"
LINEINFILE_CASES = [
    {"line": "PermitRootLogin no", "regexp": r"^#?PermitRootLogin"},
    {"line": "PermitRootLogin no", "regexp": r"^#?PermitRootLogin", "firstmatch": True},
    {"line": "Listen 3", "insertafter": r"^Listen"},
    {"line": "Listen 3", "insertafter": r"^Listen", "firstmatch": True},
    {"line": "Listen 0", "insertbefore": r"^Listen"},
    {"line": "top", "insertbefore": "BOF"},
    {"line": "new"},
    {"line": "Port 22"},
    {"line": "Port 22", "insertafter": "^Listen"},
    {"line": r"Port \1\1", "regexp": r"^Port (\d+)", "backrefs": True},
    {"line": "X", "regexp": r"^nomatch", "backrefs": True},
    {"state": "absent", "regexp": r"^Listen"},
    {"state": "absent", "search_string": "Root"},
    {"state": "absent", "line": "Port 22"},
    {"line": "S", "search_string": "Listen"},
    {"line": "P", "regexp": r"\s+2$"},
    {"line": "last line no eol"},
    {"line": "x", "insertafter": "^nomatch"},
    {"line": "Listen X", "regexp": r"^Listen [0-9]{1}$"},
    {"line": "after", "insertafter": r"^Listen \d{1,2}$", "firstmatch": True},
    {"line": r"Port \1", "regexp": r"^Port (\d{2})", "backrefs": True},
    {"line": "P", "regexp": r"(?:Permit){1}Root"},
    {"state": "absent", "regexp": r"^\s+$"},
    {"line": "eol", "regexp": r"eol\s*$"},
    {"line": "dot", "regexp": r"^Listen.$"},
    {"line": "neg", "regexp": r"^[^#]+$", "firstmatch": True},
]


@pytest.mark.parametrize("case", LINEINFILE_CASES, ids=lambda c: json.dumps(c))
def test_lineinfile_matches_ansible_file_bytes_changed_and_msg(case, shell, tmp_path):
    ours_path = tmp_path / "f"
    ours_path.write_bytes(INITIAL)
    want, theirs_bytes = ansible_on_file("lineinfile", json.dumps(case), INITIAL, "path")
    got = ours(shell, "lineinfile", {**case, "path": str(ours_path)})
    assert ours_path.read_bytes() == theirs_bytes
    assert (got["changed"], got["msg"]) == (want["changed"], want["msg"])


FILE_KEYS = ("changed", "state", "mode", "size", "owner", "group", "uid", "gid")


@pytest.mark.parametrize(
    "args",
    [
        {"state": "directory", "mode": "0750"},
        {"state": "touch", "mode": "u=rw,g=r,o="},
        {"state": "absent"},
        {"state": "link", "src": "/etc/hostname"},
    ],
    ids=lambda a: a["state"],
)
def test_file_results_match_ansible(args, shell, tmp_path):
    want = ansible_localhost(
        "file",
        {**args, "path": str(tmp_path / "a" if args["state"] != "touch" else tmp_path / "ta")},
    )
    got = ours(
        shell,
        "file",
        {**args, "path": str(tmp_path / "b" if args["state"] != "touch" else tmp_path / "tb")},
    )
    for key in FILE_KEYS:
        if key in want:
            assert got.get(key) == want[key], key
    assert ("dest" in got) == ("dest" in want) and ("src" in got) == ("src" in want)


def test_copy_results_and_bytes_match_ansible(shell, tmp_path):
    args = {"content": "line one\nline 'two' $HOME\n", "mode": "0640"}
    want = ansible_localhost("copy", {**args, "dest": str(tmp_path / "a")})
    got = ours(shell, "copy", {**args, "dest": str(tmp_path / "b")})
    assert (tmp_path / "a").read_bytes() == (tmp_path / "b").read_bytes()
    for key in ("changed", "checksum", "md5sum", "mode", "size", "state", "owner", "group"):
        assert got[key] == want[key], key
    again = ours(shell, "copy", {**args, "dest": str(tmp_path / "b")})
    assert again["changed"] is False
    remote = {"src": str(tmp_path / "a"), "remote_src": True}
    want = ansible_localhost("copy", {**remote, "dest": str(tmp_path / "c")})
    got = ours(shell, "copy", {**remote, "dest": str(tmp_path / "d")})
    assert got["md5sum"] == want["md5sum"]  # legacy key the copy target checks
    os.chmod(tmp_path / "a", 0o4751)
    keep = {**remote, "mode": "preserve"}
    want = ansible_localhost("copy", {**keep, "dest": str(tmp_path / "e")})
    got = ours(shell, "copy", {**keep, "dest": str(tmp_path / "f")})
    assert got["mode"] == want["mode"] == "04751"
    assert ours(shell, "copy", {**keep, "dest": str(tmp_path / "f")})["changed"] is False


@pytest.mark.parametrize(
    "module,args",
    [
        ("command", {"cmd": "printf 'a\\n\\nb\\n\\n'"}),
        ("command", {"cmd": "sh -c 'echo out; echo err >&2; exit 3'"}),
        ("shell", {"cmd": "echo $((1+2)) | tr 3 x"}),
        ("command", {"cmd": "echo hi", "creates": "/"}),
        ("command", {"cmd": "echo hi", "removes": "/nonexistent-edgeauto"}),
    ],
)
def test_command_results_match_ansible(module, args, shell):
    want = cached_ansible(module, json.dumps(args))
    got = ours(shell, module, args)
    for key in ("changed", "rc", "stdout", "stderr", "stdout_lines", "cmd", "msg"):
        assert got.get(key) == want.get(key), key
    # the tree callback drops 'failed'; a non-zero rc is what makes ansible's command fail
    assert bool(got.get("failed")) == (want.get("rc", 0) != 0)


# --- seeded random lineinfile calls on random files -------------------------------------

WORDS = ["alpha", "beta", "Port 22", "#Port 22", "key=1", "key = 2", "", "  indented", "x\r", "end"]
PATTERNS = [
    r"^Port",
    r"^#?Port\s",
    r"key\s*=",
    r"^$",
    r"a",
    r"^\s+",
    r"\d$",
    r"^(\w+)=(\d+)$",
    "",
    r"nomatch",
]


def random_case(rng: random.Random) -> tuple[bytes, dict]:
    lines = [rng.choice(WORDS) for _ in range(rng.randrange(0, 7))]
    data = "\n".join(lines).encode()
    if lines and rng.random() < 0.6:
        data += b"\n"
    state = "absent" if rng.random() < 0.2 else "present"
    case: dict = {"state": state}
    how = rng.choice(["regexp", "search_string", "line"])
    if how == "regexp":
        case["regexp"] = rng.choice(PATTERNS)
    elif how == "search_string":
        case["search_string"] = rng.choice(["Port", "key", "=", "zzz"])
    if state == "present" or how == "line":
        case["line"] = rng.choice(["Port 2222", "key=9", "new line", "alpha", r"\1=\2"])
    if state == "present":
        anchor = rng.choice([None, None, "insertafter", "insertbefore"])
        if anchor:
            case[anchor] = (
                rng.choice(["BOF", "EOF", r"^Port", r"key", r"^nomatch"])
                if anchor == "insertafter"
                else rng.choice(["BOF", r"^Port", r"key", r"^nomatch"])
            )
        if "regexp" in case and rng.random() < 0.3:
            case["backrefs"] = True
        if rng.random() < 0.3:
            case["firstmatch"] = True
    return data, case


RANDOM_CASES = [random_case(random.Random(seed)) for seed in range(24)]


@pytest.mark.parametrize("initial,case", RANDOM_CASES, ids=[json.dumps(c) for _, c in RANDOM_CASES])
def test_random_lineinfile_call_matches_ansible(initial, case, tmp_path):
    want, theirs_bytes = ansible_on_file("lineinfile", json.dumps(case), initial, "path")
    path = tmp_path / "f"
    path.write_bytes(initial)
    got = ours("dash", "lineinfile", {**case, "path": str(path)})
    assert path.read_bytes() == theirs_bytes, (initial, case)
    assert (got["changed"], got.get("msg")) == (want["changed"], want.get("msg"))


@pytest.mark.parametrize(
    "module,args",
    [
        ("lineinfile", {"path": "/nonexistent-edgeauto/f", "line": "x"}),
        ("lineinfile", {"path": "/tmp", "line": "x"}),
        ("lineinfile", {"path": "/nonexistent-edgeauto/f", "line": "x", "state": "absent"}),
        ("file", {"path": "/nonexistent-edgeauto/f"}),
        ("file", {"path": "/tmp", "state": "file"}),
    ],
    ids=str,
)
def test_failure_messages_match_ansible(module, args, shell):
    want = cached_ansible(module, json.dumps(args))
    got = ours(shell, module, args)
    assert got.get("msg") == want.get("msg")
    assert got.get("rc") == want.get("rc")
    assert got["changed"] == want["changed"]
