# systemd: converge one unit's masked / enabled / running state with systemctl, in Ansible's
# order (daemon-reload, daemon-reexec, mask, enable, state). Decisions are taken from
# `systemctl show` / `is-enabled` before anything changes, so check mode reports exactly what
# the real run does. Fields: show (raw `systemctl show`, parsed into `status` on the
# controller), state, enabled (1/0), warnings (one per line).
#
# ea_systemd NAME STATE ENABLED MASKED DAEMON_RELOAD DAEMON_REEXEC SCOPE NO_BLOCK FORCE
#   NAME      unit name ("" = only daemon-reload/daemon-reexec)
#   STATE     started stopped restarted reloaded or ""
#   ENABLED   1 0 or "" (leave alone); MASKED likewise
#   SCOPE     system user global

ea__sd_warn() {
    # $1 file collecting warnings, $2 message
    printf '%s\n' "$2" >>"$1"
}

ea__sd_offline() {
    # true when systemd cannot be asked: SYSTEMD_OFFLINE=1 or a chroot (/ is not PID 1's root)
    [ "${SYSTEMD_OFFLINE:-}" = 1 ] && return 0
    __ea_r1=$(stat -c '%d:%i' / 2>/dev/null) || return 1
    __ea_r2=$(stat -c '%d:%i' /proc/1/root/. 2>/dev/null) || return 1
    [ "$__ea_r1" != "$__ea_r2" ]
}

ea__sd_sysv_enabled() {
    # $1 name: an S??name start link in some SysV runlevel directory
    if [ -d /etc/rc0.d ]; then
        set -- /etc/rc?.d/S??"$1"
    else
        set -- /etc/init.d/rc?.d/S??"$1"
    fi
    [ -e "$1" ] || [ -L "$1" ]
}

ea__sd_prop() {
    # $1 show output file, $2 property: print its value (first line only); 1 if absent
    awk -v k="$2=" 'index($0, k) == 1 { print substr($0, length(k) + 1); f = 1; exit } END { exit !f }' "$1"
}

ea_systemd() {
    __ea_unit=$1
    __ea_state=$2
    __ea_enabled=$3
    __ea_masked=$4
    __ea_reload=$5
    __ea_reexec=$6
    __ea_scope=$7
    __ea_noblock=$8
    __ea_force=$9
    __ea_warn=$(ea_tmp warnings) || return 1
    __ea_err=$(ea_tmp err) || return 1
    __ea_show=$(ea_tmp show) || return 1
    __ea_out=$(ea_tmp out) || return 1
    if ! command -v systemctl >/dev/null 2>&1; then
        ea_fail "Failed to find required executable \"systemctl\" in paths: $PATH"
        return 1
    fi
    if [ -z "${XDG_RUNTIME_DIR:-}" ]; then
        XDG_RUNTIME_DIR=/run/user/$(id -u)
        export XDG_RUNTIME_DIR
    fi
    set -- systemctl
    case $__ea_scope in user | global) set -- "$@" "--$__ea_scope" ;; esac
    [ "$__ea_noblock" = 1 ] && set -- "$@" --no-block
    [ "$__ea_force" = 1 ] && set -- "$@" --force
    for __ea_what in reload reexec; do
        if [ "$__ea_what" = reload ]; then __ea_on=$__ea_reload; else __ea_on=$__ea_reexec; fi
        [ "$__ea_on" = 1 ] || continue
        ea_is_check && continue
        "$@" "daemon-$__ea_what" >"$__ea_out" 2>"$__ea_err"
        __ea_rc=$?
        [ "$__ea_rc" = 0 ] && continue
        if ea__sd_offline; then
            ea__sd_warn "$__ea_warn" "daemon-$__ea_what failed, but target is a chroot or systemd is offline. Continuing. Error was: $__ea_rc / $(cat "$__ea_err")"
        else
            ea_field_file warnings "$__ea_warn"
            ea_fail "failure $__ea_rc during daemon-$__ea_what: $(cat "$__ea_err")"
            return 1
        fi
    done
    if [ -z "$__ea_unit" ]; then
        ea_field_file warnings "$__ea_warn"
        return 0
    fi
    case $__ea_unit in
        /*) __ea_initd=$__ea_unit ;;
        *) __ea_initd=/etc/init.d/$__ea_unit ;;
    esac
    __ea_is_initd=0
    [ -e "$__ea_initd" ] && __ea_is_initd=1
    __ea_is_sd=0
    __ea_has_active=0
    "$@" show "$__ea_unit" >"$__ea_show" 2>"$__ea_err"
    __ea_rc=$?
    __ea_ignored=0
    if ! grep -q = "$__ea_show" && grep -q -e 'ignoring request' -e 'ignoring command' "$__ea_show" "$__ea_err"; then
        __ea_ignored=1
    fi
    if [ "$__ea_rc" = 0 ] && [ "$__ea_ignored" = 0 ]; then
        __ea_load=$(ea__sd_prop "$__ea_show" LoadState) || __ea_load=
        if [ -n "$__ea_load" ] && [ "$__ea_load" != not-found ]; then
            __ea_is_sd=1
            if [ "$__ea_load" != masked ] && __ea_lerr=$(ea__sd_prop "$__ea_show" LoadError); then
                ea_field_file show "$__ea_show"
                ea_fail "Error loading unit file '$__ea_unit': $__ea_lerr"
                return 1
            fi
        fi
    elif [ "$__ea_rc" = 1 ] && grep -q 'Failed to parse bus message' "$__ea_err"; then
        __ea_base=${__ea_unit%%@*}
        [ "$__ea_base" != "$__ea_unit" ] && __ea_base="$__ea_base@"
        "$@" list-unit-files "$__ea_base*" >"$__ea_out" 2>/dev/null
        grep -q -F -e "$__ea_base" "$__ea_out" && __ea_is_sd=1
        grep -v '^ActiveState=' "$__ea_show" >"$__ea_out"
        printf 'ActiveState=%s\n' "$("$@" is-active "$__ea_unit" 2>/dev/null)" >>"$__ea_out"
        cat "$__ea_out" >"$__ea_show"
    else
        : >"$__ea_show"
        __ea_now=$("$@" is-enabled "$__ea_unit" 2>/dev/null)
        case $__ea_now in
            enabled | enabled-runtime | linked | linked-runtime | masked | masked-runtime | static | indirect | disabled | generated | transient)
                __ea_is_sd=1
                ;;
            *)
                if "$@" list-unit-files "$__ea_unit" >/dev/null 2>&1; then
                    __ea_is_sd=1
                elif ! "$@" >"$__ea_out" 2>"$__ea_err"; then
                    ea_fail "$(cat "$__ea_err")"
                    return 1
                fi
                ;;
        esac
    fi
    ea_field_file show "$__ea_show"
    grep -q '^ActiveState=' "$__ea_show" && __ea_has_active=1
    __ea_found=0
    { [ "$__ea_is_sd" = 1 ] || [ "$__ea_is_initd" = 1 ]; } && __ea_found=1
    if [ "$__ea_is_initd" = 1 ] && [ "$__ea_is_sd" = 0 ]; then
        ea__sd_warn "$__ea_warn" "The service ($__ea_unit) is actually an init script but the system is managed by systemd"
    fi
    __ea_missing="Could not find the requested service $__ea_unit: host"

    if [ -n "$__ea_masked" ]; then
        __ea_now=$("$@" is-enabled "$__ea_unit" 2>/dev/null)
        __ea_cur=0
        [ "$__ea_now" = masked ] && __ea_cur=1
        if [ "$__ea_cur" != "$__ea_masked" ]; then
            ea_changed
            if [ "$__ea_masked" = 1 ]; then __ea_act=mask; else __ea_act=unmask; fi
            if ! ea_is_check && ! "$@" "$__ea_act" "$__ea_unit" >"$__ea_out" 2>"$__ea_err"; then
                ea_field_file warnings "$__ea_warn"
                [ "$__ea_found" = 1 ] || { ea_fail "$__ea_missing"; return 1; }
                ea_fail "Failed to $__ea_act the service ($__ea_unit): $(cat "$__ea_err")"
                return 1
            fi
        fi
    fi

    if [ -n "$__ea_enabled" ]; then
        if [ "$__ea_enabled" = 1 ]; then __ea_act=enable; else __ea_act=disable; fi
        [ "$__ea_found" = 1 ] || { ea_field_file warnings "$__ea_warn"; ea_fail "$__ea_missing"; return 1; }
        __ea_now=$("$@" is-enabled "$__ea_unit" -l 2>/dev/null)
        __ea_rc=$?
        __ea_cur=0
        if [ "$__ea_rc" = 0 ]; then
            case $__ea_now in
                enabled-runtime | indirect | alias) __ea_cur=0 ;;
                *) __ea_cur=1 ;;
            esac
        elif [ "$__ea_rc" = 1 ] && [ "$__ea_scope" = system ] && [ "$__ea_is_initd" = 1 ]; then
            case $__ea_now in
                *disabled) ;;
                *) ea__sd_sysv_enabled "$__ea_unit" && __ea_cur=1 ;;
            esac
        fi
        if [ "$__ea_cur" != "$__ea_enabled" ]; then
            ea_changed
            if ! ea_is_check && ! "$@" "$__ea_act" "$__ea_unit" >"$__ea_out" 2>"$__ea_err"; then
                ea_field_file warnings "$__ea_warn"
                ea_fail "Unable to $__ea_act service $__ea_unit: $(cat "$__ea_out" "$__ea_err")"
                return 1
            fi
        fi
        ea_field enabled "$__ea_enabled"
    fi

    if [ -n "$__ea_state" ]; then
        [ "$__ea_found" = 1 ] || { ea_field_file warnings "$__ea_warn"; ea_fail "$__ea_missing"; return 1; }
        __ea_shown=$__ea_state
        if [ "$__ea_has_active" = 1 ]; then
            __ea_active=$(ea__sd_prop "$__ea_show" ActiveState)
            __ea_run=0
            case $__ea_active in active | activating) __ea_run=1 ;; esac
            __ea_act=
            case $__ea_state in
                started) [ "$__ea_run" = 1 ] || __ea_act=start ;;
                stopped)
                    if [ "$__ea_run" = 1 ] || [ "$__ea_active" = deactivating ]; then
                        __ea_act=stop
                    fi
                    ;;
                *)
                    if [ "$__ea_run" = 1 ]; then __ea_act=${__ea_state%ed}; else __ea_act=start; fi
                    __ea_shown=started
                    ;;
            esac
            if [ -n "$__ea_act" ]; then
                ea_changed
                if ! ea_is_check && ! "$@" "$__ea_act" "$__ea_unit" >"$__ea_out" 2>"$__ea_err"; then
                    ea_field_file warnings "$__ea_warn"
                    ea_fail "Unable to $__ea_act service $__ea_unit: $(cat "$__ea_err")"
                    return 1
                fi
            fi
        elif ea__sd_offline; then
            ea__sd_warn "$__ea_warn" "Target is a chroot or systemd is offline. This can lead to false positives or prevent the init system tools from working."
        else
            ea_field_file warnings "$__ea_warn"
            ea_fail "Service is in unknown state"
            return 1
        fi
        ea_field state "$__ea_shown"
    fi
    ea_field_file warnings "$__ea_warn"
    return 0
}
