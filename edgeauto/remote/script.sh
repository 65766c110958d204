# script: run a script the controller sent as a payload, like Ansible's script action.
#
# ea_script SCRIPT NAME REST CREATES REMOVES CHDIR EXECUTABLE GUARDED
#   SCRIPT      the payload file holding the script's bytes
#   NAME        the script's file name (the run copy is called that, in the private temp dir)
#   REST        the command line after the script's path, passed to the shell as written
#   CREATES     a path; when it exists the script is skipped
#   REMOVES     a path; when it is missing the script is skipped
#   CHDIR       absolute directory to run in ("" = stay)
#   EXECUTABLE  program to run the script with ("" = run it directly: its #! line)
#   GUARDED     1 = creates/removes were given (check mode can then predict "changed")
# Result fields: rc, cmd_stdout, cmd_stderr; msg when skipped.

ea_script() {
    __ea_src=$1
    __ea_name=$2
    __ea_rest=$3
    __ea_creates=$4
    __ea_removes=$5
    __ea_chdir=$6
    __ea_exe=$7
    __ea_guarded=$8
    if [ -n "$__ea_creates" ] && { [ -e "$__ea_creates" ] || [ -L "$__ea_creates" ]; }; then
        ea_skip "$__ea_creates exists, matching creates option"
        return 0
    fi
    if [ -n "$__ea_removes" ] && [ ! -e "$__ea_removes" ] && [ ! -L "$__ea_removes" ]; then
        ea_skip "$__ea_removes does not exist, matching removes option"
        return 0
    fi
    if ea_is_check; then
        if [ "$__ea_guarded" = 1 ]; then
            ea_changed
            return 0
        fi
        ea_skip "Check mode is not supported for this task."
        return 0
    fi
    __ea_dir=$(dirname "$__ea_src")/s.$$
    mkdir "$__ea_dir" || {
        ea_fail "cannot create a directory for the script in $(dirname "$__ea_src")"
        return 1
    }
    __ea_run=$__ea_dir/$__ea_name
    if ! mv -f "$__ea_src" "$__ea_run" || ! chmod 0700 "$__ea_dir" "$__ea_run"; then
        ea_fail "cannot install the script at $__ea_run"
        return 1
    fi
    if [ -n "$__ea_chdir" ]; then
        cd "$__ea_chdir" || {
            ea_fail "Unable to change directory before execution: $__ea_chdir"
            return 1
        }
    fi
    __ea_out=$(ea_tmp out) || return 1
    __ea_err=$(ea_tmp err) || return 1
    # the run path is single-quoted for the shell; REST is shell text as the user wrote it
    __ea_q=$(printf '%s' "$__ea_run" | sed "s/'/'\\\\''/g")
    if [ -n "$__ea_exe" ]; then
        ea_login_umask /bin/sh -c "$__ea_exe '$__ea_q'$__ea_rest" >"$__ea_out" 2>"$__ea_err"
    else
        ea_login_umask /bin/sh -c "'$__ea_q'$__ea_rest" >"$__ea_out" 2>"$__ea_err"
    fi
    __ea_rc=$?
    rm -rf "$__ea_dir"
    ea_changed
    ea_rc "$__ea_rc"
    ea_field_file cmd_stdout "$__ea_out"
    ea_field_file cmd_stderr "$__ea_err"
    if [ "$__ea_rc" != 0 ]; then
        ea_fail "non-zero return code"
        return 1
    fi
    return 0
}
