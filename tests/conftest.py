"""Suite-wide: every ``edgeauto run`` a test makes (in process or as a subprocess) records
its history in a throwaway state directory, never in the user's ``~/.local/state``. The
process that made the directory (the xdist controller, or a plain pytest) removes it."""

from __future__ import annotations

import os
import shutil
import tempfile

_made: list[str] = []


def pytest_configure(config):
    if "EDGEAUTO_TEST_STATE" not in os.environ:
        state = tempfile.mkdtemp(prefix="edgeauto-test-state-")
        os.environ["EDGEAUTO_TEST_STATE"] = state
        os.environ["XDG_STATE_HOME"] = state
        os.environ.pop("EDGEAUTO_HISTORY", None)  # a user's own database is not the suite's
        _made.append(state)


def pytest_unconfigure(config):
    for state in _made:
        shutil.rmtree(state, ignore_errors=True)
