# wait_for: poll a port, a file, a string or a port's connections until the state holds.
#
# ea_wait_for HOST PORT PATH STATE ERE DELAY TIMEOUT SLEEP CONNECT_TIMEOUT MSG STATES
#             EXCLUDED LOCALS
#   HOST       address to connect to (from the target)
#   PORT       tcp port ("" = none)
#   PATH       file ("" = none)
#   STATE      started present stopped absent drained
#   ERE        search_regex as POSIX ERE ("" = none); the first matching line is reported
#   DELAY TIMEOUT SLEEP CONNECT_TIMEOUT   seconds (integers)
#   MSG        message on timeout ("" = the default one)
#   STATES     /proc/net/tcp state codes that count as active (drained)
#   EXCLUDED   /proc/net/tcp remote addresses (hex) that drained ignores
#   LOCALS     local addresses (hex) whose connections drained counts ("*" = any)
# Check mode: skipped. Result fields: elapsed, matched (the matching line), msg on failure.

ea__wf_now() {
    date +%s
}

ea__wf_local_host() {
    case $1 in
        127.* | 0.0.0.0 | localhost | ::1 | ::) return 0 ;;
    esac
    return 1
}

ea__wf_listening() {
    # $1 port: 0 if a LISTEN socket on that port shows in /proc/net/tcp or tcp6
    __ea_hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$__ea_hex" '
        NR > 0 && $4 == "0A" { n = split($2, a, ":"); if (a[n] == p) { found = 1 } }
        END { exit found ? 0 : 1 }'
}

ea__wf_connect() {
    # $1 host, $2 port, $3 timeout: 0 when a TCP connection could be opened
    if command -v bash >/dev/null 2>&1; then
        # shellcheck disable=SC2016
        timeout "$3" bash -c 'exec 3<>"/dev/tcp/$0/$1"' "$1" "$2" >/dev/null 2>&1
        return
    fi
    if command -v nc >/dev/null 2>&1; then
        if nc --help 2>&1 | grep -q 'e PROG'; then
            timeout "$3" nc -w "$3" "$1" "$2" -e true </dev/null >/dev/null 2>&1
        else
            nc -z -w "$3" "$1" "$2" </dev/null >/dev/null 2>&1
        fi
        return
    fi
    if ea__wf_local_host "$1"; then
        ea__wf_listening "$2"
        return
    fi
    return 2
}

ea__wf_read() {
    # $1 host, $2 port, $3 seconds, $4 output file, $5 ERE: connect, collect what the peer
    # sends until a line matches (0), the peer closes or time runs out (1)
    : >"$4"
    if command -v bash >/dev/null 2>&1; then
        # shellcheck disable=SC2016
        bash -c 'exec 3<>"/dev/tcp/$0/$1" && exec cat <&3' "$1" "$2" >"$4" 2>/dev/null &
    elif command -v nc >/dev/null 2>&1; then
        nc "$1" "$2" </dev/null >"$4" 2>/dev/null &
    else
        return 2
    fi
    __ea_rpid=$!
    __ea_rend=$(($(ea__wf_now) + $3))
    while :; do
        if grep -E -e "$5" "$4" >/dev/null 2>&1; then
            kill "$__ea_rpid" 2>/dev/null
            wait "$__ea_rpid" 2>/dev/null
            return 0
        fi
        kill -0 "$__ea_rpid" 2>/dev/null || break
        [ "$(ea__wf_now)" -lt "$__ea_rend" ] || break
        sleep 1 2>/dev/null
    done
    kill "$__ea_rpid" 2>/dev/null
    wait "$__ea_rpid" 2>/dev/null
    grep -E -e "$5" "$4" >/dev/null 2>&1
}

ea__wf_active() {
    # $1 port, $2 state codes, $3 excluded remote addresses, $4 local addresses ("*" = any):
    # print the number of active connections
    __ea_hex=$(printf '%04X' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v p="$__ea_hex" -v st=" $2 " -v ex=" $3 " -v lo=" $4 " '
        $1 ~ /^[0-9]+:$/ {
            n = split($2, l, ":"); m = split($3, r, ":")
            if (l[n] != p || !index(st, " " $4 " ") || index(ex, " " r[1] " ")) { next }
            if (lo == " * " || index(lo, " " l[1] " ")) { c++ }
        }
        END { print c + 0 }'
}

ea_wait_for() {
    __ea_host=$1
    __ea_port=$2
    __ea_path=$3
    __ea_state=$4
    __ea_ere=$5
    __ea_delay=$6
    __ea_timeout=$7
    __ea_sleep=$8
    __ea_ct=$9
    __ea_msg=${10}
    __ea_states=${11}
    __ea_excl=${12}
    __ea_locals=${13}
    if ea_is_check; then
        ea_skip "check mode"
        return 0
    fi
    __ea_start=$(ea__wf_now)
    __ea_end=$((__ea_start + __ea_timeout))
    [ "$__ea_delay" -gt 0 ] && sleep "$__ea_delay"
    if [ -z "$__ea_port" ] && [ -z "$__ea_path" ] && [ "$__ea_state" != drained ]; then
        sleep "$__ea_timeout"
        ea_field elapsed $(($(ea__wf_now) - __ea_start))
        return 0
    fi
    __ea_data=$(ea_tmp data) || return 1
    while [ "$(ea__wf_now)" -lt "$__ea_end" ]; do
        ea__wf_check
        __ea_r=$?
        if [ "$__ea_r" = 0 ]; then
            ea_field elapsed $(($(ea__wf_now) - __ea_start))
            return 0
        fi
        if [ "$__ea_r" = 2 ]; then
            ea_field elapsed $(($(ea__wf_now) - __ea_start))
            ea_fail "wait_for needs bash, nc or (for a local address) /proc/net/tcp on the target"
            return 1
        fi
        sleep "$__ea_sleep"
    done
    ea_field elapsed $(($(ea__wf_now) - __ea_start))
    if [ -n "$__ea_msg" ]; then
        ea_fail "$__ea_msg"
        return 1
    fi
    __ea_where="$__ea_host:$__ea_port"
    case $__ea_state in
        stopped) ea_fail "Timeout when waiting for $__ea_where to stop." ;;
        drained) ea_fail "Timeout when waiting for $__ea_where to drain" ;;
        absent) ea_fail "Timeout when waiting for $__ea_path to be absent." ;;
        *)
            [ -n "$__ea_path" ] && __ea_where=$__ea_path
            if [ -n "$__ea_ere" ]; then
                ea_fail "Timeout when waiting for search string $__ea_ere in $__ea_where"
            elif [ -n "$__ea_path" ]; then
                ea_fail "Timeout when waiting for file $__ea_path"
            else
                ea_fail "Timeout when waiting for $__ea_where"
            fi
            ;;
    esac
    return 1
}

ea__wf_check() {
    # one check of the wanted state: 0 = holds, 1 = not yet, 2 = cannot check here
    case $__ea_state in
        absent | stopped)
            if [ -n "$__ea_path" ]; then
                [ ! -e "$__ea_path" ]
                return
            fi
            ea__wf_connect "$__ea_host" "$__ea_port" "$(ea__wf_ct)"
            case $? in
                0) return 1 ;;
                2) return 2 ;;
            esac
            return 0
            ;;
        drained)
            [ "$(ea__wf_active "$__ea_port" "$__ea_states" "$__ea_excl" "$__ea_locals")" = 0 ]
            return
            ;;
    esac
    if [ -n "$__ea_path" ]; then
        [ -e "$__ea_path" ] || return 1
        [ -n "$__ea_ere" ] || return 0
        grep -E -e "$__ea_ere" "$__ea_path" >"$__ea_data" 2>/dev/null || return 1
        ea_field matched "$(head -n 1 "$__ea_data")"
        return 0
    fi
    if [ -z "$__ea_ere" ]; then
        ea__wf_connect "$__ea_host" "$__ea_port" "$(ea__wf_ct)"
        return
    fi
    ea__wf_read "$__ea_host" "$__ea_port" "$(ea__wf_ct)" "$__ea_data" "$__ea_ere"
    case $? in
        0)
            ea_field matched "$(grep -E -e "$__ea_ere" "$__ea_data" | head -n 1)"
            return 0
            ;;
        2) return 2 ;;
    esac
    return 1
}

ea__wf_ct() {
    # the connect timeout, never beyond the overall deadline (at least 1 s)
    __ea_left=$((__ea_end - $(ea__wf_now)))
    if [ "$__ea_left" -ge "$__ea_ct" ]; then
        echo "$__ea_ct"
    elif [ "$__ea_left" -gt 0 ]; then
        echo "$__ea_left"
    else
        echo 1
    fi
}
