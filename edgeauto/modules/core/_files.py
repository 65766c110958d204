"""Helpers of the ``files`` group (stat, find, slurp, fetch, blockinfile, replace, ini_file,
tempfile, assemble): turning the target's ``stat(1)`` line into Ansible's stat dicts, and the
options several of these modules share.

The target prints one line per path in the format of ``remote/filestat.sh`` (``%f`` raw mode,
ids, sizes, whole-second times, then the human times for their fractions); everything Ansible
derives from ``os.stat`` (mode string, type booleans, permission bits, float times, rdev) is
computed here so the shell side stays one ``stat`` call per path.
"""

from __future__ import annotations

import base64
import binascii
import stat as st

from edgeauto.modules.spec import Option

CHECKSUM_ALGORITHMS = ("md5", "sha1", "sha224", "sha256", "sha384", "sha512")
CHECKSUM_ALGORITHM = Option(
    default="sha1",
    choices=CHECKSUM_ALGORITHMS,
    aliases=("checksum", "checksum_algo"),
    description="Digest for checksums: the target's <alg>sum, busybox or openssl.",
)

# lsattr flag letters → Ansible's attribute names (chattr(1))
FILE_ATTRIBUTE_NAMES = {
    "A": "noatime",
    "a": "append",
    "c": "compressed",
    "C": "nocow",
    "d": "nodump",
    "D": "dirsync",
    "e": "extents",
    "E": "encrypted",
    "h": "blocksize",
    "i": "immutable",
    "I": "indexed",
    "j": "journalled",
    "N": "inline",
    "s": "zero",
    "S": "synchronous",
    "t": "notail",
    "T": "blockroot",
    "u": "undelete",
    "X": "compressedraw",
    "Z": "compresseddirty",
}


def _fraction_ns(clock: str) -> int:
    """Nanoseconds from the ``hh:mm:ss.nnnnnnnnn`` part of a human stat time (0 if none)."""
    if "." not in clock:
        return 0
    digits = clock.split(".", 1)[1]
    digits = "".join(c for c in digits if c.isdigit())[:9]
    return int(digits.ljust(9, "0")) if digits else 0


def _makedev(major: int, minor: int) -> int:
    """glibc's encoding of st_rdev from the major/minor numbers stat prints."""
    return (
        ((major & 0xFFFFF000) << 32)
        | ((major & 0xFFF) << 8)
        | ((minor & 0xFFFFFF00) << 12)
        | (minor & 0xFF)
    )


def parse_stat_line(line: str) -> dict:
    """One ``filestat.sh`` stat line → the raw numbers (``st_*`` names, Python's semantics).

    Float times are built like CPython does (``sec + nsec * 1e-9``) so they equal Ansible's.
    """
    tok = line.split()
    if len(tok) < 25:
        raise ValueError(f"unexpected stat output: {line!r}")
    num = [int(t) for t in tok[1:12]]
    uid, gid, size, ino, dev, nlink, asec, msec, csec, blksize, blocks = num
    times = {}
    for name, sec, clock in (
        ("atime", asec, tok[17]),
        ("mtime", msec, tok[20]),
        ("ctime", csec, tok[23]),
    ):
        times[name] = sec + _fraction_ns(clock) * 1e-9
    return {
        "st_mode": int(tok[0], 16),
        "st_uid": uid,
        "st_gid": gid,
        "st_size": size,
        "st_ino": ino,
        "st_dev": dev,
        "st_nlink": nlink,
        "st_atime": times["atime"],
        "st_mtime": times["mtime"],
        "st_ctime": times["ctime"],
        "st_blksize": blksize,
        "st_blocks": blocks,
        "st_rdev": _makedev(int(tok[12], 16), int(tok[13], 16)),
        "pw_name": None if tok[14] == "UNKNOWN" else tok[14],
        "gr_name": None if tok[15] == "UNKNOWN" else tok[15],
    }


def mode_keys(mode: int) -> dict:
    """Ansible's mode string, file-type booleans and permission-bit booleans of a raw mode."""
    return {
        "mode": format(st.S_IMODE(mode), "04o"),
        "isdir": st.S_ISDIR(mode),
        "ischr": st.S_ISCHR(mode),
        "isblk": st.S_ISBLK(mode),
        "isreg": st.S_ISREG(mode),
        "isfifo": st.S_ISFIFO(mode),
        "islnk": st.S_ISLNK(mode),
        "issock": st.S_ISSOCK(mode),
    }


def perm_keys(mode: int) -> dict:
    bits = (
        ("wusr", st.S_IWUSR),
        ("rusr", st.S_IRUSR),
        ("xusr", st.S_IXUSR),
        ("wgrp", st.S_IWGRP),
        ("rgrp", st.S_IRGRP),
        ("xgrp", st.S_IXGRP),
        ("woth", st.S_IWOTH),
        ("roth", st.S_IROTH),
        ("xoth", st.S_IXOTH),
        ("isuid", st.S_ISUID),
        ("isgid", st.S_ISGID),
    )
    return {name: bool(mode & bit) for name, bit in bits}


def core_keys(raw: dict) -> dict:
    """The ids, sizes and times both stat and find report."""
    return {
        "uid": raw["st_uid"],
        "gid": raw["st_gid"],
        "size": raw["st_size"],
        "inode": raw["st_ino"],
        "dev": raw["st_dev"],
        "nlink": raw["st_nlink"],
        "atime": raw["st_atime"],
        "mtime": raw["st_mtime"],
        "ctime": raw["st_ctime"],
    }


def stat_module_dict(raw: dict, path: str) -> dict:
    """ansible.builtin.stat's ``stat`` dict (without access/link/checksum/mime/attributes)."""
    out = {"exists": True, "path": path, **mode_keys(raw["st_mode"]), **core_keys(raw)}
    out.update(perm_keys(raw["st_mode"]))
    out["blocks"] = raw["st_blocks"]
    out["block_size"] = raw["st_blksize"]
    out["device_type"] = raw["st_rdev"]
    return out


def find_file_dict(raw: dict) -> dict:
    """ansible.builtin.find's per-file dict (its ``statinfo``: names are '' when unknown)."""
    out = {**mode_keys(raw["st_mode"]), **core_keys(raw)}
    out["gr_name"] = raw["gr_name"] or ""
    out["pw_name"] = raw["pw_name"] or ""
    out.update(perm_keys(raw["st_mode"]))
    return out


def access_keys(letters: str) -> dict:
    """``rwx``/``-`` letters from ``ea__fs_access`` → readable/writeable/executable."""
    letters = (letters or "---").ljust(3, "-")
    return {
        "readable": letters[0] == "r",
        "writeable": letters[1] == "w",
        "executable": letters[2] == "x",
    }


def mime_keys(output: str | None) -> dict:
    """``file --mime-type --mime-encoding`` output → mimetype/charset ('unknown' if none)."""
    out = {"mimetype": "unknown", "charset": "unknown"}
    if output:
        try:
            mimetype, charset = output.rsplit(":", 1)[1].split(";")
            out["mimetype"] = mimetype.strip()
            out["charset"] = charset.split("=")[1].strip()
        except (IndexError, ValueError):
            pass
    return out


def attribute_keys(output: str | None) -> dict:
    """``lsattr -vd`` output → version/attr_flags/attributes (None/''/[] if unavailable)."""
    out: dict = {"version": None, "attributes": [], "attr_flags": ""}
    words = (output or "").split()
    if len(words) >= 2:
        flags = words[1].replace("-", "").strip()
        out["version"] = words[0].strip()
        out["attr_flags"] = flags
        out["attributes"] = [FILE_ATTRIBUTE_NAMES[c] for c in flags if c in FILE_ATTRIBUTE_NAMES]
    return out


def decode_base64(text: str) -> bytes:
    """The target's base64 (possibly wrapped) → bytes; ValueError if it is not base64."""
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"the target sent invalid base64: {exc}") from None


def as_int(out: dict, *keys: str) -> None:
    """Convert string fields to int in place (left alone when not numeric)."""
    for key in keys:
        value = out.get(key)
        if isinstance(value, str) and value.lstrip("-").isdigit():
            out[key] = int(value)


_ATTR_MSG = "ownership, perms or SE linux context changed"


def edit_finish(record: dict) -> dict:
    """Result of the file-editing modules (blockinfile, replace, ini_file, assemble).

    Ansible's keys: ``msg`` (with " and ownership, perms or SE linux context changed" when
    attributes changed too), ``backup_file`` only when a backup was made, ``diff``, int ``rc``.
    """
    from edgeauto.modules.base import standard_result
    from edgeauto.modules.core.file import file_finish

    out = standard_result(record)
    attrs_changed = any(
        k.startswith(("bd_", "ad_")) and k not in ("bd_state", "ad_state") for k in out
    )
    content_diff = out.pop("diff", None)
    file_finish(out, record)
    if content_diff is not None:
        out["diff"] = content_diff
    if attrs_changed:
        msg = out.get("msg") or ""
        out["msg"] = f"{msg} and {_ATTR_MSG}" if msg else _ATTR_MSG
    if "rc" in out:
        as_int(out, "rc")
    return out
