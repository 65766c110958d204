# Shared by blockinfile/replace/ini_file/assemble: line matching with grep -E, validate, and
# the commit of new content (parents, backup, symlinks followed, atomic install).
# Helpers only (ea__fe_*), no module entry.

ea__fe_lastnl() {
    # $1 file -> 1 if it is empty or ends with a newline, else 0
    if [ -s "$1" ] && [ "$(tail -c 1 "$1" | wc -l)" -eq 0 ]; then
        printf 0
    else
        printf 1
    fi
}

ea__fe_sentinel() {
    # $1 input, $2 output: each line that had a newline gets \036 in its place, so translated
    # Python regexps (python_re_to_ere with its sentinel) see the line as Python does
    awk -v lastnl="$(ea__fe_lastnl "$1")" 'NR > 1 { print prev "\036" } { prev = $0 }
        END { if (NR) { if (lastnl) print prev "\036"; else print prev } }' "$1" >"$2"
}

ea__fe_grep() {
    # $1 ERE, $2 file, $3 output: "N:line" of each matching line (grep -E, C locale)
    if printf 'x\n' | LC_ALL=C grep -a -q x 2>/dev/null; then
        LC_ALL=C grep -a -n -E -e "$1" "$2" >"$3"
    else
        LC_ALL=C grep -n -E -e "$1" "$2" >"$3"
    fi
    [ "$?" -le 1 ] || {
        ea_fail "invalid regular expression for grep -E: $1"
        return 1
    }
}

ea__fe_validate() {
    # $1 validate command with %s, $2 the candidate file: Ansible's message on failure
    [ -n "$1" ] || return 0
    __ea_vcmd="${1%%%s*}'$2'${1#*%s}"
    __ea_vout=$(ea_tmp vout) || return 1
    __ea_verr=$(ea_tmp verr) || return 1
    ea_login_umask sh -c "$__ea_vcmd" >"$__ea_vout" 2>"$__ea_verr"
    __ea_vrc=$?
    if [ "$__ea_vrc" != 0 ]; then
        ea_fail "failed to validate: rc:$__ea_vrc error:$(cat "$__ea_verr")"
        return 1
    fi
}

ea__fe_commit() {
    # $1 new content file, $2 path, $3 backup (1/0), $4 validate, $5 path existed (1/0),
    # $6 follow (1: install at a symlink's real file, as blockinfile/replace write to
    # os.path.realpath; 0: replace the link itself): validate, create missing parents, back
    # up, then install atomically
    ea__fe_validate "$4" "$1" || return 1
    __ea_dst=$2
    if [ "$5" = 0 ]; then
        __ea_dir=$(dirname "$__ea_dst")
        if [ ! -d "$__ea_dir" ]; then
            ea_login_umask mkdir -p "$__ea_dir" || {
                ea_fail "Error creating $__ea_dir"
                return 1
            }
        fi
    fi
    if [ "$3" = 1 ] && [ "$5" = 1 ]; then
        ea_backup "$__ea_dst" || return 1
    fi
    if [ "${6:-1}" = 1 ] && [ -L "$__ea_dst" ]; then
        __ea_dst=$(ea__fs_realpath "$__ea_dst")
    fi
    ea_atomic_install "$1" "$__ea_dst"
}
