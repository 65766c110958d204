"""``edgeauto galaxy install``: ansible-galaxy's install, offline. Roles and collections come
from local tarballs, directories and git repositories (never a Galaxy server: edge sites are
often offline) and go where ``edgeauto run`` finds them. ``-r requirements.yml`` also writes
``requirements.lock.yml`` beside it; ``--locked`` installs exactly what that lock pins.

``galaxy role install`` / ``galaxy collection install`` are accepted as ansible-galaxy spells
them: they take only that part of requirements.yml, and for collections ``-p`` is the
collections path (as in ``ansible-galaxy collection install -p``).
"""

from __future__ import annotations

import tarfile
from pathlib import Path


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "galaxy",
        help="install roles and collections offline (ansible-galaxy install)",
        description=__doc__.split("\n\n")[0],
    )
    sub = parser.add_subparsers(dest="galaxy_command", metavar="ACTION", required=True)
    _install_parser(sub, "install", kind=None)
    for kind in ("role", "collection"):
        group = sub.add_parser(kind, help=f"ansible-galaxy {kind} … (install only)")
        actions = group.add_subparsers(dest="galaxy_action", metavar="ACTION", required=True)
        _install_parser(actions, "install", kind=kind)


def _install_parser(sub, name: str, kind: str | None) -> None:
    what = f"{kind}s" if kind else "roles/collections"
    install = sub.add_parser(name, help=f"install {what} from local sources", description=__doc__)
    install.add_argument(
        "sources", nargs="*", metavar="SRC",
        help="tarball, directory or git+URL[,version]" + ("" if kind else " (kind detected)"),
    )  # fmt: skip
    install.add_argument(
        "-r", "--role-file", "--requirements-file", dest="requirements", metavar="FILE",
        help="requirements.yml (roles: and collections:)",
    )  # fmt: skip
    if kind == "collection":
        install.add_argument(
            "-p", "--collections-path", dest="galaxy_collections_path", metavar="DIR",
            help="install under DIR/ansible_collections (default: first collections_path entry)",
        )  # fmt: skip
    else:
        install.add_argument(
            "-p", "--roles-path", dest="galaxy_roles_path", metavar="DIR",
            help="install roles here (default: first roles_path entry)",
        )  # fmt: skip
    if kind is None:
        install.add_argument(
            "--collections-path", dest="galaxy_collections_path", metavar="DIR",
            help="install collections under DIR/ansible_collections "
            "(default: first collections_path entry)",
        )  # fmt: skip
    install.add_argument("-f", "--force", action="store_true", help="reinstall even if present")
    install.add_argument(
        "--locked", action="store_true",
        help="install exactly what requirements.lock.yml pins; fail if a source changed",
    )  # fmt: skip
    install.add_argument(
        "--offline", action="store_true",
        help="accepted for ansible-galaxy compatibility (always offline)",
    )  # fmt: skip
    install.set_defaults(func=run_install, galaxy_kind=kind)


def run_install(args) -> int:
    from edgeauto.config import active
    from edgeauto.errors import EdgeautoError
    from edgeauto.galaxy.install import install_one
    from edgeauto.galaxy.lockfile import lock_path, locked_entry, read_lock, write_lock
    from edgeauto.galaxy.requirements import load_requirements, parse_entry

    cfg = active()
    roles = getattr(args, "galaxy_roles_path", None) or _first(cfg.get("roles_path"), "roles")
    colls = getattr(args, "galaxy_collections_path", None) or _first(
        cfg.get("collections_path"), "collections"
    )
    roles_dir, colls_dir = Path(roles).expanduser(), Path(colls).expanduser()
    kind = args.galaxy_kind
    req_file = Path(args.requirements) if args.requirements else None
    reqs = load_requirements(req_file) if req_file is not None else []
    reqs = [r for r in reqs if kind in (None, r.kind)]
    reqs += [parse_entry(s, kind or _kind_of(s), Path.cwd(), None) for s in args.sources]
    if not reqs:
        raise EdgeautoError("nothing to install: give -r requirements.yml or SRC arguments")
    if args.locked and req_file is None:
        raise EdgeautoError("--locked needs -r requirements.yml (the lock file lives beside it)")
    lock = read_lock(lock_path(req_file)) if args.locked else None
    outcomes = []
    for req in reqs:
        entry = locked_entry(lock, req, lock_path(req_file)) if lock is not None else None
        outcome = install_one(req, roles_dir, colls_dir, force=args.force, locked=entry)
        print(outcome.line(), flush=True)
        outcomes.append(outcome)
    # the lock pins the whole requirements file: only a full -r run may rewrite it
    if req_file is not None and not (args.locked or args.sources or kind):
        write_lock(lock_path(req_file), outcomes)
        print(f"lock file: {lock_path(req_file)}")
    kept = sum(o.action == "kept" for o in outcomes)
    print(f"{len(outcomes) - kept} installed, {kept} kept")
    return 0


def _first(paths: list, what: str) -> str:
    """The first configured entry: where ansible-galaxy installs too."""
    if not paths:
        from edgeauto.errors import EdgeautoError

        raise EdgeautoError(f"{what}_path is empty in the configuration; give -p/--{what}-path")
    return paths[0]


def _kind_of(src: str) -> str:
    """A SRC on the command line is a collection when it carries collection metadata."""
    path = Path(src.removeprefix("file://"))
    if path.is_dir():
        meta = ("MANIFEST.json", "galaxy.yml")
        return "collection" if any((path / f).is_file() for f in meta) else "role"
    if path.is_file() and tarfile.is_tarfile(path):
        with tarfile.open(path) as tar:
            return "collection" if "MANIFEST.json" in tar.getnames() else "role"
    return "role"
