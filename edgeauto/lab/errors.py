"""The lab's error type: part of the edgeauto error family so the CLI prints it cleanly."""

from __future__ import annotations

from edgeauto.errors import EdgeautoError


class LabError(EdgeautoError):
    """The lab could not be built, started, reached or torn down; the message says why."""
