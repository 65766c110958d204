# docker_container: one container converged to the wanted configuration. The container is
# recreated only when a compared field of `docker inspect` differs from what the task wants
# (or with recreate); networks are connected/disconnected in place; running state follows.
#
# ea_docker_container NAME STATE IMAGE PULL FLAGS FIELDS WANT TEMPLATE NETS ARGS...
#   STATE     started|stopped|present|absent
#   PULL      missing|always|never: when the image is fetched from a registry
#   FLAGS     letters: r=recreate, k=keep_volumes, p=purge_networks, a=attach (detach: false),
#             f=force_kill on removal/stop
#   FIELDS    space-separated name:mode of the compared fields; mode is exact (the lines),
#             set (sorted lines), subset (every wanted line present), merge (KEY=VALUE lines
#             merged over the image's own: env, labels), image (the image ID) or
#             networks (connected/disconnected in place, never a recreate)
#   WANT      file: one "@@name" block per field with the wanted lines
#   TEMPLATE  file: the docker inspect template printing the same "@@name" blocks
#   NETS      file: networks to be connected, one "name|ipv4|alias,alias" line each;
#             the first one is part of ARGS (docker create --network)
#   ARGS      docker create arguments: options, then the image and the command

ea__dc_merge() {
    # $1 wanted KEY=VALUE lines, $2 the image's own: the image's lines the task does not set,
    # then the wanted ones — what docker puts in the container — sorted
    awk 'FNR == NR { k = $0; sub(/=.*/, "", k); w[k] = $0; next }
         { k = $0; sub(/=.*/, "", k); if (!(k in w)) print }
         END { for (k in w) print w[k] }' "$1" "$2" | sort
}

ea__dc_same() {
    # $1 mode, $2 wanted file, $3 current file, $4 image's file (merge): same or not
    case $1 in
        exact | image) cmp -s "$2" "$3" ;;
        set)
            sort "$2" >"$2.s" && sort "$3" >"$3.s" && cmp -s "$2.s" "$3.s"
            ;;
        subset) ! grep -F -v -x -f "$3" "$2" >/dev/null 2>&1 || [ ! -s "$2" ] ;;
        merge)
            ea__dc_merge "$2" "$4" >"$2.m" && sort "$3" >"$3.s" && cmp -s "$2.m" "$3.s"
            ;;
        *) return 1 ;;
    esac
}

ea__dc_image() {
    # $1 image, $2 pull policy, $3 file for its ID ('' when absent in check mode): make sure
    # the image is on the target; 2 = it would be pulled (check mode)
    __ea_dc_iid=$(docker image inspect --format '{{.Id}}' "$1" 2>/dev/null) || __ea_dc_iid=
    if [ "$2" = always ] || { [ -z "$__ea_dc_iid" ] && [ "$2" = missing ]; }; then
        if ea_is_check; then
            printf '%s\n' "$__ea_dc_iid" >"$3"
            [ -n "$__ea_dc_iid" ] && return 0
            return 2
        fi
        ea__docker "pulling image $1 failed (no registry reachable? on an air-gapped site load it with docker_image source: load)" pull "$1" || return 1
        __ea_dc_iid=$(docker image inspect --format '{{.Id}}' "$1" 2>/dev/null) || __ea_dc_iid=
        ea_field pulled 1
    fi
    if [ -z "$__ea_dc_iid" ]; then
        ea_fail "image $1 is not on the target and pull is never: load it first (docker_image source: load) or allow pull: missing"
        return 1
    fi
    printf '%s\n' "$__ea_dc_iid" >"$3"
}

ea__dc_networks() {
    # $1 container, $2 NETS file, $3 current networks ("name address" lines; the address only
    # when one was asked for), $4 purge (1/0): connect what is missing or on another address,
    # disconnect what is not wanted when purging; changed when anything would move
    __ea_dc_c=$1
    __ea_dc_nf=$2
    __ea_dc_now=$3
    __ea_dc_pg=$4
    __ea_dc_moved=0
    while IFS='|' read -r __ea_dc_net __ea_dc_ip __ea_dc_al; do
        [ -n "$__ea_dc_net" ] || continue
        __ea_dc_on=0
        awk -v n="$__ea_dc_net" '$1 == n { f = 1 } END { exit !f }' "$__ea_dc_now" && __ea_dc_on=1
        if [ "$__ea_dc_on" = 1 ]; then
            # connected; with an address given, on that address (else connect it again)
            [ -z "$__ea_dc_ip" ] && continue
            grep -F -x -q -e "$__ea_dc_net $__ea_dc_ip" "$__ea_dc_now" && continue
        fi
        __ea_dc_moved=1
        ea_is_check && continue
        if [ "$__ea_dc_on" = 1 ]; then
            ea__docker "disconnecting $__ea_dc_c from network $__ea_dc_net to change its address failed" network disconnect "$__ea_dc_net" "$__ea_dc_c" || return 1
        fi
        set --
        [ -n "$__ea_dc_ip" ] && set -- --ip "$__ea_dc_ip"
        __ea_dc_rest=$__ea_dc_al
        while [ -n "$__ea_dc_rest" ]; do
            __ea_dc_a=${__ea_dc_rest%%,*}
            if [ "$__ea_dc_a" = "$__ea_dc_rest" ]; then __ea_dc_rest=; else __ea_dc_rest=${__ea_dc_rest#*,}; fi
            set -- "$@" --alias "$__ea_dc_a"
        done
        ea__docker "connecting $__ea_dc_c to network $__ea_dc_net failed" network connect "$@" "$__ea_dc_net" "$__ea_dc_c" || return 1
    done <"$__ea_dc_nf"
    if [ "$__ea_dc_pg" = 1 ]; then
        cut -d'|' -f1 "$__ea_dc_nf" >"$__ea_dc_nf.names"
        cut -d' ' -f1 "$__ea_dc_now" >"$__ea_dc_now.names"
        while IFS= read -r __ea_dc_net; do
            [ -n "$__ea_dc_net" ] || continue
            grep -F -x -q -e "$__ea_dc_net" "$__ea_dc_nf.names" && continue
            __ea_dc_moved=1
            ea_is_check && continue
            ea__docker "disconnecting $__ea_dc_c from network $__ea_dc_net failed" network disconnect "$__ea_dc_net" "$__ea_dc_c" || return 1
        done <"$__ea_dc_now.names"
    fi
    [ "$__ea_dc_moved" = 1 ] && ea_changed
    [ "$__ea_dc_moved" = 1 ] && ! ea_is_check && __ea_dc_touched=1
    return 0
}

ea_docker_container() {
    __ea_dc_name=$1
    __ea_dc_state=$2
    __ea_dc_image=$3
    __ea_dc_pull=$4
    __ea_dc_flags=$5
    __ea_dc_fields=$6
    __ea_dc_want=$7
    __ea_dc_tmpl=$8
    __ea_dc_nets=$9
    shift 9
    ea__docker_cli || return 1
    __ea_dc_cur=$(ea_tmp cur) || return 1
    __ea_dc_exists=0
    ea__docker_inspect container "$__ea_dc_name" "$__ea_dc_tmpl" "$__ea_dc_cur" && __ea_dc_exists=1
    [ "$__ea_dc_exists" = 1 ] || ea__docker_ready || return 1
    __ea_dc_bd=$(ea_tmp before) || return 1
    __ea_dc_ad=$(ea_tmp after) || return 1
    if [ "$__ea_dc_state" = absent ]; then
        if [ "$__ea_dc_exists" = 1 ]; then
            ea_changed
            ea__docker_removal_diff "$__ea_dc_name" "$__ea_dc_bd" "$__ea_dc_ad"
            if ! ea_is_check; then
                ea__dc_rm "$__ea_dc_name" "$__ea_dc_flags" || return 1
            fi
        fi
        ea_field container ""
        return 0
    fi
    __ea_dc_d=$(ea_tmp dc) && rm -f "$__ea_dc_d" && mkdir "$__ea_dc_d" || return 1
    __ea_dc_iidf=$__ea_dc_d/image.id
    __ea_dc_irc=0
    ea__dc_image "$__ea_dc_image" "$__ea_dc_pull" "$__ea_dc_iidf" || __ea_dc_irc=$?
    [ "$__ea_dc_irc" = 1 ] && return 1
    [ "$__ea_dc_irc" = 2 ] && ea_changed
    ea__docker_blocks "$__ea_dc_want" "$__ea_dc_d/want"
    __ea_dc_differs=
    __ea_dc_running=false
    __ea_dc_touched=0
    if [ "$__ea_dc_exists" = 1 ]; then
        ea__docker_blocks "$__ea_dc_cur" "$__ea_dc_d/cur"
        case " $__ea_dc_fields" in *:merge*) __ea_dc_merge=1 ;; *) __ea_dc_merge=0 ;; esac
        if [ -s "$__ea_dc_iidf" ] && [ "$__ea_dc_merge" = 1 ]; then
            docker image inspect --format '@@env
{{range .Config.Env}}{{println .}}{{end}}@@labels
{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{println}}{{end}}@@end' "$__ea_dc_image" >"$__ea_dc_d/img" 2>/dev/null || : >"$__ea_dc_d/img"
        else
            : >"$__ea_dc_d/img"
        fi
        ea__docker_blocks "$__ea_dc_d/img" "$__ea_dc_d/img"
        for __ea_dc_f in $__ea_dc_fields; do
            __ea_dc_fn=${__ea_dc_f%%:*}
            __ea_dc_fm=${__ea_dc_f#*:}
            [ "$__ea_dc_fm" = networks ] && continue # connected in place, never a recreate
            [ "$__ea_dc_fm" = image ] && cp "$__ea_dc_iidf" "$__ea_dc_d/want.$__ea_dc_fn"
            [ -f "$__ea_dc_d/img.$__ea_dc_fn" ] || : >"$__ea_dc_d/img.$__ea_dc_fn"
            [ -f "$__ea_dc_d/cur.$__ea_dc_fn" ] || : >"$__ea_dc_d/cur.$__ea_dc_fn"
            if ! ea__dc_same "$__ea_dc_fm" "$__ea_dc_d/want.$__ea_dc_fn" "$__ea_dc_d/cur.$__ea_dc_fn" "$__ea_dc_d/img.$__ea_dc_fn"; then
                __ea_dc_differs="$__ea_dc_differs $__ea_dc_fn"
                ea__docker_diff_field "$__ea_dc_fn" "$__ea_dc_d/cur.$__ea_dc_fn" "$__ea_dc_bd"
                ea__docker_diff_field "$__ea_dc_fn" "$__ea_dc_d/want.$__ea_dc_fn" "$__ea_dc_ad"
            fi
        done
        __ea_dc_running=$(cat "$__ea_dc_d/cur.running" 2>/dev/null)
    fi
    __ea_dc_create=0
    case $__ea_dc_flags in *r*) [ "$__ea_dc_exists" = 1 ] && __ea_dc_differs="$__ea_dc_differs recreate" ;; esac
    if [ "$__ea_dc_exists" = 0 ]; then
        __ea_dc_create=1
        printf 'state: absent\n' >"$__ea_dc_bd"
        printf 'state: %s\n' "$__ea_dc_state" >"$__ea_dc_ad"
        for __ea_dc_f in $__ea_dc_fields; do
            __ea_dc_fn=${__ea_dc_f%%:*}
            ea__docker_diff_field "$__ea_dc_fn" "$__ea_dc_d/want.$__ea_dc_fn" "$__ea_dc_ad"
        done
    elif [ -n "$__ea_dc_differs" ]; then
        __ea_dc_create=1
        ea_field differences "${__ea_dc_differs# }"
    fi
    if [ "$__ea_dc_create" = 1 ]; then
        ea_changed
        ea_diff_files "$__ea_dc_bd" "$__ea_dc_ad" "$__ea_dc_name (before)" "$__ea_dc_name (after)"
        if ! ea_is_check; then
            if [ "$__ea_dc_exists" = 1 ]; then
                ea__dc_rm "$__ea_dc_name" "$__ea_dc_flags" || return 1
            fi
            ea__docker "creating container $__ea_dc_name failed" create --name "$__ea_dc_name" "$@" || return 1
            __ea_dc_touched=1
        fi
        __ea_dc_running=false
    fi
    if [ "$__ea_dc_create" = 0 ] || ! ea_is_check; then
        __ea_dc_nowf=$__ea_dc_d/nets.now
        if [ "$__ea_dc_create" = 1 ]; then
            docker inspect --type container --format '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{with $v.IPAMConfig}}{{.IPv4Address}}{{end}}{{println}}{{end}}' "$__ea_dc_name" >"$__ea_dc_nowf" 2>/dev/null || : >"$__ea_dc_nowf"
        else
            cp "$__ea_dc_d/cur.networks" "$__ea_dc_nowf" 2>/dev/null || : >"$__ea_dc_nowf"
        fi
        case $__ea_dc_fields in *networks:*)
            __ea_dc_purge=0
            case $__ea_dc_flags in *p*) __ea_dc_purge=1 ;; esac
            ea__dc_networks "$__ea_dc_name" "$__ea_dc_nets" "$__ea_dc_nowf" "$__ea_dc_purge" || return 1
            ;;
        esac
    fi
    case $__ea_dc_state in
        started)
            if [ "$__ea_dc_running" != true ]; then
                ea_changed
                if ! ea_is_check; then
                    ea__docker "starting container $__ea_dc_name failed" start "$__ea_dc_name" || return 1
                    __ea_dc_touched=1
                    case $__ea_dc_flags in *a*) ea__dc_attach "$__ea_dc_name" || return 1 ;; esac
                fi
            fi
            ;;
        stopped)
            if [ "$__ea_dc_running" = true ]; then
                ea_changed
                if ! ea_is_check; then
                    __ea_dc_touched=1
                    case $__ea_dc_flags in
                        *f*) ea__docker "killing container $__ea_dc_name failed" kill "$__ea_dc_name" || return 1 ;;
                        *) ea__docker "stopping container $__ea_dc_name failed" stop "$__ea_dc_name" || return 1 ;;
                    esac
                fi
            fi
            ;;
    esac
    if [ "$__ea_dc_touched" = 0 ] && [ -s "$__ea_dc_d/cur.json" ]; then
        ea_field_file container "$__ea_dc_d/cur.json" # untouched: the first inspect's data
    else
        ea__docker_result container "$__ea_dc_name" container
    fi
}

ea__dc_rm() {
    # $1 name, $2 flags: remove the container (its anonymous volumes too unless keep_volumes)
    case $2 in
        *k*) ea__docker "removing container $1 failed" rm -f "$1" ;;
        *) ea__docker "removing container $1 failed" rm -f -v "$1" ;;
    esac
}

ea__dc_attach() {
    # $1 name (detach: false): wait for the container to exit; its output and exit status
    # are the result, a non-zero status fails the task
    __ea_dc_st=$(docker wait "$1" 2>&1) || {
        ea_fail "waiting for container $1 failed: $__ea_dc_st"
        return 1
    }
    __ea_dc_lo=$(ea_tmp logs) || return 1
    docker logs "$1" >"$__ea_dc_lo" 2>&1 || true
    ea_field_file output "$__ea_dc_lo"
    ea_field status "$__ea_dc_st"
    if [ "$__ea_dc_st" != 0 ]; then
        ea_fail "container $1 exited with status $__ea_dc_st"
        return 1
    fi
    return 0
}
