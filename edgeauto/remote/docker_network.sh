# docker_network: one docker network (driver, IPAM subnets, internal, labels, options),
# recreated when a compared field differs — its containers are disconnected first and
# connected again — and the containers listed in `connected` attached to it.
#
# ea_docker_network NAME STATE FLAGS FIELDS WANT TEMPLATE CONNECTED ARGS...
#   FLAGS      letters: c=connected was given, a=appends (keep containers not listed)
#   FIELDS     space-separated name:mode of compared fields (exact or set)
#   WANT       file: "@@name" blocks of wanted lines; TEMPLATE: the matching inspect template
#              (its "@@containers" block lists the connected container names)
#   CONNECTED  file: the container names wanted on the network, one a line
#   ARGS       docker network create arguments (before the name)

ea__docker_network_detach() {
    # $1 network, $2 its current blocks: disconnect every container (kept in $2.was)
    ea__docker_blocks "$2" "$2.b"
    : >"$2.was"
    [ -f "$2.b.containers" ] || return 0
    while IFS= read -r __ea_dn_ct; do
        [ -n "$__ea_dn_ct" ] || continue
        printf '%s\n' "$__ea_dn_ct" >>"$2.was"
        ea__docker "disconnecting $__ea_dn_ct from network $1 failed" network disconnect -f "$1" "$__ea_dn_ct" || return 1
    done <"$2.b.containers"
}

ea_docker_network() {
    __ea_dn_net=$1
    __ea_dn_nst=$2
    __ea_dn_nfl=$3
    __ea_dn_nfields=$4
    __ea_dn_nwant=$5
    __ea_dn_ntmpl=$6
    __ea_dn_conn=$7
    shift 7
    __ea_dn_cur=$(ea_tmp network.cur) || return 1
    ea__docker_object network "$__ea_dn_net" "$__ea_dn_nst" changed "$__ea_dn_nfields" "$__ea_dn_nwant" "$__ea_dn_ntmpl" "$__ea_dn_cur" "$@" || return 1
    if [ "$__ea_dn_nst" != absent ]; then
        __ea_dn_now=$(ea_tmp net.now) || return 1
        docker network inspect --format '{{range $i, $c := .Containers}}{{$c.Name}}{{println}}{{end}}' "$__ea_dn_net" >"$__ea_dn_now" 2>/dev/null || : >"$__ea_dn_now"
        # containers a recreation disconnected come back unless the task drops them
        __ea_dn_was=$__ea_dn_cur.was
        case $__ea_dn_nfl in *c*) ;; *) [ -f "$__ea_dn_was" ] && cat "$__ea_dn_was" >>"$__ea_dn_conn" ;; esac
        while IFS= read -r __ea_dn_ct; do
            [ -n "$__ea_dn_ct" ] || continue
            grep -F -x -q -e "$__ea_dn_ct" "$__ea_dn_now" && continue
            ea_changed
            ea_is_check && continue
            ea__docker "connecting $__ea_dn_ct to network $__ea_dn_net failed" network connect "$__ea_dn_net" "$__ea_dn_ct" || return 1
        done <"$__ea_dn_conn"
        case $__ea_dn_nfl in
            *a*) ;;
            *c*)
                while IFS= read -r __ea_dn_ct; do
                    [ -n "$__ea_dn_ct" ] || continue
                    grep -F -x -q -e "$__ea_dn_ct" "$__ea_dn_conn" && continue
                    ea_changed
                    ea_is_check && continue
                    ea__docker "disconnecting $__ea_dn_ct from network $__ea_dn_net failed" network disconnect "$__ea_dn_net" "$__ea_dn_ct" || return 1
                done <"$__ea_dn_now"
                ;;
        esac
    fi
    ea__docker_result network "$__ea_dn_net" network
}
