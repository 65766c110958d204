# reboot: start a reboot of the target a moment after this script has reported.
#
# ea_reboot SEARCH_PATHS COMMAND ARGS DELAY
#   SEARCH_PATHS  colon-separated directories to look for COMMAND in (a COMMAND with a / is
#                 used as it is)
#   COMMAND       the program ("" = shutdown if found, else reboot, like Ansible's Linux
#                 and BusyBox/Alpine defaults)
#   ARGS          its arguments, as shell text ("-r 0 'msg'" for shutdown)
#   DELAY         seconds to wait first (pre_reboot_delay)
# The command runs detached (setsid when present) after DELAY+1 seconds, so the framed
# result gets back before the connection drops. Fields: reboot_command.

ea__reboot_find() {
    # $1 program, $2 colon-separated directories: print its path
    case $1 in
        */*)
            [ -x "$1" ] && printf '%s' "$1"
            return
            ;;
    esac
    __ea_old_ifs=$IFS
    IFS=:
    for __ea_dir in $2; do
        if [ -x "$__ea_dir/$1" ]; then
            IFS=$__ea_old_ifs
            printf '%s' "$__ea_dir/$1"
            return 0
        fi
    done
    IFS=$__ea_old_ifs
    return 1
}

ea_reboot() {
    __ea_paths=$1
    __ea_cmd=$2
    __ea_args=$3
    __ea_delay=$4
    if [ -z "$__ea_cmd" ]; then
        if __ea_bin=$(ea__reboot_find shutdown "$__ea_paths"); then
            __ea_cmd=shutdown
        else
            __ea_cmd=reboot
            __ea_args=
        fi
    fi
    __ea_bin=$(ea__reboot_find "$__ea_cmd" "$__ea_paths") || {
        ea_fail "Unable to find command \"$__ea_cmd\" in search paths: $__ea_paths"
        return 1
    }
    ea_field reboot_command "$__ea_bin $__ea_args"
    if ea_is_check; then
        ea_changed
        return 0
    fi
    __ea_line="sleep $((__ea_delay + 1)); $__ea_bin $__ea_args"
    if command -v setsid >/dev/null 2>&1; then
        setsid sh -c "$__ea_line" </dev/null >/dev/null 2>&1 &
    else
        sh -c "$__ea_line" </dev/null >/dev/null 2>&1 &
    fi
    ea_changed
    return 0
}
