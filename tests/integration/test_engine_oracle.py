"""Differential test: the same playbook through ansible-playbook (the oracle) and edgeauto on two
fresh lab hosts with Python; the resulting file trees and the changed counts must be equal."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_engine_lab import TEN_TASKS

pytestmark = [pytest.mark.lab, pytest.mark.slow]
ANSIBLE = Path(sys.executable).with_name("ansible-playbook")

TREE = (
    "cd /opt/edgeauto-test && find . | sort | while read -r p; do "
    'if [ -L "$p" ]; then echo "$p link $(readlink "$p")"; '
    'elif [ -f "$p" ]; then echo "$p file $(stat -c %a "$p") $(sha1sum < "$p" | cut -c1-40)"; '
    'else echo "$p dir $(stat -c %a "$p")"; fi; done'
)


def recap_changed(text: str, host: str) -> int:
    match = re.search(rf"^{re.escape(host)}\s+: ok=\d+\s+changed=(\d+)", text, re.M)
    assert match, text
    return int(match.group(1))


@pytest.mark.skipif(not ANSIBLE.exists(), reason="ansible-core (oracle) not installed")
def test_ansible_playbook_and_edgeauto_leave_the_same_state(tmp_path, lab_inventory, make_host):
    oracle_host = make_host(flavor="debian", with_python=True)
    our_host = make_host(flavor="debian", with_python=True)
    pb = tmp_path / "site.yml"
    pb.write_text(TEN_TASKS)
    repo = Path(__file__).resolve().parents[2]
    env = dict(
        os.environ,
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_RETRY_FILES_ENABLED="0",
        ANSIBLE_HOST_KEY_CHECKING="1",
        ANSIBLE_LOCAL_TEMP=str(tmp_path / "atmp"),
    )
    outputs = {}
    for tool, host in (("ansible", oracle_host), ("edgeauto", our_host)):
        for attempt in (1, 2):
            if tool == "ansible":
                argv = [str(ANSIBLE), "-i", str(lab_inventory), "-l", host.name, str(pb)]
            else:
                argv = [
                    sys.executable,
                    "-m",
                    "edgeauto",
                    "run",
                    "-i",
                    str(lab_inventory),
                    "-l",
                    host.name,
                    str(pb),
                    "--no-retry-file",
                ]
            started = time.monotonic()
            proc = subprocess.run(
                argv,
                capture_output=True,
                stdin=subprocess.DEVNULL,
                text=True,
                env=env,
                cwd=repo,
                timeout=600,
            )
            print(f"{tool} run {attempt}: {time.monotonic() - started:.2f}s")  # measurement
            assert proc.returncode == 0, proc.stdout + proc.stderr
            outputs[(tool, attempt)] = recap_changed(proc.stdout, host.name)
    assert outputs[("edgeauto", 1)] == outputs[("ansible", 1)]
    assert outputs[("edgeauto", 2)] == outputs[("ansible", 2)] == 0
    ours = our_host.run(TREE, check=True).stdout
    theirs = oracle_host.run(TREE, check=True).stdout
    # the identity file embeds the host name: compare it separately
    strip = lambda t: "\n".join(ln for ln in t.splitlines() if "identity" not in ln)  # noqa: E731
    assert strip(ours) == strip(theirs)
