# command / shell: run a program (argv) or a shell command line, guarded by creates/removes.
#
# ea_command KIND CREATES REMOVES CHDIR EXECUTABLE EXPAND STRIP WORDS...
#   KIND       argv  -> run WORDS... directly (the `command` module)
#              shell -> run EXECUTABLE -c WORD1 (the `shell` module; EXECUTABLE defaults /bin/sh)
#   CREATES    glob; if something matches, do not run ("" = no guard)
#   REMOVES    glob; if nothing matches, do not run ("" = no guard)
#   CHDIR      directory to run in ("" = stay)
#   EXPAND     1 = expand $VAR/${VAR} and a leading ~ in WORDS... like Ansible's
#              expand_argument_vars (only set variables; never runs code)
#   STRIP      1 = strip trailing newlines of stdout/stderr (strip_empty_ends)
# The command's stdin is this function's stdin (the builder points it at the stdin payload).
# Result fields: cmd is built by the controller; here: start, end, rc, stdout, stderr, msg.

ea__glob_matches() {
    # $1 glob pattern: 0 if any path matches (no word splitting: IFS is empty in the subshell)
    (
        IFS=''
        for __ea_g in $1; do
            if [ -e "$__ea_g" ] || [ -L "$__ea_g" ]; then
                exit 0
            fi
        done
        exit 1
    )
}

ea__now() {
    __ea_d=$(date '+%Y-%m-%d %H:%M:%S.%N' 2>/dev/null)
    case $__ea_d in
        *N* | *%* | '') date '+%Y-%m-%d %H:%M:%S.000000' ;;
        *) printf '%s' "${__ea_d%???}" ;;
    esac
}

ea_command() {
    __ea_kind=$1
    __ea_creates=$2
    __ea_removes=$3
    __ea_chdir=$4
    __ea_exe=$5
    __ea_expand=$6
    __ea_strip=$7
    shift 7
    if [ -n "$__ea_chdir" ]; then
        # -P: as Ansible's os.chdir, the command's $PWD is the physical directory
        cd -P "$__ea_chdir" || {
            ea_rc 1
            ea_fail "Unable to change directory before execution: $__ea_chdir"
            return 1
        }
    fi
    if [ -n "$__ea_creates" ] && ea__glob_matches "$__ea_creates"; then
        ea_field msg "Did not run command since '$__ea_creates' exists"
        ea_field skip_stdout "skipped, since $__ea_creates exists"
        ea_rc 0
        return 0
    fi
    if [ -n "$__ea_removes" ] && ! ea__glob_matches "$__ea_removes"; then
        ea_field msg "Did not run command since '$__ea_removes' does not exist"
        ea_field skip_stdout "skipped, since $__ea_removes does not exist"
        ea_rc 0
        return 0
    fi
    if ea_is_check; then
        ea_changed
        ea_field might_change 1
        ea_field msg "Command would have run if not in check mode"
        return 0
    fi
    if [ "$__ea_expand" = 1 ] && [ "$__ea_kind" = argv ]; then
        # rebuild "$@" from the expanded values (each in its own file: any bytes survive)
        __ea_list=$(ea_tmp args) || return 1
        __ea_i=0
        for __ea_a in "$@"; do
            __ea_i=$((__ea_i + 1))
            ea_expand_path "$__ea_a" >"$__ea_list.a$__ea_i"
        done
        __ea_n=$__ea_i
        __ea_i=0
        while [ "$__ea_i" -lt "$__ea_n" ]; do
            __ea_i=$((__ea_i + 1))
            __ea_v=$(cat "$__ea_list.a$__ea_i"; printf E)
            set -- "$@" "${__ea_v%E}"
        done
        shift "$__ea_n"
    fi
    if [ "$__ea_kind" = argv ] && ! command -v "$1" >/dev/null 2>&1; then
        ea_rc 2
        ea_field stderr_detail "[Errno 2] No such file or directory: b'$1'"
        ea_fail "Error executing command."
        return 1
    fi
    ea_changed
    ea_field start "$(ea__now)"
    __ea_out=$(ea_tmp out) || return 1
    __ea_err=$(ea_tmp err) || return 1
    if [ "$__ea_kind" = shell ]; then
        ea_login_umask "${__ea_exe:-/bin/sh}" -c "$1" >"$__ea_out" 2>"$__ea_err"
    else
        ea_login_umask "$@" >"$__ea_out" 2>"$__ea_err"
    fi
    __ea_rc=$?
    ea_field end "$(ea__now)"
    ea_rc "$__ea_rc"
    if [ "$__ea_strip" = 1 ]; then
        ea_field strip 1
    fi
    ea_field_file cmd_stdout "$__ea_out"
    ea_field_file cmd_stderr "$__ea_err"
    if [ "$__ea_rc" != 0 ]; then
        ea_fail "non-zero return code"
        return 1
    fi
    ea_field msg ""
    return 0
}
