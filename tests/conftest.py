"""Suite-wide: every ``edgeauto run`` a test makes (in process or as a subprocess) records
its history in a throwaway state directory, never in the user's ``~/.local/state``."""

from __future__ import annotations

import os
import tempfile


def pytest_configure(config):
    if "EDGEAUTO_TEST_STATE" not in os.environ:
        state = tempfile.mkdtemp(prefix="edgeauto-test-state-")
        os.environ["EDGEAUTO_TEST_STATE"] = state
        os.environ["XDG_STATE_HOME"] = state
