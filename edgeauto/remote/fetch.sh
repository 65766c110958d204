# fetch: send a target file back to the controller, which writes it (atomically) under dest.
# The content travels only when its sha1 differs from the controller's copy.
#
# ea_fetch SRC LOCALSUM FAIL_ON_MISSING
#   SRC              the target file (a leading ~ is the login user's home)
#   LOCALSUM         sha1 of the controller's current copy ("" = none or unknown)
#   FAIL_ON_MISSING  1: a missing source or a directory fails the task, 0: ok, ignored
ea_fetch() {
    __ea_p=$1
    __ea_local=$2
    __ea_fom=$3
    if ea_is_check; then
        ea_skip "check mode not (yet) supported for this module"
        return 0
    fi
    __ea_p=$(ea__fs_home "$__ea_p")
    ea_field file "$__ea_p"
    if [ -d "$__ea_p" ]; then
        if [ "$__ea_fom" = 1 ]; then
            ea_fail "remote file is a directory, fetch cannot work on directories"
            return 1
        fi
        ea_field msg "remote file is a directory, fetch cannot work on directories, not transferring, ignored"
        ea_field ignored 1
        return 0
    fi
    if [ ! -e "$__ea_p" ] || [ ! -r "$__ea_p" ]; then
        if [ ! -e "$__ea_p" ]; then
            __ea_why="the remote file does not exist, not transferring, ignored"
        else
            __ea_why="File is not readable: $__ea_p"
        fi
        if [ "$__ea_fom" = 1 ]; then
            ea_fail "$__ea_why"
            return 1
        fi
        ea_field msg "$__ea_why"
        ea_field ignored 1
        return 0
    fi
    __ea_sum=$(ea_sha1 "$__ea_p") || {
        ea_fail "no sha1 tool on the target (sha1sum, busybox, openssl, shasum)"
        return 1
    }
    ea_field remote_checksum "$__ea_sum"
    [ "$__ea_sum" = "$__ea_local" ] && return 0
    __ea_b=$(ea_tmp b64) || return 1
    ea__fs_base64 "$__ea_p" >"$__ea_b" || {
        ea_fail "cannot read $__ea_p"
        return 1
    }
    ea_field_file content "$__ea_b"
    ea_changed
}
