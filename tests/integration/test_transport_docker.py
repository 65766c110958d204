"""Docker transport (``docker exec -i``, ``ansible_connection: docker``) against a REAL dockerd.

The module starts its own private dockerd + containerd (``dockerd.py`` beside this file: no
bridge, no iptables, containers with ``--network none``, busybox-static image made with
``docker import``) and removes everything at the end; the teardown fails if anything is left.
Without root/dockerd the real tests SKIP with the reason (FAIL in CI=true).

The second group uses a FAKE docker CLI (a shell script standing in for ``docker``): it pins the
exact command line we build (extra args before ``exec``, ``-u``) and how daemon errors become
unreachable hosts, independent of any daemon.
"""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
import textwrap
import threading
import uuid

import dockerd
import pytest
from dockerd import require_dockerd

from edgeauto.errors import ConnectionFailed
from edgeauto.transport.base import BecomeSpec
from edgeauto.transport.errors import CommandTimeout
from edgeauto.transport.factory import make_transport
from edgeauto.transport.options import TransportOptions


@pytest.fixture(scope="module")
def daemon():
    daemon = require_dockerd()
    try:
        yield daemon
    finally:
        daemon.stop()
        left = daemon.leftovers()
        assert not left, f"private dockerd teardown left things behind: {left}"


@pytest.fixture(scope="module")
def container(daemon):
    return daemon.run_container(f"edgeauto-box-{uuid.uuid4().hex[:6]}")


def host_vars(daemon, container, **extra):
    return {
        "inventory_hostname": "box",
        "ansible_connection": "docker",
        "ansible_host": container,
        "ansible_docker_extra_args": f"-H {daemon.host}",
        **extra,
    }


def connected(daemon, container, **extra):
    transport = make_transport(host_vars(daemon, container, **extra))
    transport.connect(10)
    return transport


def test_script_runs_in_the_container_in_one_round_trip(daemon, container):
    t = connected(daemon, container)
    r = t.run_script(
        b"hostname; cat /etc/hostname; [ -x /bin/busybox ] && echo busybox\n", timeout=30
    )
    assert (r.rc, r.stdout, t.round_trips) == (
        0,
        f"{container}\n{container}\nbusybox\n".encode(),
        1,
    )


def test_exit_code_stderr_and_env_come_back_from_the_container(daemon, container):
    t = connected(daemon, container)
    r = t.run_script(
        b'echo "out $GREETING"; echo oops >&2; exit 7\n', timeout=30, env={"GREETING": "hi there"}
    )
    assert (r.rc, r.stdout, r.stderr) == (7, b"out hi there\n", b"oops\n")


def test_large_script_and_binary_output_pass_through_docker_exec(daemon, container):
    t = connected(daemon, container)
    body = b"".join(b"echo line%d\n" % i for i in range(20000))
    r = t.run_script(body + b"head -c 300000 /dev/zero | tr '\\0' '\\377'\n", timeout=60)
    assert r.rc == 0 and r.stdout.count(b"\n") >= 20000 and r.stdout.endswith(b"\xff" * 300000)


def processes(daemon, container) -> str:
    return daemon.docker("exec", container, "ps", "-o", "pid,args").stdout.decode()


def test_timeout_stops_the_script_inside_the_container_not_only_the_docker_client(
    daemon, container
):
    # killing `docker exec` leaves the exec'd process running in the container; the
    # transport must kill it (and its children) itself
    t = connected(daemon, container)
    with pytest.raises(CommandTimeout):
        t.run_script(b"sleep 41; touch /tmp/late\n", timeout=1)
    assert "sleep 41" not in processes(daemon, container)
    assert daemon.docker("exec", container, "test", "-e", "/tmp/late", check=False).returncode


def test_interrupt_stops_the_script_and_its_become_children_inside_the_container(daemon, container):
    t = connected(daemon, container)
    timer = threading.Timer(1.0, t.interrupt)
    timer.start()
    try:
        r = t.run_script(
            b"sleep 42 & sleep 43; echo late\n",
            timeout=60,
            become=BecomeSpec(method="su", user="nobody"),
        )
    finally:
        timer.cancel()
    assert r.rc < 0 and b"late" not in r.stdout
    left = processes(daemon, container)
    assert "sleep 42" not in left and "sleep 43" not in left, left


def test_ansible_user_runs_the_script_as_that_container_user(daemon, container):
    t = connected(daemon, container, ansible_user="nobody")
    assert t.run_script(b"id -u\n", timeout=30).stdout == b"65534\n"


def test_missing_container_is_unreachable_with_the_daemon_message(daemon):
    t = make_transport(host_vars(daemon, "edgeauto-no-such-box"))
    with pytest.raises(ConnectionFailed) as info:
        t.connect(10)
    text = str(info.value)
    assert "box" in text and "edgeauto-no-such-box" in text and "No such object" in text


def test_stopped_container_is_unreachable_not_failed(daemon):
    name = daemon.run_container(f"edgeauto-stopped-{uuid.uuid4().hex[:6]}")
    t = connected(daemon, name)
    daemon.docker("stop", "-t", "0", name)
    with pytest.raises(ConnectionFailed, match="is not running"):
        t.run_script(b"echo never\n", timeout=30)
    with pytest.raises(ConnectionFailed, match="not running or does not exist"):
        make_transport(host_vars(daemon, name)).connect(10)


def test_daemon_that_does_not_answer_is_unreachable(daemon, tmp_path):
    t = make_transport(
        host_vars(daemon, "x", ansible_docker_extra_args=f"-H unix://{tmp_path}/none.sock")
    )
    with pytest.raises(ConnectionFailed, match="Cannot connect to the Docker daemon"):
        t.connect(10)


def test_become_sudo_without_password_is_written_blind_and_a_missing_sudo_stops_the_script(
    daemon, container
):
    # documented (docs/transports.md "become"): no password -> `sudo -n -u USER -- sh -s`,
    # script written blind. The busybox image has no sudo: the shell cannot start it (127),
    # so not one line of the script runs.
    t = connected(daemon, container)
    r = t.run_script(b"echo ran\n", timeout=30, become=BecomeSpec(method="sudo"))
    assert (r.rc, r.stdout) == (127, b"") and b"sudo: not found" in r.stderr


def test_become_su_without_password_works_from_root_in_the_container(daemon, container):
    t = connected(daemon, container)
    r = t.run_script(b"id -u\n", timeout=30, become=BecomeSpec(method="su", user="nobody"))
    assert (r.rc, r.stdout) == (0, b"65534\n")


def test_private_dockerd_runs_in_its_own_network_namespace_with_no_links_of_ours(daemon):
    assert os.readlink(f"/proc/{daemon.dockerd.pid}/ns/net") != os.readlink("/proc/self/ns/net")
    assert dockerd.link_names() == daemon.links_before


CRASHING_RUN = """
import os, sys
sys.path.insert(0, sys.argv[1])
import dockerd
d = dockerd.Dockerd(); d.start(); d.import_busybox(); d.run_container("crashbox")
print(d.root, d.tag, flush=True)
os.kill(os.getpid(), 9)
"""


def test_a_killed_test_run_leaves_nothing_once_the_next_private_dockerd_starts(daemon):
    # the daemon fixture is live meanwhile: its locked state dir must survive the sweep
    here = os.path.dirname(os.path.abspath(__file__))
    proc = subprocess.run(
        [sys.executable, "-c", CRASHING_RUN, here], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == -9, proc.stderr
    root, tag = proc.stdout.split()
    assert dockerd.clean_stale() == [root]
    assert not dockerd._pids_naming(root) and not dockerd._mounts_under(root)
    assert not dockerd._cgroups_named(tag) and not os.path.exists(root)
    assert daemon.docker("info", "--format", "{{.ServerVersion}}").returncode == 0


PLAYBOOK = """
- hosts: all
  gather_facts: false
  tasks:
    - name: app directory
      file: {path: /srv/app, state: directory, mode: "0750"}
    - name: config file
      copy: {dest: /srv/app/app.conf, content: "name=edge\\n", mode: "0640"}
    - name: setting
      lineinfile: {path: /srv/app/ports.ini, regexp: "^port=", line: port=8080, create: true}
    - name: init marker
      command: {cmd: "touch /srv/app/initialised", creates: /srv/app/initialised}
"""


def edgeauto_json(*args, cwd):
    proc = subprocess.run(
        [sys.executable, "-m", "edgeauto", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
    )
    assert proc.stdout.strip(), proc.stderr
    return proc.returncode, json.loads(proc.stdout), proc.stderr


@pytest.fixture
def docker_inventory(daemon, tmp_path):
    name = daemon.run_container(f"edgeauto-play-{uuid.uuid4().hex[:6]}")
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        textwrap.dedent(
            f"""
            all:
              hosts:
                edge-box:
                  ansible_connection: docker
                  ansible_host: {name}
                  ansible_docker_extra_args: "-H {daemon.host}"
            """
        )
    )
    (tmp_path / "site.yml").write_text(PLAYBOOK)
    yield inventory, name
    daemon.docker("rm", "-f", name, check=False)


def test_edgeauto_run_converges_in_a_container_and_check_mode_predicts_it(
    daemon, docker_inventory, tmp_path
):
    inventory, name = docker_inventory
    rc, check, err = edgeauto_json("run", "-i", str(inventory), "site.yml", "--check", cwd=tmp_path)
    assert rc == 0, err
    assert daemon.docker("exec", name, "test", "-e", "/srv/app", check=False).returncode == 1
    rc, first, err = edgeauto_json("run", "-i", str(inventory), "site.yml", cwd=tmp_path)
    assert rc == 0, err
    assert check["stats"]["edge-box"]["changed"] == first["stats"]["edge-box"]["changed"] == 4
    assert first["stats"]["edge-box"]["round_trips"] == 1  # four tasks, one docker exec
    conf = daemon.docker(
        "exec",
        name,
        "sh",
        "-c",
        "cat /srv/app/app.conf /srv/app/ports.ini; stat -c %a /srv/app /srv/app/app.conf",
    )
    assert conf.stdout == b"name=edge\nport=8080\n750\n640\n"
    rc, second, err = edgeauto_json("run", "-i", str(inventory), "site.yml", cwd=tmp_path)
    assert rc == 0 and second["stats"]["edge-box"]["changed"] == 0, err


def test_edgeauto_run_against_a_stopped_container_reports_it_unreachable(
    daemon, docker_inventory, tmp_path
):
    inventory, name = docker_inventory
    daemon.docker("stop", "-t", "0", name)
    rc, out, err = edgeauto_json("run", "-i", str(inventory), "site.yml", cwd=tmp_path)
    assert rc == 4, (out, err)
    assert out["stats"]["edge-box"].get("unreachable") == 1


def test_facts_over_docker_describe_the_busybox_container(daemon, docker_inventory, tmp_path):
    inventory, name = docker_inventory
    rc, out, err = edgeauto_json("facts", "all", "-i", str(inventory), "--no-cache", cwd=tmp_path)
    assert rc == 0, err
    facts = out["edge-box"]
    facts = facts.get("ansible_facts", facts)
    # what Ansible's setup reports in such a container: no os-release, no package manager,
    # PID 1 is `sleep`, and the container markers say docker
    got = {k: facts[k] for k in (
        "ansible_hostname", "ansible_system", "ansible_user_id", "ansible_user_shell",
        "ansible_distribution", "ansible_pkg_mgr", "ansible_service_mgr",
        "ansible_virtualization_type", "ansible_virtualization_role",
    )}  # fmt: skip
    assert got == {
        "ansible_hostname": name,
        "ansible_system": "Linux",
        "ansible_user_id": "root",
        "ansible_user_shell": "/bin/sh",
        "ansible_distribution": "OtherLinux",
        "ansible_pkg_mgr": "unknown",
        "ansible_service_mgr": "sleep",
        "ansible_virtualization_type": "docker",
        "ansible_virtualization_role": "guest",
    }


FAKE_DOCKER = r"""#!/bin/sh
# FAKE docker CLI for tests: records its argv, emulates inspect/exec of container "box1".
printf '%s\n' "$*" >> "$FAKE_DOCKER_LOG"
while [ $# -gt 0 ]; do
  case "$1" in
    inspect) shift; [ "$3" = box1 ] && { echo true; exit 0; }
             echo "Error: No such object: $3" >&2; exit 1 ;;
    exec) shift
          while :; do case "$1" in -i) shift ;; -e|-u) shift 2 ;; *) break ;; esac; done
          c="$1"; shift
          [ "$c" = box1 ] || { echo "Error response from daemon: No such container: $c" >&2; exit 1; }
          exec "$@" ;;
    *) shift ;;
  esac
done
"""


@pytest.fixture
def fake_docker(tmp_path, monkeypatch):
    path = tmp_path / "docker"
    path.write_text(FAKE_DOCKER)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    log = tmp_path / "argv.log"
    monkeypatch.setenv("FAKE_DOCKER_LOG", str(log))
    return TransportOptions(docker_executable=str(path)), log


def test_fake_docker_extra_args_go_before_exec_and_user_after(fake_docker):
    options, log = fake_docker
    hv = {
        "ansible_connection": "docker",
        "ansible_host": "box1",
        "ansible_user": "app",
        "ansible_docker_extra_args": "-H tcp://edge1:2376 --tlsverify",
    }
    t = make_transport(hv, options=options)
    t.connect(5)
    assert t.run_script(b"echo hi\n", timeout=10).stdout == b"hi\n"
    lines = log.read_text().splitlines()
    assert lines[0] == "-H tcp://edge1:2376 --tlsverify inspect --format {{.State.Running}} box1"
    assert re.fullmatch(
        r"-H tcp://edge1:2376 --tlsverify exec -i -u app box1 "
        r"sh -c echo \[edgeauto-pid-[0-9a-f]{12}\]\$\$ >&2; sh -s",
        lines[1],
    )


def test_fake_docker_missing_container_is_unreachable_with_the_daemon_message(fake_docker):
    options, _ = fake_docker
    t = make_transport(
        {"inventory_hostname": "web", "ansible_connection": "docker", "ansible_host": "nope"},
        options=options,
    )
    with pytest.raises(ConnectionFailed) as info:
        t.connect(5)
    assert "web" in str(info.value) and "nope" in str(info.value)


def test_missing_docker_cli_is_reported_not_crashed():
    options = TransportOptions(docker_executable=os.path.join("/nonexistent", "docker"))
    t = make_transport({"ansible_connection": "docker", "ansible_host": "x"}, options=options)
    with pytest.raises(ConnectionFailed, match="docker CLI not found"):
        t.connect(5)


def test_fake_docker_container_gone_between_connect_and_exec_is_unreachable(fake_docker):
    options, _ = fake_docker
    t = make_transport(
        {"inventory_hostname": "web", "ansible_connection": "docker", "ansible_host": "box1"},
        options=options,
    )
    t.connect(5)
    t.container = "vanished"
    with pytest.raises(ConnectionFailed, match="No such container"):
        t.run_script(b"echo hi\n", timeout=10)
    t.container = "box1"
    assert t.run_script(b"exit 1\n", timeout=10).rc == 1  # a failing script is just failed
