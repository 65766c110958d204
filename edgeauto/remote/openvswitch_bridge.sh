# openvswitch_bridge: an Open vSwitch bridge (or fake VLAN bridge) present with its settings,
# or absent — openvswitch.openvswitch.openvswitch_bridge's job, driven through ovs-vsctl.
#
# ea_openvswitch_bridge TIMEOUT SOCKET BRIDGE STATE PARENT CREATE PLAN DATAPATH
#   TIMEOUT   ovs-vsctl -t seconds; SOCKET the database socket ('' = default)
#   PARENT    the parent bridge of a fake VLAN bridge ('' = a real bridge)
#   CREATE    command lines (ovs.sh) run as one transaction when the bridge is missing: the
#             add-br line first, then everything it is created with
#   PLAN      the wishes (ovs.sh) for a bridge that exists
#   DATAPATH  auto = the bridge is created with datapath_type=netdev when the kernel has no
#             openvswitch module (the only datapath that works there); '' = as CREATE says

ea_openvswitch_bridge() {
    __ea_to=$1
    __ea_db=$2
    __ea_br=$3
    __ea_state=$4
    __ea_parent=$5
    __ea_create=$6
    __ea_plan=$7
    __ea_dp=$8
    ea__ovs_ready "$__ea_to" "$__ea_db" || return 1
    __ea_todo=$(ea_tmp ovs.todo) || return 1
    __ea_have=1
    ovs-vsctl -t "$__ea_to" ${__ea_db:+"--db=$__ea_db"} br-exists "$__ea_br" 2>/dev/null ||
        __ea_have=0
    ea_field bridge "$__ea_br"
    if [ "$__ea_state" = absent ]; then
        [ "$__ea_have" = 1 ] && printf 'del-br\t%s\n' "$__ea_br" >"$__ea_todo"
        ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo"
        return
    fi
    if [ "$__ea_have" = 0 ]; then
        printf '%s\n' "$__ea_create" >"$__ea_todo"
        if [ "$__ea_dp" = auto ] && ! ea__ovs_kernel_datapath; then
            printf 'set\tBridge\t%s\tdatapath_type=netdev\n' "$__ea_br" >>"$__ea_todo"
            ea_field datapath_auto netdev
        fi
    else
        if [ -n "$__ea_parent" ]; then
            __ea_hp=$(ea__ovs "$__ea_to" "$__ea_db" br-to-parent "$__ea_br") || return 1
            if [ "$__ea_hp" != "$__ea_parent" ]; then
                __ea_what="a real bridge"
                [ "$__ea_hp" = "$__ea_br" ] || __ea_what="a fake bridge of $__ea_hp"
                ea_fail "bridge $__ea_br exists as $__ea_what, not as a fake bridge of $__ea_parent: a bridge cannot change its parent (remove it first with state: absent)"
                return 1
            fi
        fi
        ea__ovs_missing "$__ea_to" "$__ea_db" "$__ea_plan" "$__ea_todo" || return 1
    fi
    ea__ovs_converge "$__ea_to" "$__ea_db" "$__ea_todo" || return 1
    if [ -z "$__ea_parent" ] && ! { ea_is_check && [ "$__ea_have" = 0 ]; }; then
        __ea_dpt=$(ea__ovs "$__ea_to" "$__ea_db" get Bridge "$__ea_br" datapath_type) || return 1
        ea_field datapath_type "$__ea_dpt"
    fi
    return 0
}
