# iptables: one rule (idempotent by `iptables -C`), a chain's policy, a flush, or a user chain,
# for iptables and/or ip6tables — ansible.builtin.iptables' decisions. The rule's words are
# built by the controller in Ansible's order.
#
# ea_iptables OP TABLE CHAIN RULENUM WAIT POLICY FLAGS BINS RULE...
#   OP        rule|flush|policy|chain
#   FLAGS     letters: a=state absent, i=insert (else append), m=chain_management,
#             n=numeric (-L --numeric)
#   BINS      iptables, ip6tables or "iptables ip6tables"
#   RULE      the rule specification words (-p tcp --dport 22 -j ACCEPT ...)

ea__ipt_waitargs() {
    # $1 binary: print the -w words this iptables understands (none before 1.4.20)
    [ -n "$__ea_wait" ] || return 0
    __ea_v=$("$1" --version 2>/dev/null | sed -n 's/.* v\([0-9][0-9.]*\).*/\1/p')
    __ea_v=$(printf '%s' "$__ea_v" | awk -F. '{ printf "%d", $1 * 10000 + $2 * 100 + $3 }')
    if [ "${__ea_v:-0}" -ge 10600 ]; then
        printf -- '-w\n%s\n' "$__ea_wait"
    elif [ "${__ea_v:-0}" -ge 10420 ]; then
        printf -- '-w\n'
    fi
}

ea__ipt() {
    # run "$@" (an iptables command); on failure fail with its message
    __ea_o=$("$@" 2>&1) && return 0
    __ea_rc=$?
    ea_rc "$__ea_rc"
    case $__ea_o in
        *"ermission denied"* | *"not permitted"*)
            __ea_o="$__ea_o (changing the firewall needs root with CAP_NET_ADMIN in this network namespace)"
            ;;
    esac
    ea_fail "$* failed: $__ea_o"
}

ea_iptables() {
    __ea_op=$1
    __ea_table=$2
    __ea_chain=$3
    __ea_num=$4
    __ea_wait=$5
    __ea_policy=$6
    __ea_flags=$7
    __ea_bins=$8
    shift 8
    __ea_absent=0 __ea_insert=0 __ea_cm=0 __ea_numeric=
    case $__ea_flags in *a*) __ea_absent=1 ;; esac
    case $__ea_flags in *i*) __ea_insert=1 ;; esac
    case $__ea_flags in *m*) __ea_cm=1 ;; esac
    case $__ea_flags in *n*) __ea_numeric=--numeric ;; esac
    __ea_rulefile=$(ea_tmp rule) || return 1
    for __ea_w in "$@"; do printf '%s\n' "$__ea_w" >>"$__ea_rulefile"; done
    for __ea_bin in $__ea_bins; do
        command -v "$__ea_bin" >/dev/null 2>&1 || {
            ea_fail "Failed to find required executable \"$__ea_bin\" in paths: $PATH"
            return 1
        }
        __ea_wf=$(ea_tmp wait) || return 1
        ea__ipt_waitargs "$__ea_bin" >"$__ea_wf"
        # base words: BIN -t TABLE; then ACTION CHAIN [NUM] [-w ...] RULE... (Ansible's order)
        case $__ea_op in
            flush)
                ea_changed
                ea_is_check && continue
                set -- "$__ea_bin" -t "$__ea_table" -F
                [ -n "$__ea_chain" ] && set -- "$@" "$__ea_chain"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_wf"
                ea__ipt "$@" || return 1
                ;;
            policy)
                __ea_cur=$("$__ea_bin" -t "$__ea_table" -L "$__ea_chain" $__ea_numeric 2>&1 | head -n 1 |
                    sed -n 's/.*(policy \([A-Z]*\).*/\1/p')
                [ -n "$__ea_cur" ] || {
                    ea_fail "Can't detect current policy"
                    return 1
                }
                [ "$__ea_cur" = "$__ea_policy" ] && continue
                ea_changed
                ea_is_check && continue
                set -- "$__ea_bin" -t "$__ea_table" -P "$__ea_chain"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_wf"
                ea__ipt "$@" "$__ea_policy" || return 1
                ;;
            chain)
                __ea_have=0
                "$__ea_bin" -t "$__ea_table" -L "$__ea_chain" $__ea_numeric >/dev/null 2>&1 && __ea_have=1
                if [ "$__ea_absent" = 1 ]; then
                    [ "$__ea_have" = 1 ] || continue
                    ea_changed
                    [ "$__ea_cm" = 1 ] && ! ea_is_check && { ea__ipt "$__ea_bin" -t "$__ea_table" -X "$__ea_chain" || return 1; }
                else
                    [ "$__ea_have" = 0 ] || continue
                    ea_changed
                    [ "$__ea_cm" = 1 ] && ! ea_is_check && { ea__ipt "$__ea_bin" -t "$__ea_table" -N "$__ea_chain" || return 1; }
                fi
                ;;
            rule)
                set -- "$__ea_bin" -t "$__ea_table" -C "$__ea_chain"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_wf"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_rulefile"
                __ea_present=0
                "$@" >/dev/null 2>&1 && __ea_present=1
                if [ "$__ea_absent" = 1 ]; then
                    [ "$__ea_present" = 1 ] || continue
                    __ea_act=-D
                else
                    [ "$__ea_present" = 0 ] || continue
                    __ea_act=-A
                    [ "$__ea_insert" = 1 ] && __ea_act=-I
                fi
                ea_changed
                ea_is_check && continue
                set -- "$__ea_bin" -t "$__ea_table" "$__ea_act" "$__ea_chain"
                [ "$__ea_act" = -I ] && [ -n "$__ea_num" ] && set -- "$@" "$__ea_num"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_wf"
                while IFS= read -r __ea_x; do set -- "$@" "$__ea_x"; done <"$__ea_rulefile"
                ea__ipt "$@" || return 1
                ;;
        esac
    done
    return 0
}
