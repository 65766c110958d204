# docker: helpers the docker_* functions share. They drive the docker CLI on the target (no
# Python, no jq): state is read with `docker inspect --format` Go templates that print one
# "@@name" headed block per compared field, which ea__docker_blocks cuts into files.

ea__docker_cli() {
    # fail naming what is missing when there is no docker CLI (costs no process)
    command -v docker >/dev/null 2>&1 && return 0
    ea_fail "no docker CLI on the target (PATH=$PATH): install docker.io (Debian/Ubuntu) or docker-ce first, e.g. with the docker_engine role"
}

ea__docker_ready() {
    # fail naming what is missing when there is no docker CLI or the daemon does not answer.
    # Modules call it only once an inspect failed (absent object, or no daemon?): a converged
    # task then costs no extra docker call.
    ea__docker_cli || return 1
    __ea_dk_dv=$(docker version --format '{{.Server.Version}}' 2>&1) || {
        ea_fail "the docker daemon does not answer (is dockerd running? do you need become?): $__ea_dk_dv"
        return 1
    }
    return 0
}

ea__docker() {
    # $1 what (for the message), then docker's arguments: run it, its output in the task's
    # file "docker.out"; on failure ea_fail with what docker said
    __ea_dk_what=$1
    shift
    __ea_dk_dout=$(ea_tmp docker.out) || return 1
    docker "$@" >"$__ea_dk_dout" 2>&1 && return 0
    ea_fail "$__ea_dk_what: $(cat "$__ea_dk_dout")"
}

ea__docker_blocks() {
    # $1 file of "@@name" headed blocks, $2 path prefix: each block goes to PREFIX.name
    awk -v p="$2" '/^@@/ { f = p "." substr($0, 3); printf "" > f; next } f != "" { print > f }' "$1"
}

ea__docker_inspect() {
    # $1 docker object kind (container, network, volume, image), $2 name, $3 template file,
    # $4 output file: the template's output (and exit status 0) when the object exists; the
    # "@@end" block takes the newline docker adds, so the last real block is exact
    docker inspect --type "$1" --format "$(cat "$3")@@end" "$2" >"$4" 2>/dev/null
}

ea__docker_result() {
    # $1 kind, $2 name, $3 result key: the object's inspect data as JSON ('' when absent)
    __ea_dk_dj=$(ea_tmp "json.$3") || return 1
    docker inspect --type "$1" --format '{{json .}}' "$2" >"$__ea_dk_dj" 2>/dev/null || : >"$__ea_dk_dj"
    ea_field_file "$3" "$__ea_dk_dj"
}

ea__docker_diff_field() {
    # $1 field name, $2 file of its lines, $3 diff text: append "name:" and the lines indented
    { printf '%s:\n' "$1"; sed 's/^/  /' "$2"; } >>"$3"
}

ea__docker_removal_diff() {
    # $1 object name, $2/$3 before/after files: the diff of its removal
    printf 'state: present\n' >"$2"
    printf 'state: absent\n' >"$3"
    ea_diff_files "$2" "$3" "$1" "$1"
}

ea__docker_compare() {
    # $1 FIELDS (name:mode, mode exact or set), $2 wanted blocks, $3 current blocks, $4 work
    # dir, $5 before file, $6 after file: the names of the differing fields on stdout (the
    # before/after files get their lines for the diff)
    ea__docker_blocks "$2" "$4/want"
    ea__docker_blocks "$3" "$4/cur"
    for __ea_dk_f in $1; do
        __ea_dk_fn=${__ea_dk_f%%:*}
        __ea_dk_w=$4/want.$__ea_dk_fn __ea_dk_c=$4/cur.$__ea_dk_fn
        [ -f "$__ea_dk_w" ] || : >"$__ea_dk_w"
        [ -f "$__ea_dk_c" ] || : >"$__ea_dk_c"
        case ${__ea_dk_f#*:} in
            set) sort "$__ea_dk_w" >"$__ea_dk_w.s" && sort "$__ea_dk_c" >"$__ea_dk_c.s" ;;
            *) cp "$__ea_dk_w" "$__ea_dk_w.s" && cp "$__ea_dk_c" "$__ea_dk_c.s" ;;
        esac
        cmp -s "$__ea_dk_w.s" "$__ea_dk_c.s" && continue
        printf '%s\n' "$__ea_dk_fn"
        ea__docker_diff_field "$__ea_dk_fn" "$__ea_dk_c" "$5"
        ea__docker_diff_field "$__ea_dk_fn" "$__ea_dk_w" "$6"
    done
}

ea__docker_object() {
    # $1 kind (network|volume), $2 name, $3 state, $4 recreate (always|changed|never), $5
    # FIELDS, $6 wanted blocks, $7 template, $8 file for its current blocks, then `docker
    # KIND create` arguments. Converges the object; removing or recreating it calls the hook
    # ea__docker_<kind>_detach NAME CURRENT-BLOCKS first when one exists.
    __ea_dk_k=$1
    __ea_dk_n=$2
    __ea_dk_s=$3
    __ea_dk_r=$4
    __ea_dk_fl=$5
    __ea_dk_wf=$6
    __ea_dk_tf=$7
    __ea_dk_cf=$8
    shift 8
    ea__docker_cli || return 1
    __ea_dk_bf=$(ea_tmp before) || return 1
    __ea_dk_af=$(ea_tmp after) || return 1
    __ea_dk_ex=0
    ea__docker_inspect "$__ea_dk_k" "$__ea_dk_n" "$__ea_dk_tf" "$__ea_dk_cf" && __ea_dk_ex=1
    [ "$__ea_dk_ex" = 1 ] || ea__docker_ready || return 1
    if [ "$__ea_dk_s" = absent ]; then
        [ "$__ea_dk_ex" = 1 ] || return 0
        ea_changed
        ea__docker_removal_diff "$__ea_dk_n" "$__ea_dk_bf" "$__ea_dk_af"
        ea_is_check && return 0
        if command -v "ea__docker_${__ea_dk_k}_detach" >/dev/null 2>&1; then
            "ea__docker_${__ea_dk_k}_detach" "$__ea_dk_n" "$__ea_dk_cf" || return 1
        fi
        ea__docker "removing $__ea_dk_k $__ea_dk_n failed" "$__ea_dk_k" rm "$__ea_dk_n"
        return
    fi
    __ea_dk_wd=$(ea_tmp cmp) && rm -f "$__ea_dk_wd" && mkdir "$__ea_dk_wd" || return 1
    if [ "$__ea_dk_ex" = 1 ]; then
        __ea_dk_diffs=$(ea__docker_compare "$__ea_dk_fl" "$__ea_dk_wf" "$__ea_dk_cf" "$__ea_dk_wd" "$__ea_dk_bf" "$__ea_dk_af") || return 1
        [ "$__ea_dk_r" = always ] && __ea_dk_diffs="$__ea_dk_diffs recreate"
        [ -n "$__ea_dk_diffs" ] || return 0
        # shellcheck disable=SC2086 # one word per line becomes one space-separated list
        ea_field differences "$(printf '%s ' $__ea_dk_diffs | sed 's/ $//')"
        [ "$__ea_dk_r" = never ] && return 0
    else
        printf 'state: absent\n' >"$__ea_dk_bf"
        printf 'state: present\n' >"$__ea_dk_af"
        ea__docker_blocks "$__ea_dk_wf" "$__ea_dk_wd/want"
        for __ea_dk_f in $__ea_dk_fl; do
            __ea_dk_w=$__ea_dk_wd/want.${__ea_dk_f%%:*}
            [ -f "$__ea_dk_w" ] || : >"$__ea_dk_w"
            ea__docker_diff_field "${__ea_dk_f%%:*}" "$__ea_dk_w" "$__ea_dk_af"
        done
    fi
    ea_changed
    ea_diff_files "$__ea_dk_bf" "$__ea_dk_af" "$__ea_dk_n (before)" "$__ea_dk_n (after)"
    ea_is_check && return 0
    if [ "$__ea_dk_ex" = 1 ]; then
        if command -v "ea__docker_${__ea_dk_k}_detach" >/dev/null 2>&1; then
            "ea__docker_${__ea_dk_k}_detach" "$__ea_dk_n" "$__ea_dk_cf" || return 1
        fi
        ea__docker "removing $__ea_dk_k $__ea_dk_n to recreate it failed" "$__ea_dk_k" rm "$__ea_dk_n" || return 1
    fi
    ea__docker "creating $__ea_dk_k $__ea_dk_n failed" "$__ea_dk_k" create "$@" "$__ea_dk_n"
}
