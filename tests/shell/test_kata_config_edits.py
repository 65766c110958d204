"""The two config edits of kata_runtime, as pure text transforms under dash and BusyBox sh
(only BusyBox applets on PATH): daemon.json's ``runtimes.NAME`` spliced by the awk JSON scanner
of ``remote/jsonobj.sh`` (every other byte kept), and the ``imports`` line of containerd's
config.toml. No daemon and no system file is touched: input and output are temp files."""

import json
import subprocess
import tomllib

import pytest

from edgeauto.remote.builder import REMOTE_DIR
from edgeauto.remote.localrun import SHELLS, busybox_path_dir

ENTRY = '{"runtimeType": "io.containerd.kata.v2"}'


def run_sh(shell, tmp_path, body: str) -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
    if shell == "busybox":
        env["PATH"] = str(busybox_path_dir(tmp_path))
    script = f". {REMOTE_DIR / 'jsonobj.sh'}\n. {REMOTE_DIR / 'kata_runtime.sh'}\n" + body
    return subprocess.run(SHELLS[shell], input=script, capture_output=True, text=True, env=env)


def merge(shell, tmp_path, before: str | None, entry: str = ENTRY) -> tuple[str, str]:
    """Set runtimes.kata to ``entry`` ("" removes it); (status, new content)."""
    src, out = tmp_path / "daemon.json", tmp_path / "out.json"
    if before is not None:
        src.write_text(before)
    elif src.exists():
        src.unlink()
    proc = run_sh(shell, tmp_path, f"ea__json_set_member '{src}' runtimes kata '{entry}' '{out}'")
    return proc.stdout.strip(), out.read_text()


CASES = {
    "missing file": (None, {"runtimes": {"kata": json.loads(ENTRY)}}),
    "blank file": ("\n", {"runtimes": {"kata": json.loads(ENTRY)}}),
    "empty object": ("{}\n", {"runtimes": {"kata": json.loads(ENTRY)}}),
    "one-line file": ('{"cgroup-parent": "/x"}\n', None),
    "indented file": (
        '{\n  "log-driver": "json-file",\n  "log-opts": {"max-size": "10m"}\n}\n',
        None,
    ),
    "other runtimes": ('{\n\t"runtimes": {\n\t\t"runsc": {"path": "/usr/bin/runsc"}\n\t}\n}', None),
    "empty runtimes": ('{"runtimes": {}, "debug": true}', None),
    "old kata entry": ('{"runtimes": {"kata": {"path": "/old"}}}', None),
    "tricky strings": ('{"labels": ["a}b", "c\\"{d"], "x": {"runtimes": 1}}', None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_daemon_json_merge_sets_only_runtimes_kata(shell, tmp_path, case):
    before, expected = CASES[case]
    status, after = merge(shell, tmp_path, before)
    assert status == "changed"
    doc = json.loads(after)
    if expected is None:
        old = json.loads(before)
        expected = {**old, "runtimes": {**old.get("runtimes", {}), "kata": json.loads(ENTRY)}}
    assert doc == expected
    assert list(doc) == list(expected)  # member order kept, runtimes appended
    # converged: the same call on its own output changes nothing, byte for byte
    (tmp_path / "again.json").write_text(after)
    status, again = merge(shell, tmp_path, after)
    assert status == "same" and again == after


def test_daemon_json_merge_keeps_every_other_byte(shell, tmp_path):
    before = '{\n    "storage-driver": "overlay2",   \n    "x": [1,2 , 3]\n}'  # no final newline
    status, after = merge(shell, tmp_path, before)
    assert status == "changed"
    insert = ',\n    "runtimes": {\n        "kata": ' + ENTRY + "\n    }"
    assert after == before[: before.index("]") + 1] + insert + before[before.index("]") + 1 :]


def test_daemon_json_value_compares_ignoring_whitespace_and_keeps_backslashes(shell, tmp_path):
    before = '{"runtimes": {"kata": {\n  "path" : "/a\\\\b"\n}}}\n'
    status, after = merge(shell, tmp_path, before, '{"path": "/a\\\\b"}')
    assert (status, after) == ("same", before)


@pytest.mark.parametrize(
    "bad, why",
    [
        ('{"a": }', 'unexpected "}"'),
        ("[1, 2]", "the top level is not an object"),
        ('{"runtimes": "kata"}', 'member "runtimes" is not an object'),
        ('{"a": 1} {"b": 2}', "text after the top-level object"),
        ('{"a": "open', "unterminated string"),
    ],
)
def test_daemon_json_that_is_not_json_is_refused_with_the_byte(shell, tmp_path, bad, why):
    status, _ = merge(shell, tmp_path, bad)
    assert status.startswith("error ") and why in status and " at byte " in status


def imports(shell, tmp_path, before: str | None, schema: int = 2) -> tuple[str, str]:
    src, out = tmp_path / "config.toml", tmp_path / "out.toml"
    src.write_text(before or "")
    body = (
        f"awk -v path=/etc/containerd/conf.d/kata.toml -v schema={schema} -v out='{out}' "
        f"\"$ea__kata_imports_awk\" '{src if before is not None else '/dev/null'}'"
    )
    proc = run_sh(shell, tmp_path, body)
    return proc.stdout.strip(), out.read_text() if out.exists() else ""


KATA = "/etc/containerd/conf.d/kata.toml"
DEBIAN = 'version = 2\n\n[plugins]\n  [plugins."io.containerd.internal.v1.opt"]\n    path = "/x"\n'


@pytest.mark.parametrize(
    "before, imported",
    [
        (None, [KATA]),
        (DEBIAN, [KATA]),
        ('imports = ["/etc/a.toml"]\nversion = 2\n', [KATA, "/etc/a.toml"]),
        ("version = 2\nimports = []\n", [KATA]),
        ('version = 2\nimports = [\n  "/etc/a.toml",\n  "/etc/b.toml"\n]\n[x]\n', None),
        ('disabled_plugins = ["cri"]\n[plugins]\n', [KATA]),
    ],
)
def test_containerd_imports_line_is_added_or_extended(shell, tmp_path, before, imported):
    status, after = imports(shell, tmp_path, before)
    assert status == "changed"
    doc = tomllib.loads(after)
    assert doc["imports"] == (imported or [KATA, "/etc/a.toml", "/etc/b.toml"])
    if before:
        old = tomllib.loads(before)
        assert {k: v for k, v in doc.items() if k != "imports"} == {
            k: v for k, v in old.items() if k != "imports"
        }
    else:
        assert doc["version"] == 2
    status, _ = imports(shell, tmp_path, after)
    assert status == "same"


@pytest.mark.parametrize("case", sorted(CASES))
def test_daemon_json_removal_undoes_the_merge_byte_for_byte(shell, tmp_path, case):
    before, _ = CASES[case]
    if before is None or not before.strip() or before.strip() == "{}":
        return  # nothing to give back: a new file, or an object without other members
    if '"kata"' in before:
        return  # the file had an entry of its own before: removal cannot know its old value
    _, merged = merge(shell, tmp_path, before)
    status, removed = merge(shell, tmp_path, merged, "")
    assert status == "changed"
    old = json.loads(before)
    if old.get("runtimes") == {}:
        assert json.loads(removed) == {k: v for k, v in old.items() if k != "runtimes"}
    else:
        assert removed == before
    status, again = merge(shell, tmp_path, removed, "")
    assert (status, again) == ("same", removed)


def test_daemon_json_removal_keeps_other_runtimes(shell, tmp_path):
    before = (
        '{\n  "runtimes": {\n    "kata": {"path": "/k"},\n    "runsc": {"path": "/r"}\n  }\n}\n'
    )
    status, after = merge(shell, tmp_path, before, "")
    assert status == "changed"
    assert after == '{\n  "runtimes": {\n    "runsc": {"path": "/r"}\n  }\n}\n'


def remove_import(shell, tmp_path, before: str) -> tuple[str, str]:
    src, out = tmp_path / "config.toml", tmp_path / "out.toml"
    src.write_text(before)
    out.write_text("")
    body = (
        f"awk -v path=/etc/containerd/conf.d/kata.toml -v schema=2 -v out='{out}' "
        f"-v mode=remove \"$ea__kata_imports_awk\" '{src}'"
    )
    proc = run_sh(shell, tmp_path, body)
    return proc.stdout.strip(), out.read_text()


@pytest.mark.parametrize(
    "before",
    [
        DEBIAN,
        'imports = ["/etc/a.toml"]\nversion = 2\n',
        'version = 2\nimports = [\n  "/etc/a.toml",\n  "/etc/b.toml"\n]\n[x]\n',
        'disabled_plugins = ["cri"]\n[plugins]\n',
    ],
)
def test_containerd_imports_removal_undoes_the_edit(shell, tmp_path, before):
    _, added = imports(shell, tmp_path, before)
    status, removed = remove_import(shell, tmp_path, added)
    assert status == "changed" and removed == before
    assert remove_import(shell, tmp_path, removed)[0] == "same"
