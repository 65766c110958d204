# tempfile: create a uniquely named temporary file (mode 0600) or directory (0700), like
# Python's mkstemp/mkdtemp: PREFIX + 8 random [a-z0-9_] + SUFFIX, created exclusively
# (noclobber / mkdir), so no GNU mktemp --suffix is needed.
#
# ea_tempfile STATE DIR PREFIX SUFFIX
#   STATE   file|directory
#   DIR     where to create it ("" = $TMPDIR, else /tmp, /var/tmp, /usr/tmp, the cwd)
ea_tempfile() {
    __ea_state=$1
    __ea_dir=$2
    __ea_prefix=$3
    __ea_suffix=$4
    if ea_is_check; then
        ea_skip "remote module (tempfile) does not support check mode"
        return 0
    fi
    if [ -z "$__ea_dir" ]; then
        for __ea_d in "${TMPDIR:-}" /tmp /var/tmp /usr/tmp "$(pwd)"; do
            if [ -n "$__ea_d" ] && [ -d "$__ea_d" ] && [ -w "$__ea_d" ]; then
                __ea_dir=$__ea_d
                break
            fi
        done
    fi
    __ea_dir=$(ea__fs_home "$__ea_dir")
    case $__ea_dir in
        /*) ;;
        *) __ea_dir=$(pwd)/$__ea_dir ;;
    esac
    __ea_n=0
    while [ "$__ea_n" -lt 100 ]; do
        __ea_rand=$(od -A n -N 8 -t u1 /dev/urandom | awk '
            BEGIN { c = "abcdefghijklmnopqrstuvwxyz0123456789_" }
            { for (i = 1; i <= NF; i++) printf "%s", substr(c, $i % 37 + 1, 1) }')
        __ea_path=${__ea_dir%/}/$__ea_prefix$__ea_rand$__ea_suffix
        if [ "$__ea_state" = directory ]; then
            if mkdir "$__ea_path" 2>/dev/null; then
                chmod 0700 "$__ea_path"
                break
            fi
        elif (set -C && : >"$__ea_path") 2>/dev/null; then
            chmod 0600 "$__ea_path"
            break
        fi
        [ -d "$__ea_dir" ] || {
            ea_fail "[Errno 2] No such file or directory: '$__ea_path'"
            return 1
        }
        [ -w "$__ea_dir" ] || {
            ea_fail "[Errno 13] Permission denied: '$__ea_path'"
            return 1
        }
        __ea_n=$((__ea_n + 1))
    done
    if [ "$__ea_n" -ge 100 ]; then
        ea_fail "No usable temporary file name found"
        return 1
    fi
    ea_changed
    ea_field path "$__ea_path"
    ea_file_report "$__ea_path" 0
}
