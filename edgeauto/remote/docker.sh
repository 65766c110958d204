# docker: helpers the docker_* functions share. They drive the docker CLI on the target (no
# Python, no jq): state is read with `docker inspect --format` Go templates that print one
# "@@name" headed block per compared field, which ea_docker_blocks cuts into files.

ea_docker_ready() {
    # fail naming what is missing when there is no docker CLI or the daemon does not answer
    command -v docker >/dev/null 2>&1 || {
        ea_fail "no docker CLI on the target (PATH=$PATH): install docker.io (Debian/Ubuntu) or docker-ce first, e.g. with the docker_engine role"
        return 1
    }
    __ea_dv=$(docker version --format '{{.Server.Version}}' 2>&1) || {
        ea_fail "the docker daemon does not answer (is dockerd running? do you need become?): $__ea_dv"
        return 1
    }
    return 0
}

ea_docker() {
    # $1 what (for the message), then docker's arguments: run it, its output in the task's
    # file "docker.out"; on failure ea_fail with what docker said
    __ea_what=$1
    shift
    __ea_dout=$(ea_tmp docker.out) || return 1
    docker "$@" >"$__ea_dout" 2>&1 && return 0
    ea_fail "$__ea_what: $(cat "$__ea_dout")"
}

ea_docker_blocks() {
    # $1 file of "@@name" headed blocks, $2 path prefix: each block goes to PREFIX.name
    awk -v p="$2" '/^@@/ { f = p "." substr($0, 3); printf "" > f; next } f != "" { print > f }' "$1"
}

ea_docker_inspect() {
    # $1 docker object kind (container, network, volume, image), $2 name, $3 template file,
    # $4 output file: the template's output (and exit status 0) when the object exists; the
    # "@@end" block takes the newline docker adds, so the last real block is exact
    docker inspect --type "$1" --format "$(cat "$3")@@end" "$2" >"$4" 2>/dev/null
}

ea_docker_result() {
    # $1 kind, $2 name, $3 result key: the object's inspect data as JSON ('' when absent)
    __ea_dj=$(ea_tmp "json.$3") || return 1
    docker inspect --type "$1" --format '{{json .}}' "$2" >"$__ea_dj" 2>/dev/null || : >"$__ea_dj"
    ea_field_file "$3" "$__ea_dj"
}

ea_docker_compare() {
    # $1 FIELDS (name:mode, mode exact or set), $2 wanted blocks, $3 current blocks, $4 work
    # dir, $5 before file, $6 after file: the names of the differing fields on stdout (the
    # before/after files get their lines for the diff)
    ea_docker_blocks "$2" "$4/want"
    ea_docker_blocks "$3" "$4/cur"
    for __ea_f in $1; do
        __ea_fn=${__ea_f%%:*}
        __ea_w=$4/want.$__ea_fn __ea_c=$4/cur.$__ea_fn
        [ -f "$__ea_w" ] || : >"$__ea_w"
        [ -f "$__ea_c" ] || : >"$__ea_c"
        case ${__ea_f#*:} in
            set) sort "$__ea_w" >"$__ea_w.s" && sort "$__ea_c" >"$__ea_c.s" ;;
            *) cp "$__ea_w" "$__ea_w.s" && cp "$__ea_c" "$__ea_c.s" ;;
        esac
        cmp -s "$__ea_w.s" "$__ea_c.s" && continue
        printf '%s\n' "$__ea_fn"
        { printf '%s:\n' "$__ea_fn"; sed 's/^/  /' "$__ea_c"; } >>"$5"
        { printf '%s:\n' "$__ea_fn"; sed 's/^/  /' "$__ea_w"; } >>"$6"
    done
}

ea_docker_object() {
    # $1 kind (network|volume), $2 name, $3 state, $4 recreate (always|changed|never), $5
    # FIELDS, $6 wanted blocks, $7 template, then `docker KIND create` arguments. Converges
    # the object; recreating it calls the hook ea__docker_<kind>_detach first when it exists.
    # Sets __ea_obj_made=1 when the object was (or would be) created or recreated, and
    # __ea_obj_cur to the file of its current blocks.
    __ea_k=$1 __ea_n=$2 __ea_s=$3 __ea_r=$4 __ea_fl=$5 __ea_wf=$6 __ea_tf=$7
    shift 7
    __ea_obj_made=0
    ea_docker_ready || return 1
    __ea_cf=$(ea_tmp "$__ea_k.cur") || return 1
    __ea_obj_cur=$__ea_cf
    __ea_bf=$(ea_tmp before) || return 1
    __ea_af=$(ea_tmp after) || return 1
    __ea_ex=0
    ea_docker_inspect "$__ea_k" "$__ea_n" "$__ea_tf" "$__ea_cf" && __ea_ex=1
    if [ "$__ea_s" = absent ]; then
        [ "$__ea_ex" = 1 ] || return 0
        ea_changed
        printf 'state: present\n' >"$__ea_bf"
        printf 'state: absent\n' >"$__ea_af"
        ea_diff_files "$__ea_bf" "$__ea_af" "$__ea_n" "$__ea_n"
        ea_is_check && return 0
        if command -v "ea__docker_${__ea_k}_detach" >/dev/null 2>&1; then
            "ea__docker_${__ea_k}_detach" "$__ea_n" "$__ea_cf" || return 1
        fi
        ea_docker "removing $__ea_k $__ea_n failed" "$__ea_k" rm "$__ea_n"
        return
    fi
    __ea_wd=$(ea_tmp cmp) && rm -f "$__ea_wd" && mkdir "$__ea_wd" || return 1
    if [ "$__ea_ex" = 1 ]; then
        __ea_diffs=$(ea_docker_compare "$__ea_fl" "$__ea_wf" "$__ea_cf" "$__ea_wd" "$__ea_bf" "$__ea_af") || return 1
        [ "$__ea_r" = always ] && __ea_diffs="$__ea_diffs recreate"
        [ -n "$__ea_diffs" ] || return 0
        # shellcheck disable=SC2086 # one word per line becomes one space-separated list
        ea_field differences "$(printf '%s ' $__ea_diffs | sed 's/ $//')"
        [ "$__ea_r" = never ] && return 0
    else
        printf 'state: absent\n' >"$__ea_bf"
        { printf 'state: present\n'; cat "$__ea_wf"; } >"$__ea_af"
    fi
    ea_changed
    __ea_obj_made=1
    ea_diff_files "$__ea_bf" "$__ea_af" "$__ea_n (before)" "$__ea_n (after)"
    ea_is_check && return 0
    if [ "$__ea_ex" = 1 ]; then
        if command -v "ea__docker_${__ea_k}_detach" >/dev/null 2>&1; then
            "ea__docker_${__ea_k}_detach" "$__ea_n" "$__ea_cf" || return 1
        fi
        ea_docker "removing $__ea_k $__ea_n to recreate it failed" "$__ea_k" rm "$__ea_n" || return 1
    fi
    ea_docker "creating $__ea_k $__ea_n failed" "$__ea_k" create "$@" "$__ea_n"
}
