# Shared by stat/find/slurp/fetch/assemble: one stat(1) line per path, digests, base64 and
# realpath, with the fallbacks BusyBox devices need. Helpers only (ea__fs_*), no module entry.
#
# The stat line (parsed by edgeauto/modules/core/_files.py, parse_stat_line):
#   %f raw mode (hex), uid, gid, size, inode, dev, nlink, atime, mtime, ctime (whole seconds),
#   I/O block size, blocks, rdev major/minor (hex), owner name, group name, then the human
#   atime/mtime/ctime ("YYYY-MM-DD hh:mm:ss.nnnnnnnnn +zzzz": only their fractions are used).
# GNU stat and BusyBox stat (FEATURE_STAT_FORMAT) print every one of these the same way;
# both print UNKNOWN for an id without a name.

ea__fs_format='%f %u %g %s %i %d %h %X %Y %Z %o %b %t %T %U %G %x %y %z'

ea__fs_stat() {
    # $1 path, $2 follow (1: the link's target) -> the stat line on stdout
    if [ "$2" = 1 ]; then
        stat -L -c "$ea__fs_format" "$1"
    else
        stat -c "$ea__fs_format" "$1"
    fi
}

ea__fs_access() {
    # $1 path -> "rwx" letters the running user has ('-' for a missing one), like os.access
    __ea_acc=
    if [ -r "$1" ]; then __ea_acc=r; else __ea_acc=-; fi
    if [ -w "$1" ]; then __ea_acc=${__ea_acc}w; else __ea_acc=${__ea_acc}-; fi
    if [ -x "$1" ]; then __ea_acc=${__ea_acc}x; else __ea_acc=${__ea_acc}-; fi
    printf '%s' "$__ea_acc"
}

ea__fs_digest() {
    # $1 file, $2 algorithm (md5 sha1 sha224 sha256 sha384 sha512) -> hex digest; 1 = no tool
    if [ "$2" = sha1 ]; then
        __ea_h=$(ea_sha1 "$1") || return 1
    elif command -v "${2}sum" >/dev/null 2>&1; then
        __ea_h=$("${2}sum" <"$1" | { read -r __ea_x __ea_y; printf '%s' "$__ea_x"; })
    elif command -v busybox >/dev/null 2>&1 && busybox "${2}sum" </dev/null >/dev/null 2>&1; then
        __ea_h=$(busybox "${2}sum" <"$1" | { read -r __ea_x __ea_y; printf '%s' "$__ea_x"; })
    elif command -v openssl >/dev/null 2>&1; then
        __ea_h=$(openssl dgst "-$2" <"$1" | { read -r __ea_x __ea_y; printf '%s' "${__ea_y:-$__ea_x}"; })
    else
        return 1
    fi
    [ -n "$__ea_h" ] || return 1
    printf '%s' "$__ea_h"
}

ea__fs_base64() {
    # $1 file -> its base64 on stdout (line breaks allowed: the controller drops whitespace)
    if command -v base64 >/dev/null 2>&1; then
        base64 <"$1"
    elif command -v busybox >/dev/null 2>&1 && busybox base64 </dev/null >/dev/null 2>&1; then
        busybox base64 <"$1"
    elif command -v openssl >/dev/null 2>&1; then
        openssl base64 <"$1"
    else
        # od + awk: slow, but POSIX (a device without base64, openssl)
        od -A n -v -t u1 "$1" | awk '
            BEGIN { a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"; n = 0 }
            { for (i = 1; i <= NF; i++) { b[n++] = $i; if (n == 3) { out(3); n = 0 } } }
            function out(k,   v) {
                v = b[0] * 65536 + (k > 1 ? b[1] : 0) * 256 + (k > 2 ? b[2] : 0)
                printf "%s%s%s%s", substr(a, int(v / 262144) % 64 + 1, 1), substr(a, int(v / 4096) % 64 + 1, 1),
                    (k > 1 ? substr(a, int(v / 64) % 64 + 1, 1) : "="), (k > 2 ? substr(a, v % 64 + 1, 1) : "=")
                if (++col % 19 == 0) printf "\n"
            }
            END { if (n) out(n); printf "\n" }'
    fi
}

ea__fs_realpath() {
    # $1 path -> Python's os.path.realpath: links resolved, missing parts allowed
    if __ea_rp=$(realpath -m -- "$1" 2>/dev/null) && [ -n "$__ea_rp" ]; then
        printf '%s' "$__ea_rp"
        return 0
    fi
    __ea_rp=$1
    __ea_n=0
    while [ -L "$__ea_rp" ] && [ "$__ea_n" -lt 40 ]; do
        __ea_tg=$(readlink "$__ea_rp")
        case $__ea_tg in
            /*) __ea_rp=$__ea_tg ;;
            *) __ea_rp=$(dirname "$__ea_rp")/$__ea_tg ;;
        esac
        __ea_n=$((__ea_n + 1))
    done
    if __ea_d=$(cd -P "$(dirname "$__ea_rp")" 2>/dev/null && pwd -P); then
        printf '%s/%s' "${__ea_d%/}" "$(basename "$__ea_rp")"
    else
        printf '%s' "$__ea_rp"
    fi
}

ea__fs_home() {
    # $1 path -> $VARS and a leading ~, ~/ or ~user expanded like Ansible's type=path
    ea_expand_path "$1"
}
