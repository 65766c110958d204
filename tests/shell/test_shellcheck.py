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


FRAMING_GLOBALS = {"__ea_root", "__ea_t", "__ea_check", "__ea_diff", "__ea_umask", "__ea_nonce"}
# framing files: prelude.sh, and jobs.sh (the builder adds it for timeout/async tasks)
FRAMING_FILES = {"prelude.sh", "jobs.sh"}


@pytest.mark.parametrize(
    "path", [p for p in SH_FILES if p.name not in FRAMING_FILES], ids=lambda p: p.name
)
def test_module_functions_read_no_framing_globals(path):
    """Module functions take arguments and call helpers; only prelude.sh touches __ea_ globals
    (every __ea_ variable a module file reads must be assigned in that same file)."""
    import re

    text = path.read_text()
    read = set(re.findall(r"\$\{?(__ea_[A-Za-z0-9_]+)", text))
    assigned = set(re.findall(r"(__ea_[A-Za-z0-9_]+)=", text))
    assigned |= set(
        re.findall(r"(?:read -r|for)\s+((?:__ea_[A-Za-z0-9_]+\s*)+)", text)
        and re.findall(
            r"__ea_[A-Za-z0-9_]+", " ".join(re.findall(r"(?:read -r|for) ([^;<\n]+)", text))
        )
    )
    assert not (read & FRAMING_GLOBALS), read & FRAMING_GLOBALS
    assert read <= assigned, read - assigned
