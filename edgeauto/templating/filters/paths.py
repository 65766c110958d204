"""Path filters beyond the ``os.path`` functions installed as they are."""

from __future__ import annotations

import glob
import os


def path_join(paths):
    if isinstance(paths, str):
        return os.path.join(paths)
    return os.path.join(*paths)


def fileglob(pathname):
    return [g for g in glob.glob(pathname) if os.path.isfile(g)]
