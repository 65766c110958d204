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
    ea_docker_blocks "$2" "$2.b"
    : >"$2.was"
    [ -f "$2.b.containers" ] || return 0
    while IFS= read -r __ea_ct; do
        [ -n "$__ea_ct" ] || continue
        printf '%s\n' "$__ea_ct" >>"$2.was"
        ea_docker "disconnecting $__ea_ct from network $1 failed" network disconnect -f "$1" "$__ea_ct" || return 1
    done <"$2.b.containers"
}

ea_docker_network() {
    __ea_net=$1 __ea_nst=$2 __ea_nfl=$3 __ea_nfields=$4 __ea_nwant=$5 __ea_ntmpl=$6 __ea_conn=$7
    shift 7
    ea_docker_object network "$__ea_net" "$__ea_nst" changed "$__ea_nfields" "$__ea_nwant" "$__ea_ntmpl" "$@" || return 1
    if [ "$__ea_nst" != absent ]; then
        __ea_now=$(ea_tmp net.now) || return 1
        # shellcheck disable=SC2154 # set by ea_docker_object
        if ea_is_check && [ "$__ea_obj_made" = 1 ]; then
            : >"$__ea_now"
        else
            docker network inspect --format '{{range $i, $c := .Containers}}{{$c.Name}}{{println}}{{end}}' "$__ea_net" >"$__ea_now" 2>/dev/null || : >"$__ea_now"
        fi
        # containers a recreation disconnected come back unless the task drops them
        # shellcheck disable=SC2154 # set by ea_docker_object
        __ea_was=$__ea_obj_cur.was
        case $__ea_nfl in *c*) ;; *) [ -f "$__ea_was" ] && cat "$__ea_was" >>"$__ea_conn" ;; esac
        while IFS= read -r __ea_ct; do
            [ -n "$__ea_ct" ] || continue
            grep -F -x -q -e "$__ea_ct" "$__ea_now" && continue
            ea_changed
            ea_is_check && continue
            ea_docker "connecting $__ea_ct to network $__ea_net failed" network connect "$__ea_net" "$__ea_ct" || return 1
        done <"$__ea_conn"
        case $__ea_nfl in
            *a*) ;;
            *c*)
                while IFS= read -r __ea_ct; do
                    [ -n "$__ea_ct" ] || continue
                    grep -F -x -q -e "$__ea_ct" "$__ea_conn" && continue
                    ea_changed
                    ea_is_check && continue
                    ea_docker "disconnecting $__ea_ct from network $__ea_net failed" network disconnect "$__ea_net" "$__ea_ct" || return 1
                done <"$__ea_now"
                ;;
        esac
    fi
    ea_docker_result network "$__ea_net" network
}
