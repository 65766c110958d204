# slurp: a target file's bytes, base64-encoded (the controller decodes them; fetch uses the
# same path). Never changes anything.
#
# ea_slurp SRC
#   SRC   the file to read (a leading ~ is the login user's home)
ea_slurp() {
    __ea_p=$1
    __ea_p=$(ea__fs_home "$__ea_p")
    ea_field source "$__ea_p"
    ea__slurp_check "$__ea_p" || return 1
    __ea_b=$(ea_tmp b64) || return 1
    ea__fs_base64 "$__ea_p" >"$__ea_b" || {
        ea_fail "Unable to slurp file: $__ea_p"
        return 1
    }
    ea_field_file content "$__ea_b"
}

ea__slurp_check() {
    # $1 path: fail with Ansible's slurp message unless it is a readable file
    if [ -d "$1" ]; then
        ea_fail "Source is a directory and must be a file: $1"
    elif [ ! -e "$1" ]; then
        # what open() would say: EACCES when a directory on the way is not searchable for
        # this user (become_user …), ENOTDIR below a file, else ENOENT
        __ea_up=$(dirname "$1")
        if [ -d "$__ea_up" ] && [ ! -x "$__ea_up" ]; then
            ea_fail "File is not readable: $1"
        elif [ -e "$__ea_up" ] && [ ! -d "$__ea_up" ]; then
            ea_fail "Unable to slurp file: $1"
        else
            ea_fail "File not found: $1"
        fi
    elif [ ! -r "$1" ]; then
        ea_fail "File is not readable: $1"
    fi
}
