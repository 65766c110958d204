"""``find``: return files matching criteria below paths (ansible.builtin.find).

The target lists every entry (``find -exec stat ... {} +``: one stat per batch, readdir order),
which symlinks point to directories, which regular files match ``contains`` (grep -E) and
their checksums. The controller then does what Ansible's module does with ``os.walk``: the
same walk order (files before directories per directory, top-down), depth, hidden, patterns
(fnmatch or ``re.match`` — exact Python semantics, since they run here), excludes, age, size,
mode, file_type and limit, and the same per-file keys, ``matched``, ``examined``,
``skipped_paths`` and ``msg``.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import re
import stat as st

from edgeauto.errors import ModuleArgumentError, Position
from edgeauto.modules.base import CompileContext, RemoteModule, ShellCall, standard_result
from edgeauto.modules.core._common import flag, python_re_to_ere
from edgeauto.modules.core._files import CHECKSUM_ALGORITHM, find_file_dict, parse_stat_line
from edgeauto.modules.core._perlre import ere_or_perl_reason, python_re_to_perl
from edgeauto.modules.shellfn import ShellFunction
from edgeauto.modules.spec import ModuleSpec, Option

SPEC = ModuleSpec(
    name="find",
    short_description="Return a list of files based on specific criteria",
    description=(
        "Works like ansible.builtin.find. contains is a Python regex translated to POSIX ERE "
        "(grep -E on the target, per line; read_whole_file searches the whole text with perl, "
        "or every line where the target has no perl); encoding is "
        "accepted (the target greps bytes)."
    ),
    options={
        "paths": Option(
            type="list",
            elements="path",
            required=True,
            aliases=("name", "path"),
            description="Directories to search.",
        ),
        "patterns": Option(
            type="list",
            elements="str",
            default=[],
            aliases=("pattern",),
            description="Basename globs (regexps with use_regex).",
        ),
        "excludes": Option(
            type="list", elements="str", aliases=("exclude",), description="Basenames to skip."
        ),
        "contains": Option(description="Regex a file's line must match (from its start)."),
        "read_whole_file": Option(
            type="bool", default=False, description="contains may match anywhere."
        ),
        "file_type": Option(
            default="file",
            choices=("any", "directory", "file", "link"),
            description="Kind of entry.",
        ),
        "age": Option(description="Older than (negative: younger than), e.g. 2d, 4w, -1h."),
        "age_stamp": Option(
            default="mtime", choices=("atime", "ctime", "mtime"), description="Time age uses."
        ),
        "size": Option(description="At least (negative: at most) this size, e.g. 10m."),
        "recurse": Option(type="bool", default=False, description="Descend into directories."),
        "hidden": Option(type="bool", default=False, description="Include dot files."),
        "follow": Option(type="bool", default=False, description="Descend into symlinked dirs."),
        "get_checksum": Option(type="bool", default=False, description="Checksum regular files."),
        "checksum_algorithm": CHECKSUM_ALGORITHM,
        "use_regex": Option(
            type="bool", default=False, description="patterns/excludes are regexps."
        ),
        "depth": Option(type="int", description="Maximum depth when recursing."),
        "mode": Option(type="raw", description="Permissions the entries must have."),
        "exact_mode": Option(type="bool", default=True, description="mode exactly, or any bit."),
        "encoding": Option(description="Accepted; contains matches bytes."),
        "limit": Option(type="int", description="Stop after this many matches."),
    },
    returns={
        "files": "One stat-like dict per match (path, mode, isdir, size, mtime, ...).",
        "matched": "Number of matches.",
        "examined": "Number of entries looked at.",
        "skipped_paths": "Paths that could not be searched, with the reason.",
        "msg": "All paths examined / Limit of matches reached / Not all paths examined ...",
    },
    examples="- find:\n    paths: /var/log\n    patterns: '*.log'\n    age: 2d\n    recurse: true\n",
)

EA_FIND = ShellFunction(
    "ea_find",
    "find.sh",
    needs=("filestat.sh", "perlre.sh"),
    params="maxdepth follow contains whole checksum plcontains plwhy encoding",
    rest="paths",
    defaults={"follow": "0", "whole": "0"},
)

_AGE = re.compile(r"^(-?\d+)(s|m|h|d|w)?$")
_SIZE = re.compile(r"^(-?\d+)(b|k|m|g|t)?$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_BYTES = {"b": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def _amount(value, pattern, units, what: str, pos: Position | None) -> int | None:
    if value is None:
        return None
    match = pattern.match(str(value).lower())
    if not match:
        raise ModuleArgumentError(f"failed to process {what}", pos)
    return int(match.group(1)) * units.get(match.group(2), 1)


def _symbolic_mode(mode: str, pos: Position | None) -> int:
    """A symbolic mode applied to 0 (as Ansible's find does), e.g. u=rw,g=r → 0o640."""
    bits = {"r": 4, "w": 2, "x": 1}
    shift = {"u": 6, "g": 3, "o": 0}
    value = 0
    for clause in mode.split(","):
        match = re.fullmatch(r"([ugoa]*)([=+-])([rwxst]*)", clause)
        if not match:
            raise ModuleArgumentError(f"argument 'mode': bad symbolic mode {mode!r}", pos)
        who = match.group(1).replace("a", "ugo") or "ugo"
        perm = 0
        for w in set(who):
            for p in match.group(3):
                if p in bits:
                    perm |= bits[p] << shift[w]
                elif p == "s" and w in "ug":
                    perm |= st.S_ISUID if w == "u" else st.S_ISGID
                elif p == "t":
                    perm |= st.S_ISVTX
        if match.group(2) == "=":
            mask = 0
            for w in set(who):
                mask |= 7 << shift[w]
            value = (value & ~mask) | perm
        elif match.group(2) == "+":
            value |= perm
        else:
            value &= ~perm
    return value


def _wanted_mode(mode, pos: Position | None) -> int | None:
    if not mode:
        return None
    if not isinstance(mode, str):
        raise ModuleArgumentError(
            "argument 'mode' is not a string and conversion is not allowed, value is of type "
            f"{type(mode).__name__}",
            pos,
        )
    try:
        return st.S_IMODE(int(mode, 8))
    except ValueError:
        return st.S_IMODE(_symbolic_mode(mode, pos))


def _name_ok(name: str, patterns: list, excludes: list | None, use_regex: bool) -> bool:
    def hit(pattern: str) -> bool:
        return bool(re.match(pattern, name)) if use_regex else fnmatch.fnmatch(name, pattern)

    if not patterns and not excludes:
        return True
    if not patterns:
        return False
    for pattern in patterns:
        if hit(pattern):
            return not any(hit(e) for e in excludes or [])
    return False


class FindModule(RemoteModule):
    spec = SPEC
    shell_functions = (EA_FIND,)
    invalidates = None
    converged_in = "tests/shell/test_files_converge.py: read-only; compared with ansible-core"

    def check_args(self, args: dict, pos: Position | None) -> None:
        _amount(args.get("age"), _AGE, _SECONDS, "age", pos)
        _amount(args.get("size"), _SIZE, _BYTES, "size", pos)
        _wanted_mode(args.get("mode"), pos)
        if args.get("limit") is not None and args["limit"] <= 0:
            raise ModuleArgumentError(
                f"limit cannot be {args['limit']} (use None for unlimited)", pos
            )
        if args.get("use_regex"):
            for pattern in [*(args.get("patterns") or []), *(args.get("excludes") or [])]:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ModuleArgumentError(f"invalid regex {pattern!r}: {exc}", pos) from None

    def compile(self, args: dict, ctx: CompileContext) -> ShellCall:
        self.check_args(args, ctx.pos)
        maxdepth = ""
        if not args.get("recurse"):
            maxdepth = "1"
        elif args.get("depth"):
            maxdepth = str(int(args["depth"]) + 1)  # Ansible examines one level more
        contains = plcontains = plwhy = ""
        if args.get("contains") is not None and (args.get("file_type") or "file") == "file":
            pattern = str(args["contains"])
            if args.get("read_whole_file"):
                # Python's re.search over the whole text ($ = its end): perl does that where
                # the target has it, else grep -E line by line when ERE can say it at all
                plcontains = python_re_to_perl(pattern, ctx.pos, "contains")
                plwhy = ere_or_perl_reason(pattern, ctx.pos, "contains") or ""
                if not plwhy and "\n" in python_re_to_ere(pattern, ctx.pos, "contains"):
                    plwhy = f"argument 'contains': the newline in {pattern!r}"
                contains = "" if plwhy else python_re_to_ere(pattern, ctx.pos, "contains")
            else:  # Python's re.match per line (with its newline): perl when ERE cannot
                plwhy = ere_or_perl_reason(pattern, ctx.pos, "contains") or ""
                if not plwhy and "\n" in python_re_to_ere(pattern, ctx.pos, "contains"):
                    plwhy = f"argument 'contains': the newline in {pattern!r}"
                if plwhy:
                    plcontains = python_re_to_perl(pattern, ctx.pos, "contains")
                contains = "" if plwhy else python_re_to_ere(pattern, ctx.pos, "contains")
            if "\n" in contains:
                raise ModuleArgumentError(
                    "argument 'contains': patterns naming a newline are not supported", ctx.pos
                )
        return EA_FIND.call(
            maxdepth=maxdepth,
            follow=flag(args.get("follow")),
            contains=contains,
            whole=flag(args.get("read_whole_file")),
            plcontains=plcontains,
            plwhy=plwhy,
            # Python reads the file as text in this encoding: one it cannot decode stops
            # that path's walk; another encoding than UTF-8 is converted with iconv
            encoding=_encoding(args.get("encoding")) if (contains or plcontains) else "",
            checksum=str(args.get("checksum_algorithm") or "sha1")
            if args.get("get_checksum")
            else "",
            paths=[str(p) for p in args["paths"]],
        )

    def finish(self, record: dict, args: dict, ctx: CompileContext) -> dict:
        out = standard_result(record)
        entries = out.pop("entries", "")
        now = int(out.pop("now", "0") or 0)
        if out.get("failed"):
            return out
        out.update(self.select(entries, args, now, ctx.pos))
        return out

    def select(self, entries: str, args: dict, now: int, pos: Position | None) -> dict:
        """Ansible's walk and filters over the target's listing."""
        roots: list[tuple[str, list]] = []
        skipped: dict[str, str] = {}
        walk_errors: dict[str, str] = {}
        dir_links: set[str] = set()
        contained: set[str] = set()
        undecodable: set[str] = set()
        sums: dict[str, str] = {}
        for line in entries.split("\n"):
            kind, _, rest = line.partition("\t")
            if kind == "R":
                roots.append((rest, []))
            elif kind == "E" and roots:
                statline, _, path = rest.partition("\t")
                roots[-1][1].append((os.path.normpath(path), parse_stat_line(statline)))
            elif kind == "D":
                dir_links.add(os.path.normpath(rest))
            elif kind == "C":
                contained.add(os.path.normpath(rest))
            elif kind == "U":
                undecodable.add(os.path.normpath(rest))
            elif kind == "S":
                digest, _, path = rest.partition("\t")
                sums[os.path.normpath(path)] = digest
            elif kind == "X":
                path, _, reason = rest.partition("\t")
                skipped[path] = reason
            elif kind == "W":  # a directory the walk could not read: no warning, as os.walk's
                path, _, reason = rest.partition("\t")
                walk_errors[path] = reason
        age = _amount(args.get("age"), _AGE, _SECONDS, "age", pos)
        size = _amount(args.get("size"), _SIZE, _BYTES, "size", pos)
        mode = _wanted_mode(args.get("mode"), pos)
        patterns = list(args.get("patterns") or []) or ([".*"] if args.get("use_regex") else ["*"])
        excludes = args.get("excludes")
        use_regex = bool(args.get("use_regex"))
        file_type = args.get("file_type") or "file"
        depth_limit = args.get("depth")
        limit = args.get("limit")
        stamp = f"st_{args.get('age_stamp') or 'mtime'}"
        files: list[dict] = []
        warnings: list[str] = []
        unknown_encoding = ""
        if args.get("contains") is not None and args.get("encoding"):
            try:
                codecs.lookup(str(args["encoding"]))
            except LookupError:  # Python's open() says so at the first file it reads
                unknown_encoding = f"unknown encoding: {args['encoding']}"
        looked = 0
        msg = "All paths examined"

        def age_ok(raw) -> bool:
            if age is None:
                return True
            elapsed = now - raw[stamp]
            return elapsed >= abs(age) if age >= 0 else elapsed <= abs(age)

        def size_ok(raw) -> bool:
            if size is None:
                return True
            return raw["st_size"] >= abs(size) if size >= 0 else raw["st_size"] <= abs(size)

        def mode_ok(raw) -> bool:
            if mode is None:
                return True
            have = st.S_IMODE(raw["st_mode"])
            return have == mode if args.get("exact_mode", True) else bool(have & mode)

        for root, listing in roots:
            children: dict[str, list] = {}
            for path, raw in listing:
                children.setdefault(os.path.dirname(path), []).append((path, raw))
            top = os.path.normpath(root)
            stack = [top]
            stop = False
            while stack and not stop:
                current = stack.pop(0)
                kids = children.get(current, [])
                is_dir = [
                    (p, r)
                    for p, r in kids
                    if st.S_ISDIR(r["st_mode"]) or (st.S_ISLNK(r["st_mode"]) and p in dir_links)
                ]
                plain = [(p, r) for p, r in kids if (p, r) not in is_dir]
                looked += len(kids)
                descend = [p for p, _ in is_dir]
                for path, raw in plain + is_dir:
                    if depth_limit:
                        base = root.rstrip("/") + "/"
                        if path.count("/") - base.count("/") + 1 > depth_limit:
                            descend = []
                            continue
                    name = os.path.basename(path)
                    if name.startswith(".") and not args.get("hidden"):
                        continue
                    m = raw["st_mode"]
                    common = _name_ok(name, patterns, excludes, use_regex) and age_ok(raw)
                    entry = None
                    if file_type == "any":
                        if common and mode_ok(raw) and (not st.S_ISREG(m) or size_ok(raw)):
                            entry = {"path": path, **find_file_dict(raw)}
                            if st.S_ISREG(m) and args.get("get_checksum") and path in sums:
                                entry["checksum"] = sums[path]
                    elif file_type == "directory" and st.S_ISDIR(m):
                        if common and mode_ok(raw):
                            entry = {"path": path, **find_file_dict(raw)}
                    elif file_type == "file" and st.S_ISREG(m):
                        unreadable = unknown_encoding or path in undecodable
                        if common and size_ok(raw) and mode_ok(raw) and unreadable:
                            # Ansible's contentfilter raises: the rest of this path is skipped
                            skipped[root] = unknown_encoding or _encoding_error(
                                path, args.get("encoding")
                            )
                            warnings.append(
                                f"Skipped '{root}' path due to this access issue: {skipped[root]}\n"
                            )
                            stop = True
                            break
                        has = args.get("contains") is None or path in contained
                        if common and size_ok(raw) and has and mode_ok(raw):
                            entry = {"path": path, **find_file_dict(raw)}
                            if args.get("get_checksum") and path in sums:
                                entry["checksum"] = sums[path]
                    elif file_type == "link" and st.S_ISLNK(m):
                        if common and mode_ok(raw):
                            entry = {"path": path, **find_file_dict(raw)}
                    if entry is not None:
                        files.append(entry)
                    if len(files) == limit:
                        msg = "Limit of matches reached"
                        break
                if not args.get("recurse") or len(files) == limit:
                    stop = True
                    break
                # top-down, depth first: this directory's subdirectories come next, in order
                stack[:0] = descend
        if skipped:
            msg = "Not all paths examined, check warnings for details"
        extra = {"warnings": warnings} if warnings else {}
        return {
            **extra,
            "files": files,
            "changed": False,
            "msg": msg,
            "matched": len(files),
            "examined": looked,
            "skipped_paths": {**walk_errors, **skipped},
        }


def _encoding(encoding) -> str:
    name = str(encoding or "utf-8").lower().replace("_", "-")
    return "utf-8" if name in ("utf-8", "utf8") else name


def _encoding_error(path: str, encoding) -> str:
    """Ansible's contentfilter message for a file its encoding cannot decode."""
    if encoding is None:
        encoding = 'None (default determined by the Python built-in function "open")'
    return f"Failed to read the file {path} due to an encoding error. current encoding: {encoding}"


MODULE = FindModule()
