"""Faults injected into real runs on lab hosts, at random moments: the controller SIGKILLed,
the SSH session killed on the target. After each: no file is torn (every managed file holds one
generation's whole content), no temp file is left beside a destination, and the next run
converges and leaves no stale temp dir. Counts are in docs/reliability.md.

Each test prints its seed; EDGEAUTO_FAULT_SEED=<seed> replays the same timings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from tests.integration.faults import (
    REPO,
    GenerationPlaybook,
    file_generations,
    live_scripts,
    seeded_random,
    start_run,
    temp_dirs,
    wait_scripts_gone,
)

pytestmark = pytest.mark.lab

ROUNDS = int(os.environ.get("EDGEAUTO_FAULT_ROUNDS", "20"))


def converge(pb: GenerationPlaybook, inventory, host, gen: int) -> str:
    pb.prepare(gen)
    proc = start_run(pb.path, inventory, host.name, gen)
    out, _ = proc.communicate(timeout=180)
    assert proc.returncode == 0, out
    return out


def assert_whole(host, base: str, gen: int, allowed: set[int], context: str) -> int:
    """Every file is one of the allowed generations; returns how many hold the newest."""
    state = file_generations(host, base, gen)
    assert "stray" not in state, f"{context}: temp files left beside destinations: {state}"
    bad = {name: g for name, g in state.items() if g not in allowed}
    assert not bad, f"{context}: files not wholly old or new: {bad}"
    return sum(1 for g in state.values() if g == gen)


def wait_until_script_runs(host, proc, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if live_scripts(host):
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def script_span(pb, inventory, host, gen: int) -> float:
    """Converge one generation and measure how long its script runs on the target, so the
    cuts are spread over the script's whole life."""
    pb.prepare(gen)
    proc = start_run(pb.path, inventory, host.name, gen)
    assert wait_until_script_runs(host, proc), proc.communicate()[0]
    began = time.monotonic()
    while live_scripts(host):
        time.sleep(0.02)
    span = time.monotonic() - began
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0, out
    return span


def after_fault(pb, inventory, host, gen: int, context: str) -> None:
    """The next run converges to the new generation and leaves nothing stale behind."""
    converge(pb, inventory, host, gen)
    wait_scripts_gone(host)
    assert assert_whole(host, pb.base, gen, {gen}, context + " then rerun") == len(
        file_generations(host, pb.base, gen)
    )
    assert temp_dirs(host) == [], f"{context}: stale temp dirs after the next run"


@pytest.mark.parametrize("flavor", ["debian", "busybox"])
def test_controller_sigkilled_at_random_points_never_tears_a_file(
    tmp_path, lab_inventory, make_host, busybox_host, flavor
):
    host = make_host(flavor="debian", systemd=False) if flavor == "debian" else busybox_host
    rng, seed = seeded_random(f"controller-kill-{flavor}")
    base = f"/opt/fault-kill-{host.name}"
    pb = GenerationPlaybook(tmp_path, base)
    began = time.monotonic()
    converge(pb, lab_inventory, host, 1)
    span = time.monotonic() - began  # a whole run: the kill lands anywhere inside one
    rounds = ROUNDS if flavor == "debian" else max(ROUNDS // 4, 3)
    seen: Counter = Counter()
    for gen in range(2, rounds + 2):
        context = f"seed {seed} round {gen}"
        pb.prepare(gen)
        started = time.monotonic()
        proc = start_run(pb.path, lab_inventory, host.name, gen)
        delay = rng.uniform(0.0, span)
        while time.monotonic() - started < delay and proc.poll() is None:
            time.sleep(0.01)
        running = bool(live_scripts(host)) if proc.poll() is None else False
        finished = proc.poll() is not None
        if not finished:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        # the orphaned script may still be finishing an install (it exits at its next
        # record, on SIGPIPE, removing its temp file): judge what it leaves, not a moment of it
        wait_scripts_gone(host)
        newest = assert_whole(host, base, gen, {gen - 1, gen}, context)
        seen[
            "finished before the kill"
            if finished
            else "mid-script"
            if running
            else "before or after the script"
        ] += 1
        seen["files already new"] += newest
        after_fault(pb, lab_inventory, host, gen, context)
    print(f"controller SIGKILL ({flavor}), seed {seed}: {dict(seen)}")
    assert seen["mid-script"] > 0, f"seed {seed}: no kill landed inside a script: {dict(seen)}"


CUTTER = """
until ls /tmp/edgeauto.*/pid >/dev/null 2>&1; do sleep 0.01; done
sleep {delay}
for f in /tmp/edgeauto.*/pid; do
    [ -r "$f" ] || continue
    read -r p < "$f"
    kill -0 "$p" 2>/dev/null || continue
    while [ "${{p:-1}}" -gt 1 ]; do
        case $(cat /proc/$p/comm 2>/dev/null) in
            sshd*) kill -9 "$p"; echo cut > /root/cut-result; exit 0 ;;
        esac
        p=$(awk '{{print $4}}' /proc/$p/stat 2>/dev/null)
    done
done
echo late > /root/cut-result
"""


def arm_cutter(host, delay: float) -> None:
    """On the target, without a round trip at the moment of the cut: wait for the next
    edgeauto script, let it run `delay` seconds, then SIGKILL the sshd process carrying its
    session (walking up from the script's PID), which drops the connection mid-script."""
    host.run("rm -f /root/cut-result /root/cutter.sh", check=True)
    host.run(
        f"cat > /root/cutter.sh <<'EOF'\n{CUTTER.format(delay=f'{delay:.3f}')}\nEOF", check=True
    )
    host.run("nohup sh /root/cutter.sh </dev/null >/dev/null 2>&1 &", check=True)


def cut_result(host, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = host.run("cat /root/cut-result 2>/dev/null; true").stdout.strip()
        if out:
            return out
        time.sleep(0.1)
    return "no result"


def test_ssh_session_cut_mid_script_never_tears_a_file(tmp_path, lab_inventory, make_host):
    host = make_host(flavor="debian", systemd=False)
    rng, seed = seeded_random("ssh-cut")
    base = "/opt/fault-cut"
    pb = GenerationPlaybook(tmp_path, base)
    converge(pb, lab_inventory, host, 1)
    span = script_span(pb, lab_inventory, host, 2)
    seen: Counter = Counter()
    for gen in range(3, ROUNDS + 3):
        context = f"seed {seed} round {gen}"
        pb.prepare(gen)
        arm_cutter(host, rng.uniform(0.0, span))
        proc = start_run(pb.path, lab_inventory, host.name, gen)
        out, _ = proc.communicate(timeout=120)
        result = cut_result(host)
        if result == "cut":
            assert proc.returncode != 0, f"{context}: a cut run reported success: {out}"
            assert "UNREACHABLE" in out or "FAILED" in out, out
            seen["cut, run failed"] += 1
        else:
            assert result == "late", f"{context}: the cutter said {result!r}"
            seen["script ended before the cut"] += 1
        assert_whole(host, base, gen, {gen - 1, gen}, context)
        after_fault(pb, lab_inventory, host, gen, context)
    print(f"ssh session cut, seed {seed}: {dict(seen)}")
    assert seen["cut, run failed"] > 0, f"seed {seed}: no cut landed: {dict(seen)}"


class Blackhole:
    """A TCP listener on loopback that accepts connections and never says a word: a host
    whose sshd hangs (half-dead box, wedged firewall state)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))  # a free port, chosen by the kernel
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.held:
            conn.close()


def closed_port() -> int:
    """A loopback port nobody listens on (bound, then released): connection refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fleet_inventory(path: Path, lab_inventory: Path, hosts, extra: dict) -> Path:
    common = yaml.safe_load(lab_inventory.read_text())["all"]["vars"]
    entries = {h.name: {"ansible_host": h.address, "ansible_port": h.port} for h in hosts}
    entries.update(extra)
    path.write_text(yaml.safe_dump({"all": {"vars": common, "hosts": entries}}))
    return path


FLEET_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: /opt/fleet-mark, content: "{{ inventory_hostname }}"}
    - fail: {msg: planned failure}
      when: inventory_hostname == failing_host
    - copy: {dest: /opt/fleet-done, content: "ok"}
"""


def recap(out: str) -> dict[str, dict[str, int]]:
    rows = {}
    for line in out.split("PLAY RECAP", 1)[1].splitlines():
        if ":" in line and "=" in line:
            name, counts = line.split(":", 1)
            rows[name.strip()] = {k: int(v) for k, v in (c.split("=") for c in counts.split())}
    return rows


def test_a_tenth_of_a_fleet_unreachable_or_hanging_does_not_stop_the_rest(
    tmp_path, lab_inventory, make_host
):
    hosts = [make_host(flavor="debian", systemd=False) for _ in range(18)]
    hole = Blackhole()
    try:
        inventory = fleet_inventory(
            tmp_path / "fleet.yml",
            lab_inventory,
            hosts,
            {
                "refusing": {"ansible_host": "127.0.0.1", "ansible_port": closed_port()},
                "hanging": {"ansible_host": "127.0.0.1", "ansible_port": hole.port},
            },
        )
        play = tmp_path / "fleet-play.yml"
        play.write_text(FLEET_PLAY)
        failing = hosts[0].name
        argv = [sys.executable, "-m", "edgeauto", "run", "-i", str(inventory), str(play)]
        proc = subprocess.run(
            [*argv, "-e", f"failing_host={failing}", "-T", "5", "-f", "20", "--no-retry-file"],
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        hole.close()
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    rows = recap(out)
    assert rows["refusing"]["unreachable"] == 1 and rows["refusing"]["failed"] == 0, out
    assert rows["hanging"]["unreachable"] == 1 and rows["hanging"]["failed"] == 0, out
    assert rows[failing]["failed"] == 1 and rows[failing]["unreachable"] == 0, out
    for host in hosts[1:]:
        assert rows[host.name] == {**rows[host.name], "failed": 0, "unreachable": 0}, out
        assert host.run("cat /opt/fleet-done", check=True).stdout == "ok"
    assert hosts[0].run("test -e /opt/fleet-done").returncode != 0


DISK_PLAY = """
- hosts: all
  gather_facts: false
  tasks:
    - copy: {dest: /mnt/small/conf, content: "{{ 'x' * 200000 }}"}
"""


def test_a_full_disk_names_host_and_path_and_keeps_the_old_file(tmp_path, lab_inventory, make_host):
    host = make_host(flavor="debian", systemd=False)
    host.run("mkdir -p /mnt/small && mount -t tmpfs -o size=128k tmpfs /mnt/small", check=True)
    host.run("printf 'old content\\n' > /mnt/small/conf", check=True)
    host.run("dd if=/dev/zero of=/mnt/small/fill bs=4k 2>/dev/null; true")
    play = tmp_path / "disk.yml"
    play.write_text(DISK_PLAY)
    proc = start_run(play, lab_inventory, host.name, 0)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode != 0, out
    failure = next(line for line in out.splitlines() if "FAILED" in line)
    assert host.name in failure and "/mnt/small/conf" in failure, out
    assert "no space left" in failure, out
    assert host.run("cat /mnt/small/conf", check=True).stdout == "old content\n"
    assert host.run("ls -A /mnt/small", check=True).stdout.split() == ["conf", "fill"]
