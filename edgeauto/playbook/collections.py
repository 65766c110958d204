"""Where Ansible collections are found, in ansible-core's order: ``collections/`` beside the
playbook, ``$ANSIBLE_COLLECTIONS_PATH`` (else ansible.cfg's ``collections_path``, else
``~/.ansible/collections:/usr/share/ansible/collections``), then every ``sys.path`` entry
(the ``ansible`` package installs collections into site-packages). Each base holds
``ansible_collections/<namespace>/<name>/``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

FQCN = re.compile(r"^([A-Za-z_]\w*)\.([A-Za-z_]\w*)\.([A-Za-z_][\w.]*)$")


def collection_bases(basedir: Path | None = None) -> list[Path]:
    from edgeauto.config import active

    bases: list[Path] = []
    if basedir is not None:
        bases.append(Path(basedir) / "collections")
    env = os.environ.get("ANSIBLE_COLLECTIONS_PATH") or os.environ.get("ANSIBLE_COLLECTIONS_PATHS")
    paths = env.split(os.pathsep) if env else active().get("collections_path")
    bases += [Path(p).expanduser() for p in paths if p]
    bases += [Path(p) for p in sys.path if p and Path(p).is_dir()]
    return list(dict.fromkeys(bases))


def collection_dirs(namespace: str, name: str, basedir: Path | None = None) -> list[Path]:
    """Every place the collection ``namespace.name`` could be (existing or not), in order."""
    return [b / "ansible_collections" / namespace / name for b in collection_bases(basedir)]


def find_collection_role(fqcn: str, basedir: Path | None = None) -> tuple[Path | None, list[Path]]:
    """The role directory of ``ns.coll.role`` and where it was looked for."""
    match = FQCN.match(fqcn)
    if match is None:
        return None, []
    namespace, name, role = match.groups()
    looked = [d / "roles" / role for d in collection_dirs(namespace, name, basedir)]
    return next((p for p in looked if p.is_dir()), None), looked
