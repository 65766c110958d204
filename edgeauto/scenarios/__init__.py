"""``edgeauto test``: role scenarios like molecule's, on throwaway lab hosts.

A scenario is a directory with ``converge.yml`` (and optionally ``verify.yml``): molecule's
``molecule/<name>/`` (``molecule.yml`` names the platforms) or our own
``tests/scenarios/<name>/`` (``scenario.yml``). Each runs: create the platforms' lab hosts →
converge → converge again and fail on any change (idempotence) → verify → destroy.
"""
