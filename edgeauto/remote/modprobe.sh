# modprobe: a kernel module loaded or unloaded now (modprobe / modprobe -r), and loaded at
# boot with its options or not (/etc/modules-load.d, /etc/modprobe.d) — community.general's
# rules for the files. The files converge first, so a host that cannot load modules (a
# container, no /lib/modules for the running kernel) still gets them; the live part then
# fails naming why.
#
# ea_modprobe NAME STATE PARAMS PERSISTENT
#   STATE       present|absent (now)
#   PARAMS      module parameters, space-separated k=v ('' = none)
#   PERSISTENT  present|absent|disabled (at boot; disabled = leave the files alone)

__ea_mp_load=/etc/modules-load.d
__ea_mp_opts=/etc/modprobe.d

ea__mp_files() {
    # $1 directory: its regular files, one a line
    for __ea_f in "$1"/*; do
        [ -f "$__ea_f" ] && printf '%s\n' "$__ea_f"
    done
    return 0
}

ea__mp_modline() {
    # the ERE of a modules-load.d line naming the module (comments after it allowed)
    printf '^ *%s *([#;].*)?$' "$__ea_name"
}

ea__mp_optline() {
    printf '^options %s [A-Za-z0-9_]+=[^[:space:]]+ *([#;].*)?$' "$__ea_name"
}

ea__mp_persistent() {
    # is the module in a modules-load.d file?
    ea__mp_files "$__ea_mp_load" | while IFS= read -r __ea_f; do
        grep -E -q -e "$(ea__mp_modline)" "$__ea_f" && echo yes && break
    done | grep -q yes
}

ea__mp_params() {
    # the module's options set in modprobe.d files, sorted, one a line
    ea__mp_files "$__ea_mp_opts" | while IFS= read -r __ea_f; do
        grep -E -e "$(ea__mp_optline)" "$__ea_f" | awk '{ print $3 }'
    done | sort -u
}

ea__mp_comment() {
    # $1 directory, $2 ERE: comment out the matching lines of every file there (atomically)
    ea__mp_files "$1" | while IFS= read -r __ea_f; do
        grep -E -q -e "$2" "$__ea_f" || continue
        __ea_w=$(ea_tmp comment) || return 1
        EA_MP_RE=$2 awk 'BEGIN { re = ENVIRON["EA_MP_RE"] } $0 ~ re { print "#" $0; next } { print }' "$__ea_f" >"$__ea_w"
        ea_atomic_install "$__ea_w" "$__ea_f" || return 1
    done
}

ea__mp_write() {
    # $1 directory, $2 content: write DIR/NAME.conf
    mkdir -p "$1" || {
        ea_fail "cannot create $1"
        return 1
    }
    __ea_w=$(ea_tmp conf) || return 1
    printf '%s' "$2" >"$__ea_w"
    ea_atomic_install "$__ea_w" "$1/$__ea_name.conf" || return 1
    chmod 0644 "$1/$__ea_name.conf"
}

ea__mp_loaded() {
    # loaded (in /proc/modules) or built into the running kernel (modules.builtin)
    __ea_m=$(printf '%s' "$__ea_name" | tr - _)
    if [ -r /proc/modules ] && awk -v m="$__ea_m" '$1 == m { f = 1 } END { exit !f }' /proc/modules; then
        return 0
    fi
    __ea_b="/lib/modules/$(uname -r)/modules.builtin"
    [ -r "$__ea_b" ] && grep -q "/$__ea_name\.ko\$" "$__ea_b"
}

ea__mp_why() {
    # $1 modprobe's message: the reason in plain words
    __ea_kv=$(uname -r)
    if [ ! -d "/lib/modules/$__ea_kv" ]; then
        printf '/lib/modules/%s is missing (no modules for the running kernel %s on this host; a container uses the host kernel and cannot load modules)' "$__ea_kv" "$__ea_kv"
        return 0
    fi
    case $1 in
        *"ot permitted"* | *"ermission denied"*)
            printf '%s (operation not permitted: loading modules needs root with CAP_SYS_MODULE, which containers lack)' "$1"
            ;;
        *) printf '%s' "${1:-modprobe failed}" ;;
    esac
}

ea__mp_run() {
    # $1 load|unload, then modprobe's arguments (-n added in check mode): fail with the reason
    __ea_what=$1
    shift
    if ! command -v modprobe >/dev/null 2>&1; then
        __ea_o=
        [ -d "/lib/modules/$(uname -r)" ] && __ea_o="no modprobe command (install kmod)"
        ea_fail "cannot $__ea_what kernel module $__ea_name: $(ea__mp_why "$__ea_o")"
        return 1
    fi
    if ea_is_check; then set -- -n "$@"; fi
    __ea_o=$(modprobe "$@" 2>&1) || {
        ea_fail "cannot $__ea_what kernel module $__ea_name: $(ea__mp_why "$__ea_o")"
        return 1
    }
}

ea_modprobe() {
    __ea_name=$1
    __ea_state=$2
    __ea_params=$3
    __ea_persistent=$4
    ea_field name "$__ea_name"
    ea_field params "$__ea_params"
    ea_field state "$__ea_state"
    # at boot: community.general's file rules, before the live part
    __ea_want=$(printf '%s\n' "$__ea_params" | tr ' ' '\n' | sed '/^$/d' | sort -u)
    if [ "$__ea_persistent" = present ]; then
        if ! ea__mp_persistent; then
            ea_changed
            ea_is_check || ea__mp_write "$__ea_mp_load" "$__ea_name
" || return 1
        fi
        if [ "$(ea__mp_params)" != "$__ea_want" ]; then
            ea_changed
            if ! ea_is_check; then
                ea__mp_comment "$__ea_mp_opts" "$(ea__mp_optline)" || return 1
                __ea_c=$(printf '%s\n' "$__ea_params" | tr ' ' '\n' | sed '/^$/d' | sed "s/^/options $__ea_name /")
                ea__mp_write "$__ea_mp_opts" "$__ea_c
" || return 1
            fi
        fi
    elif [ "$__ea_persistent" = absent ]; then
        if ea__mp_persistent; then
            ea_changed
            ea_is_check || ea__mp_comment "$__ea_mp_load" "$(ea__mp_modline)" || return 1
        fi
        if [ -n "$(ea__mp_params)" ]; then
            ea_changed
            ea_is_check || ea__mp_comment "$__ea_mp_opts" "$(ea__mp_optline)" || return 1
        fi
    fi
    # now
    if [ "$__ea_state" = present ] && ! ea__mp_loaded; then
        set -f
        # shellcheck disable=SC2086 # the parameters are words (no globbing: set -f)
        ea__mp_run load "$__ea_name" $__ea_params || return 1
        ea_changed
    elif [ "$__ea_state" = absent ] && ea__mp_loaded; then
        ea__mp_run unload -r "$__ea_name" || return 1
        ea_changed
    fi
    return 0
}
