"""The xfer group's modules (raw, script, wait_for, get_url, uri, unarchive) run as compiled
scripts on this machine under dash and BusyBox sh (BusyBox applets only on PATH): real run,
check mode predicting it, second run unchanged. HTTP tests use a server on 127.0.0.1."""

from __future__ import annotations

import pytest

from edgeauto.remote.localrun import LocalTask

from .harness import run_under


def run1(shell, module, args, check=False, diff=False, ok=True, **kw):
    out = run_under(shell, [LocalTask(module, args, check=check, diff=diff, **kw)])
    result = out.results[0]
    if ok:
        assert not result.get("failed"), (result, out.stderr)
    return result


# ---------------------------------------------------------------- raw


def test_raw_runs_the_text_with_the_shell_and_keeps_output_exact(shell):
    result = run1(shell, "raw", {"_raw_params": "echo out; echo err >&2; printf 'x\\n\\n'"})
    assert result["changed"] is True and result["rc"] == 0
    assert result["stdout"] == "out\nx\n\n" and result["stdout_lines"] == ["out", "x", ""]
    assert result["stderr"] == "err\n"


def test_raw_non_zero_fails_like_ansible(shell):
    result = run1(shell, "raw", {"_raw_params": "echo no; exit 3"}, ok=False)
    assert result["failed"] is True and result["rc"] == 3
    assert result["msg"] == "non-zero return code" and result["stdout"] == "no\n"


def test_raw_is_skipped_in_check_mode(shell, tmp_path):
    marker = tmp_path / "m"
    result = run1(shell, "raw", {"_raw_params": f"touch {marker}"}, check=True)
    assert result == {"changed": False, "skipped": True}
    assert not marker.exists()


def test_raw_executable(shell):
    result = run1(shell, "raw", {"_raw_params": "echo $0", "executable": "/bin/sh"})
    assert result["stdout"] == "/bin/sh\n"


# ---------------------------------------------------------------- script


@pytest.fixture
def local_script(tmp_path):
    path = tmp_path / "my script.sh"
    path.write_text('#!/bin/sh\necho "args:$#:$1:$2"\necho "$PWD" >&2\ntouch "$3"\n')
    return path


def test_script_runs_with_its_arguments_then_creates_guards_it(shell, tmp_path, local_script):
    marker = tmp_path / "done"
    cmd = f"'{local_script}' 'a b' c {marker}"
    args = {"cmd": cmd, "creates": str(marker), "chdir": str(tmp_path)}
    predicted = run1(shell, "script", args, check=True)
    assert predicted == {"changed": True}
    first = run1(shell, "script", args)
    assert first["changed"] is True and first["rc"] == 0
    assert first["stdout"] == "args:3:a b:c\n" and first["stderr"] == f"{tmp_path}\n"
    assert marker.exists()
    second = run1(shell, "script", args)
    assert second["changed"] is False and second["skipped"] is True
    assert second["msg"] == f"{marker} exists, matching creates option"
    assert run1(shell, "script", args, check=True)["skipped"] is True


def test_script_unguarded_is_skipped_in_check_mode(shell, local_script):
    result = run1(shell, "script", {"cmd": f"'{local_script}' x y /nonexistent/z"}, check=True)
    assert result == {
        "changed": False,
        "skipped": True,
        "msg": "Check mode is not supported for this task.",
    }


def test_script_removes_and_failure(shell, tmp_path):
    path = tmp_path / "fail.sh"
    path.write_text("echo bad; exit 4\n")  # no #! line: run by sh
    assert run1(shell, "script", {"cmd": str(path), "removes": str(tmp_path / "x")})["skipped"]
    result = run1(shell, "script", {"cmd": str(path)}, ok=False)
    assert result["rc"] == 4 and result["msg"] == "non-zero return code"
    assert result["stdout"] == "bad\n"


def test_script_executable(shell, tmp_path):
    path = tmp_path / "s"
    path.write_text("echo $#\n")
    assert run1(shell, "script", {"cmd": f"{path} 1 2", "executable": "sh"})["stdout"] == "2\n"


# ---------------------------------------------------------------- wait_for


@pytest.fixture
def banner_port():
    """A TCP server on 127.0.0.1 (a free port the kernel picks) that sends a banner and then
    holds the connection open, like sshd; stopped after the test."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    stop = threading.Event()
    held = []

    def serve():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            try:
                conn.sendall(b"noise\nSSH-2.0-Test_9.2 ready\n")
            except OSError:
                pass
            held.append(conn)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], held
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    server.close()


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_wait_for_an_open_port_and_its_banner(shell, banner_port):
    port, _ = banner_port
    result = run1(shell, "wait_for", {"port": port, "timeout": 10})
    assert result["changed"] is False and result["state"] == "started"
    assert result["port"] == port and isinstance(result["elapsed"], int)
    args = {"port": port, "search_regex": r"SSH-(\d+)\.(?P<minor>\d+)-", "timeout": 10}
    result = run1(shell, "wait_for", args)
    assert result["match_groups"] == ["2", "0"] and result["match_groupdict"] == {"minor": "0"}


def test_wait_for_a_closed_port_times_out_or_is_stopped(shell):
    port = free_port()
    assert run1(shell, "wait_for", {"port": port, "state": "stopped", "timeout": 5})["elapsed"] >= 0
    result = run1(shell, "wait_for", {"port": port, "timeout": 2, "sleep": 1}, ok=False)
    assert result["failed"] is True
    assert result["msg"] == f"Timeout when waiting for 127.0.0.1:{port}"
    result = run1(shell, "wait_for", {"port": port, "timeout": 1, "msg": "no app"}, ok=False)
    assert result["msg"] == "no app"


def test_wait_for_a_file_and_a_string_in_it_and_for_absence(shell, tmp_path):
    log = tmp_path / "app.log"
    log.write_text("booting\napp started in 42 ms\n")
    result = run1(shell, "wait_for", {"path": str(log), "search_regex": r"started in (\d+) ms"})
    assert result["match_groups"] == ["42"] and result["path"] == str(log)
    result = run1(
        shell, "wait_for", {"path": str(log), "search_regex": "never", "timeout": 1}, ok=False
    )
    assert result["msg"] == f"Timeout when waiting for search string never in {log}"
    assert run1(shell, "wait_for", {"path": str(tmp_path / "gone"), "state": "absent"})
    result = run1(shell, "wait_for", {"path": str(log), "state": "absent", "timeout": 1}, ok=False)
    assert result["msg"] == f"Timeout when waiting for {log} to be absent."


def test_wait_for_drained(shell, banner_port):
    import socket

    port, _ = banner_port
    assert run1(shell, "wait_for", {"port": port, "state": "drained", "timeout": 5})
    with socket.create_connection(("127.0.0.1", port)):
        args = {"port": port, "state": "drained", "timeout": 1}
        result = run1(shell, "wait_for", args, ok=False)
        assert result["msg"] == f"Timeout when waiting for 127.0.0.1:{port} to drain"
        args["exclude_hosts"] = ["127.0.0.1"]
        assert run1(shell, "wait_for", args)["state"] == "drained"
        # only connections to the given local address count (0.0.0.0: any, as Ansible)
        other = {"host": "127.0.0.2", "port": port, "state": "drained", "timeout": 1}
        assert run1(shell, "wait_for", other)["state"] == "drained"
        anyone = dict(other, host="0.0.0.0")
        assert run1(shell, "wait_for", anyone, ok=False)["failed"] is True


def test_wait_for_is_skipped_in_check_mode_and_sleeps_without_target(shell, tmp_path):
    result = run1(shell, "wait_for", {"path": str(tmp_path / "x")}, check=True)
    assert result["skipped"] is True and "check mode" in result["msg"]
    assert run1(shell, "wait_for", {"timeout": 1})["elapsed"] >= 1


def test_wait_for_refuses_bad_combinations():
    from edgeauto.errors import ModuleArgumentError
    from edgeauto.modules.registry import get_module

    module = get_module("wait_for")
    for args, why in [
        ({"port": 1, "path": "/x"}, "can not both"),
        ({"path": "/x", "state": "stopped"}, "only be used for checking a port"),
        ({"port": 1, "exclude_hosts": ["10.0.0.1"]}, "only be with state=drained"),
        ({"port": 1, "state": "drained", "active_connection_states": ["BOGUS"]}, "unknown"),
        ({"path": "/x", "search_regex": "(?<=a)b"}, "no POSIX"),
    ]:
        with pytest.raises(ModuleArgumentError, match=why):
            module.validate(args)


# ---------------------------------------------------------------- get_url


@pytest.fixture(scope="module")
def web():
    from .xfer_http import Server

    with Server() as base:
        yield base


def converge(shell, module, args, **kw):
    """check → real → real again → check again: check predicts the real run, then nothing."""
    predicted = run1(shell, module, args, check=True, **kw)
    first = run1(shell, module, args, **kw)
    second = run1(shell, module, args, **kw)
    after = run1(shell, module, args, check=True, **kw)
    assert predicted["changed"] is first["changed"] is True, (predicted, first)
    assert second["changed"] is False and after["changed"] is False, (second, after)
    return first, second


def test_get_url_downloads_atomically_and_converges(shell, tmp_path, web):
    import hashlib

    from .xfer_http import FILES

    dest = tmp_path / "app.bin"
    args = {"url": f"{web}/files/app.bin", "dest": str(dest), "mode": "0640", "force": True}
    first, second = converge(shell, "get_url", args)
    assert dest.read_bytes() == FILES["app.bin"] and oct(dest.stat().st_mode)[-3:] == "640"
    assert first["status_code"] == 200 and first["msg"] == f"OK ({len(FILES['app.bin'])} bytes)"
    assert first["checksum_src"] == hashlib.sha1(FILES["app.bin"]).hexdigest()
    assert first["md5sum"] == hashlib.md5(FILES["app.bin"]).hexdigest()
    assert first["dest"] == str(dest) and first["size"] == len(FILES["app.bin"])
    assert second["checksum_dest"] == second["checksum_src"]


def test_get_url_keeps_an_existing_file_unless_forced_or_checksum_differs(shell, tmp_path, web):
    import hashlib

    from .xfer_http import FILES

    dest = tmp_path / "notes.txt"
    dest.write_text("local\n")
    result = run1(shell, "get_url", {"url": f"{web}/files/notes.txt", "dest": str(dest)})
    assert result["changed"] is False and result["msg"] == "file already exists"
    assert dest.read_text() == "local\n"
    digest = hashlib.sha256(FILES["notes.txt"]).hexdigest()
    args = {"url": f"{web}/files/notes.txt", "dest": str(dest), "checksum": f"sha256:{digest}"}
    first, _ = converge(shell, "get_url", args)
    assert dest.read_bytes() == FILES["notes.txt"]
    # the checksum from a sums file, found by the URL's file name
    args["checksum"] = f"sha256:{web}/SHA256SUMS"
    assert run1(shell, "get_url", args)["changed"] is False
    args["dest"] = str(tmp_path / "n2")
    assert run1(shell, "get_url", args)["changed"] is True


def test_get_url_into_a_directory_names_the_file(shell, tmp_path, web):
    result = run1(shell, "get_url", {"url": f"{web}/cd", "dest": str(tmp_path)})
    assert result["dest"] == str(tmp_path / "named.txt") and result["changed"] is True
    result = run1(shell, "get_url", {"url": f"{web}/files/app.bin?x=1", "dest": str(tmp_path)})
    assert result["dest"] == str(tmp_path / "app.bin")
    again = run1(shell, "get_url", {"url": f"{web}/files/app.bin?x=1", "dest": str(tmp_path)})
    assert again["changed"] is False


def test_get_url_failures(shell, tmp_path, web):
    dest = str(tmp_path / "x")
    result = run1(shell, "get_url", {"url": f"{web}/status/404", "dest": dest}, ok=False)
    assert result["msg"] == "Request failed" and result["status_code"] == 404
    bad = {"url": f"{web}/files/notes.txt", "dest": dest, "checksum": "sha1:" + "0" * 40}
    result = run1(shell, "get_url", bad, ok=False)
    assert "did not match" in result["msg"]
    assert not (tmp_path / "x").exists()
    auth = {"url": f"{web}/auth", "dest": dest, "url_username": "user", "url_password": "s3cret"}
    assert run1(shell, "get_url", auth)["changed"] is True


def test_get_url_refuses_bad_checksums():
    from edgeauto.errors import ModuleArgumentError
    from edgeauto.modules.registry import get_module

    module = get_module("get_url")
    for checksum, why in [("abc", "format <algorithm>:<checksum>"), ("sha1:xyz!", "invalid")]:
        with pytest.raises(ModuleArgumentError, match=why):
            module.validate({"url": "http://h/f", "dest": "/tmp/f", "checksum": checksum})


@pytest.fixture
def gnu_wget_path(tmp_path):
    """A PATH of BusyBox applets where wget is GNU wget (and no curl)."""
    import shutil

    from edgeauto.remote.localrun import busybox_path_dir

    if (
        not shutil.which("wget")
        or "GNU"
        not in __import__("subprocess")
        .run(["wget", "--version"], capture_output=True, text=True)
        .stdout
    ):
        pytest.skip("GNU wget is not installed")
    bindir = busybox_path_dir(tmp_path / "bb")
    (bindir / "wget").unlink()
    (bindir / "wget").symlink_to(shutil.which("wget"))
    return str(bindir)


def test_get_url_with_gnu_wget(tmp_path, web, gnu_wget_path):
    dest = tmp_path / "notes.txt"
    env = {"PATH": gnu_wget_path}
    args = {"url": f"{web}/redirect", "dest": str(dest), "force": True}
    first, _ = converge("dash", "get_url", args, environment=env)
    assert dest.read_text() == "line one\nline two\n"
    args = {"url": f"{web}/status/500", "dest": str(tmp_path / "y")}
    result = run1("dash", "get_url", args, ok=False, environment=env)
    assert result["msg"] == "Request failed" and result["status_code"] == 500


# ---------------------------------------------------------------- uri


def test_uri_get_json_and_headers(shell, web):
    result = run1(shell, "uri", {"url": f"{web}/api", "headers": {"X-Test": "t1"}})
    assert result["status"] == 200 and result["changed"] is False
    assert result["json"]["method"] == "GET" and result["json"]["x_test"] == "t1"
    assert result["x_reply"] == "yes" and result["content_type"] == "application/json"
    assert result["url"] == f"{web}/api" and result["redirected"] is False
    assert "content" not in result and result["msg"].startswith("OK (")


def test_uri_post_json_and_form_bodies(shell, web):
    args = {"url": f"{web}/api", "method": "POST", "body_format": "json", "body": {"a": [1, 2]}}
    reply = run1(shell, "uri", args)["json"]
    assert reply["body"] == '{"a": [1, 2]}' and reply["ctype"] == "application/json"
    args = {"url": f"{web}/api", "method": "POST", "body_format": "form-urlencoded"}
    args["body"] = {"name": "x y", "n": "1"}
    reply = run1(shell, "uri", args, ok=True)["json"]
    assert reply["body"] == "name=x+y&n=1"
    assert reply["ctype"] == "application/x-www-form-urlencoded"


def test_uri_methods_beyond_post_need_curl_or_gnu_wget(shell, web):
    args = {"url": f"{web}/api", "method": "PUT", "body": "raw text", "return_content": True}
    if shell == "busybox":  # BusyBox wget only
        result = run1(shell, "uri", args, ok=False)
        assert "only send GET and POST" in result["msg"]
        return
    result = run1(shell, "uri", args)
    assert result["json"]["method"] == "PUT" and result["json"]["body"] == "raw text"
    assert '"PUT"' in result["content"]


def test_uri_status_codes_redirects_and_failures(shell, web):
    result = run1(shell, "uri", {"url": f"{web}/status/404"}, ok=False)
    assert result["status"] == 404
    assert result["msg"].startswith("Status code was 404 and not [200]: HTTP Error 404")
    assert run1(shell, "uri", {"url": f"{web}/status/201", "status_code": [200, 201]})
    result = run1(shell, "uri", {"url": f"{web}/redirect", "return_content": True})
    assert result["redirected"] is True and result["url"] == f"{web}/files/notes.txt"
    assert result["content"] == "line one\nline two\n"
    if shell != "busybox":  # BusyBox wget always follows
        result = run1(
            shell,
            "uri",
            {"url": f"{web}/redirect", "follow_redirects": "none", "status_code": [302]},
        )
        assert result["status"] == 302 and result["location"] == f"{web}/files/notes.txt"


def test_uri_dest_creates_and_check_mode(shell, tmp_path, web):
    dest = tmp_path / "notes.txt"
    args = {"url": f"{web}/files/notes.txt", "dest": str(dest), "mode": "0600"}
    assert run1(shell, "uri", args, check=True)["skipped"] is True and not dest.exists()
    first = run1(shell, "uri", args)
    assert first["changed"] is True and first["path"] == str(dest)
    assert dest.read_text() == "line one\nline two\n" and oct(dest.stat().st_mode)[-3:] == "600"
    assert run1(shell, "uri", args)["changed"] is False
    guarded = {"url": f"{web}/status/500", "creates": str(dest)}
    assert run1(shell, "uri", guarded) == {
        "changed": False,
        "stdout": f"skipped, since '{dest}' exists",
    }


def test_uri_with_delegate_to_localhost_runs_on_the_controller(tmp_path, web):
    import textwrap

    from edgeauto.output.reporter import Reporter
    from edgeauto.planner.options import RunOptions
    from edgeauto.planner.run import Run

    class Rec(Reporter):
        def __init__(self):
            super().__init__()
            self.results = []

        def task_result(self, res):
            self.results.append(res)

    inventory = tmp_path / "hosts.ini"
    inventory.write_text("device ansible_connection=local\n")
    book = tmp_path / "site.yml"
    book.write_text(
        textwrap.dedent(
            f"""
            - hosts: device
              gather_facts: false
              tasks:
                - name: ask
                  uri: {{url: "{web}/api", method: POST, body_format: json, body: {{a: 1}}}}
                  delegate_to: localhost
                  register: r
                - assert: {{that: ["r.json.body == '{{\\"a\\": 1}}'"]}}
                  delegate_to: localhost
            """
        )
    )
    rec = Rec()
    result = Run([book], RunOptions(inventory_sources=[str(inventory)]), rec).execute()
    assert result.exit_code == 0, [r.result for r in rec.results]
    assert rec.results[0].result["status"] == 200


# ---------------------------------------------------------------- unarchive

MEMBERS = {"app/": None, "app/bin/run.sh": b"#!/bin/sh\necho run\n", "app/README.md": b"read\n"}


def make_archive(path, kind: str):
    """An archive of MEMBERS with fixed mtimes (tar modes 0755 for run.sh, 0644 else)."""
    import io
    import tarfile
    import zipfile

    stamp = 1_700_000_000
    if kind == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in MEMBERS.items():
                info = zipfile.ZipInfo(name, date_time=(2023, 11, 14, 22, 13, 20))
                info.external_attr = ((0o40755 if data is None else 0o100644) << 16) | (
                    0x10 if data is None else 0
                )
                archive.writestr(info, b"" if data is None else data)
        return path
    mode = {"tar": "w", "tgz": "w:gz", "tbz2": "w:bz2", "txz": "w:xz"}[kind]
    with tarfile.open(path, mode) as archive:
        for name, data in MEMBERS.items():
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime = stamp
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                archive.addfile(info)
            else:
                info.size, info.mode = len(data), 0o755 if name.endswith(".sh") else 0o644
                archive.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["tgz", "zip", "tbz2", "txz", "tar"])
def test_unarchive_converges(shell, tmp_path, kind):
    archive = make_archive(tmp_path / f"a.{kind}", kind)
    dest = tmp_path / "dest"
    dest.mkdir(mode=0o751)
    dest.chmod(0o751)
    args = {"src": str(archive), "dest": str(dest), "list_files": True}
    first, second = converge(shell, "unarchive", args)
    assert (dest / "app/bin/run.sh").read_bytes() == MEMBERS["app/bin/run.sh"]
    assert set(f.rstrip("/").removeprefix("./") for f in first["files"]) >= {
        "app",
        "app/bin/run.sh",
        "app/README.md",
    }
    handler = {"tgz": "TgzArchive", "zip": "ZipArchive", "tbz2": "TarBzipArchive"}
    assert first["handler"] == handler.get(kind, first["handler"])
    assert first["dest"] == str(dest) and first["state"] == "directory"
    assert first["mode"] == "0751"  # dest itself keeps its mode
    # a member changed in dest is a difference: put back
    (dest / "app/README.md").write_text("local edit\n")
    assert run1(shell, "unarchive", args, check=True)["changed"] is True
    assert run1(shell, "unarchive", args)["changed"] is True
    assert (dest / "app/README.md").read_bytes() == b"read\n"


def test_unarchive_keep_newer_exclude_mode_and_remote_src(shell, tmp_path):
    import os

    archive = make_archive(tmp_path / "a.tgz", "tgz")
    dest = tmp_path / "dest"
    dest.mkdir()
    args = {"src": str(archive), "dest": str(dest), "remote_src": True, "exclude": ["*.md"]}
    converge(shell, "unarchive", args)
    assert not (dest / "app/README.md").exists() and (dest / "app/bin/run.sh").exists()
    (dest / "app/bin/run.sh").write_text("newer local\n")  # mtime: now > archive's
    keep = dict(args, keep_newer=True)
    # as Ansible: tar --diff still sees the newer file (changed, every run), it is kept
    for _ in range(2):
        assert run1(shell, "unarchive", keep)["changed"] is True
        assert (dest / "app/bin/run.sh").read_text() == "newer local\n"
    if shell == "busybox":  # BusyBox unzip drops the members' mtimes: newer cannot be told
        return
    zipped = make_archive(tmp_path / "a.zip", "zip")
    zdest = tmp_path / "zdest"
    zdest.mkdir()
    zargs = {"src": str(zipped), "dest": str(zdest), "remote_src": True, "keep_newer": True}
    converge(shell, "unarchive", zargs)
    (zdest / "app/bin/run.sh").write_text("newer local\n")
    assert run1(shell, "unarchive", zargs)["changed"] is False  # zip: Ansible excludes it
    assert (zdest / "app/bin/run.sh").read_text() == "newer local\n"
    os.utime(dest / "app/bin/run.sh", (1, 1))
    assert run1(shell, "unarchive", keep)["changed"] is True
    modes = {"src": str(archive), "dest": str(dest), "include": ["app/bin/*"], "mode": "0700"}
    converge(shell, "unarchive", modes)
    assert oct((dest / "app/bin/run.sh").stat().st_mode)[-3:] == "700"


def test_unarchive_skips_and_fails_like_ansible(shell, tmp_path, web):
    archive = make_archive(tmp_path / "a.zip", "zip")
    result = run1(
        shell, "unarchive", {"src": str(archive), "dest": str(tmp_path), "creates": str(archive)}
    )
    assert result == {"changed": False, "skipped": True, "msg": f"skipped, since {archive} exists"}
    result = run1(shell, "unarchive", {"src": str(archive), "dest": str(tmp_path / "no")}, ok=False)
    assert result["msg"] == f"Destination '{tmp_path / 'no'}' is not a directory"
    empty = tmp_path / "empty.tar"
    empty.write_bytes(b"")
    result = run1(shell, "unarchive", {"src": str(empty), "dest": str(tmp_path)}, ok=False)
    assert "the file is 0 bytes" in result["msg"]


def test_unarchive_refuses_a_url_without_remote_src():
    from edgeauto.errors import ModuleArgumentError
    from edgeauto.modules.registry import get_module

    with pytest.raises(ModuleArgumentError, match="only supported when remote_src"):
        get_module("unarchive").validate({"src": "https://h/a.tgz", "dest": "/opt"})


def test_a_no_log_option_masks_the_script_dump(tmp_path, web):
    """url_password travels (as an Authorization header) inside the script: the script
    shown at -vvvv must not hold it."""
    import base64
    import textwrap

    from edgeauto.output.reporter import Reporter
    from edgeauto.planner.options import RunOptions
    from edgeauto.planner.run import Run

    class Rec(Reporter):
        def __init__(self):
            super().__init__()
            self.scripts, self.results = [], []

        def script_ran(self, host, info, count):
            self.scripts.append((info.script, info.shown_script()))

        def task_result(self, res):
            self.results.append(res)

    inventory = tmp_path / "hosts.ini"
    inventory.write_text("device ansible_connection=local\n")
    book = tmp_path / "site.yml"
    book.write_text(
        textwrap.dedent(
            f"""
            - hosts: device
              gather_facts: false
              tasks:
                - uri: {{url: "{web}/auth", url_username: user, url_password: s3cret}}
            """
        )
    )
    rec = Rec()
    result = Run([book], RunOptions(inventory_sources=[str(inventory)]), rec).execute()
    assert result.exit_code == 0, [r.result for r in rec.results]
    secret = base64.b64encode(b"user:s3cret")
    (script, shown), *_ = rec.scripts
    assert secret in script and secret not in shown and b"s3cret" not in shown


def test_unarchive_of_a_zip_without_unzip_fails_with_ansibles_reason(tmp_path):
    """ansible-core's unarchive target hides unzip from PATH and searches the message for
    'Unable to find required' (its handler's reason): a PATH of every tool but unzip/zipinfo."""
    import os
    import shutil

    tools = tmp_path / "bin"
    tools.mkdir()
    for folder in ("/usr/local/bin", "/usr/bin", "/bin"):
        for name in os.listdir(folder) if os.path.isdir(folder) else ():
            if name not in ("unzip", "zipinfo") and not (tools / name).exists():
                (tools / name).symlink_to(os.path.join(folder, name))
    assert shutil.which("unzip", path=str(tools)) is None
    archive = make_archive(tmp_path / "a.zip", "zip")
    (tmp_path / "dest").mkdir()
    args = {"src": str(archive), "dest": str(tmp_path / "dest"), "remote_src": True}
    result = run1("dash", "unarchive", args, ok=False, environment={"PATH": str(tools)})
    assert result["failed"] and result["msg"].startswith(f'Failed to find handler for "{archive}"')
    assert "Unable to find required 'unzip' or 'zipinfo' binary in the path" in result["msg"]
    assert os.listdir(tmp_path / "dest") == []
