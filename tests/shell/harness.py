"""What the shell-side tests share: running compiled module calls under the shell a test is
parametrised with, and asking ansible-core (the test oracle) for the same call's answer.

One place for both so every test runs BusyBox the same way (a PATH of BusyBox applets only, so
GNU coreutils cannot mask a portability bug) and calls the oracle with the same quiet settings.
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from edgeauto.remote.localrun import LocalRun, LocalTask, run_local

ANSIBLE = Path(sys.executable).parent / "ansible"


def run_under(shell: str, tasks: list[LocalTask], **kwargs) -> LocalRun:
    """``run_local`` under ``shell``; under busybox with only BusyBox applets on PATH."""
    return run_local(tasks, shell=shell, busybox_only=shell == "busybox", **kwargs)


def ansible_localhost(
    module: str, args: dict, *, extra_vars: dict | None = None, check: bool = False
) -> dict:
    """One ``ansible localhost -c local -m MODULE`` call; its JSON result (from ``-t``).

    ``check=True`` raises when ansible exits non-zero (for callers that need the call to work).
    """
    env = dict(os.environ, ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    command = [str(ANSIBLE), "localhost", "-c", "local", "-m", module]
    if extra_vars is not None:
        command += ["-e", json.dumps(extra_vars)]
    with tempfile.TemporaryDirectory() as tree:
        subprocess.run(
            [*command, "-t", tree, "-a", json.dumps(args)],
            capture_output=True,
            env=env,
            check=check,
        )
        return json.loads((Path(tree) / "localhost").read_text())
