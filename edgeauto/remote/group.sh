# group: ensure a group exists with a gid (or is absent), like ansible.builtin.group.
#
# ea_group NAME STATE GID SYSTEM LOCAL NON_UNIQUE FORCE GID_MIN GID_MAX
#   GID         wanted gid or "" (any)
#   SYSTEM      1: a system group (gid from the system range) when it is created
#   LOCAL       1: only the local /etc files count and are edited (no NSS, no tools)
#   NON_UNIQUE  1: allow a gid another group already has
#   FORCE       1: delete even when it is the primary group of a user
#   GID_MIN/GID_MAX  the range a new gid is picked from ("" = login.defs)
# Tools: groupadd/groupmod/groupdel (shadow), else BusyBox addgroup/delgroup, else the files.
# Reports: gid and system when the group exists afterwards (Ansible's keys), stdout/stderr of
# the tool that ran.

ea_group() {
    __ea_name=$1
    __ea_state=$2
    __ea_gid=$3
    __ea_system=$4
    __ea_local=$5
    __ea_nonuniq=$6
    __ea_force=$7
    __ea_gmin=$8
    __ea_gmax=$9
    __ea_out=$(ea_tmp out)
    __ea_err=$(ea_tmp err)
    __ea_tool=files
    if [ "$__ea_local" != 1 ]; then
        if command -v groupadd >/dev/null 2>&1; then
            __ea_tool=shadow
        elif busybox addgroup --help >/dev/null 2>&1; then
            __ea_tool=busybox
        fi
    fi
    __ea_line=$(ea__acc_get group "$__ea_name" "$__ea_local") || __ea_line=
    case $__ea_line in "$__ea_name":*) ;; *) __ea_line= ;; esac
    if [ "$__ea_state" = absent ]; then
        [ -n "$__ea_line" ] || return 0
        ea_changed
        if ! ea_is_check; then ea__group_del || return 1; fi
        ea__group_report
        return 0
    fi
    if [ -z "$__ea_line" ]; then
        ea_changed
        if ! ea_is_check; then ea__group_add || return 1; fi
    elif [ -n "$__ea_gid" ] && [ "$(ea__acc_field "$__ea_line" 3)" != "$__ea_gid" ]; then
        ea_changed
        if ! ea_is_check; then ea__group_mod || return 1; fi
    fi
    ea__group_report
}

ea__group_run() {
    # "$@": run an account tool, keeping its output for the result; fail with its message
    "$@" >"$__ea_out" 2>"$__ea_err" && return 0
    __ea_rc=$?
    ea_field_file stdout "$__ea_out"
    ea_field_file stderr "$__ea_err"
    ea_rc "$__ea_rc"
    ea_fail "$(cat "$__ea_err")"
}

ea__group_gid_taken() {
    # $1 gid: status 0 if another group already has it (and non_unique is not set)
    [ "$__ea_nonuniq" = 1 ] && return 1
    # shellcheck disable=SC2016
    awk -F: -v g="$1" -v n="$__ea_name" '$3 == g && $1 != n { found = 1 } END { exit !found }' /etc/group
}

ea__group_add() {
    case $__ea_tool in
        shadow)
            set -- groupadd
            [ -n "$__ea_gid" ] && set -- "$@" -g "$__ea_gid"
            [ -n "$__ea_gid" ] && [ "$__ea_nonuniq" = 1 ] && set -- "$@" -o
            [ "$__ea_system" = 1 ] && set -- "$@" -r
            [ -n "$__ea_gmin" ] && set -- "$@" -K "GID_MIN=$__ea_gmin"
            [ -n "$__ea_gmax" ] && set -- "$@" -K "GID_MAX=$__ea_gmax"
            ea__group_run "$@" "$__ea_name"
            ;;
        busybox)
            set -- busybox addgroup
            [ -n "$__ea_gid" ] && set -- "$@" -g "$__ea_gid"
            [ "$__ea_system" = 1 ] && set -- "$@" -S
            ea__group_run "$@" "$__ea_name"
            ;;
        *)
            if [ -n "$__ea_gid" ]; then
                if ea__group_gid_taken "$__ea_gid"; then
                    ea_fail "groupadd: GID '$__ea_gid' already exists"
                    return 1
                fi
                __ea_new=$__ea_gid
            elif [ "$__ea_system" = 1 ]; then
                __ea_new=$(ea__acc_free_id /etc/group "${__ea_gmin:-$(ea__acc_def SYS_GID_MIN 100)}" \
                    "${__ea_gmax:-$(ea__acc_def SYS_GID_MAX 999)}" 1 "") || __ea_new=
            else
                __ea_new=$(ea__acc_free_id /etc/group "${__ea_gmin:-$(ea__acc_def GID_MIN 1000)}" \
                    "${__ea_gmax:-$(ea__acc_def GID_MAX 60000)}" 0 "") || __ea_new=
            fi
            if [ -z "$__ea_new" ]; then
                ea_fail "groupadd: can't get unique GID (no more available GIDs)"
                return 1
            fi
            ea__acc_append /etc/group "$__ea_name:x:$__ea_new:" || return 1
            ea__acc_append /etc/gshadow "$__ea_name:!::" || return 1
            ;;
    esac
}

ea__group_mod() {
    case $__ea_tool in
        shadow)
            set -- groupmod -g "$__ea_gid"
            [ "$__ea_nonuniq" = 1 ] && set -- "$@" -o
            ea__group_run "$@" "$__ea_name"
            ;;
        *)
            if ea__group_gid_taken "$__ea_gid"; then
                ea_fail "groupmod: GID '$__ea_gid' already exists"
                return 1
            fi
            ea__acc_set_field /etc/group "$__ea_name" 3 "$__ea_gid"
            ;;
    esac
}

ea__group_del() {
    __ea_old=$(ea__acc_field "$__ea_line" 3)
    case $__ea_tool in
        shadow)
            if [ "$__ea_force" = 1 ]; then
                ea__group_run groupdel -f "$__ea_name"
            else
                ea__group_run groupdel "$__ea_name"
            fi
            ;;
        busybox) ea__group_run busybox delgroup "$__ea_name" ;;
        *)
            # shellcheck disable=SC2016
            __ea_user=$(awk -F: -v g="$__ea_old" '$4 == g { print $1; exit }' /etc/passwd)
            if [ -n "$__ea_user" ] && [ "$__ea_force" != 1 ]; then
                ea_fail "groupdel: cannot remove the primary group of user '$__ea_user'"
                return 1
            fi
            ea__acc_delete /etc/group "$__ea_name" || return 1
            ea__acc_delete /etc/gshadow "$__ea_name"
            ;;
    esac
}

ea__group_report() {
    ea_field_file stdout "$__ea_out"
    ea_field_file stderr "$__ea_err"
    __ea_line=$(ea__acc_get group "$__ea_name" "$__ea_local") || return 0
    case $__ea_line in "$__ea_name":*) ;; *) return 0 ;; esac
    ea_field gid "$(ea__acc_field "$__ea_line" 3)"
}
