# openvswitch_port: a port on an Open vSwitch bridge, present with its settings (tag, trunks,
# external ids, interface type and options) or absent — openvswitch.openvswitch's
# openvswitch_port job, driven through ovs-vsctl.
#
# ea_openvswitch_port TIMEOUT SOCKET BRIDGE PORT STATE CREATE PLAN
#   TIMEOUT   ovs-vsctl -t seconds; SOCKET the database socket ('' = default)
#   CREATE    command lines (ovs.sh) run as one transaction when the port is missing: the
#             add-port line first, then everything it is created with
#   PLAN      the wishes (ovs.sh) for a port that exists

ea_openvswitch_port() {
    __ea_to=$1
    __ea_db=$2
    __ea_br=$3
    __ea_port=$4
    __ea_state=$5
    __ea_create=$6
    __ea_plan=$7
    ea__ovs_ready "$__ea_to" "$__ea_db" || return 1
    __ea_todo=$(ea_tmp ovs.todo) || return 1
    ea_field bridge "$__ea_br"
    ea_field port "$__ea_port"
    __ea_err=$(ea_tmp ovs.porterr) || return 1
    __ea_on=
    if ! __ea_on=$(ovs-vsctl -t "$__ea_to" ${__ea_db:+"--db=$__ea_db"} port-to-br "$__ea_port" 2>"$__ea_err"); then
        __ea_on=
        if ! grep -q 'no port named' "$__ea_err"; then
            ea_fail "ovs-vsctl port-to-br $__ea_port failed: $(cat "$__ea_err")"
            return 1
        fi
    fi
    if [ "$__ea_state" = absent ]; then
        [ "$__ea_on" = "$__ea_br" ] && printf 'del-port\t%s\t%s\n' "$__ea_br" "$__ea_port" >"$__ea_todo"
        ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo"
        return
    fi
    if [ -n "$__ea_on" ] && [ "$__ea_on" != "$__ea_br" ]; then
        ea_fail "port $__ea_port is on bridge $__ea_on, not on $__ea_br: remove it there first (state: absent) or name bridge: $__ea_on"
        return 1
    fi
    if [ -z "$__ea_on" ]; then
        if ! ovs-vsctl -t "$__ea_to" ${__ea_db:+"--db=$__ea_db"} br-exists "$__ea_br" 2>/dev/null; then
            if ! ea_is_check; then
                ea_fail "bridge $__ea_br does not exist (create it first with openvswitch_bridge)"
                return 1
            fi
            ea_field msg "check mode: bridge $__ea_br does not exist yet; the port would be added when it does"
        fi
        printf '%s\n' "$__ea_create" >"$__ea_todo"
    else
        ea__ovs_missing "$__ea_to" "$__ea_db" "$__ea_plan" "$__ea_todo" || return 1
    fi
    ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo"
}
