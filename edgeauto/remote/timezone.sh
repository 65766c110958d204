# timezone: the system time zone (/etc/localtime → /usr/share/zoneinfo/NAME, /etc/timezone)
# and whether the hardware clock keeps local time or UTC; timedatectl when it works (systemd
# with timedated reachable), else the files directly (the way Debian without systemd keeps
# them; the hardware clock setting is the third line of /etc/adjtime).
#
# ea_timezone NAME HWCLOCK
#   NAME      the zone (Europe/Paris) or '' to leave it
#   HWCLOCK   local|UTC or '' to leave it

ea__tz_usable() {
    # timedatectl exists and answers (systemd running, timedated reachable)
    [ -d /run/systemd/system ] && command -v timedatectl >/dev/null 2>&1 &&
        timedatectl status >/dev/null 2>&1
}

ea__tz_name() {
    # the current zone: timedatectl's, else /etc/timezone's, else /etc/localtime's link target
    if [ "$__ea_systemd" = 1 ]; then
        timedatectl status | sed -n 's/^[[:space:]]*Time \{0,1\}zone[[:space:]]*:[[:space:]]*\([^[:space:]]*\).*/\1/p' | head -n 1
        return 0
    fi
    if [ -s /etc/timezone ]; then
        sed -n '1s/^\([^[:space:]]*\).*/\1/p' /etc/timezone
        return 0
    fi
    __ea_l=$(readlink /etc/localtime 2>/dev/null) || return 0
    printf '%s' "${__ea_l#*zoneinfo/}"
}

ea__tz_rtc() {
    # the hardware clock's zone: local|UTC
    if [ "$__ea_systemd" = 1 ]; then
        __ea_v=$(timedatectl status | sed -n 's/^[[:space:]]*RTC in local TZ[[:space:]]*:[[:space:]]*\([^[:space:]]*\).*/\1/p')
        case $__ea_v in yes | true | 1) printf local ;; *) printf UTC ;; esac
        return 0
    fi
    if [ -f /etc/adjtime ] && [ "$(sed -n 3p /etc/adjtime)" = LOCAL ]; then
        printf local
    else
        printf UTC
    fi
}

ea__tz_localtime_ok() {
    # $1 zone: /etc/localtime already is that zone (a link to it, or the same bytes)
    __ea_l=$(readlink /etc/localtime 2>/dev/null) && [ "${__ea_l#*zoneinfo/}" = "$1" ] && return 0
    [ -f /etc/localtime ] && cmp -s /etc/localtime "/usr/share/zoneinfo/$1"
}

ea__tz_files() {
    # $1 zone: point /etc/localtime at it (rename over: atomic) and write /etc/timezone
    __ea_ln=/etc/.edgeauto.localtime.$$
    rm -f "$__ea_ln"
    if ! { ln -s "/usr/share/zoneinfo/$1" "$__ea_ln" && mv -f "$__ea_ln" /etc/localtime; }; then
        rm -f "$__ea_ln"
        ea_fail "cannot point /etc/localtime at /usr/share/zoneinfo/$1"
        return 1
    fi
    if [ -e /etc/timezone ] || command -v dpkg >/dev/null 2>&1; then
        __ea_w=$(ea_tmp timezone) || return 1
        printf '%s\n' "$1" >"$__ea_w"
        ea_atomic_install "$__ea_w" /etc/timezone || return 1
        chmod 0644 /etc/timezone
    fi
}

ea__tz_adjtime() {
    # $1 LOCAL|UTC: the third line of /etc/adjtime (hwclock(8)'s record of the RTC's zone)
    __ea_w=$(ea_tmp adjtime) || return 1
    if [ -f /etc/adjtime ]; then
        awk -v z="$1" 'NR == 3 { print z; next } { print } END { if (NR < 3) { for (i = NR; i < 2; i++) print (i == 0 ? "0.0 0 0.0" : "0"); print z } }' /etc/adjtime >"$__ea_w"
    else
        printf '0.0 0 0.0\n0\n%s\n' "$1" >"$__ea_w"
    fi
    ea_atomic_install "$__ea_w" /etc/adjtime || return 1
    chmod 0644 /etc/adjtime
}

ea_timezone() {
    __ea_name=$1
    __ea_hw=$2
    if [ -n "$__ea_name" ] && [ ! -f "/usr/share/zoneinfo/$__ea_name" ]; then
        ea_fail "given timezone \"$__ea_name\" is not available (no /usr/share/zoneinfo/$__ea_name: is tzdata installed?)"
        return 1
    fi
    __ea_systemd=0
    ea__tz_usable && __ea_systemd=1
    __ea_chg=0
    if [ -n "$__ea_name" ]; then
        __ea_bname=$(ea__tz_name)
        ea_field before_name "$__ea_bname"
        if [ "$__ea_bname" != "$__ea_name" ] || ! ea__tz_localtime_ok "$__ea_name"; then
            __ea_chg=1
            [ "$__ea_bname" = "$__ea_name" ] && ea_field before_name "n/a"
            if ! ea_is_check; then
                if [ "$__ea_systemd" = 0 ] || ! timedatectl set-timezone "$__ea_name" >/dev/null 2>&1; then
                    ea__tz_files "$__ea_name" || return 1
                fi
            fi
        fi
    fi
    if [ -n "$__ea_hw" ]; then
        __ea_brtc=$(ea__tz_rtc)
        ea_field before_hwclock "$__ea_brtc"
        if [ "$__ea_brtc" != "$__ea_hw" ]; then
            __ea_chg=1
            if ! ea_is_check; then
                __ea_yes=no
                [ "$__ea_hw" = local ] && __ea_yes=yes
                if [ "$__ea_systemd" = 0 ] || ! timedatectl set-local-rtc "$__ea_yes" >/dev/null 2>&1; then
                    __ea_z=UTC
                    [ "$__ea_hw" = local ] && __ea_z=LOCAL
                    ea__tz_adjtime "$__ea_z" || return 1
                fi
            fi
        fi
    fi
    [ "$__ea_chg" = 1 ] && ea_changed
    return 0
}
