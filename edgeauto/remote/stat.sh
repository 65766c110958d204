# stat: report a path's stat(2) data, access, link, checksum, mime type and attributes
# (never changes anything). Parsed into Ansible's `stat` dict by modules/core/stat.py.
#
# ea_stat PATH FOLLOW CHECKSUM MIME ATTRIBUTES
#   FOLLOW      1: stat the link's target (os.stat), 0: the path itself (os.lstat)
#   CHECKSUM    digest algorithm for a readable regular file, "" = no checksum
#   MIME        1: file(1) --mime-type --mime-encoding, when file(1) exists
#   ATTRIBUTES  1: lsattr -vd, when lsattr exists
ea_stat() {
    __ea_p=$1
    __ea_follow=$2
    __ea_alg=$3
    __ea_mime=$4
    __ea_attr=$5
    __ea_p=$(ea__fs_home "$__ea_p")
    ea_field path "$__ea_p"
    if [ ! -e "$__ea_p" ] && { [ "$__ea_follow" = 1 ] || [ ! -L "$__ea_p" ]; }; then
        ea_field exists 0
        return 0
    fi
    __ea_o=$(ea_tmp out) || return 1
    if ! ea__fs_stat "$__ea_p" "$__ea_follow" >"$__ea_o" 2>"$__ea_o.err"; then
        ea_fail "$(cat "$__ea_o.err")"
        return 1
    fi
    ea_field exists 1
    ea_field st "$(cat "$__ea_o")"
    ea_field access "$(ea__fs_access "$__ea_p")"
    if [ -L "$__ea_p" ] && [ "$__ea_follow" != 1 ]; then
        ea_field lnk_target "$(readlink "$__ea_p")"
        ea_field lnk_source "$(ea__fs_realpath "$__ea_p")"
    fi
    if [ -n "$__ea_alg" ] && [ -f "$__ea_p" ] && [ -r "$__ea_p" ] &&
        { [ "$__ea_follow" = 1 ] || [ ! -L "$__ea_p" ]; }; then
        __ea_sum=$(ea__fs_digest "$__ea_p" "$__ea_alg") || {
            ea_fail "no tool on the target computes $__ea_alg (${__ea_alg}sum, busybox, openssl)"
            return 1
        }
        ea_field checksum "$__ea_sum"
    fi
    if [ "$__ea_mime" = 1 ] && command -v file >/dev/null 2>&1; then
        if file --mime-type --mime-encoding "$__ea_p" >"$__ea_o" 2>/dev/null; then
            ea_field_file mime "$__ea_o"
        fi
    fi
    if [ "$__ea_attr" = 1 ] && command -v lsattr >/dev/null 2>&1; then
        if lsattr -vd "$__ea_p" >"$__ea_o" 2>/dev/null; then
            ea_field_file lsattr "$__ea_o"
        fi
    fi
    return 0
}
