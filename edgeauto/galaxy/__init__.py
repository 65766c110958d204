"""Offline ``ansible-galaxy install``: roles and collections from local tarballs, directories
and git repositories, installed atomically where ``edgeauto run`` finds them, pinned in a
lock file. Edge sites are often offline, so no Galaxy server is ever contacted.

requirements (parse requirements.yml) -> sources (stage one source in a temp dir, say what
version/digest it is) -> install (compare with what is installed, swap in atomically) ->
lockfile (pin what was installed; ``--locked`` replays it).
"""

from __future__ import annotations

from edgeauto.errors import EdgeautoError


class GalaxyError(EdgeautoError):
    """A requirement that cannot be resolved, fetched, verified or installed."""
