"""The xfer group's modules on real lab hosts over SSH (debian systemd hosts and the BusyBox
device): real run, check mode predicting it, second run unchanged, bad arguments refused
before anything runs."""

from __future__ import annotations

import textwrap

import pytest

from edgeauto.errors import EXIT_OK, ValidationError
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run
from tests.integration.recorder import Recorder

pytestmark = pytest.mark.lab


def play(tmp_path, inventory, host, text, **options):
    """Run a playbook on one lab host; (exit code, {task name: TaskResult})."""
    path = tmp_path / "site.yml"
    path.write_text(textwrap.dedent(text))
    rec = Recorder()
    run = Run([path], RunOptions(inventory_sources=[str(inventory)], limit=[host], **options), rec)
    result = run.execute()
    return result.exit_code, rec.by_name(host)


def statuses(results: dict) -> dict:
    return {name: r.status for name, r in results.items()}


RAW_SCRIPT = """
- hosts: all
  gather_facts: false
  tasks:
    - name: raw
      raw: echo "raw on $(uname -s)"; echo warn >&2
      register: r
    - name: raw check false
      raw: mkdir -p {base}
      check_mode: false
    - name: script
      script: hello.sh "a b" {base}/ran
      args:
        creates: "{base}/ran"
      register: s
    - name: show
      debug: {{msg: "{{{{ r.stdout_lines | default([]) }}}} {{{{ s.stdout | default('') }}}}"}}
"""


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_raw_and_script_run_and_script_converges(tmp_path, lab_inventory, lab_hosts, flavor):
    host = next(h for h in lab_hosts if h.flavor == flavor)
    base = f"/tmp/xfer-raw-script-{flavor}"
    host.run(f"rm -rf {base}")
    (tmp_path / "hello.sh").write_text('#!/bin/sh\necho "hello $1"\ntouch "$2"\n')
    text = RAW_SCRIPT.format(base=base)
    try:
        rc, check = play(tmp_path, lab_inventory, host.name, text, check=True)
        assert rc == EXIT_OK, {n: r.result for n, r in check.items()}
        assert check["raw"].status == "skipped"
        assert check["raw check false"].status == "changed"
        assert check["script"].status == "changed"  # creates given: predicted to run
        assert host.run(f"test -e {base}/ran").returncode != 0
        rc, real = play(tmp_path, lab_inventory, host.name, text)
        assert rc == EXIT_OK, {n: r.result for n, r in real.items()}
        raw = real["raw"].result
        assert raw["rc"] == 0 and raw["stdout_lines"] == ["raw on Linux"]
        assert raw["stderr"] == "warn\n"
        assert real["script"].status == "changed"
        assert real["script"].result["stdout"] == "hello a b\n"
        assert host.run(f"test -e {base}/ran").returncode == 0
        rc, again = play(tmp_path, lab_inventory, host.name, text)
        assert rc == EXIT_OK
        assert again["script"].status == "skipped"
    finally:
        host.run(f"rm -rf {base}")


def test_bad_arguments_are_refused_before_anything_runs(tmp_path, lab_inventory, debian_host):
    marker = "/tmp/xfer-bad-args-marker"
    debian_host.run(f"rm -f {marker}")
    text = f"""
    - hosts: all
      gather_facts: false
      tasks:
        - raw: touch {marker}
        - script: hello.sh
          args: {{chdir: relative/dir}}
    """
    (tmp_path / "hello.sh").write_text("echo hi\n")
    with pytest.raises(ValidationError, match="must be an absolute path"):
        play(tmp_path, lab_inventory, debian_host.name, text)
    assert debian_host.run(f"test -e {marker}").returncode != 0


WAIT_FOR = """
- hosts: all
  gather_facts: false
  tasks:
    - name: sshd banner
      wait_for:
        host: "{{ ansible_host }}"
        port: 22
        search_regex: 'SSH-([0-9.]+)-'
        timeout: 30
      register: banner
    - name: closed port
      wait_for: {host: "{{ ansible_host }}", port: 1, state: stopped, timeout: 10}
    - name: file appears
      wait_for: {path: /etc/hostname, timeout: 10}
    - name: nothing listens
      wait_for: {port: 1, timeout: 2, msg: port 1 is closed}
      ignore_errors: true
      register: closed
    - name: check
      assert:
        that:
          - banner.match_groups == ['2.0']
          - closed is failed and closed.msg == 'port 1 is closed'
"""


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_wait_for_on_the_target(tmp_path, lab_inventory, lab_hosts, flavor):
    host = next(h for h in lab_hosts if h.flavor == flavor)
    rc, check = play(tmp_path, lab_inventory, host.name, WAIT_FOR, check=True)
    assert check["sshd banner"].status == "skipped"
    rc, real = play(tmp_path, lab_inventory, host.name, WAIT_FOR)
    assert rc == EXIT_OK, {n: r.result for n, r in real.items()}
    assert real["sshd banner"].status == "ok" and real["file appears"].status == "ok"
    assert real["check"].status == "ok"


WAIT_FOR_CONNECTION = """
- hosts: all
  gather_facts: false
  tasks:
    - name: sshd goes away for a while
      shell: setsid sh -c "sleep 1; systemctl stop ssh; sleep 8; systemctl start ssh" >/dev/null 2>&1 &
    - name: too short
      wait_for_connection: {delay: 3, timeout: 2, connect_timeout: 2}
      ignore_errors: true
      register: short
    - name: back
      wait_for_connection: {timeout: 120, sleep: 1}
      register: back
    - name: check
      assert:
        that:
          - short is failed
          - short.msg is search('timed out waiting for ping module test')
          - back.elapsed >= 1
"""


def test_wait_for_connection_retries_until_sshd_is_back(tmp_path, lab_inventory, fresh_host):
    rc, check = play(tmp_path, lab_inventory, fresh_host.name, WAIT_FOR_CONNECTION, check=True)
    assert check["back"].status == "skipped" and check["too short"].status == "skipped"
    rc, real = play(tmp_path, lab_inventory, fresh_host.name, WAIT_FOR_CONNECTION)
    assert rc == EXIT_OK, [(n, r.status, r.result) for n, r in real.items() if n != "check"]
    assert real["check"].status == "ok"
    assert fresh_host.run("true").returncode == 0


@pytest.fixture(scope="module")
def web():
    """HTTP on the controller's 127.0.0.1: lab hosts share the controller's network."""
    from tests.shell.xfer_http import Server

    with Server() as base:
        yield base


GET_URL = """
- hosts: all
  gather_facts: false
  tasks:
    - name: download
      get_url:
        url: "{web}/files/app.bin"
        dest: "{base}/app.bin"
        checksum: "sha256:{web}/SHA256SUMS"
        mode: "0600"
    - name: into dir
      get_url: {{url: "{web}/cd", dest: "{base}/"}}
"""


def converge_play(tmp_path, inventory, host, text, tasks):
    """check → real → real again: check predicts the real run, the second changes nothing."""
    rc, check = play(tmp_path, inventory, host.name, text, check=True)
    assert rc == EXIT_OK, {n: r.result for n, r in check.items()}
    rc, real = play(tmp_path, inventory, host.name, text)
    assert rc == EXIT_OK, {n: r.result for n, r in real.items()}
    rc, again = play(tmp_path, inventory, host.name, text)
    assert rc == EXIT_OK, {n: r.result for n, r in again.items()}
    for name in tasks:
        assert check[name].status == real[name].status == "changed", (check[name], real[name])
        assert again[name].status == "ok", again[name].result
    return real


def get_url_on(tmp_path, lab_inventory, host, web):
    base = "/tmp/xfer-get-url"
    host.run(f"rm -rf {base}; mkdir -p {base}", check=True)
    try:
        text = GET_URL.format(web=web, base=base)
        real = converge_play(tmp_path, lab_inventory, host, text, ["download", "into dir"])
        assert real["into dir"].result["dest"] == f"{base}/named.txt"
        out = host.run(f"stat -c %a {base}/app.bin; cat {base}/named.txt", check=True).stdout
        assert out.split() == ["600", "named"]
    finally:
        host.run(f"rm -rf {base}")


def test_get_url_on_busybox_with_busybox_wget(tmp_path, lab_inventory, busybox_host, web):
    get_url_on(tmp_path, lab_inventory, busybox_host, web)


def test_get_url_on_debian_with_curl(tmp_path, lab_inventory, fresh_host, web):
    rc, real = play(
        tmp_path,
        lab_inventory,
        fresh_host.name,
        f"- hosts: all\n  gather_facts: false\n  tasks:\n"
        f"    - name: none\n      get_url: {{url: '{web}/cd', dest: /tmp/x}}\n",
    )
    assert "no HTTP client on the target" in real["none"].result["msg"]
    fresh_host.run(
        "apt-get update -qq && apt-get install -y -qq curl >/dev/null", check=True, timeout=600
    )
    get_url_on(tmp_path, lab_inventory, fresh_host, web)


URI = """
- hosts: all
  gather_facts: false
  tasks:
    - name: api
      uri: {{url: "{web}/api", method: POST, body_format: json, body: {{k: v}}}}
      register: api
    - name: save
      uri: {{url: "{web}/files/notes.txt", dest: "{base}/notes.txt"}}
    - name: on the controller
      uri: {{url: "{web}/files/notes.txt", dest: "{local}/notes.txt"}}
      delegate_to: localhost
    - name: check
      assert: {{that: ["api.json.body == '{{\\"k\\": \\"v\\"}}'", "api.status == 200"]}}
"""


def test_uri_on_busybox_and_delegated_to_the_controller(tmp_path, lab_inventory, busybox_host, web):
    base = "/tmp/xfer-uri"
    busybox_host.run(f"rm -rf {base}; mkdir -p {base}", check=True)
    local = tmp_path / "controller"
    local.mkdir()
    text = URI.format(web=web, base=base, local=local)
    try:
        rc, check = play(tmp_path, lab_inventory, busybox_host.name, text, check=True)
        assert check["api"].status == "skipped" and check["save"].status == "skipped"
        rc, real = play(tmp_path, lab_inventory, busybox_host.name, text)
        assert rc == EXIT_OK, {n: r.result for n, r in real.items()}
        assert real["save"].status == "changed" and real["on the controller"].status == "changed"
        assert (local / "notes.txt").read_text() == "line one\nline two\n"
        assert busybox_host.run(f"cat {base}/notes.txt").stdout == "line one\nline two\n"
        assert busybox_host.run(f"test -e {local}").returncode != 0  # not on the device
        rc, again = play(tmp_path, lab_inventory, busybox_host.name, text)
        assert again["save"].status == "ok" and again["on the controller"].status == "ok"
    finally:
        busybox_host.run(f"rm -rf {base}")


UNARCHIVE = """
- hosts: all
  gather_facts: false
  tasks:
    - name: dest
      file: {{path: "{base}/{kind}", state: directory}}
    - name: unpack
      unarchive: {{src: "a.{kind}", dest: "{base}/{kind}", list_files: true, mode: "u+rwX,go=rX"}}
"""


@pytest.mark.parametrize(
    "flavor,kind", [("debian", "tgz"), ("debian", "tar"), ("busybox", "tgz"), ("busybox", "zip")]
)
def test_unarchive_on_the_target(tmp_path, lab_inventory, lab_hosts, flavor, kind):
    from tests.shell.test_xfer_converge import MEMBERS, make_archive

    host = next(h for h in lab_hosts if h.flavor == flavor)
    base = f"/tmp/xfer-unarchive-{kind}"
    host.run(f"rm -rf {base}")
    make_archive(tmp_path / f"a.{kind}", kind)
    try:
        text = UNARCHIVE.format(base=base, kind=kind)
        real = converge_play(tmp_path, lab_inventory, host, text, ["unpack"])
        assert "app/bin/run.sh" in {f.removeprefix("./") for f in real["unpack"].result["files"]}
        got = host.run(f"cat {base}/{kind}/app/bin/run.sh", check=True).stdout
        assert got.encode() == MEMBERS["app/bin/run.sh"]
    finally:
        host.run(f"rm -rf {base}")


def test_unarchive_names_the_missing_tool(tmp_path, lab_inventory, debian_host):
    from tests.shell.test_xfer_converge import make_archive

    make_archive(tmp_path / "a.zip", "zip")
    text = "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: unpack\n      unarchive: {src: a.zip, dest: /tmp}\n"
    rc, results = play(tmp_path, lab_inventory, debian_host.name, text)
    assert "Failed to find handler" in results["unpack"].result["msg"]


REBOOT = """
- hosts: all
  gather_facts: false
  tasks:
    - name: boot id before
      shell: cat /proc/sys/kernel/random/boot_id
      register: before
    - name: reboot
      reboot: {reboot_timeout: 300, post_reboot_delay: 1, test_command: systemctl is-system-running --wait}
      register: rebooted
    - name: after
      shell: cat /proc/sys/kernel/random/boot_id
      register: after
    - name: check
      assert:
        that:
          - rebooted.rebooted and rebooted.changed
          - before.stdout != after.stdout
"""


def test_reboot_a_systemd_nspawn_host_and_wait_for_it(tmp_path, lab_inventory, fresh_host):
    """systemd-nspawn lab hosts come back from `shutdown -r` (the launcher boots the
    container again on exit code 133); the busybox host (sshd as the namespace's first
    process, no init) cannot, so reboot is tested on systemd hosts only."""
    rc, check = play(tmp_path, lab_inventory, fresh_host.name, REBOOT, check=True)
    assert check["reboot"].status == "changed" and check["reboot"].result["rebooted"] is True
    rc, real = play(tmp_path, lab_inventory, fresh_host.name, REBOOT)
    assert rc == EXIT_OK, [(n, r.status, r.result) for n, r in real.items()]
    assert real["reboot"].status == "changed" and real["check"].status == "ok"
