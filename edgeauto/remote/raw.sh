# raw: run a command line with the shell alone (no helper file, no tool besides the shell).
#
# ea_raw EXECUTABLE COMMAND
#   EXECUTABLE  shell to run COMMAND with ("" = the login shell $SHELL, else /bin/sh)
#   COMMAND     the command line, run as EXECUTABLE -c COMMAND under the login umask
# Check mode: skipped (Ansible's raw never runs in check mode).
# Result fields: rc, cmd_stdout, cmd_stderr (byte-exact).

ea_raw() {
    __ea_exe=$1
    __ea_cmd=$2
    if ea_is_check; then
        ea_skip ""
        return 0
    fi
    if [ -z "$__ea_exe" ]; then
        __ea_exe=${SHELL:-/bin/sh}
        [ -x "$__ea_exe" ] || __ea_exe=/bin/sh
    fi
    __ea_out=$(ea_tmp out) || return 1
    __ea_err=$(ea_tmp err) || return 1
    ea_login_umask "$__ea_exe" -c "$__ea_cmd" >"$__ea_out" 2>"$__ea_err"
    __ea_rc=$?
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
