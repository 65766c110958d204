# service: start/stop/enable a service with whatever the target runs — systemd (through
# ea_systemd), OpenRC (rc-service/rc-update), runit (sv + service-directory links) or SysV/BusyBox
# init scripts (/etc/init.d/NAME, enabled by update-rc.d, chkconfig, insserv, OpenWrt's
# rc.common, or S??NAME links in /etc/rc?.d, /etc/rc.d or /etc/init.d). Like Ansible's service
# module, the running state is read first (status or a ps pattern), so check mode reports
# exactly what the real run does. Fields: mgr (the manager used), state, enabled, msg.
#
# ea_service NAME STATE ENABLED PATTERN SLEEP ARGUMENTS RUNLEVEL USE SYSTEMD_ONLY
#            MASKED DAEMON_RELOAD DAEMON_REEXEC SCOPE NO_BLOCK FORCE
#   STATE      started stopped restarted reloaded or ""
#   ENABLED    1 0 or "" (leave alone)
#   PATTERN    substring of a `ps` line that means "running" ("" = ask the manager)
#   SLEEP      seconds between stop and start of a SysV restart ("" = none)
#   ARGUMENTS  extra words for the init script / rc-service
#   RUNLEVEL   OpenRC runlevel for rc-update
#   USE        auto, systemd, sysvinit, openrc, runit (anything else: auto)
#   SYSTEMD_ONLY  the systemd options the task gave (comma list): fine on systemd, an
#              "Unsupported parameters" failure elsewhere; MASKED … FORCE go to ea_systemd

ea__svc_detect() {
    # $1 name: print the manager that handles it (systemd openrc runit sysv) or nothing
    if command -v systemctl >/dev/null 2>&1; then
        for __ea_c in /run/systemd/system /dev/.run/systemd /dev/.systemd; do
            [ -d "$__ea_c" ] && { echo systemd; return 0; }
        done
        [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ] && { echo systemd; return 0; }
    fi
    case $(cat /proc/1/comm 2>/dev/null) in
        runit | runit-init) echo runit; return 0 ;;
    esac
    command -v rc-service >/dev/null 2>&1 && { echo openrc; return 0; }
    [ -n "$(ea__svc_script "$1")" ] && { echo sysv; return 0; }
    [ -n "$(ea__svc_svdir "$1")" ] && command -v sv >/dev/null 2>&1 && { echo runit; return 0; }
    return 0
}

ea__svc_script() {
    # $1 name or path: the init script that runs it, or nothing
    case $1 in
        /*) [ -f "$1" ] && printf '%s' "$1" ;;
        *) [ -f "/etc/init.d/$1" ] && printf '%s' "/etc/init.d/$1" ;;
    esac
    return 0
}

ea__svc_run() {
    # $1 output file, $2 error file, rest: command. Started in a session of its own (as
    # Ansible daemonizes), so a daemon it leaves behind is no child of our SSH session, and
    # with the login umask (the script's own 077 must not reach the daemon's files).
    __ea_o=$1
    __ea_e=$2
    shift 2
    if command -v setsid >/dev/null 2>&1; then
        ea_login_umask setsid "$@" >"$__ea_o" 2>"$__ea_e" </dev/null
    else
        ea_login_umask "$@" >"$__ea_o" 2>"$__ea_e" </dev/null
    fi
}

ea__svc_ps() {
    # $1 pattern: true when a process line contains it (matched in the shell, so the pattern
    # is never on a command line of ours that ps could list)
    __ea_ps=$(ps auxww 2>/dev/null) || __ea_ps=$(ps -ef 2>/dev/null) || __ea_ps=$(ps 2>/dev/null)
    __ea_hit=1
    while IFS= read -r __ea_line; do
        case $__ea_line in
            *pattern=*) ;;
            *"$1"*) __ea_hit=0 ;;
        esac
    done <<EOF
$__ea_ps
EOF
    return "$__ea_hit"
}

ea__svc_sysv_status() {
    # $1 script, $2 name, $3 output, $4 errors; arguments in __ea_args. Prints 1 (running),
    # 0 (stopped) or nothing (cannot tell): Ansible's reading of an init script's status.
    set -f
    # shellcheck disable=SC2086 # arguments are words, as Ansible splits them
    ea__svc_run "$3" "$4" "$1" status $__ea_args
    __ea_src=$?
    set +f
    case $__ea_src in 1 | 2 | 3 | 4 | 69) echo 0; return 0 ;; esac
    if [ "$(wc -l <"$3")" -le 1 ]; then
        __ea_clean=$(tr '[:upper:]' '[:lower:]' <"$3")
        __ea_low=$(printf '%s' "$2" | tr '[:upper:]' '[:lower:]')
        while [ -n "$__ea_low" ]; do
            case $__ea_clean in
                *"$__ea_low"*) __ea_clean=${__ea_clean%%"$__ea_low"*}${__ea_clean#*"$__ea_low"} ;;
                *) break ;;
            esac
        done
        case $__ea_clean in
            *stop*) echo 0; return 0 ;;
            *run*)
                case $__ea_clean in *"not "*) echo 0 ;; *) echo 1 ;; esac
                return 0
                ;;
            *start*)
                case $__ea_clean in *"not "*) ;; *) echo 1; return 0 ;; esac
                ;;
        esac
        case $__ea_clean in
            *"could not access pid file"* | *"is dead and pid file exists"* | *"dead but subsys locked"* | *"dead but pid file exists"*)
                echo 0
                return 0
                ;;
        esac
    fi
    [ "$__ea_src" = 0 ] && echo 1
    return 0
}

ea__svc_prio() {
    # $1 script: start priority from its chkconfig/OpenWrt header, else 50
    __ea_p=$(awk '/^# *chkconfig:/ { print $4; exit } /^START=/ { sub(/^START=/, ""); print; exit }' "$1" 2>/dev/null)
    case $__ea_p in
        [0-9]) printf '0%s' "$__ea_p" ;;
        [0-9][0-9]) printf '%s' "$__ea_p" ;;
        *) printf 50 ;;
    esac
}

ea__svc_links_dir() {
    # where S??NAME start links live on a target without an enable tool
    if [ -d /etc/rc2.d ] || [ -d /etc/rc0.d ]; then
        echo rcN
    elif [ -d /etc/rc.d ]; then
        echo /etc/rc.d
    else
        echo /etc/init.d
    fi
}

ea__svc_linked() {
    # $1 directory pattern part, $2 name: true when some S??NAME link exists there
    # shellcheck disable=SC2231 # $1 is itself a glob (/etc/rc?.d)
    for __ea_l in $1/S??"$2"; do
        { [ -e "$__ea_l" ] || [ -L "$__ea_l" ]; } && return 0
    done
    return 1
}

ea__svc_sysv_enabled() {
    # $1 tool, $2 name, $3 script: 1 when the service starts at boot, else 0
    case $1 in
        chkconfig)
            __ea_l=$(chkconfig --list "$2" 2>&1)
            case $__ea_l in *"chkconfig --add $2"*)
                chkconfig --add "$2" >/dev/null 2>&1
                __ea_l=$(chkconfig --list "$2" 2>&1)
                ;;
            esac
            case $__ea_l in *3:on*) case $__ea_l in *5:on*) echo 1; return 0 ;; esac ;; esac
            echo 0
            ;;
        openwrt) if "$3" enabled >/dev/null 2>&1; then echo 1; else echo 0; fi ;;
        update-rc.d | insserv | rcN) if ea__svc_linked '/etc/rc?.d' "$2"; then echo 1; else echo 0; fi ;;
        *) if ea__svc_linked "$1" "$2"; then echo 1; else echo 0; fi ;;
    esac
}

ea__svc_sysv_enable() {
    # $1 tool, $2 name, $3 script, $4 1=enable 0=disable; output/errors to $5/$6
    case $1 in
        update-rc.d)
            if [ "$4" = 1 ]; then
                if ! ea__svc_linked '/etc/rc?.d' "$2" && ! ea__svc_klinked "$2"; then
                    update-rc.d "$2" defaults >"$5" 2>"$6" || return 1
                fi
                update-rc.d "$2" enable >"$5" 2>"$6"
            else
                update-rc.d "$2" disable >"$5" 2>"$6"
            fi
            ;;
        insserv) if [ "$4" = 1 ]; then insserv "$2" >"$5" 2>"$6"; else insserv -r "$2" >"$5" 2>"$6"; fi ;;
        chkconfig) if [ "$4" = 1 ]; then chkconfig "$2" on >"$5" 2>"$6"; else chkconfig "$2" off >"$5" 2>"$6"; fi ;;
        openwrt) if [ "$4" = 1 ]; then "$3" enable >"$5" 2>"$6"; else "$3" disable >"$5" 2>"$6"; fi ;;
        rcN)
            __ea_pr=$(ea__svc_prio "$3")
            __ea_base=${3##*/}
            for __ea_lv in 0 1 2 3 4 5 6; do
                [ -d "/etc/rc$__ea_lv.d" ] || continue
                rm -f "/etc/rc$__ea_lv.d/"[SK]??"$2" 2>"$6" || return 1
                [ "$4" = 1 ] || continue
                case $__ea_lv in
                    2 | 3 | 4 | 5) ln -s "../init.d/$__ea_base" "/etc/rc$__ea_lv.d/S$__ea_pr$2" 2>"$6" || return 1 ;;
                    *)
                        # stop order mirrors start order: K = 100 - S (1NN keeps 08 decimal)
                        __ea_k=$(printf '%02d' $((200 - 1$__ea_pr)))
                        ln -s "../init.d/$__ea_base" "/etc/rc$__ea_lv.d/K$__ea_k$2" 2>"$6" || return 1
                        ;;
                esac
            done
            ;;
        *)
            rm -f "$1/"S??"$2" 2>"$6" || return 1
            if [ "$4" = 1 ]; then
                __ea_pr=$(ea__svc_prio "$3")
                if [ "$1" = /etc/init.d ]; then
                    ln -s "${3##*/}" "$1/S$__ea_pr$2" 2>"$6"
                else
                    ln -s "$3" "$1/S$__ea_pr$2" 2>"$6"
                fi
            fi
            ;;
    esac
}

ea__svc_klinked() {
    for __ea_l in /etc/rc?.d/K??"$1"; do
        { [ -e "$__ea_l" ] || [ -L "$__ea_l" ]; } && return 0
    done
    return 1
}

ea__svc_sysv() {
    # name state enabled pattern sleep runlevel (arguments in __ea_args)
    __ea_script=$(ea__svc_script "$1")
    if [ -z "$__ea_script" ]; then
        ea_fail "Could not find the requested service $1: host"
        return 1
    fi
    if command -v update-rc.d >/dev/null 2>&1; then
        __ea_tool=update-rc.d
    elif command -v insserv >/dev/null 2>&1; then
        __ea_tool=insserv
    elif command -v chkconfig >/dev/null 2>&1; then
        __ea_tool=chkconfig
    elif [ -d /etc/rc.d ] && grep -q rc.common "$__ea_script" 2>/dev/null; then
        __ea_tool=openwrt
    else
        __ea_tool=$(ea__svc_links_dir)
    fi
    ea_field enable_tool "$__ea_tool"
    if [ -n "$3" ]; then
        __ea_cur=$(ea__svc_sysv_enabled "$__ea_tool" "$1" "$__ea_script")
        if [ "$__ea_cur" != "$3" ]; then
            ea_changed
            if ! ea_is_check && ! ea_login_umask ea__svc_sysv_enable "$__ea_tool" "$1" "$__ea_script" "$3" "$__ea_out" "$__ea_err"; then
                if [ "$3" = 1 ]; then __ea_act=enable; else __ea_act=disable; fi
                ea_fail "Error when trying to $__ea_act $1: $(cat "$__ea_err" "$__ea_out")"
                return 1
            fi
        fi
        ea_field enabled "$3"
    fi
    [ -n "$2" ] || return 0
    if [ -n "$4" ]; then
        if ea__svc_ps "$4"; then __ea_running=1; else __ea_running=0; fi
    else
        __ea_running=$(ea__svc_sysv_status "$__ea_script" "$1" "$__ea_out" "$__ea_err")
    fi
    ea__svc_decide "$2" "$__ea_running" || return 1
    [ -n "$__ea_act" ] || return 0
    ea_is_check && return 0
    set -f
    if [ "$__ea_act" = restart ]; then
        # shellcheck disable=SC2086 # arguments are words, as Ansible splits them
        ea__svc_run "$__ea_out" "$__ea_err" "$__ea_script" stop $__ea_args
        __ea_rc1=$?
        cat "$__ea_out" >"$__ea_out.1"
        cat "$__ea_err" >"$__ea_err.1"
        [ -n "$5" ] && sleep "$5"
        # shellcheck disable=SC2086
        ea__svc_run "$__ea_out" "$__ea_err" "$__ea_script" start $__ea_args
        __ea_rc=$?
        if [ "$__ea_rc1" = 0 ] || [ "$__ea_rc" != 0 ]; then
            __ea_rc=$((__ea_rc1 + __ea_rc))
            cat "$__ea_out.1" "$__ea_out" >"$__ea_out.2"
            cat "$__ea_out.2" >"$__ea_out"
            cat "$__ea_err.1" "$__ea_err" >"$__ea_err.2"
            cat "$__ea_err.2" >"$__ea_err"
        fi
    else
        # shellcheck disable=SC2086
        ea__svc_run "$__ea_out" "$__ea_err" "$__ea_script" "$__ea_act" $__ea_args
        __ea_rc=$?
    fi
    set +f
    ea__svc_control_failed "$__ea_rc"
}

ea__svc_control_failed() {
    # $1 exit status of the control command: fail with its stderr (else stdout), as Ansible
    [ "$1" = 0 ] && return 0
    if [ -s "$__ea_err" ]; then
        ea_fail "$(cat "$__ea_err")"
    else
        ea_fail "$(cat "$__ea_out")"
    fi
    return 1
}

ea__svc_decide() {
    # $1 wanted state, $2 running (1/0/""): sets __ea_act (start stop reload restart or "")
    __ea_act=
    if [ -z "$2" ]; then
        ea_fail "failed determining service state, possible typo of service name?"
        return 1
    fi
    case $1 in
        started) [ "$2" = 1 ] || __ea_act=start ;;
        stopped) [ "$2" = 0 ] || __ea_act=stop ;;
        reloaded) if [ "$2" = 1 ]; then __ea_act=reload; else __ea_act=start; fi ;;
        restarted) __ea_act=restart ;;
    esac
    if [ -n "$__ea_act" ]; then
        ea_changed
        ea_is_check && ea_field msg "service state changed"
    fi
    return 0
}

ea__svc_openrc() {
    # name state enabled pattern runlevel (arguments in __ea_args)
    if [ -n "$3" ]; then
        rc-update show >"$__ea_out" 2>/dev/null
        # shellcheck disable=SC2016 # awk program
        __ea_cur=$(awk -F'|' -v n="$1" -v lv="$5" '
            { gsub(/^[ \t]+|[ \t]+$/, "", $1); if ($1 != n) next
              k = split($2, a, " "); for (i = 1; i <= k; i++) if (a[i] == lv) f = 1 }
            END { print f + 0 }' "$__ea_out")
        if [ "$__ea_cur" != "$3" ]; then
            ea_changed
            if [ "$3" = 1 ]; then __ea_act=add; else __ea_act=delete; fi
            if ! ea_is_check && ! ea_login_umask rc-update "$__ea_act" "$1" "$5" >"$__ea_out" 2>"$__ea_err"; then
                ea_fail "Error when trying to $__ea_act $1: rc=1 $(cat "$__ea_err" "$__ea_out")"
                return 1
            fi
        fi
        ea_field enabled "$3"
    fi
    [ -n "$2" ] || return 0
    __ea_crashed=0
    if [ -n "$4" ]; then
        if ea__svc_ps "$4"; then __ea_running=1; else __ea_running=0; fi
    else
        set -f
        # shellcheck disable=SC2086
        ea__svc_run "$__ea_out" "$__ea_err" rc-service "$1" status $__ea_args
        set +f
        __ea_running=0
        grep -q started "$__ea_out" && __ea_running=1
        grep -q crashed "$__ea_err" && __ea_crashed=1
    fi
    ea__svc_decide "$2" "$__ea_running" || return 1
    [ -n "$__ea_act" ] || return 0
    ea_is_check && return 0
    if [ "$__ea_act" = start ] && [ "$__ea_crashed" = 1 ]; then
        ea__svc_run "$__ea_out" "$__ea_err" rc-service "$1" zap
    fi
    set -f
    # shellcheck disable=SC2086
    ea__svc_run "$__ea_out" "$__ea_err" rc-service "$1" "$__ea_act" $__ea_args
    __ea_rc=$?
    set +f
    ea__svc_control_failed "$__ea_rc"
}

ea__svc_svdir() {
    # $1 name: the runit service definition directory, or nothing
    for __ea_d in /etc/sv /etc/runit/sv; do
        [ -d "$__ea_d/$1" ] && { printf '%s' "$__ea_d/$1"; return 0; }
    done
    return 0
}

ea__svc_linkdir() {
    # the directory runsvdir watches
    for __ea_d in "${SVDIR:-}" /etc/service /service /var/service; do
        [ -n "$__ea_d" ] && [ -d "$__ea_d" ] && { printf '%s' "$__ea_d"; return 0; }
    done
    return 0
}

ea__svc_runit() {
    # name state enabled pattern sleep
    __ea_def=$(ea__svc_svdir "$1")
    __ea_ln=$(ea__svc_linkdir)
    if [ -z "$__ea_def" ] || [ -z "$__ea_ln" ]; then
        ea_fail "Could not find the requested service $1: host"
        return 1
    fi
    __ea_sup=$__ea_ln/$1
    __ea_cur=0
    [ -e "$__ea_sup" ] && __ea_cur=1
    if [ -n "$4" ]; then
        if ea__svc_ps "$4"; then __ea_running=1; else __ea_running=0; fi
    else
        __ea_running=0
        if [ "$__ea_cur" = 1 ]; then
            sv status "$__ea_sup" >"$__ea_out" 2>"$__ea_err"
            case $(cat "$__ea_out") in run:*) __ea_running=1 ;; esac
        fi
    fi
    __ea_act=
    if [ -n "$2" ]; then
        ea__svc_decide "$2" "$__ea_running" || return 1
    fi
    __ea_state_act=$__ea_act
    __ea_enable_act=
    if [ -n "$3" ]; then
        [ "$__ea_cur" != "$3" ] && { ea_changed; __ea_enable_act=$3; }
        ea_field enabled "$3"
    fi
    ea_is_check && return 0
    if [ "$__ea_enable_act" = 0 ]; then
        # stop while runsv still supervises it, then drop the link (runsv exits with it)
        if [ -n "$__ea_state_act" ]; then
            ea__svc_sv "$__ea_state_act" "$__ea_sup" || return 1
        fi
        sv -w 7 force-stop "$__ea_sup" >/dev/null 2>&1
        rm -f "$__ea_sup"
        return 0
    fi
    if [ "$__ea_enable_act" = 1 ]; then
        ln -s "$__ea_def" "$__ea_sup" || { ea_fail "cannot link $__ea_def into $__ea_ln"; return 1; }
        __ea_n=0
        while [ ! -e "$__ea_sup/supervise/ok" ] && [ "$__ea_n" -lt 70 ]; do
            sleep 0.1 2>/dev/null || sleep 1
            __ea_n=$((__ea_n + 1))
        done
        # runsv normally starts a new service itself, but one that was disabled a moment
        # ago may still be held down by its old runsv: `sv start` stays
    fi
    [ -n "$__ea_state_act" ] || return 0
    if [ ! -e "$__ea_sup" ]; then
        ea_fail "$1 is not supervised by runsv (not linked into $__ea_ln): enable it first"
        return 1
    fi
    [ "$__ea_state_act" = restart ] && [ -n "$5" ] && {
        ea__svc_sv stop "$__ea_sup" || return 1
        sleep "$5"
        __ea_state_act=start
    }
    ea__svc_sv "$__ea_state_act" "$__ea_sup"
}

ea__svc_sv() {
    # $1 action (start stop restart reload), $2 supervised directory
    __ea_a=$1
    [ "$__ea_a" = reload ] && __ea_a=hup
    sv -w 10 -v "$__ea_a" "$2" >"$__ea_out" 2>"$__ea_err"
    ea__svc_control_failed "$?"
}

ea_service() {
    __ea_name=$1
    __ea_state=$2
    __ea_enabled=$3
    __ea_pattern=$4
    __ea_sleep=$5
    __ea_args=$6
    __ea_runlevel=$7
    __ea_use=$8
    __ea_sdonly=$9
    # systemd's own options, handed to ea_systemd as they came
    __ea_sv_masked=${10}
    __ea_sv_reload=${11}
    __ea_sv_reexec=${12}
    __ea_sv_scope=${13}
    __ea_sv_noblock=${14}
    __ea_sv_force=${15}
    __ea_out=$(ea_tmp out) || return 1
    __ea_err=$(ea_tmp err) || return 1
    case $__ea_use in
        systemd) __ea_mgr=systemd ;;
        sysvinit | sysv) __ea_mgr=sysv ;;
        openrc | runit) __ea_mgr=$__ea_use ;;
        *) __ea_mgr=$(ea__svc_detect "$__ea_name") ;;
    esac
    ea_field mgr "${__ea_mgr:-none}"
    if [ "$__ea_mgr" != systemd ] && [ -n "$__ea_sdonly" ]; then
        # Ansible hands them to the service module there, which does not know them
        if [ -z "$__ea_name" ]; then
            ea_fail "missing required arguments: name"
        else
            ea_fail "Unsupported parameters for (service) module: $(printf '%s' "$__ea_sdonly" | sed 's/,/, /g'). Supported parameters include: arguments, enabled, name, pattern, runlevel, sleep, state (args)."
        fi
        return 1
    fi
    case $__ea_mgr in
        systemd)
            ea_systemd "$__ea_name" "$__ea_state" "$__ea_enabled" "$__ea_sv_masked" \
                "$__ea_sv_reload" "$__ea_sv_reexec" "$__ea_sv_scope" "$__ea_sv_noblock" "$__ea_sv_force"
            ;;
        openrc) ea__svc_openrc "$__ea_name" "$__ea_state" "$__ea_enabled" "$__ea_pattern" "$__ea_runlevel" ;;
        runit) ea__svc_runit "$__ea_name" "$__ea_state" "$__ea_enabled" "$__ea_pattern" "$__ea_sleep" ;;
        sysv) ea__svc_sysv "$__ea_name" "$__ea_state" "$__ea_enabled" "$__ea_pattern" "$__ea_sleep" ;;
        *)
            ea_fail "Could not find the requested service $__ea_name: host"
            return 1
            ;;
    esac
}
