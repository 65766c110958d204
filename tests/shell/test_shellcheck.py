"""Every remote/*.sh file is POSIX sh and shellcheck-clean (shellcheck -s sh)."""

import shutil
import subprocess
from pathlib import Path

import pytest

import edgeauto.remote

REMOTE = Path(edgeauto.remote.__file__).parent
SH_FILES = sorted(REMOTE.glob("*.sh"))


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck not installed")
@pytest.mark.parametrize("path", SH_FILES, ids=lambda p: p.name)
def test_shell_function_file_is_shellcheck_clean(path):
    proc = subprocess.run(["shellcheck", "-s", "sh", str(path)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize("path", SH_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("shell", ["dash", "busybox"])
def test_shell_function_file_parses_under_dash_and_busybox(path, shell):
    cmd = [shell, "-n", str(path)] if shell == "dash" else ["busybox", "sh", "-n", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
