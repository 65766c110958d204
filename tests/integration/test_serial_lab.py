"""``serial:`` on a handler and on a task, against the lab's real SSH hosts (3 debian + 1
busybox): a rolling restart of a "service" (a script) one host at a time, a task two hosts at
a time, a failing host in a serial batch, check mode, idempotence, and the round trips the
rest of the play still costs.

No overlap is proven without clocks: the test runs a *sequencer* on the controller (a TCP
listener on 127.0.0.1, port picked by the kernel, so never one in use) and the service's
restart script on each host reports ``start HOST`` when it begins and ``end HOST`` when it is
done, each as one connection. The sequencer numbers the lines as it accepts them; a host's
``end`` is accepted before its script exits, so before the controller can start the next
batch. The session's lab hosts share the controller's network namespace (loopback
addresses), which is what lets them reach it; bash's /dev/tcp on debian, busybox ``nc``.
"""

from __future__ import annotations

import json
import socket
import textwrap
import threading

import pytest

from edgeauto.errors import EXIT_HOST_FAILED, EXIT_OK
from edgeauto.output.reporter import Reporter
from edgeauto.planner.options import RunOptions
from edgeauto.planner.run import Run

pytestmark = pytest.mark.lab

SVC = "/tmp/edgeauto-serial-svc"


class Sequencer:
    """Numbers the lines hosts send, in the order the listener accepts them."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.events: list[tuple[str, str]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(10)
                data = b""
                while not data.endswith(b"\n"):
                    chunk = conn.recv(256)
                    if not chunk:
                        break
                    data += chunk
            words = data.decode().split()
            if len(words) == 2:
                self.events.append((words[0], words[1]))

    def take(self) -> list[tuple[str, str]]:
        events, self.events = self.events, []
        return events

    def close(self):
        self.sock.close()
        self.thread.join(5)


class Recorder(Reporter):
    def __init__(self):
        super().__init__()
        self.results, self.errors = [], []

    def task_result(self, res):
        with self.lock:
            self.results.append(res)

    def error(self, message):
        self.errors.append(message)

    def changed(self):
        return sorted((r.host, r.task.display_name) for r in self.results if r.status == "changed")


@pytest.fixture
def sequencer():
    seq = Sequencer()
    yield seq
    seq.close()


@pytest.fixture
def four(lab_hosts, lab_inventory):
    """3 debian + 1 busybox host, in inventory order (the order serial batches follow)."""
    from edgeauto.inventory import load_inventory

    chosen = [h for h in lab_hosts if h.flavor == "debian"][:3] + [
        h for h in lab_hosts if h.flavor == "busybox"
    ][:1]
    assert len(chosen) == 4, [h.name for h in lab_hosts]
    inventory = load_inventory([str(lab_inventory)])
    order = [h.name for h in inventory.select("all", [h.name for h in chosen])]
    hosts = sorted(chosen, key=lambda h: order.index(h.name))
    yield hosts
    for host in hosts:
        host.run(f"rm -rf {SVC}")


def run_playbook(tmp_path, inventory, text, hosts, **options):
    path = tmp_path / "site.yml"
    path.write_text(textwrap.dedent(text))
    rec = Recorder()
    opts = RunOptions(inventory_sources=[str(inventory)], limit=[h.name for h in hosts], **options)
    run = Run([path], opts, rec)
    result = run.execute()
    trips = {h.name: run.states[h.name].transport.round_trips for h in hosts}
    return result, rec, trips


def restart_script(port: int, fail_on: str = "none") -> str:
    """The service's restart: report start, 'restart' (write a pid file), report end."""
    return textwrap.dedent(
        f"""\
        #!/bin/sh
        h="$1"
        say() {{
          if command -v bash >/dev/null 2>&1; then
            bash -c "echo '$1 $h' > /dev/tcp/127.0.0.1/{port}"
          else
            echo "$1 $h" | nc 127.0.0.1 {port}
          fi
        }}
        say start
        echo "$$" > {SVC}/pid
        sleep 0.3
        [ "$h" = "{fail_on}" ] && exit 1
        cat {SVC}/app.conf > {SVC}/running.conf
        say end
        """
    )


def install_service(port: int, fail_on: str = "none") -> str:
    """The play's head: the service directory and its restart script."""
    return f"""
    - hosts: all
      gather_facts: false
      tasks:
        - name: service directory
          file: {{path: {SVC}, state: directory}}
        - name: restart script
          copy:
            dest: {SVC}/restart
            mode: "0755"
            content: {json.dumps(restart_script(port, fail_on))}
"""


def service_play(port: int, version: str) -> str:
    return (
        install_service(port)
        + f"""\
        - name: config
          copy: {{dest: {SVC}/app.conf, content: "version={version}\\n"}}
          notify: restart service
      handlers:
        - name: restart service
          command: "{SVC}/restart {{{{ inventory_hostname }}}}"
          serial: 1
    """
    )


def assert_one_at_a_time(events, order):
    assert events == [(e, h) for h in order for e in ("start", "end")], events


def test_a_serial_1_handler_restarts_one_host_at_a_time_and_converges(
    tmp_path, lab_inventory, four, sequencer
):
    names = [h.name for h in four]
    text = service_play(sequencer.port, "1")
    result, rec, trips = run_playbook(tmp_path, lab_inventory, text, four)
    assert result.exit_code == EXIT_OK, [r.result for r in rec.results if r.status == "failed"]
    assert_one_at_a_time(sequencer.take(), names)
    # the three tasks in one script per host, the handler in one more: as without serial
    assert trips == {n: 2 for n in names}, trips
    for host in four:
        assert host.run(f"cat {SVC}/running.conf", check=True).stdout == "version=1\n"

    result, rec, trips = run_playbook(tmp_path, lab_inventory, text, four)
    assert result.exit_code == EXIT_OK
    assert rec.changed() == [] and sequencer.take() == []  # converged: nothing restarts
    assert trips == {n: 1 for n in names}, trips

    new = service_play(sequencer.port, "2")
    _, check, _ = run_playbook(tmp_path, lab_inventory, new, four, check=True)
    assert sequencer.take() == []  # check mode restarts nothing …
    assert four[0].run(f"cat {SVC}/app.conf", check=True).stdout == "version=1\n"
    result, real, _ = run_playbook(tmp_path, lab_inventory, new, four)
    assert check.changed() == real.changed()  # … and predicts exactly what the real run does
    assert ("restart service" in {t for _, t in real.changed()}) and result.exit_code == EXIT_OK
    assert_one_at_a_time(sequencer.take(), names)


def two_at_a_time_play(port: int, fail_on: str = "none") -> str:
    return (
        install_service(port, fail_on)
        + f"""\
        - name: config
          copy: {{dest: {SVC}/app.conf, content: "version=1\\n"}}
        - name: rolling step
          command: "{SVC}/restart {{{{ inventory_hostname }}}}"
          changed_when: false
          serial: 2
        - name: after
          copy: {{dest: {SVC}/after, content: "x"}}
        - name: after again
          copy: {{dest: {SVC}/after2, content: "x"}}
    """
    )


def most_at_once(events) -> int:
    running, most = set(), 0
    for event, host in events:
        if event == "start":
            running.add(host)
        else:
            running.discard(host)
        most = max(most, len(running))
    return most


def test_a_serial_2_task_on_four_hosts_runs_two_at_a_time(tmp_path, lab_inventory, four, sequencer):
    names = [h.name for h in four]
    result, rec, trips = run_playbook(
        tmp_path, lab_inventory, two_at_a_time_play(sequencer.port), four
    )
    assert result.exit_code == EXIT_OK, [r.result for r in rec.results if r.status == "failed"]
    events = sequencer.take()
    assert len(events) == 8 and most_at_once(events) <= 2, events
    # the first batch (inventory order) starts and ends before the second starts
    assert sorted(events[:4]) == sorted((e, h) for h in names[:2] for e in ("start", "end"))
    # tasks before | the serial task | tasks after: three scripts per host
    assert trips == {n: 3 for n in names}, trips


def test_a_host_failing_in_a_serial_batch_leaves_and_the_next_batch_goes_on(
    tmp_path, lab_inventory, four, sequencer
):
    names = [h.name for h in four]
    doomed = names[1]
    result, rec, _ = run_playbook(
        tmp_path, lab_inventory, two_at_a_time_play(sequencer.port, fail_on=doomed), four
    )
    assert result.exit_code == EXIT_HOST_FAILED
    assert result.failed_hosts == [doomed]
    events = sequencer.take()
    assert {h for e, h in events if e == "start"} == set(names)  # batch 2 still ran
    assert ("end", doomed) not in events
    for host in four:
        ran_after = host.run(f"test -e {SVC}/after").returncode == 0
        assert ran_after == (host.name != doomed), host.name
