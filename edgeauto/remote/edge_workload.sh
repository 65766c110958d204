# edge_workload: one workload (one container) converged on this host: its image present by
# id (loaded from the archive the controller sent only when it is missing), its container
# created from the recorded docker create arguments, its health awaited, and the running and
# the last good version recorded under /var/lib/edgeauto/workloads/NAME/ so a rollback needs
# nothing from the controller. A failed update puts the previous version back (auto_revert).
#
# ea_edge_workload NAME ACTION IMAGE IMAGE_ID ARCHIVE SHA256 CONFIG RECORD ARGS TIMING FLAGS MARKER
#   NAME      the workload: container name and record directory
#   ACTION    present | rollback | absent
#   IMAGE     the image reference the container runs
#   IMAGE_ID  the image id (sha256:…) IMAGE must name: the archive's; '' = what IMAGE names here
#   ARCHIVE   file with the base64 of the gzip'd `docker save` archive; '' = not sent
#   SHA256    sha256 of the gzip'd archive (checked on the decoded bytes before loading)
#   CONFIG    the spec's config digest (the container's label edgeauto.config)
#   RECORD    file: current.json to record; the text @IMAGE_ID@ becomes the image id
#   ARGS      file: docker create arguments, one per line (ending with the image)
#   TIMING    "DEADLINE MIN_HEALTHY": whole seconds to turn healthy, then to stay healthy
#   FLAGS     letters: r=auto_revert, k=kata runtime (needs a usable /dev/kvm)
#   MARKER    file holding the image id once loaded from an archive ('' = none)
#
# ea_edge_workload_status NAMES REFS HW
#   NAMES     space-separated workloads ('' = every recorded one)
#   REFS      space-separated image references whose local ids to report
#   HW        1 = also run the edgeauto_hw probe (placement facts in the same round trip)

ea__wl_dir() {
    printf '/var/lib/edgeauto/workloads/%s' "$1"
}

ea__wl_state() {
    # $1 container: "status health restarts image config" ('' when there is no container)
    docker inspect --type container --format '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.RestartCount}} {{.Image}} {{index .Config.Labels "edgeauto.config"}}' "$1" 2>/dev/null
}

ea__wl_b64d() {
    # $1 base64 file, $2 output: decoded with whichever tool exists
    if command -v base64 >/dev/null 2>&1; then
        base64 -d <"$1" >"$2"
    elif command -v busybox >/dev/null 2>&1; then
        busybox base64 -d <"$1" >"$2"
    else
        openssl base64 -d -A <"$1" >"$2"
    fi
}

ea__wl_image() {
    # $1 ref, $2 wanted id, $3 archive (base64), $4 sha256, $5 flags, $6 marker: make the
    # image be there; prints its id. 2 = it would be loaded (check mode)
    __ea_wl_iid=$(docker image inspect --format '{{.Id}}' "$1" 2>/dev/null) || __ea_wl_iid=
    if [ -n "$__ea_wl_iid" ] && { [ -z "$2" ] || [ "$__ea_wl_iid" = "$2" ]; }; then
        printf '%s' "$__ea_wl_iid"
        return 0
    fi
    if [ -z "$2" ]; then
        ea_fail "image $1 is not on the target and the workload names no archive to load it from"
        return 1
    fi
    # the wanted id under another name (loaded before, the tag moved): tag it, nothing to send
    if docker image inspect "$2" >/dev/null 2>&1; then
        ea_is_check && return 2
        ea__docker "tagging image $2 as $1 failed" tag "$2" "$1" || return 1
        printf '%s' "$2"
        return 0
    fi
    ea_is_check && return 2
    if [ -z "$3" ]; then
        ea_field resend 1
        ea_fail "image $1 ($2) is not on the target although the controller was told it is (removed since?); the archive was not sent — re-run"
        return 1
    fi
    __ea_wl_gz=$(ea_tmp image.tar.gz) || return 1
    ea__wl_b64d "$3" "$__ea_wl_gz" || {
        ea_fail "cannot decode the image archive the controller sent (base64)"
        return 1
    }
    __ea_wl_sum=$(ea__fs_digest "$__ea_wl_gz" sha256) || {
        ea_fail "no sha256 tool on the target (sha256sum, busybox or openssl) to verify the image archive"
        return 1
    }
    if [ "$__ea_wl_sum" != "$4" ]; then
        ea_fail "the image archive arrived damaged: sha256 $__ea_wl_sum, expected $4"
        return 1
    fi
    __ea_wl_lo=$(ea_tmp load.out) || return 1
    docker load -i "$__ea_wl_gz" >"$__ea_wl_lo" 2>&1 || {
        ea_fail "loading the image archive for $1 failed: $(cat "$__ea_wl_lo")"
        return 1
    }
    rm -f "$__ea_wl_gz"
    docker image inspect "$2" >/dev/null 2>&1 || {
        ea_fail "the archive was loaded but holds no image $2 (docker load said: $(cat "$__ea_wl_lo"))"
        return 1
    }
    __ea_wl_now=$(docker image inspect --format '{{.Id}}' "$1" 2>/dev/null) || __ea_wl_now=
    if [ "$__ea_wl_now" != "$2" ]; then
        ea__docker "tagging image $2 as $1 failed" tag "$2" "$1" || return 1
    fi
    ea_field loaded 1
    if [ -n "$6" ]; then
        mkdir -p "$(dirname "$6")" || return 1
        __ea_wl_mt=$(ea_tmp marker) || return 1
        printf '%s\n' "$2" >"$__ea_wl_mt"
        ea_atomic_install "$__ea_wl_mt" "$6" || return 1
    fi
    printf '%s' "$2"
}

ea__wl_create() {
    # $1 name, $2 args file (one argument per line): replace the container and start it;
    # on failure 1, docker's words in __ea_wl_why
    __ea_wl_c=$1
    __ea_wl_af=$2
    docker rm -f "$__ea_wl_c" >/dev/null 2>&1
    set --
    while IFS= read -r __ea_wl_a; do
        set -- "$@" "$__ea_wl_a"
    done <"$__ea_wl_af"
    __ea_wl_out=$(docker create --name "$__ea_wl_c" "$@" 2>&1) || {
        ea__wl_unhealthy "docker create failed: $__ea_wl_out"
        return 1
    }
    __ea_wl_out=$(docker start "$__ea_wl_c" 2>&1) || {
        ea__wl_unhealthy "it did not start: $__ea_wl_out"
        return 1
    }
}

ea__wl_wait() {
    # $1 name, $2 deadline, $3 min healthy (seconds): 0 once healthy (running, when the
    # container has no health check) for $3 seconds in a row within $2; else 1, the reason
    # in __ea_wl_why (and the field "unhealthy")
    __ea_wl_t0=$(date +%s)
    __ea_wl_why=
    __ea_wl_since=
    __ea_wl_rc0=
    while :; do
        __ea_wl_st=$(ea__wl_state "$1")
        # shellcheck disable=SC2086 # the state line is five words
        set -- "$1" "$2" "$3" $__ea_wl_st
        __ea_wl_now=$(date +%s)
        [ -n "$__ea_wl_rc0" ] || __ea_wl_rc0=${6:-0}
        case "${4:-gone} ${5:-none}" in
            "running healthy" | "running none")
                [ -n "$__ea_wl_since" ] || __ea_wl_since=$__ea_wl_now
                if [ "${6:-0}" != "$__ea_wl_rc0" ]; then
                    ea__wl_unhealthy "restarted ${6} times while being watched"
                    return 1
                fi
                [ $((__ea_wl_now - __ea_wl_since)) -ge "$3" ] && return 0
                ;;
            *" unhealthy")
                ea__wl_unhealthy "health check failing ($4, unhealthy)"
                return 1
                ;;
            exited* | dead* | gone*)
                __ea_wl_ex=$(docker inspect --format '{{.State.ExitCode}}' "$1" 2>/dev/null)
                ea__wl_unhealthy "container ${4:-gone} (exit code ${__ea_wl_ex:-?})"
                return 1
                ;;
            *)
                if [ -n "$__ea_wl_since" ]; then
                    ea__wl_unhealthy "was healthy, then $4 ($5)"
                    return 1
                fi
                ;;
        esac
        if [ $((__ea_wl_now - __ea_wl_t0)) -ge "$2" ]; then
            ea__wl_unhealthy "not healthy within ${2}s (${4:-gone}, ${5:-none})"
            return 1
        fi
        sleep 1
    done
}

ea__wl_unhealthy() {
    # $1 why the workload is not healthy: kept for the task's message, and reported
    __ea_wl_why=$1
    ea_field unhealthy "$1"
}

ea__wl_put() {
    # $1 source file, $2 destination in the record directory (atomic)
    __ea_wl_pt=$(ea_tmp put) || return 1
    cat "$1" >"$__ea_wl_pt" && ea_atomic_install "$__ea_wl_pt" "$2"
}

ea__wl_revert() {
    # $1 name, $2 record dir, $3 deadline: put the recorded current version back
    [ -f "$2/current.args" ] || return 1
    ea__wl_create "$1" "$2/current.args" || return 1
    ea__wl_wait "$1" "$3" 0
}

ea__wl_kvm() {
    # a kata workload needs a usable /dev/kvm and docker's kata runtime
    if [ ! -c /dev/kvm ] || [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        ea_fail "runtime kata needs a usable /dev/kvm on this host (none here): the workload cannot run"
        return 1
    fi
    case " $(docker info --format '{{range $k, $v := .Runtimes}}{{$k}} {{end}}' 2>/dev/null)" in
        *" kata "*) return 0 ;;
    esac
    ea_fail "runtime kata is not registered with docker on this host (install it with the kata_runtime module)"
}

ea_edge_workload() {
    __ea_wl_cn=$1
    __ea_wl_act=$2
    __ea_wl_ref=$3
    __ea_wl_want=$4
    __ea_wl_ar=$5
    __ea_wl_sha=$6
    __ea_wl_cfg=$7
    __ea_wl_rec=$8
    __ea_wl_args=$9
    __ea_wl_tm=${10}
    __ea_wl_fl=${11}
    __ea_wl_mk=${12}
    ea__docker_cli || return 1
    __ea_wl_d=$(ea__wl_dir "$__ea_wl_cn")
    __ea_wl_cur=$(ea__wl_state "$__ea_wl_cn")
    [ -n "$__ea_wl_cur" ] || ea__docker_ready || return 1
    __ea_wl_dl=${__ea_wl_tm% *}
    __ea_wl_mh=${__ea_wl_tm#* }
    case $__ea_wl_act in
        absent) ea__wl_absent "$__ea_wl_cn" "$__ea_wl_d" "$__ea_wl_cur" ;;
        rollback) ea__wl_rollback "$__ea_wl_cn" "$__ea_wl_d" "$__ea_wl_dl" "$__ea_wl_mh" ;;
        *) ea__wl_present ;;
    esac
    __ea_wl_rc=$?
    ea_field state "$(ea__wl_state "$__ea_wl_cn")"
    for __ea_wl_f in current previous; do
        [ -f "$__ea_wl_d/$__ea_wl_f.json" ] && ea_field_file "$__ea_wl_f" "$__ea_wl_d/$__ea_wl_f.json"
    done
    return "$__ea_wl_rc"
}

ea__wl_absent() {
    # $1 name, $2 record dir, $3 current state
    if [ -n "$3" ]; then
        ea_changed
        ea_is_check || ea__docker "removing container $1 failed" rm -f "$1" || return 1
    fi
    if [ -d "$2" ]; then
        ea_changed
        ea_is_check || rm -rf "$2"
    fi
    return 0
}

ea__wl_rollback() {
    # $1 name, $2 record dir, $3 deadline, $4 min healthy: previous becomes current again
    # (and current previous, so a second rollback undoes the first)
    if [ ! -d "$2" ]; then
        ea_skip "workload $1 is not deployed on this host"
        return 0
    fi
    if [ ! -f "$2/previous.args" ]; then
        ea_fail "workload $1 has no previous version recorded on this host ($2/previous.json): nothing to roll back to"
        return 1
    fi
    ea_changed
    ea_is_check && return 0
    if ! { ea__wl_create "$1" "$2/previous.args" && ea__wl_wait "$1" "$3" "$4"; }; then
        ea_fail "the previous version of $1 is not healthy ($__ea_wl_why): the record is left as it was"
        return 1
    fi
    __ea_wl_sw=$(ea_tmp swap) || return 1
    for __ea_wl_x in json args; do
        cp "$2/current.$__ea_wl_x" "$__ea_wl_sw" || return 1
        ea__wl_put "$2/previous.$__ea_wl_x" "$2/current.$__ea_wl_x" || return 1
        ea__wl_put "$__ea_wl_sw" "$2/previous.$__ea_wl_x" || return 1
    done
}

ea__wl_present() {
    case $__ea_wl_fl in *k*) ea__wl_kvm || return 1 ;; esac
    __ea_wl_irc=0
    __ea_wl_id=$(ea__wl_image "$__ea_wl_ref" "$__ea_wl_want" "$__ea_wl_ar" "$__ea_wl_sha" "$__ea_wl_fl" "$__ea_wl_mk") || __ea_wl_irc=$?
    [ "$__ea_wl_irc" = 1 ] && return 1
    __ea_wl_new=$(ea_tmp record) || return 1
    sed "s/@IMAGE_ID@/${__ea_wl_id:-$__ea_wl_want}/" "$__ea_wl_rec" >"$__ea_wl_new" || return 1
    # shellcheck disable=SC2086 # the state line is five words
    set -- $__ea_wl_cur
    if [ "$__ea_wl_irc" = 0 ] && [ "${1:-}" = running ] && [ "${4:-}" = "$__ea_wl_id" ] && [ "${5:-}" = "$__ea_wl_cfg" ]; then
        # converged: this version runs; its record is what the controller would write
        if cmp -s "$__ea_wl_new" "$__ea_wl_d/current.json" && cmp -s "$__ea_wl_args" "$__ea_wl_d/current.args"; then
            return 0
        fi
        ea_changed
        ea_is_check && return 0
        mkdir -p "$__ea_wl_d" && ea__wl_put "$__ea_wl_new" "$__ea_wl_d/current.json" && ea__wl_put "$__ea_wl_args" "$__ea_wl_d/current.args"
        return
    fi
    ea_changed
    if [ "${5:-}" = "$__ea_wl_cfg" ] && [ "${4:-}" = "$__ea_wl_id" ]; then
        ea_field action start
    elif [ -n "$__ea_wl_cur" ]; then
        ea_field action update
    else
        ea_field action deploy
    fi
    ea_is_check && return 0
    mkdir -p "$__ea_wl_d" || return 1
    if ea__wl_create "$__ea_wl_cn" "$__ea_wl_args" && ea__wl_wait "$__ea_wl_cn" "$__ea_wl_dl" "$__ea_wl_mh"; then
        # healthy: the version that ran before (when it is another one) becomes previous
        if [ -f "$__ea_wl_d/current.json" ] && ! cmp -s "$__ea_wl_d/current.args" "$__ea_wl_args"; then
            ea__wl_put "$__ea_wl_d/current.json" "$__ea_wl_d/previous.json" || return 1
            ea__wl_put "$__ea_wl_d/current.args" "$__ea_wl_d/previous.args" || return 1
        fi
        ea__wl_put "$__ea_wl_new" "$__ea_wl_d/current.json" || return 1
        ea__wl_put "$__ea_wl_args" "$__ea_wl_d/current.args"
        return
    fi
    __ea_wl_cause=$__ea_wl_why
    case $__ea_wl_fl in
        *r*)
            if [ -f "$__ea_wl_d/current.args" ] && ! cmp -s "$__ea_wl_d/current.args" "$__ea_wl_args"; then
                if ea__wl_revert "$__ea_wl_cn" "$__ea_wl_d" "$__ea_wl_dl"; then
                    ea_field rolled_back 1
                    ea_fail "workload $__ea_wl_cn $__ea_wl_ref is not healthy: $__ea_wl_cause; the previous version was put back and is running"
                else
                    ea_field revert_failed 1
                    ea_fail "workload $__ea_wl_cn $__ea_wl_ref is not healthy: $__ea_wl_cause; putting the previous version back failed too: $__ea_wl_why"
                fi
                return 1
            fi
            ;;
    esac
    ea_fail "workload $__ea_wl_cn $__ea_wl_ref is not healthy: $__ea_wl_cause"
    return 1
}

ea_edge_workload_status() {
    # see the header: per workload the fields state_NAME, current_NAME, previous_NAME; the
    # image ids in "images" (REF ID lines); the hardware probe's lines in "hw"
    __ea_ws_names=$1
    __ea_ws_refs=$2
    __ea_ws_hwp=$3
    if [ -z "$__ea_ws_names" ] && [ -d /var/lib/edgeauto/workloads ]; then
        for __ea_ws_p in /var/lib/edgeauto/workloads/*/; do
            [ -d "$__ea_ws_p" ] || continue
            __ea_ws_p=${__ea_ws_p%/}
            __ea_ws_names="$__ea_ws_names ${__ea_ws_p##*/}"
        done
    fi
    __ea_ws_docker=0
    command -v docker >/dev/null 2>&1 && docker version --format '{{.Server.Version}}' >/dev/null 2>&1 && __ea_ws_docker=1
    ea_field docker "$__ea_ws_docker"
    ea_field names "${__ea_ws_names# }"
    for __ea_ws_n in $__ea_ws_names; do
        __ea_ws_d=$(ea__wl_dir "$__ea_ws_n")
        if [ "$__ea_ws_docker" = 1 ]; then
            ea_field "state_$__ea_ws_n" "$(ea__wl_state "$__ea_ws_n")"
        fi
        for __ea_ws_f in current previous; do
            [ -f "$__ea_ws_d/$__ea_ws_f.json" ] && ea_field_file "${__ea_ws_f}_$__ea_ws_n" "$__ea_ws_d/$__ea_ws_f.json"
        done
    done
    __ea_ws_img=$(ea_tmp images) || return 1
    if [ "$__ea_ws_docker" = 1 ]; then
        for __ea_ws_r in $__ea_ws_refs; do
            __ea_ws_i=$(docker image inspect --format '{{.Id}}' "$__ea_ws_r" 2>/dev/null) || continue
            printf '%s %s\n' "$__ea_ws_r" "$__ea_ws_i" >>"$__ea_ws_img"
        done
    fi
    ea_field_file images "$__ea_ws_img"
    [ -f /etc/edgeauto/services.json ] && ea_field_file catalog /etc/edgeauto/services.json
    if [ "$__ea_ws_hwp" = 1 ]; then
        __ea_ws_hw=$(ea_tmp hw) || return 1
        _eaf_edge_hw "" >"$__ea_ws_hw" 2>/dev/null
        ea_field_file hw "$__ea_ws_hw"
    fi
    return 0
}
