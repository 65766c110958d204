# hostname: the permanent (/etc/hostname or the distribution's file) and current (kernel)
# host name; ansible.builtin.hostname's strategies: systemd (hostnamectl, falling back to the
# file and `hostname` when hostnamed cannot be reached), file (/etc/hostname, then
# `hostname -F`), redhat (HOSTNAME= in /etc/sysconfig/network), sles (/etc/HOSTNAME), openrc
# (hostname="..." in /etc/conf.d/hostname).
#
# ea_hostname NAME STRATEGY
#   STRATEGY  auto|systemd|file|redhat|sles|openrc (the controller maps Ansible's use=)

ea__hn_file() {
    # $1 strategy: the file holding the permanent name
    case $1 in
        redhat) printf /etc/sysconfig/network ;;
        sles) printf /etc/HOSTNAME ;;
        openrc) printf /etc/conf.d/hostname ;;
        *) printf /etc/hostname ;;
    esac
}

ea__hn_read() {
    # $1 strategy: print the permanent name ('' when the file is missing)
    __ea_f=$(ea__hn_file "$1")
    [ -f "$__ea_f" ] || return 0
    case $1 in
        redhat)
            awk '{ sub(/^[ \t]+/, "") } /^HOSTNAME/ { sub(/^[^=]*=[ \t]*/, ""); sub(/[ \t\r]+$/, ""); print; exit }' "$__ea_f"
            ;;
        openrc)
            awk '{ sub(/^[ \t]+/, "") } /^hostname=/ { sub(/^hostname=/, ""); gsub(/"/, ""); sub(/[ \t\r]+$/, ""); print; exit }' "$__ea_f"
            ;;
        *) awk '{ gsub(/^[ \t\r\n]+|[ \t\r\n]+$/, "") } NR == 1 { s = $0; next } { s = s "\n" $0 } END { printf "%s", s }' "$__ea_f" ;;
    esac
}

ea__hn_write() {
    # $1 strategy, $2 name: rewrite the permanent name's file atomically
    __ea_f=$(ea__hn_file "$1")
    __ea_w=$(ea_tmp hostname) || return 1
    case $1 in
        redhat)
            if [ -f "$__ea_f" ]; then
                awk -v n="$2" '{ t = $0; sub(/^[ \t]+/, "", t) } t ~ /^HOSTNAME/ { print "HOSTNAME=" n; f = 1; next } { print } END { if (!f) print "HOSTNAME=" n }' "$__ea_f" >"$__ea_w"
            else
                printf 'HOSTNAME=%s\n' "$2" >"$__ea_w"
            fi
            ;;
        openrc)
            if [ -f "$__ea_f" ]; then
                awk -v n="$2" '{ t = $0; sub(/^[ \t]+/, "", t) } t ~ /^hostname=/ { print "hostname=\"" n "\""; f = 1; next } { print } END { if (!f) print "hostname=\"" n "\"" }' "$__ea_f" >"$__ea_w"
            else
                printf 'hostname="%s"\n' "$2" >"$__ea_w"
            fi
            ;;
        *) printf '%s\n' "$2" >"$__ea_w" ;;
    esac
    mkdir -p "$(dirname "$__ea_f")" || {
        ea_fail "failed to update hostname: cannot create $(dirname "$__ea_f")"
        return 1
    }
    ea_atomic_install "$__ea_w" "$__ea_f" || return 1
    [ -f "$__ea_f" ] && chmod 0644 "$__ea_f"
}

ea__hn_live() {
    # $1 name: set the kernel's host name
    __ea_o=$(hostname "$1" 2>&1) || {
        ea_fail "Command failed: hostname $1: $__ea_o (setting the host name needs root and a UTS namespace of its own when in a container)"
        return 1
    }
}

ea_hostname() {
    __ea_name=$1
    __ea_strategy=$2
    if [ "$__ea_strategy" = auto ]; then
        if [ -d /run/systemd/system ] && command -v hostnamectl >/dev/null 2>&1; then
            __ea_strategy=systemd
        else
            __ea_strategy='file'
        fi
    fi
    if [ "$__ea_strategy" = systemd ]; then
        command -v hostnamectl >/dev/null 2>&1 || {
            ea_fail "Failed to find required executable \"hostnamectl\" in paths: $PATH"
            return 1
        }
    fi
    __ea_perm=$(ea__hn_read "$__ea_strategy")
    __ea_cur=$(uname -n)
    __ea_live=1
    case $__ea_strategy in
        redhat | sles | openrc) __ea_live=0 __ea_cur=$__ea_perm ;; # Ansible: current = permanent
    esac
    __ea_chg=0
    [ "$__ea_perm" != "$__ea_name" ] && __ea_chg=1
    [ "$__ea_cur" != "$__ea_name" ] && __ea_chg=1
    if [ "$__ea_chg" = 1 ]; then
        ea_changed
        __ea_before=$__ea_perm
        [ "$__ea_cur" != "$__ea_name" ] && __ea_before=$__ea_cur
        ea_field diff_before "hostname = $__ea_before
"
        ea_field diff_after "hostname = $__ea_name
"
    fi
    if [ "$__ea_chg" = 1 ] && ! ea_is_check; then
        __ea_done=0
        if [ "$__ea_strategy" = systemd ]; then
            if hostnamectl --pretty --static set-hostname "$__ea_name" >/dev/null 2>&1 &&
                hostnamectl --transient set-hostname "$__ea_name" >/dev/null 2>&1; then
                __ea_done=1
            fi
            # hostnamed may be unreachable (no D-Bus, a container): write the file directly
            [ "$(ea__hn_read systemd)" = "$__ea_name" ] || __ea_done=0
            [ "$(uname -n)" = "$__ea_name" ] || __ea_done=0
        fi
        if [ "$__ea_done" = 0 ]; then
            if [ "$__ea_perm" != "$__ea_name" ]; then
                ea__hn_write "$__ea_strategy" "$__ea_name" || return 1
            fi
            if [ "$__ea_live" = 1 ] && [ "$(uname -n)" != "$__ea_name" ]; then
                ea__hn_live "$__ea_name" || return 1
            fi
        fi
    fi
    __ea_fqdn=$(hostname -f 2>/dev/null) || __ea_fqdn=
    [ -n "$__ea_fqdn" ] || __ea_fqdn=$(uname -n)
    ea_field fqdn "$__ea_fqdn"
    ea_field strategy "$__ea_strategy"
}
