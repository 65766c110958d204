"""Task results stream to the controller while the host's one script still runs (issue 15).

How it is proved without timing anything: the second task waits on the target for a flag
file that the test creates only after it has READ the first task's result from edgeauto's
piped stdout. If results were printed only when the whole script ended, the test would never
see that line, never create the flag, and the task would give up and fail. The round trips
per host stay what they were: one script for the whole play.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[2]


def playbook(tmp_path: Path, flag: str) -> Path:
    path = tmp_path / "live.yml"
    path.write_text(
        textwrap.dedent(
            f"""
            - hosts: all
              gather_facts: false
              tasks:
                - name: first
                  command: echo first
                - name: second waits for the flag the test sets after reading the first
                  shell: |
                    i=0
                    while [ ! -e {flag} ]; do
                      i=$((i + 1)); [ "$i" -gt 1200 ] && exit 3
                      sleep 0.1
                    done
                    rm -f {flag}
            """
        )
    )
    return path


def edgeauto(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "edgeauto", "run", "--no-retry-file", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        **kw,
    )


@pytest.mark.parametrize("connection", ["ssh", "paramiko"])
def test_a_task_result_is_printed_before_the_script_ends(
    tmp_path, lab_inventory, debian_host, connection
):
    flag = f"/tmp/ea-live-{uuid.uuid4().hex}"
    path = playbook(tmp_path, flag)
    proc = edgeauto("-i", str(lab_inventory), "-l", debian_host.name, "-c", connection, str(path))
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if line.startswith(f"changed: [{debian_host.name}]"):
            assert any("TASK [first]" in s for s in seen), seen
            break
    else:
        pytest.fail("edgeauto ended without printing the first result:\n" + "".join(seen))
    debian_host.run(f"touch {flag}", check=True)  # only now can the second task finish
    rest = proc.stdout.read()
    assert proc.wait(timeout=300) == 0, "".join(seen) + rest
    assert "TASK [second waits for the flag" in rest
    assert "failed=0" in rest


def test_streaming_keeps_one_round_trip_for_the_whole_play(tmp_path, lab_inventory, debian_host):
    flag = f"/tmp/ea-live-{uuid.uuid4().hex}"
    debian_host.run(f"touch {flag}", check=True)  # the second task need not wait here
    path = playbook(tmp_path, flag)
    proc = edgeauto("-i", str(lab_inventory), "-l", debian_host.name, "--json", str(path))
    out, _ = proc.communicate(timeout=300)
    doc = json.loads(out[out.index("{") :])
    assert doc["stats"][debian_host.name]["round_trips"] == 1, doc["stats"]
    assert doc["exit_code"] == 0
