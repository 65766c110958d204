"""The same playbook through ansible-playbook (the oracle, local connection) and edgeauto:
exit code, PLAY RECAP counts and output of each, for differential tests."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

ANSIBLE = Path(sys.executable).with_name("ansible-playbook")
REPO = Path(__file__).resolve().parents[3]

RECAP = re.compile(
    r"^(\S+)\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+"
    r"skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)",
    re.M,
)


def recap(text: str) -> dict:
    return {m.group(1): tuple(int(g) for g in m.groups()[1:]) for m in RECAP.finditer(text)}


def run_both(
    tmp_path: Path, playbook: str, files: dict[str, str], extra: tuple[str, ...] = ()
) -> dict[str, tuple[int, dict, str]]:
    """tool -> (exit code, recap, output) for hosts h1 and h2 on the local connection.

    ``WORK`` in the playbook becomes a directory of the tool's own; ``files`` are written
    beside the playbook first (templates, task files)."""
    inventory = tmp_path / "inv.yml"
    inventory.write_text(
        "all:\n  hosts:\n"
        + "".join(
            f"    {h}: {{ansible_connection: local, ansible_python_interpreter: {sys.executable}}}\n"
            for h in ("h1", "h2")
        )
    )
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    results = {}
    for tool in ("ansible", "edgeauto"):
        work = tmp_path / tool
        work.mkdir()
        pb = tmp_path / f"{tool}.yml"
        pb.write_text(textwrap.dedent(playbook).replace("WORK", str(work)))
        if tool == "ansible":
            argv = [str(ANSIBLE), "-i", str(inventory), str(pb), *extra]
        else:
            argv = [
                sys.executable,
                "-m",
                "edgeauto",
                "run",
                "-i",
                str(inventory),
                str(pb),
                "--no-retry-file",
                "--no-pending-handlers",
                *extra,
            ]
        env = dict(
            os.environ,
            ANSIBLE_NOCOLOR="1",
            ANSIBLE_RETRY_FILES_ENABLED="0",
            ANSIBLE_LOCAL_TEMP=str(tmp_path / "atmp"),
            NO_COLOR="1",
        )
        proc = subprocess.run(
            argv,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            timeout=180,
            cwd=REPO,
        )
        results[tool] = (proc.returncode, recap(proc.stdout), proc.stdout + proc.stderr)
    return results
