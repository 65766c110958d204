# service_facts: list the target's services the way Ansible's service_facts asks for them,
# sending the raw listings; the controller parses them into ansible_facts.services.
#
# ea_service_facts
#   Fields (each only when its source applies):
#     sysv_all         `service --status-all` (no chkconfig, no rc-status: Debian-like hosts)
#     openrc_status    `rc-status -a -s -m` lines, openrc_update  `rc-update show -v` lines
#     units            `systemctl list-units --type service --all --plain` (systemd booted)
#     unit_files       `systemctl list-unit-files --type service --all`
#     unit_states      NAME<TAB>ActiveState for unit files list-units did not show
#     initd            NAME<TAB>running|stopped<TAB>enabled|disabled per /etc/init.d script,
#                      when there is no `service` tool, systemd or OpenRC (BusyBox devices)
#     runit            NAME<TAB>running|stopped<TAB>enabled|disabled per /etc/sv service,
#                      when `sv` exists and nothing Ansible asks is there (as initd)

ea__sf_systemd() {
    # true when systemd runs this host (systemctl plus its run directory or PID 1)
    command -v systemctl >/dev/null 2>&1 || return 1
    for __ea_c in /run/systemd/system /dev/.run/systemd /dev/.systemd; do
        [ -d "$__ea_c" ] && return 0
    done
    [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]
}

ea__sf_units() {
    # $1 tmp prefix: list-units, list-unit-files, and the ActiveState of the unit files
    # list-units left out (one `systemctl show` for all of them; templates are "unknown")
    LC_ALL=C systemctl list-units --no-pager --type service --all --plain >"$1.u" 2>/dev/null
    LC_ALL=C systemctl list-unit-files --no-pager --type service --all >"$1.f" 2>/dev/null
    ea_field_file units "$1.u"
    ea_field_file unit_files "$1.f"
    awk 'FNR == NR { if (index($0, ".service")) seen[$1] = 1; next }
         index($0, ".service") && !($1 in seen) { print $1 }' "$1.u" "$1.f" >"$1.m"
    : >"$1.s"
    grep -v '@\.service$' "$1.m" >"$1.b"
    if [ -s "$1.b" ]; then
        # shellcheck disable=SC2046 # unit names have no blanks
        if LC_ALL=C systemctl show --property=ActiveState $(cat "$1.b") >"$1.o" 2>/dev/null; then
            awk 'FNR == NR { n[++k] = $0; next }
                 /^ActiveState=/ { i++; sub(/^ActiveState=/, ""); printf "%s\t%s\n", n[i], $0 }' \
                "$1.b" "$1.o" >"$1.s"
        else
            while IFS= read -r __ea_u; do
                __ea_v=$(LC_ALL=C systemctl show "$__ea_u" --property=ActiveState 2>/dev/null) || __ea_v=
                [ -n "$__ea_v" ] || __ea_v=ActiveState=unknown
                printf '%s\t%s\n' "$__ea_u" "${__ea_v#ActiveState=}" >>"$1.s"
            done <"$1.b"
        fi
    fi
    grep '@\.service$' "$1.m" | awk '{ printf "%s\tunknown\n", $1 }' >>"$1.s"
    ea_field_file unit_states "$1.s"
}

ea__sf_enabled() {
    # $1 name: enabled when some S??NAME start link exists where BusyBox/SysV look for them
    for __ea_l in /etc/rc?.d/S??"$1" /etc/rc.d/S??"$1" /etc/init.d/S??"$1"; do
        { [ -e "$__ea_l" ] || [ -L "$__ea_l" ]; } && { echo enabled; return 0; }
    done
    echo disabled
}

ea__sf_initd() {
    # $1 output file: one line per init script (BusyBox devices: no `service` tool)
    : >"$1"
    for __ea_s in /etc/init.d/*; do
        { [ -f "$__ea_s" ] && [ -x "$__ea_s" ]; } || continue
        __ea_n=${__ea_s##*/}
        case $__ea_n in
            S[0-9][0-9]* | K[0-9][0-9]* | rcS | rcK | rc | functions | README* | *.sh | skeleton) continue ;;
        esac
        [ -L "$__ea_s" ] && continue
        __ea_st=stopped
        if command -v setsid >/dev/null 2>&1; then
            ea_login_umask setsid "$__ea_s" status >/dev/null 2>&1 </dev/null && __ea_st=running
        else
            ea_login_umask "$__ea_s" status >/dev/null 2>&1 </dev/null && __ea_st=running
        fi
        printf '%s\t%s\t%s\n' "$__ea_n" "$__ea_st" "$(ea__sf_enabled "$__ea_n")" >>"$1"
    done
}

ea__sf_runit() {
    # $1 output file: one line per /etc/sv service (running if supervised and up)
    : >"$1"
    __ea_ln=
    for __ea_d in "${SVDIR:-}" /etc/service /service /var/service; do
        [ -n "$__ea_d" ] && [ -d "$__ea_d" ] && { __ea_ln=$__ea_d; break; }
    done
    for __ea_d in /etc/sv/*; do
        [ -d "$__ea_d" ] || continue
        __ea_n=${__ea_d##*/}
        __ea_st=stopped
        __ea_en=disabled
        if [ -n "$__ea_ln" ] && [ -e "$__ea_ln/$__ea_n" ]; then
            __ea_en=enabled
            case $(sv status "$__ea_ln/$__ea_n" 2>/dev/null) in run:*) __ea_st=running ;; esac
        fi
        printf '%s\t%s\t%s\n' "$__ea_n" "$__ea_st" "$__ea_en" >>"$1"
    done
}

ea_service_facts() {
    __ea_p=$(ea_tmp sf) || return 1
    __ea_sd=0
    ea__sf_systemd && __ea_sd=1
    __ea_service=0
    command -v service >/dev/null 2>&1 && __ea_service=1
    __ea_chk=0
    command -v chkconfig >/dev/null 2>&1 && __ea_chk=1
    __ea_rcs=0
    command -v rc-status >/dev/null 2>&1 && __ea_rcs=1
    if [ "$__ea_service" = 1 ] && [ "$__ea_chk" = 0 ] && [ "$__ea_rcs" = 0 ]; then
        ea_login_umask env LC_ALL=C service --status-all >"$__ea_p.a" 2>"$__ea_p.e" </dev/null
        ea_field sysv_rc "$?"
        ea_field_file sysv_all "$__ea_p.a"
        [ -d /etc/init.d ] && ea_field initd_dir 1
    fi
    if [ "$__ea_chk" = 0 ] && [ "$__ea_rcs" = 1 ] && command -v rc-update >/dev/null 2>&1; then
        ea_login_umask rc-status -a -s -m 2>&1 | grep '^ ' | tr -d '[]' >"$__ea_p.os"
        rc-update show -v 2>&1 | grep '|' >"$__ea_p.ou"
        ea_field_file openrc_status "$__ea_p.os"
        ea_field_file openrc_update "$__ea_p.ou"
    fi
    if [ "$__ea_sd" = 1 ]; then
        ea__sf_units "$__ea_p"
    fi
    if [ "$__ea_service" = 0 ] && [ "$__ea_sd" = 0 ] && [ "$__ea_rcs" = 0 ] && [ -d /etc/init.d ]; then
        ea__sf_initd "$__ea_p.i"
        ea_field_file initd "$__ea_p.i"
    fi
    if [ "$__ea_service" = 0 ] && [ "$__ea_sd" = 0 ] && [ "$__ea_rcs" = 0 ] &&
        command -v sv >/dev/null 2>&1 && [ -d /etc/sv ]; then
        ea__sf_runit "$__ea_p.r"
        ea_field_file runit "$__ea_p.r"
    fi
    return 0
}
